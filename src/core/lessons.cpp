#include "lessons.h"

#include "fields.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ap {

static std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return "";
    const size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

static std::vector<std::string> words(const std::string& s) { return split_words(s); }

bool apply_preset(const std::string& preset, RunDesc* d, std::string* error) {
    RunDesc out = *d;
    for (const std::string& item : words(preset)) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos) { *error = "'" + item + "' is not key=value"; return false; }
        const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
        const RunField* f = find_run_field(FieldKey::url, key);
        if (!f) { *error = "unknown setting '" + key + "'"; return false; }
        if (!set_field_text(*f, &out, value, error)) return false;
    }
    RunDesc clamped = out;
    const std::vector<std::string> notes = clamp_run_desc(&clamped);
    if (!notes.empty()) { *error = notes.front(); return false; }
    *d = out;
    return true;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static std::string url_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += char(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

static std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(const std::string& query) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t i = !query.empty() && query[0] == '?' ? 1 : 0;
    while (i < query.size()) {
        size_t amp = query.find('&', i);
        if (amp == std::string::npos) amp = query.size();
        const std::string item = query.substr(i, amp - i);
        if (!item.empty()) {
            const size_t eq = item.find('=');
            out.emplace_back(url_decode(item.substr(0, eq)), eq == std::string::npos ? "" : url_decode(item.substr(eq + 1)));
        }
        i = amp + 1;
    }
    return out;
}

std::string permalink_query(const RunDesc& d, const Lesson& l, const std::string& lessons_url) {
    std::string q = "lesson=" + url_encode(l.id);
    if (!lessons_url.empty()) q += "&lessons=" + url_encode(lessons_url);
    for (const RunField& f : run_fields()) {
        if (f.get(d) != f.get(l.preset)) q += std::string("&") + f.url_key + "=" + url_encode(field_text(f, d));
    }
    return q;
}

namespace {

// The values of a lesson's placeholders for its preset, each worked out once, when first used ({expected}
// plays the whole preset in virtual time).
class Placeholders {
public:
    explicit Placeholders(const RunDesc& preset) : d_(effective_desc(preset)) {}
    static constexpr const char* names[] = {"n", "latency", "slow", "fails", "expected"};
    static bool known(const std::string& name) {
        return std::find(std::begin(names), std::end(names), name) != std::end(names);
    }
    // The value of {name}, or false when there is no such placeholder.
    bool value(const std::string& name, std::string* out) {
        for (size_t i = 0; i < std::size(names); ++i) {
            if (name != names[i]) continue;
            if (values_[i].empty()) values_[i] = compute(name);
            *out = values_[i];
            return true;
        }
        return false;
    }

private:
    std::string compute(const std::string& name) const {
        int count = 0;
        if (name == "n") return std::to_string(d_.count);
        if (name == "latency") return format_duration_ms(d_.latency_ms);
        if (name == "slow") {
            for (int i = 0; i < d_.count && d_.spread == Spread::slow_tail; ++i) count += i % d_.slow_every == d_.slow_every - 1;
            return std::to_string(count);
        }
        if (name == "fails") {
            for (int i = 0; i < d_.count; ++i) count += attempt_fails(d_, i, 0);
            return std::to_string(count);
        }
        return format_duration_ms(expect_run(d_).wall_ms);
    }
    RunDesc d_;
    std::string values_[5];
};

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Fills the placeholders: {name} is one when name is a word ({n}, {latency}); {{ and }} are a literal { and };
// any other brace is itself ("a dict {}", "f'{x!r}'"). `unknown` (when given) collects the words that are
// not placeholders ({latncy}). With no values, only checks the words (and the text it returns is not used).
std::string expand(Placeholders* values, const std::string& text, std::vector<std::string>* unknown) {
    std::string out;
    out.reserve(text.size());
    for (size_t at = 0; at < text.size();) {
        const char c = text[at];
        if ((c == '{' || c == '}') && at + 1 < text.size() && text[at + 1] == c) {
            out += c;
            at += 2;
            continue;
        }
        if (c == '{') {
            size_t end = at + 1;
            while (end < text.size() && word_char(text[end])) ++end;
            if (end > at + 1 && end < text.size() && text[end] == '}') {
                const std::string name = text.substr(at + 1, end - at - 1);
                std::string value;
                if (values ? values->value(name, &value) : Placeholders::known(name)) {
                    out += value;
                } else {
                    if (unknown) unknown->push_back(name);
                    out += text.substr(at, end - at + 1);
                }
                at = end + 1;
                continue;
            }
        }
        out += c;
        ++at;
    }
    return out;
}

}  // namespace

LessonFile parse_lessons(const std::string& text, const std::string& file_name) {
    LessonFile out;
    size_t line_start = 0;
    std::string line;
    int line_no = 0;
    Lesson current;
    bool have = false, in_text = false, in_program = false, broken = false;
    std::string paragraph;
    int program_line = 0;  // where the lesson's program block began
    std::string* block = nullptr;  // the block being read: the lesson's script or its starter
    const char* block_key = "program";
    auto fail = [&](const std::string& why) {
        out.errors.push_back(file_name + ":" + std::to_string(line_no) + ": " + why);
        broken = true;
    };
    auto flush_paragraph = [&]() {
        if (!paragraph.empty()) current.paragraphs.push_back(paragraph);
        paragraph.clear();
    };
    // A program block ends at its first line that is not indented (or at the end of the file): blank lines
    // around it are dropped, blank ones inside kept empty.
    auto end_program = [&]() {
        if (!in_program) return;
        in_program = false;
        std::string& p = *block;
        while (!p.empty() && p.back() == '\n') p.pop_back();
        if (!p.empty()) p += '\n';
        if (broken) return;
        if (p.empty()) {
            out.errors.push_back(file_name + ":" + std::to_string(program_line) + ": '" + block_key + ":' has no program under it (each line indented by 4 spaces)");
            broken = true;
        } else if (p.size() > max_lesson_script_bytes) {
            out.errors.push_back(file_name + ":" + std::to_string(program_line) + ": the program has " + std::to_string(p.size()) +
                                 " bytes; a lesson's program is at most 64 KB");
            broken = true;
        }
    };
    auto finish = [&]() {
        if (!have) return;
        end_program();
        flush_paragraph();
        // Which words are placeholders does not depend on the preset: check them now, fill them in at the end.
        std::vector<std::string> unknown;
        for (const std::string& p : current.paragraphs) expand(nullptr, p, &unknown);
        if (!broken && !unknown.empty()) {
            out.errors.push_back(current.source + ": lesson '" + current.id + "' has {" + unknown.front() +
                                 "} in its text, which is not one of {n} {latency} {slow} {fails} {expected} " +
                                 "(write {{" + unknown.front() + "}} for the braces themselves)");
        } else if (!broken) {
            if (current.title.empty()) out.errors.push_back(current.source + ": lesson '" + current.id + "' has no title");
            else if (current.paths.empty() && current.script.empty())
                out.errors.push_back(current.source + ": lesson '" + current.id + "' has no paths (and no program)");
            else out.lessons.push_back(current);
        }
        current = Lesson{};
        have = in_text = broken = false;
    };
    while (line_start < text.size()) {
        size_t line_end = text.find('\n', line_start);
        if (line_end == std::string::npos) line_end = text.size();
        line = text.substr(line_start, line_end - line_start);
        line_start = line_end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (in_program) {
            const bool blank = line.find_first_not_of(" \t") == std::string::npos;
            if (blank || line.rfind("    ", 0) == 0 || line[0] == '\t') {
                if (blank && block->empty()) continue;  // (blank lines before the program)
                *block += (blank ? std::string() : line.substr(line[0] == '\t' ? 1 : 4)) + "\n";
                continue;
            }
            end_program();
        }
        if (line.rfind("lesson:", 0) == 0) {
            finish();
            have = true;
            current.id = trim(line.substr(7));
            current.source = file_name + ":" + std::to_string(line_no);
            const bool numeric = !current.id.empty() && current.id.find_first_not_of("0123456789") == std::string::npos;
            bool twice = false;
            for (const Lesson& l : out.lessons) twice |= l.id == current.id;
            if (current.id.empty()) fail("a lesson needs an id after 'lesson:'");
            else if (numeric) fail("a lesson id cannot be a number ('" + current.id + "'): ?lesson=" + current.id + " opens the lesson in that place");
            else if (twice) fail("the id '" + current.id + "' is already a lesson's in this file");
            else if (current.id.size() > 200) fail("a lesson id is at most 200 characters");
            continue;
        }
        if (in_text) {
            if (trim(line).empty()) flush_paragraph();
            else paragraph += (paragraph.empty() ? "" : " ") + trim(line);
            continue;
        }
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        if (!have) { fail("text before the first 'lesson:' line"); broken = false; continue; }
        const size_t colon = t.find(':');
        if (colon == std::string::npos) { fail("expected 'key: value', got '" + t + "'"); continue; }
        const std::string key = trim(t.substr(0, colon)), value = trim(t.substr(colon + 1));
        if (key == "title") {
            current.title = value;
        } else if (key == "paths") {
            for (const std::string& name : words(value)) {
                CodePath p;
                if (!parse_code_path(name, &p)) { fail("unknown code path '" + name + "'"); break; }
                current.paths.push_back(p);
            }
        } else if (key == "preset") {
            std::string error;
            if (!apply_preset(value, &current.preset, &error)) fail(error);
        } else if (key == "view") {
            if (value == "loop") current.loop_view = true;
            else fail("unknown view '" + value + "' (the one view is 'loop')");
        } else if (key == "settings") {
            for (const std::string& name : words(value)) {
                const RunField* f = find_run_field(FieldKey::url, name);
                if (!f || std::string_view(f->url_key) == "path") {
                    std::string known;
                    for (const RunField& g : run_fields())
                        if (std::string_view(g.url_key) != "path") known += std::string(known.empty() ? "" : ", ") + g.url_key;
                    fail("unknown setting '" + name + "' (" + known + ")");
                    break;
                }
                if (std::find(current.settings.begin(), current.settings.end(), name) == current.settings.end())
                    current.settings.push_back(name);
            }
        } else if (key == "program" || key == "starter" || key == "solution") {
            std::string& target = key == "program" ? current.script : key == "starter" ? current.starter : current.solution;
            if (!value.empty()) fail("write the program on the lines under '" + key + ":', each indented by 4 spaces");
            else if (!target.empty()) fail("a lesson has one " + key);
            else in_program = true, program_line = line_no, block = &target, block_key = key == "program" ? "program" : key == "starter" ? "starter" : "solution";
        } else if (key == "check") {
            Check c;
            std::string why;
            if (current.checks.size() >= 50) fail("a lesson has at most 50 checks");
            else if (!parse_check(value, &c, &why)) fail("check: " + why);
            else current.checks.push_back(std::move(c));
        } else if (key == "hint") {
            if (value.empty()) fail("'hint:' has no text after it");
            else if (current.hints.size() >= 20) fail("a lesson has at most 20 hints");
            else current.hints.push_back(value);
        } else if (key == "text") {
            in_text = true;
            if (!value.empty()) paragraph = value;
        } else {
            fail("unknown key '" + key + "'");
        }
    }
    finish();
    // The first path is the one shown first; the text states the preset's numbers.
    for (Lesson& l : out.lessons) {
        if (!l.paths.empty()) l.preset.path = l.paths.front();
        Placeholders values(l.preset);
        for (std::string& p : l.paragraphs) p = expand(&values, p, nullptr);
    }
    return out;
}

std::string lessons_to_text(const std::vector<Lesson>& lessons) {
    std::string out;
    const RunDesc defaults;
    for (const Lesson& l : lessons) {
        out += "lesson: " + l.id + "\ntitle: " + l.title;
        if (!l.paths.empty()) out += "\npaths:";
        for (CodePath p : l.paths) out += std::string(" ") + code_path_name(p);
        std::string preset;
        for (const RunField& f : run_fields()) {
            if (std::string_view(f.url_key) == "path" || f.get(l.preset) == f.get(defaults)) continue;
            preset += std::string(preset.empty() ? "" : " ") + f.url_key + "=" + field_text(f, l.preset);
        }
        if (!preset.empty()) out += "\npreset: " + preset;
        if (l.loop_view) out += "\nview: loop";
        if (!l.settings.empty()) {
            out += "\nsettings:";
            for (const std::string& k : l.settings) out += " " + k;
        }
        for (const Check& c : l.checks) out += "\ncheck: " + c.source;
        for (const std::string& h : l.hints) out += "\nhint: " + h;
        for (const auto& [key, text] : {std::pair<const char*, const std::string*>{"program", &l.script}, {"starter", &l.starter}, {"solution", &l.solution}}) {
            if (text->empty()) continue;
            out += std::string("\n") + key + ":";
            size_t at = 0;
            while (at < text->size()) {
                size_t end = text->find('\n', at);
                if (end == std::string::npos) end = text->size();
                out += "\n" + (end > at ? "    " + text->substr(at, end - at) : std::string());
                at = end + 1;
            }
        }
        out += "\ntext:\n";
        for (size_t i = 0; i < l.paragraphs.size(); ++i) {
            std::string p;
            for (char c : l.paragraphs[i]) {
                p += c;
                if (c == '{' || c == '}') p += c;  // a literal brace, not a placeholder
            }
            // A line that starts with "lesson:" starts a lesson; indented, it is text.
            out += (p.rfind("lesson:", 0) == 0 ? " " : "") + p + "\n" + (i + 1 < l.paragraphs.size() ? "\n" : "");
        }
        out += "\n";
    }
    return out;
}

// The code path's own rule, in numbers, ending in `total` (the program's time).
static std::string program_claim(const RunDesc& d, const std::string& total) {
    char buf[240];
    const bool textbook = d.spread == Spread::even && d.cpu_ms == 0 && d.retries == 0 && d.fail_pct == 0;
    if (textbook) {
        switch (code_path_info(d.path).schedule) {
            case Schedule::one_at_a_time:
                std::snprintf(buf, sizeof buf, "expected = N x latency = %d x %d ms = %s", d.count, d.latency_ms, total.c_str());
                return buf;
            case Schedule::all_at_once:
                std::snprintf(buf, sizeof buf, "expected = one latency = %s, however many calls (%d)", total.c_str(), d.count);
                return buf;
            case Schedule::k_at_a_time:
                std::snprintf(buf, sizeof buf, "expected = ceil(N / k) x latency = %d x %d ms = %s", (d.count + d.limit - 1) / d.limit,
                              d.latency_ms, total.c_str());
                return buf;
        }
    }
    if (d.spread == Spread::even && d.cpu_ms > 0 && d.retries == 0 && d.fail_pct == 0) {
        if (code_path_info(d.path).schedule == Schedule::one_at_a_time) {
            std::snprintf(buf, sizeof buf, "expected = N x (latency + CPU) = %d x (%d + %d) ms = %s", d.count, d.latency_ms, d.cpu_ms, total.c_str());
            return buf;
        }
        if (code_path_info(d.path).schedule == Schedule::all_at_once) {
            std::snprintf(buf, sizeof buf, "expected = latency + N x CPU = %d + %d x %d ms = %s: the waits overlap, the computing does not",
                          d.latency_ms, d.count, d.cpu_ms, total.c_str());
            return buf;
        }
    }
    if (d.cpu_ms == 0 && effective_retries(d) == 0 && d.fail_pct == 0 && code_path_info(d.path).schedule == Schedule::all_at_once) {
        std::snprintf(buf, sizeof buf, "expected = the slowest call = %s: the others wait in its shadow", total.c_str());
        return buf;
    }
    std::snprintf(buf, sizeof buf, "expected = %s, by the model (timeouts, back-off and retries played in virtual time)", total.c_str());
    return buf;
}

std::string claim_for(const RunDesc& asked, const Expectation& e, const ApiCost& cost) {
    const RunDesc d = effective_desc(asked);  // what the program does
    std::string claim = program_claim(d, format_duration_ms(e.path_ms));
    const bool cap = e.cap_ms >= 0.5, browser = e.browser_ms >= 0.5;
    if (cap || browser) {
        claim += "; in this browser";
        if (cap) claim += " + " + format_duration_ms(e.cap_ms) + " for its " + std::to_string(browser_connections_per_host) + " connections per host";
        if (browser) claim += " + " + format_duration_ms(e.browser_ms) + " to hand the answers over";
        claim += " = " + format_duration_ms(e.wall_ms);
        if (browser_cost_doubtful(e))
            claim += " (the browser's part is over a quarter of this: it is measured again just before each run, and the run is judged by that)";
    }
    // More requests than this browser can hand over before the timeout: say what will happen.
    if (e.timeouts > 0 && browser && d.path != CodePath::retry_backoff && cost.handover_ms > 0) {
        claim += "; this browser hands over about " + std::to_string(int(std::lround(1000 / cost.handover_ms))) +
                 " answers a second, so the last " + std::to_string(e.timeouts) + " will hit the " +
                 std::to_string(program_timeout_ms / 1000) + " s timeout";
    }
    return claim;
}

std::string claim_for(const RunDesc& d) { return claim_for(d, expect_run(d), {}); }

Verdict judge_run(const Run& run, const RunStats& s, double tolerance) {
    Verdict v;
    const Expectation& e = run.expected;
    v.measured_ms = s.wall_ms;
    v.expected_ms = e.wall_ms;
    const std::string nums = "measured " + format_duration_ms(v.measured_ms) + ", expected " + format_duration_ms(v.expected_ms);
    if (run.state == RunState::cancelled) {
        v.line = nums + " - cancelled";
        v.reason = "the run was cancelled before it finished";
        return v;
    }
    const double slack = std::max(tolerance * v.expected_ms, 25.0);  // a few ms of browser overhead on tiny runs
    const bool timely = std::fabs(v.measured_ms - v.expected_ms) <= slack;
    const int failed = s.http_errors + s.network_errors, expected_failed = e.failed;
    const int plural = s.count;
    auto of = [&](int k) { return std::to_string(k) + " of " + std::to_string(plural); };
    if (s.network_errors > 0) {
        v.reason = std::to_string(s.network_errors) + " requests got no answer: is the API reachable?";
    } else if (s.ok == 0 && s.count > 0) {
        v.reason = "no request succeeded (" + of(failed) + " failed, " + of(s.timeouts) +
                   " timed out): a run that fetched nothing shows nothing about speed";
    } else if (failed != expected_failed || s.timeouts != e.timeouts) {
        v.reason = "the model expected " + of(expected_failed) + " to fail and " + of(e.timeouts) + " to time out; this run had " +
                   std::to_string(failed) + " and " + std::to_string(s.timeouts);
    } else if (!timely && v.measured_ms > v.expected_ms) {
        v.reason = "slower than the model: this machine or network adds " + format_duration_ms(v.measured_ms - v.expected_ms);
    } else if (!timely) {
        v.reason = "faster than the model expects by " + format_duration_ms(v.expected_ms - v.measured_ms) + ": the API answered early";
    }
    v.ok = v.reason.empty();
    v.line = nums + (v.ok ? "  \xe2\x9c\x93" : "  \xe2\x9c\x97");
    return v;
}


std::vector<int> finishing_order(const Run& run) {
    std::vector<int> order;
    for (size_t i = 0; i < run.requests.size(); ++i) {
        if (run.requests[i].finished_us >= 0) order.push_back(int(i));
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return run.requests[size_t(a)].finished_us < run.requests[size_t(b)].finished_us; });
    return order;
}

}  // namespace ap
