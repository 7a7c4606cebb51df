#include "runfile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "stats.h"

namespace ap {

namespace {

// Times above this would not survive a trip through a JavaScript number; no real run comes close.
constexpr int64_t max_time_us = int64_t(1) << 53;
// A valid file of Limits::max_count requests with every retry has well under half this many values; the
// cap bounds the memory a hostile file can make the parser take.
constexpr size_t max_values = 1000000;

// The shortest text that reads back as the same double; whole numbers without an exponent.
std::string number_text(double v) {
    if (!std::isfinite(v)) return "0";
    char buf[40];
    if (v == std::floor(v) && std::fabs(v) < double(max_time_us)) {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
        return buf;
    }
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

std::string relative(int64_t t, int64_t start) { return std::to_string(t >= 0 ? t - start : -1); }

// ---- A small strict JSON reader ----------------------------------------------------------------------

struct Json {
    enum class Kind : uint8_t { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool flag = false;              // a boolean's value
    bool whole = false;             // a number written as an integer that fits int64 (then `integer` is exact)
    double number = 0;
    int64_t integer = 0;
    std::string text;               // a string's value
    std::vector<Json> items;        // an array's items, or an object's values
    std::vector<std::string> keys;  // an object's keys, parallel to items

    const Json* get(const char* key) const {
        for (size_t i = 0; i < keys.size(); ++i) {
            if (keys[i] == key) return &items[i];
        }
        return nullptr;
    }
};

class Parser {
public:
    explicit Parser(const std::string& s) : s_(s) {}

    bool parse(Json* out) {
        if (!value(out, 0)) return false;
        skip_space();
        if (pos_ < s_.size()) return fail("unexpected " + describe(s_[pos_]) + " after the end of the file's object");
        return true;
    }
    const std::string& error() const { return error_; }

private:
    bool fail(const std::string& what) {
        int line = 1, column = 1;
        for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
            if (s_[i] == '\n') {
                ++line;
                column = 1;
            } else if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80) {
                ++column;  // count characters, not the continuation bytes of UTF-8
            }
        }
        error_ = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what;
        return false;
    }
    bool expected(const std::string& what) {
        if (pos_ >= s_.size()) return fail("the file ends early: expected " + what);
        return fail("expected " + what + ", found " + describe(s_[pos_]));
    }
    static std::string describe(char c) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (u > 0x20 && u < 0x7f) return std::string("'") + c + "'";
        char buf[16];
        std::snprintf(buf, sizeof buf, "byte 0x%02x", u);
        return buf;
    }
    void skip_space() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    }
    bool value(Json* v, int depth) {
        if (++values_ > max_values) return fail("more than " + std::to_string(max_values) + " values: too large for a run file");
        skip_space();
        if (pos_ >= s_.size()) return fail("the file ends where a value should be");
        const char c = s_[pos_];
        if (c == '{' || c == '[') {
            if (depth >= run_file_max_depth) return fail("nested deeper than " + std::to_string(run_file_max_depth) + " levels");
            return c == '{' ? object(v, depth + 1) : array(v, depth + 1);
        }
        if (c == '"') {
            v->kind = Json::Kind::string;
            return string(&v->text);
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number(v);
        for (const char* word : {"true", "false", "null"}) {
            if (s_.compare(pos_, std::char_traits<char>::length(word), word) == 0) {
                v->kind = word[0] == 'n' ? Json::Kind::null : Json::Kind::boolean;
                v->flag = word[0] == 't';
                pos_ += std::char_traits<char>::length(word);
                return true;
            }
        }
        return fail("expected a value, found " + describe(c));
    }
    bool object(Json* v, int depth) {
        v->kind = Json::Kind::object;
        ++pos_;
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            return true;
        }
        std::set<std::string> seen;
        for (;;) {
            skip_space();
            if (pos_ >= s_.size() || s_[pos_] != '"') return expected("a key in double quotes");
            const size_t key_at = pos_;
            std::string key;
            if (!string(&key)) return false;
            if (!seen.insert(key).second) {
                pos_ = key_at;
                return fail("the key \"" + key + "\" appears twice in one object");
            }
            skip_space();
            if (pos_ >= s_.size() || s_[pos_] != ':') return expected("':'");
            ++pos_;
            v->keys.push_back(std::move(key));
            v->items.emplace_back();
            if (!value(&v->items.back(), depth)) return false;
            skip_space();
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < s_.size() && s_[pos_] == '}') {
                ++pos_;
                return true;
            }
            return expected("',' or '}'");
        }
    }
    bool array(Json* v, int depth) {
        v->kind = Json::Kind::array;
        ++pos_;
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            return true;
        }
        for (;;) {
            v->items.emplace_back();
            if (!value(&v->items.back(), depth)) return false;
            skip_space();
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < s_.size() && s_[pos_] == ']') {
                ++pos_;
                return true;
            }
            return expected("',' or ']'");
        }
    }
    static int hex_digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    // Reads the 4 hex digits after "\u" at pos_ (which points at the backslash).
    bool hex4(unsigned* out) {
        if (pos_ + 6 > s_.size()) {
            pos_ = s_.size();
            return fail("the file ends inside a \\u escape");
        }
        unsigned v = 0;
        for (size_t i = pos_ + 2; i < pos_ + 6; ++i) {
            const int d = hex_digit(s_[i]);
            if (d < 0) return fail("\\u must be followed by 4 hex digits");
            v = v << 4 | unsigned(d);
        }
        *out = v;
        return true;
    }
    static void append_utf8(std::string* out, unsigned cp) {
        if (cp < 0x80) {
            out->push_back(char(cp));
        } else if (cp < 0x800) {
            out->push_back(char(0xC0 | cp >> 6));
            out->push_back(char(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out->push_back(char(0xE0 | cp >> 12));
            out->push_back(char(0x80 | (cp >> 6 & 0x3F)));
            out->push_back(char(0x80 | (cp & 0x3F)));
        } else {
            out->push_back(char(0xF0 | cp >> 18));
            out->push_back(char(0x80 | (cp >> 12 & 0x3F)));
            out->push_back(char(0x80 | (cp >> 6 & 0x3F)));
            out->push_back(char(0x80 | (cp & 0x3F)));
        }
    }
    bool string(std::string* out) {
        ++pos_;  // the opening quote
        for (;;) {
            if (pos_ >= s_.size()) return fail("the file ends inside a string");
            const char c = s_[pos_];
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) return fail("a control character inside a string (write it as an escape such as \\n)");
            if (c != '\\') {
                out->push_back(c);
                ++pos_;
                continue;
            }
            if (pos_ + 1 >= s_.size()) {
                pos_ = s_.size();
                return fail("the file ends inside a string");
            }
            const char e = s_[pos_ + 1];
            const char* simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
            bool done = false;
            for (const char* p = simple; *p; p += 2) {
                if (e == p[0]) {
                    out->push_back(p[1]);
                    pos_ += 2;
                    done = true;
                    break;
                }
            }
            if (done) continue;
            if (e != 'u') return fail("unknown escape \\" + std::string(1, e) + " in a string");
            unsigned cp = 0;
            if (!hex4(&cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("\\u" + s_.substr(pos_ + 2, 4) + " is half of a UTF-16 pair without its first half");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                const size_t first = pos_;
                pos_ += 6;
                unsigned low = 0;
                if (pos_ + 1 >= s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u' || !hex4(&low) || low < 0xDC00 || low > 0xDFFF) {
                    if (!error_.empty()) return false;
                    pos_ = first;
                    return fail("\\u" + s_.substr(first + 2, 4) + " is half of a UTF-16 pair without its second half");
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            append_utf8(out, cp);
            pos_ += 6;
        }
    }
    bool number(Json* v) {
        const size_t start = pos_;
        auto digits = [&] {
            const size_t from = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            return pos_ - from;
        };
        if (s_[pos_] == '-') ++pos_;
        if (pos_ >= s_.size() || !(s_[pos_] >= '0' && s_[pos_] <= '9')) return expected("a digit");
        const bool leading_zero = s_[pos_] == '0';
        const size_t int_digits = digits();
        if (leading_zero && int_digits > 1) {
            pos_ = start;
            return fail("a number cannot start with 0 (write 7, not 07)");
        }
        bool plain = true;
        if (pos_ < s_.size() && s_[pos_] == '.') {
            plain = false;
            ++pos_;
            if (digits() == 0) return expected("a digit after the decimal point");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            plain = false;
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (digits() == 0) return expected("a digit in the exponent");
        }
        const std::string text = s_.substr(start, pos_ - start);
        v->kind = Json::Kind::number;
        v->number = std::strtod(text.c_str(), nullptr);
        if (!std::isfinite(v->number)) {
            pos_ = start;
            return fail("the number " + text.substr(0, 24) + (text.size() > 24 ? "..." : "") + " is too large");
        }
        if (plain && int_digits <= 18) {
            int64_t n = 0;
            for (size_t i = text[0] == '-' ? 1 : 0; i < text.size(); ++i) n = n * 10 + (text[i] - '0');
            v->integer = text[0] == '-' ? -n : n;
            v->whole = true;
        }
        return true;
    }

    const std::string& s_;
    size_t pos_ = 0;
    size_t values_ = 0;
    std::string error_;
};

// ---- From the JSON tree to a Run ----------------------------------------------------------------------

// Which object a field belongs to, for the messages: "request 12 has no \"finished\"",
// "request 12: started = -5 is not a time".
struct Scope {
    std::string owner;   // "the file", "desc", "request 12", "request 12, attempt 2"
    std::string prefix;  // "", "desc.", "request 12: ", "request 12, attempt 2: "
};

class Loader {
public:
    std::string error;

    bool fail(const std::string& message) {
        error = message;
        return false;
    }

    // The field, or null (a message when it was required). The getters below leave *out alone and
    // succeed when an optional field is absent.
    const Json* field(const Json& obj, const Scope& sc, const char* key, bool required) {
        const Json* v = obj.get(key);
        if (!v && required) fail(sc.owner + " has no \"" + key + "\"");
        return v;
    }
    bool whole(const Json& obj, const Scope& sc, const char* key, bool required, int64_t* out) {
        const Json* v = field(obj, sc, key, required);
        if (!v) return !required;
        if (v->kind != Json::Kind::number) return fail(sc.prefix + key + " should be a number");
        if (v->whole) {
            *out = v->integer;
        } else if (v->number == std::floor(v->number) && std::fabs(v->number) <= double(max_time_us)) {
            *out = int64_t(v->number);
        } else if (v->number == std::floor(v->number)) {
            return fail(sc.prefix + key + " = " + number_text(v->number) + " is too large");
        } else {
            return fail(sc.prefix + key + " = " + number_text(v->number) + " should be a whole number");
        }
        return true;
    }
    bool time(const Json& obj, const Scope& sc, const char* key, bool required, int64_t* out) {
        if (!whole(obj, sc, key, required, out)) return false;
        if (*out == -1 || (*out >= 0 && *out <= max_time_us)) return true;
        return fail(sc.prefix + key + " = " + std::to_string(*out) +
                    " is not a time (microseconds from the run's start, or -1 for never)");
    }
    bool number(const Json& obj, const Scope& sc, const char* key, bool required, double* out) {
        const Json* v = field(obj, sc, key, required);
        if (!v) return !required;
        if (v->kind != Json::Kind::number) return fail(sc.prefix + key + " should be a number");
        *out = v->number;
        return true;
    }
    bool text(const Json& obj, const Scope& sc, const char* key, bool required, std::string* out) {
        const Json* v = field(obj, sc, key, required);
        if (!v) return !required;
        if (v->kind != Json::Kind::string) return fail(sc.prefix + key + " should be a string in double quotes");
        *out = v->text;
        return true;
    }
    bool outcome(const Json& obj, const Scope& sc, Outcome* out) {
        std::string name;
        if (!text(obj, sc, "outcome", true, &name)) return false;
        for (int o = 0; o <= int(Outcome::cancelled); ++o) {
            if (name == outcome_name(Outcome(o))) {
                *out = Outcome(o);
                if (!outcome_is_final(*out))
                    return fail(sc.prefix + "outcome \"" + name + "\" is not final: a saved run holds only ended requests");
                return true;
            }
        }
        return fail(sc.prefix + "outcome \"" + name + "\" is not one this page knows (ok, http_error, network_error, timeout, cancelled)");
    }
    bool status(const Json& obj, const Scope& sc, int* out) {
        int64_t v = 0;
        if (!whole(obj, sc, "status", false, &v)) return false;
        if (v != 0 && (v < 100 || v > 599)) return fail(sc.prefix + "status = " + std::to_string(v) + " is not an HTTP status (or 0 for none)");
        *out = int(v);
        return true;
    }

    bool desc(const Json& d, RunDesc* out);
    bool request(const Json& j, int index, const RunDesc& desc, RunState state, int64_t wall_us, RequestTrace* out);
};

struct IntField {
    const char* key;
    int RunDesc::*member;
};
// In clamp_run_desc's order, so that its first note is about the first field that differs.
const IntField desc_ints[] = {
    {"count", &RunDesc::count},       {"latency_ms", &RunDesc::latency_ms}, {"limit", &RunDesc::limit},
    {"timeout_ms", &RunDesc::timeout_ms}, {"cpu_ms", &RunDesc::cpu_ms}, {"retries", &RunDesc::retries},
    {"backoff_ms", &RunDesc::backoff_ms}, {"fail_pct", &RunDesc::fail_pct}, {"slow_every", &RunDesc::slow_every},
    {"slow_ms", &RunDesc::slow_ms},   {"status", &RunDesc::status},
};

std::string names_of_code_paths() {
    std::string names;
    for (int p = 0; p < code_path_count; ++p) names += std::string(p ? ", " : "") + code_path_name(CodePath(p));
    return names;
}

bool Loader::desc(const Json& j, RunDesc* out) {
    const Scope sc{"desc", "desc."};
    RunDesc d;
    std::string name;
    if (!text(j, sc, "path", true, &name)) return false;
    if (!parse_code_path(name, &d.path))
        return fail("desc.path \"" + name + "\" is not a code path this page knows (" + names_of_code_paths() + ")");
    name = api_name(d.api);
    if (!text(j, sc, "api", false, &name)) return false;
    if (!parse_api(name, &d.api)) return fail("desc.api \"" + name + "\" is not one of page, server, simulated");
    name = spread_name(d.spread);
    if (!text(j, sc, "spread", false, &name)) return false;
    if (!parse_spread(name, &d.spread)) return fail("desc.spread \"" + name + "\" is not one of even, uneven, slow_tail");
    if (!text(j, sc, "base_url", false, &d.base_url)) return false;
    if (!j.get("count")) return fail("desc has no \"count\"");
    for (const IntField& f : desc_ints) {
        int64_t v = d.*f.member;
        if (!whole(j, sc, f.key, false, &v)) return false;
        if (v < -2147483647 || v > 2147483647) return fail("desc." + std::string(f.key) + " = " + std::to_string(v) + " is out of range");
        d.*f.member = int(v);
    }
    RunDesc clamped = d;
    const std::vector<std::string> notes = clamp_run_desc(&clamped);
    if (!notes.empty()) {
        for (const IntField& f : desc_ints) {
            if (clamped.*f.member != d.*f.member)
                return fail("desc." + std::string(f.key) + " = " + std::to_string(d.*f.member) + " is out of range (" + notes[0] + ")");
        }
        return fail("desc is out of range (" + notes[0] + ")");
    }
    *out = d;
    return true;
}

bool Loader::request(const Json& j, int index, const RunDesc& desc, RunState state, int64_t wall_us, RequestTrace* out) {
    const std::string n = "request " + std::to_string(index + 1);
    const Scope sc{n, n + ": "};
    if (j.kind != Json::Kind::object) return fail(n + " should be an object {...}");
    RequestTrace r;
    if (!time(j, sc, "scheduled", true, &r.scheduled_us) || !time(j, sc, "started", true, &r.started_us) ||
        !time(j, sc, "answered", false, &r.answered_us) || !time(j, sc, "handled", false, &r.handled_us) ||
        !time(j, sc, "finished", true, &r.finished_us) || !outcome(j, sc, &r.outcome) || !status(j, sc, &r.status) ||
        !whole(j, sc, "bytes", false, &r.bytes) || !text(j, sc, "reason", false, &r.reason))
        return false;
    if (r.bytes < 0 || r.bytes > max_time_us) return fail(sc.prefix + "bytes = " + std::to_string(r.bytes) + " is not a size");

    if (r.started_us >= 0 && r.scheduled_us < 0) return fail(n + ": started, but was never scheduled");
    if (r.started_us >= 0 && r.started_us < r.scheduled_us) return fail(n + ": started before it was scheduled");
    if (r.finished_us >= 0 && r.started_us < 0) return fail(n + ": finished, but never started");
    if (r.finished_us >= 0 && r.finished_us < r.started_us) return fail(n + ": finished before it started");
    if (r.started_us >= 0 && r.finished_us < 0) return fail(n + ": started but never finished; a saved run holds only ended requests");
    if (r.answered_us >= 0) {
        // An answer is either handled (ok), or the run was cancelled while it waited for or was in its CPU work.
        const bool cut_short = r.outcome == Outcome::cancelled && state == RunState::cancelled && r.finished_us == wall_us;
        if (r.started_us < 0 || r.answered_us < r.started_us) return fail(n + ": answered before it started");
        if (r.handled_us < 0 && !cut_short) return fail(n + ": answered, but never handled");
        if (r.handled_us >= 0 && r.handled_us < r.answered_us) return fail(n + ": handled before it was answered");
        if (r.finished_us < std::max(r.handled_us, r.answered_us)) return fail(n + ": finished before its answer was handled");
        if (r.outcome != Outcome::ok && !cut_short) return fail(n + ": has an answer time, but its outcome is " + outcome_name(r.outcome));
    } else {
        if (r.handled_us >= 0) return fail(n + ": handled, but never answered");
        if (r.outcome == Outcome::ok) return fail(n + ": is ok, but has no answer time");
    }
    if (state == RunState::finished) {
        if (r.outcome == Outcome::cancelled) return fail(n + ": was cancelled, yet the run finished");
        if (r.started_us < 0) return fail(n + ": never started, yet the run finished");
    }

    const Json* attempts = j.get("attempts");
    if (attempts && attempts->kind != Json::Kind::array) return fail(n + ": attempts should be an array [...]");
    const size_t count = attempts ? attempts->items.size() : 0;
    const size_t allowed = size_t(std::min(max_attempts, effective_retries(desc) + 1));
    if (count > allowed)
        return fail(n + " has " + std::to_string(count) + " attempts; this run allows at most " + std::to_string(allowed));
    if (r.started_us < 0 && count > 0) return fail(n + ": never started, but has attempts");
    if (r.started_us >= 0 && count == 0) return fail(n + ": started, but has no attempts");
    int64_t previous_end = r.started_us;
    for (size_t a = 0; a < count; ++a) {
        const Json& aj = attempts->items[a];
        const std::string an = n + ", attempt " + std::to_string(a + 1);
        const Scope asc{an, an + ": "};
        if (aj.kind != Json::Kind::object) return fail(an + " should be an object {...}");
        Attempt at;
        if (!time(aj, asc, "started", true, &at.started_us) || !time(aj, asc, "ended", true, &at.ended_us) ||
            !outcome(aj, asc, &at.outcome) || !status(aj, asc, &at.status))
            return false;
        if (at.started_us < 0 || at.ended_us < 0) return fail(an + ": a saved attempt has a start and an end");
        if (at.started_us < previous_end)
            return fail(an + (a ? ": started before the attempt before it ended" : ": started before its request"));
        if (at.ended_us < at.started_us) return fail(an + ": ended before it started");
        if (at.ended_us > r.finished_us) return fail(an + ": ended after its request finished");
        previous_end = std::max(at.started_us, at.ended_us);
        r.attempts.push_back(at);
    }
    *out = std::move(r);
    return true;
}

}  // namespace

// ---- Writing ----------------------------------------------------------------------------------------------

std::string run_to_file(const Run& run, double guess_ms) {
    if (run.state != RunState::finished && run.state != RunState::cancelled) return "";
    const RunDesc& d = run.desc;
    const int64_t t0 = run.start_us;
    std::string out = "{\"format\":\"asyncplay-run\",\"version\":" + std::to_string(run_file_version) + ",\n";
    out += "\"desc\":{\"path\":" + json_quote(code_path_name(d.path)) + ",\"api\":" + json_quote(api_name(d.api));
    out += ",\"count\":" + std::to_string(d.count) + ",\"latency_ms\":" + std::to_string(d.latency_ms);
    out += ",\"limit\":" + std::to_string(d.limit) + ",\"status\":" + std::to_string(d.status);
    out += ",\"timeout_ms\":" + std::to_string(d.timeout_ms) + ",\"spread\":" + json_quote(spread_name(d.spread));
    out += ",\"slow_every\":" + std::to_string(d.slow_every) + ",\"slow_ms\":" + std::to_string(d.slow_ms);
    out += ",\"cpu_ms\":" + std::to_string(d.cpu_ms) + ",\"retries\":" + std::to_string(d.retries);
    out += ",\"backoff_ms\":" + std::to_string(d.backoff_ms) + ",\"fail_pct\":" + std::to_string(d.fail_pct);
    out += ",\"base_url\":" + json_quote(d.base_url) + "},\n";
    out += "\"expected_ms\":" + number_text(run.expected_ms) + ",\"sequential_ms\":" + number_text(run.sequential_ms);
    out += ",\"capped_ms\":" + number_text(run.capped_ms) + ",\"state\":" + json_quote(run_state_name(run.state));
    out += ",\"wall_us\":" + relative(run.end_us, t0);
    out += ",\"guess_ms\":" + (guess_ms >= 0 && std::isfinite(guess_ms) ? number_text(guess_ms) : std::string("-1")) + ",\n";
    out += "\"requests\":[";
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        out += i ? ",\n{" : "\n{";
        out += "\"scheduled\":" + relative(r.scheduled_us, t0) + ",\"started\":" + relative(r.started_us, t0);
        out += ",\"answered\":" + relative(r.answered_us, t0) + ",\"handled\":" + relative(r.handled_us, t0);
        out += ",\"finished\":" + relative(r.finished_us, t0) + ",\"outcome\":" + json_quote(outcome_name(r.outcome));
        out += ",\"status\":" + std::to_string(r.status) + ",\"bytes\":" + std::to_string(r.bytes);
        out += ",\"reason\":" + json_quote(r.reason) + ",\"attempts\":[";
        for (size_t a = 0; a < r.attempts.size(); ++a) {
            const Attempt& at = r.attempts[a];
            out += a ? ",{" : "{";
            out += "\"started\":" + relative(at.started_us, t0) + ",\"ended\":" + relative(at.ended_us, t0);
            out += ",\"outcome\":" + json_quote(outcome_name(at.outcome)) + ",\"status\":" + std::to_string(at.status) + "}";
        }
        out += "]}";
    }
    out += "\n]}\n";
    return out;
}

// ---- Reading ----------------------------------------------------------------------------------------------

bool run_from_file(const std::string& text, Run* out, double* guess_ms, std::string* error) {
    std::string ignored;
    std::string& err = error ? *error : ignored;
    err.clear();
    if (text.size() > run_file_max_bytes) {
        err = "the file has " + std::to_string(text.size()) + " bytes; a run file is at most " +
              std::to_string(run_file_max_bytes >> 20) + " MB";
        return false;
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        err = "the file is empty";
        return false;
    }
    Json root;
    Parser parser(text);
    if (!parser.parse(&root)) {
        err = parser.error();
        return false;
    }
    Loader l;
    auto failed = [&] {
        err = l.error;
        return false;
    };
    const Json* format = root.kind == Json::Kind::object ? root.get("format") : nullptr;
    if (!format || format->kind != Json::Kind::string || format->text != "asyncplay-run") {
        err = "this is not an asyncplay run file (no \"format\": \"asyncplay-run\")";
        return false;
    }
    const Scope top{"the file", ""};
    int64_t version = 0;
    if (!l.whole(root, top, "version", true, &version)) return failed();
    if (version > run_file_version) {
        err = "version " + std::to_string(version) + " is newer than this page understands (" + std::to_string(run_file_version) + ")";
        return false;
    }
    if (version < 1) {
        err = "version " + std::to_string(version) + " is not a run file version (this page reads " + std::to_string(run_file_version) + ")";
        return false;
    }

    Run run;
    const Json* desc = l.field(root, top, "desc", true);
    if (!desc) return failed();
    if (desc->kind != Json::Kind::object) {
        err = "desc should be an object {...}";
        return false;
    }
    if (!l.desc(*desc, &run.desc)) return failed();

    for (auto [key, target] : {std::pair<const char*, double*>{"expected_ms", &run.expected_ms},
                               {"sequential_ms", &run.sequential_ms}, {"capped_ms", &run.capped_ms}}) {
        if (!l.number(root, top, key, true, target)) return failed();
        if (*target < 0) {
            err = std::string(key) + " = " + number_text(*target) + " should be 0 or more";
            return false;
        }
    }
    std::string state;
    if (!l.text(root, top, "state", true, &state)) return failed();
    if (state == run_state_name(RunState::finished)) run.state = RunState::finished;
    else if (state == run_state_name(RunState::cancelled)) run.state = RunState::cancelled;
    else {
        err = "state \"" + state + "\" cannot be in a run file: it holds a finished or cancelled run";
        return false;
    }
    int64_t wall_us = 0;
    if (!l.time(root, top, "wall_us", true, &wall_us)) return failed();
    if (wall_us < 0) {
        err = "wall_us = -1: a saved run has an end";
        return false;
    }
    double guess = -1;
    if (!l.number(root, top, "guess_ms", false, &guess)) return failed();
    if (guess < 0 && guess != -1) {
        err = "guess_ms = " + number_text(guess) + " should be -1 (no guess) or 0 or more";
        return false;
    }

    const Json* requests = l.field(root, top, "requests", true);
    if (!requests) return failed();
    if (requests->kind != Json::Kind::array) {
        err = "requests should be an array [...]";
        return false;
    }
    const size_t count = requests->items.size();
    if (count > size_t(Limits::max_count)) {
        err = "requests has " + std::to_string(count) + " entries; a run has at most " + std::to_string(Limits::max_count);
        return false;
    }
    if (count != size_t(run.desc.count)) {
        err = "requests has " + std::to_string(count) + (count == 1 ? " entry" : " entries") + " but desc.count is " +
              std::to_string(run.desc.count);
        return false;
    }
    run.requests.resize(count);
    int64_t last_end = 0;
    for (size_t i = 0; i < count; ++i) {
        if (!l.request(requests->items[i], int(i), run.desc, run.state, wall_us, &run.requests[i])) return failed();
        last_end = std::max(last_end, run.requests[i].finished_us);
    }
    // A finished run ends with its last request (a cancelled one when the learner pressed Cancel).
    if (run.state == RunState::finished && wall_us != last_end) {
        err = "wall_us = " + std::to_string(wall_us) + ", but the last request finished at " + std::to_string(last_end);
        return false;
    }

    run.generation = 0;
    run.start_us = 0;
    run.end_us = wall_us;
    run.next_index = int(count);
    run.in_flight = 0;
    run.ended = int(count);
    run.cpu_free_us = -1;
    *out = std::move(run);
    if (guess_ms) *guess_ms = guess;
    return true;
}

}  // namespace ap
