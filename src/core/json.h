// json.h — the project's one JSON reader and one JSON writer: run files, the page's JavaScript bridge and
// the host-page messages all go through these two.
//
//   ap::JsonValue v;  std::string error;
//   if (!ap::parse_json(text, &v, &error)) show(error);       // "line 3, column 14: expected ',' or '}'"
//   const ap::JsonValue* n = v.get("n");
//
//   ap::JsonWriter w;
//   w.begin_object().key("wallMs").number(412.5).key("path").string("bounded").end_object();
//   std::string text = w.take();                               // {"wallMs":412.5,"path":"bounded"}
//
// The reader is strict (RFC 8259: no comments, no trailing commas, no NaN, duplicate keys refused) and
// bounded (size, depth and value count), so any input is safe. The writer never emits nan or inf: a
// number that is not finite is written as null.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ap {

struct JsonValue {
    enum class Kind : uint8_t { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool flag = false;              // a boolean's value
    bool whole = false;             // a number written as an integer that fits int64 (then `integer` is exact)
    double number = 0;
    int64_t integer = 0;
    std::string text;               // a string's value
    std::vector<JsonValue> items;   // an array's items, or an object's values
    std::vector<std::string> keys;  // an object's keys, parallel to items

    // An object's value under key, or nullptr (also when this is not an object).
    const JsonValue* get(std::string_view key) const;
    bool is_object() const { return kind == Kind::object; }
    bool is_array() const { return kind == Kind::array; }
    bool is_string() const { return kind == Kind::string; }
    bool is_number() const { return kind == Kind::number; }
};

struct JsonLimits {
    size_t max_bytes = size_t(16) << 20;
    int max_depth = 32;
    size_t max_values = 1000000;
};

// Parses text into *out (replacing what it held). On failure returns false with one sentence in *error that
// names the line and column ("line 2, column 5: expected ':'"), and leaves *out alone.
bool parse_json(const std::string& text, JsonValue* out, std::string* error, const JsonLimits& limits = {});

// s as a JSON string literal, quotes included (quotes, backslashes and control characters escaped).
std::string json_quote(std::string_view s);

// The shortest text that reads back as the same double; whole numbers without an exponent; "null" for a
// number that is not finite.
std::string json_number(double v);

// Appends JSON to a string, putting the commas in by itself. Misuse (a value without a key inside an
// object) is the caller's bug; the writer does not check it.
class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& string(std::string_view s);
    JsonWriter& boolean(bool b);
    JsonWriter& null();
    JsonWriter& integer(int64_t v);
    // decimals < 0: the shortest text that reads back exactly (json_number); else fixed with that many
    // decimals. Not finite: null.
    JsonWriter& number(double v, int decimals = -1);
    JsonWriter& strings(const std::vector<std::string>& items);  // an array of strings
    JsonWriter& integers(const std::vector<int64_t>& items);     // an array of whole numbers
    JsonWriter& raw(std::string_view json);                       // an already-written value
    // A newline before the next value (after its comma) or before the closing bracket: for files people read.
    JsonWriter& newline();

    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    void before_value();
    std::string out_;
    std::vector<bool> first_;  // per open array/object: no value written yet
    bool after_key_ = false;
    bool newline_ = false;
};

}  // namespace ap
