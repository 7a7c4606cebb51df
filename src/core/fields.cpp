#include "fields.h"

#include <cstdio>

namespace ap {

namespace {

// The path field also names a run's kind: a learner's program is "path":"program" in run files, the history
// and results, as the value code_path_count, one past the last code path. It is named, never accepted as a
// setting: the field's range stops before it (set_field_text, clamp_field).
// A recorded run (a HAR's) is "path":"recorded", the value after it.
constexpr int program_value = code_path_count;
constexpr int recorded_value = code_path_count + 1;
const char* path_choice(int v) {
    if (v == program_value) return run_kind_name(RunKind::program);
    if (v == recorded_value) return run_kind_name(RunKind::recorded);
    return v >= 0 && v < code_path_count ? code_path_name(CodePath(v)) : nullptr;
}
int get_path(const RunDesc& d) { return d.kind == RunKind::program ? program_value : d.kind == RunKind::recorded ? recorded_value : int(d.path); }
void set_path(RunDesc& d, int v) {
    d.kind = v == program_value ? RunKind::program : v == recorded_value ? RunKind::recorded : RunKind::path;
    if (v < code_path_count) d.path = CodePath(v);
}
const char* api_choice(int v) { return v >= 0 && v < api_count ? api_name(Api(v)) : nullptr; }
const char* spread_choice(int v) { return v >= 0 && v < spread_count ? spread_name(Spread(v)) : nullptr; }

// A whole-number member: get and set through a pointer to it.
#define AP_WHOLE(m) [](const RunDesc& d) { return d.m; }, [](RunDesc& d, int v) { d.m = v; }
// An enum member, stored as its value.
#define AP_ENUM(m, T) [](const RunDesc& d) { return int(d.m); }, [](RunDesc& d, int v) { d.m = T(v); }

// In the order of the run file's desc object (path first: what a reader looks for).
const RunField fields[] = {
    {"path", "path", "path", "path", "code path", "code path", "", nullptr, FieldKind::choice, 0, code_path_count - 1, 1, nullptr,
     get_path, set_path, path_choice, nullptr},
    {"api", "api", "api", "api", "API", "API", "", nullptr, FieldKind::choice, 0, api_count - 1, 1, nullptr,
     AP_ENUM(api, Api), api_choice, nullptr},
    {"count", "n", "count", "n", "requests (N)", "N", "", "N", FieldKind::whole, Limits::min_count, Limits::max_count, 1, nullptr,
     AP_WHOLE(count), nullptr, nullptr},
    {"latency_ms", "latency", "latency_ms", "latencyMs", "latency (ms)", "Latency", " ms", "DELAY_MS", FieldKind::whole,
     Limits::min_latency_ms, Limits::max_latency_ms, 50, nullptr, AP_WHOLE(latency_ms), nullptr, nullptr},
    {"limit", "limit", "limit", "limit", "limit (k)", "Limit k", "", "LIMIT", FieldKind::whole, Limits::min_limit, Limits::max_limit, 1,
     nullptr, AP_WHOLE(limit), nullptr, nullptr},
    {"status", "status", "status", "status", "answer status", "Status", "", "STATUS", FieldKind::whole, 100, 599, 1, "an HTTP status",
     AP_WHOLE(status), nullptr, nullptr},
    {"timeout_ms", "timeout", "timeout_ms", "timeoutMs", "timeout (ms)", "Timeout", " ms", "TIMEOUT_MS", FieldKind::whole,
     Limits::min_timeout_ms, Limits::max_timeout_ms, 100, nullptr, AP_WHOLE(timeout_ms), nullptr, nullptr},
    {"spread", "spread", "spread", "spread", "latencies", "latency spread", "", "UNEVEN", FieldKind::choice, 0, spread_count - 1, 1,
     nullptr, AP_ENUM(spread, Spread), spread_choice,
     [](const RunDesc& d) { return std::string(d.spread == Spread::uneven ? "True" : "False"); }},
    {"slow_every", "slow_every", "slow_every", "slowEvery", "slow: one in", "Slow every", "", "SLOW_EVERY", FieldKind::whole,
     Limits::min_slow_every, Limits::max_slow_every, 1, nullptr, AP_WHOLE(slow_every), nullptr,
     [](const RunDesc& d) { return d.spread == Spread::slow_tail ? std::to_string(d.slow_every) : std::string("0"); }},
    {"slow_ms", "slow_ms", "slow_ms", "slowMs", "slow latency (ms)", "Slow latency", " ms", "SLOW_MS", FieldKind::whole,
     Limits::min_latency_ms, Limits::max_latency_ms, 100, nullptr, AP_WHOLE(slow_ms), nullptr, nullptr},
    {"cpu_ms", "cpu", "cpu_ms", "cpuMs", "CPU per answer (ms)", "CPU work", " ms", "CPU_MS", FieldKind::whole, 0, Limits::max_cpu_ms, 10,
     nullptr, AP_WHOLE(cpu_ms), nullptr, nullptr},
    {"retries", "retries", "retries", "retries", "retries", "Retries", "", "RETRIES", FieldKind::whole, 0, Limits::max_retries, 1, nullptr,
     AP_WHOLE(retries), nullptr, nullptr},
    {"backoff_ms", "backoff", "backoff_ms", "backoffMs", "backoff (ms)", "Backoff", " ms", "BACKOFF_MS", FieldKind::whole, 0,
     Limits::max_backoff_ms, 50, nullptr, AP_WHOLE(backoff_ms), nullptr, nullptr},
    {"fail_pct", "fail", "fail_pct", "failPct", "API fails (%)", "Failure rate", "%", "FAIL_PCT", FieldKind::whole, 0, 100, 5, nullptr,
     AP_WHOLE(fail_pct), nullptr, nullptr},
};

#undef AP_WHOLE
#undef AP_ENUM

std::string thousands(int v) {
    char buf[32];
    if (v >= 1000 || v <= -1000) std::snprintf(buf, sizeof buf, "%d,%03d", v / 1000, (v < 0 ? -v : v) % 1000);
    else std::snprintf(buf, sizeof buf, "%d", v);
    return buf;
}

}  // namespace

std::span<const RunField> run_fields() { return fields; }

const char* field_key(const RunField& f, FieldKey which) {
    switch (which) {
        case FieldKey::url: return f.url_key;
        case FieldKey::file: return f.file_key;
        case FieldKey::js: return f.js_key;
        case FieldKey::member: return f.member;
    }
    return f.member;
}

const RunField* find_run_field(FieldKey which, std::string_view key) {
    for (const RunField& f : fields) {
        if (key == field_key(f, which)) return &f;
    }
    return nullptr;
}

std::string field_text(const RunField& f, const RunDesc& d) {
    const int v = f.get(d);
    if (f.kind == FieldKind::choice) {
        const char* name = f.choice_name(v);
        return name ? name : std::to_string(v);
    }
    return std::to_string(v);
}

std::string choice_names(const RunField& f) {
    std::string out;
    for (int v = 0; f.choice_name && f.choice_name(v); ++v) out += std::string(v ? ", " : "") + f.choice_name(v);
    return out;
}

bool set_field_text(const RunField& f, RunDesc* d, std::string_view text, std::string* error, FieldKey named) {
    const std::string t(text);
    if (f.kind == FieldKind::choice) {
        for (int v = f.min; v <= f.max && f.choice_name(v); ++v) {  // (past max: names shown, never taken)
            if (t == f.choice_name(v)) {
                f.set(*d, v);
                return true;
            }
        }
        if (error) *error = "unknown " + std::string(f.label) + " '" + t + "' (" + choice_names(f) + ")";
        return false;
    }
    // Strictly a whole number: an optional minus sign and at most 9 digits, nothing before or after.
    size_t i = !t.empty() && t[0] == '-' ? 1 : 0;
    bool ok = i < t.size() && t.size() - i <= 9;
    for (size_t k = i; ok && k < t.size(); ++k) ok = t[k] >= '0' && t[k] <= '9';
    if (!ok) {
        if (error) *error = std::string(field_key(f, named)) + " must be a whole number, got '" + t + "'";
        return false;
    }
    int v = 0;
    for (size_t k = i; k < t.size(); ++k) v = v * 10 + (t[k] - '0');
    f.set(*d, i ? -v : v);
    return true;
}

std::string clamp_field(const RunField& f, RunDesc* d) {
    const int v = f.get(*d);
    if (v >= f.min && v <= f.max) return "";
    if (f.kind == FieldKind::choice || f.not_a) {
        const RunDesc defaults;
        f.set(*d, f.get(defaults));
        if (f.kind == FieldKind::choice) return "Unknown " + std::string(f.note_name) + ": using " + field_text(f, *d) + ".";
        return std::string(f.note_name) + " " + std::to_string(v) + " is not " + f.not_a + ": using " + field_text(f, *d) + ".";
    }
    const int clamped = v < f.min ? f.min : f.max;
    f.set(*d, clamped);
    return std::string(f.note_name) + " = " + thousands(v) + f.unit + " is " + (v < f.min ? "below " : "above ") + thousands(clamped) +
           f.unit + ": using " + thousands(clamped) + f.unit + ".";
}

std::string python_value(const RunField& f, const RunDesc& d) {
    return f.python_value ? f.python_value(d) : std::to_string(f.get(d));
}

}  // namespace ap
