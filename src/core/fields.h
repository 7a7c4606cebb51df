// fields.h — every run setting, declared once: its member of RunDesc, its key in URLs and lesson presets,
// in run files and in the JavaScript API, its label on the page, its range and default, and the constant
// it fills in the Python programs. Clamping, presets, permalinks, run files, the JS bridge, the settings
// panel and the programs' numbers all read this one table, so a new knob is one row here plus the code
// that uses it.
//
//   for (const ap::RunField& f : ap::run_fields()) out += f.url_key;
//   const ap::RunField* f = ap::find_run_field(ap::FieldKey::js, "latencyMs");
//   std::string error;
//   if (!ap::set_field_text(*f, &desc, "250", &error)) show(error);   // "latency must be a whole number, got 'x'"
#pragma once
#include <span>
#include <string>
#include <string_view>

#include "run.h"

namespace ap {

enum class FieldKind : uint8_t {
    whole,   // a whole number in [min, max]
    choice,  // one of a few names (choice_name(0), choice_name(1), ...): stored as the enum's value
};

struct RunField {
    const char* member;     // the RunDesc member, for readers of this table: "latency_ms"
    const char* url_key;    // in URLs and lesson presets: "latency"
    const char* file_key;   // in run files: "latency_ms"
    const char* js_key;     // in window.playground.run() options and results, and host-page commands: "latencyMs"
    const char* label;      // beside its field on the page: "latency (ms)"
    const char* note_name;  // at the start of a clamping note: "Latency"
    const char* unit;       // after a value in notes: " ms"
    const char* python;     // the constant it sets in the programs (src/lessons/python/), or nullptr
    FieldKind kind;
    int min, max;           // whole fields: the range; choice fields: 0 and the last value
    int step;               // the -/+ buttons' step on the page
    const char* not_a;      // whole fields whose out-of-range values are not clamped but replaced by the
                            // default: what they should be ("an HTTP status"); nullptr: clamped
    int (*get)(const RunDesc&);
    void (*set)(RunDesc&, int);
    const char* (*choice_name)(int);              // choice fields: the name of value v, nullptr past the last
    std::string (*python_value)(const RunDesc&);  // what the program's constant says; nullptr: the number
};

std::span<const RunField> run_fields();

enum class FieldKey : uint8_t { url, file, js, member };
// The field with that key, or nullptr.
const RunField* find_run_field(FieldKey which, std::string_view key);
const char* field_key(const RunField& f, FieldKey which);

// The value as text: the number, or the choice's name.
std::string field_text(const RunField& f, const RunDesc& d);
// Reads text into the field: a whole number (digits with an optional minus sign, nothing else) or one of
// the choice's names. Range is not checked here (see clamp_field). On failure leaves d alone and says why
// in *error, naming the field by the key of `named`: "n must be a whole number, got '5 x'",
// "unknown code path 'paralel' (sequential, ...)".
bool set_field_text(const RunField& f, RunDesc* d, std::string_view text, std::string* error, FieldKey named = FieldKey::url);
// The names a choice field accepts, comma-separated: "even, uneven, slow_tail".
std::string choice_names(const RunField& f);

// Brings the field into range. Returns the note that says what changed ("N = 20,000 is above 10,000:
// using 10,000."), or "" when it was in range.
std::string clamp_field(const RunField& f, RunDesc* d);

// The Python constant's value for d ("500", "True", "0"); only for fields with a python name.
std::string python_value(const RunField& f, const RunDesc& d);

}  // namespace ap
