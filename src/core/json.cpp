#include "json.h"

#include <utility>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace ap {

const JsonValue* JsonValue::get(std::string_view key) const {
    if (kind != Kind::object) return nullptr;
    for (size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == key) return &items[i];
    }
    return nullptr;
}

namespace {

class Parser {
public:
    Parser(const std::string& s, const JsonLimits& limits) : s_(s), limits_(limits) {}

    bool parse(JsonValue* out) {
        if (!value(out, 0)) return false;
        skip_space();
        if (pos_ < s_.size()) return fail("unexpected " + describe(s_[pos_]) + " after the end of the text's value");
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
    bool value(JsonValue* v, int depth) {
        if (++values_ > limits_.max_values) return fail("more than " + std::to_string(limits_.max_values) + " values: too large");
        skip_space();
        if (pos_ >= s_.size()) return fail("the file ends where a value should be");
        const char c = s_[pos_];
        if (c == '{' || c == '[') {
            if (depth >= limits_.max_depth) return fail("nested deeper than " + std::to_string(limits_.max_depth) + " levels");
            return c == '{' ? object(v, depth + 1) : array(v, depth + 1);
        }
        if (c == '"') {
            v->kind = JsonValue::Kind::string;
            return string(&v->text);
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number(v);
        for (const char* word : {"true", "false", "null"}) {
            if (s_.compare(pos_, std::char_traits<char>::length(word), word) == 0) {
                v->kind = word[0] == 'n' ? JsonValue::Kind::null : JsonValue::Kind::boolean;
                v->flag = word[0] == 't';
                pos_ += std::char_traits<char>::length(word);
                return true;
            }
        }
        return fail("expected a value, found " + describe(c));
    }
    bool object(JsonValue* v, int depth) {
        v->kind = JsonValue::Kind::object;
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
    bool array(JsonValue* v, int depth) {
        v->kind = JsonValue::Kind::array;
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
    bool number(JsonValue* v) {
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
        v->kind = JsonValue::Kind::number;
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
    const JsonLimits& limits_;
    size_t pos_ = 0;
    size_t values_ = 0;
    std::string error_;
};

}  // namespace

bool parse_json(const std::string& text, JsonValue* out, std::string* error, const JsonLimits& limits) {
    std::string ignored;
    std::string& err = error ? *error : ignored;
    if (text.size() > limits.max_bytes) {
        err = "the text has " + std::to_string(text.size()) + " bytes; at most " + std::to_string(limits.max_bytes) + " are read";
        return false;
    }
    // (Into a fresh value: a JsonValue read into before keeps nothing of that text.)
    JsonValue value;
    Parser parser(text, limits);
    if (!parser.parse(&value)) {
        err = parser.error();
        return false;
    }
    *out = std::move(value);
    return true;
}

std::string json_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
    return out;
}

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[40];
    // Whole numbers a JavaScript number holds exactly are written as integers.
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
        return buf;
    }
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back()) out_.push_back(',');
        first_.back() = false;
    }
    if (std::exchange(newline_, false)) out_.push_back('\n');
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_.push_back('{');
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    if (std::exchange(newline_, false)) out_.push_back('\n');
    out_.push_back('}');
    first_.pop_back();
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_.push_back('[');
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    if (std::exchange(newline_, false)) out_.push_back('\n');
    out_.push_back(']');
    first_.pop_back();
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    before_value();
    out_ += json_quote(k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) {
    before_value();
    out_ += json_quote(s);
    return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
    before_value();
    out_ += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    return *this;
}

JsonWriter& JsonWriter::integer(int64_t v) {
    before_value();
    out_ += std::to_string(v);
    return *this;
}

JsonWriter& JsonWriter::number(double v, int decimals) {
    before_value();
    if (!std::isfinite(v)) {
        out_ += "null";
    } else if (decimals < 0 || std::fabs(v) >= 1e15) {  // (fixed notation of a huge number would be hundreds of digits)
        out_ += json_number(v);
    } else {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
        out_ += buf;
    }
    return *this;
}

JsonWriter& JsonWriter::strings(const std::vector<std::string>& items) {
    begin_array();
    for (const std::string& s : items) string(s);
    return end_array();
}

JsonWriter& JsonWriter::integers(const std::vector<int64_t>& items) {
    begin_array();
    for (int64_t v : items) integer(v);
    return end_array();
}

JsonWriter& JsonWriter::raw(std::string_view json) {
    before_value();
    out_ += json;
    return *this;
}

JsonWriter& JsonWriter::newline() {
    newline_ = true;
    return *this;
}

}  // namespace ap
