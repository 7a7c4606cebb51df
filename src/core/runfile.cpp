#include "runfile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fields.h"
#include "json.h"
#include "stats.h"

namespace ap {

namespace {

// Times above this would not survive a trip through a JavaScript number; no real run comes close.
constexpr int64_t max_time_us = int64_t(1) << 53;
// No run lasts a day (10,000 calls of 10 s one after another, each with every retry, is well under).
constexpr int64_t max_run_us = int64_t(24) * 3600 * 1000 * 1000;


// ---- From the JSON tree to a Run ----------------------------------------------------------------------

// Whether an outcome and a status can go together: ok is a 2xx answer, an HTTP error any other answer, a
// timeout or a network error no answer at all (0); a cancelled request may have had its answer.
// (A recorded run's page load has redirects and 304s among its answers: ok there is 2xx or 3xx.)
bool status_fits(Outcome o, int status, bool recorded = false) {
    switch (o) {
        case Outcome::ok: return status >= 200 && status <= (recorded ? 399 : 299);
        case Outcome::http_error: return status >= 100 && !(status >= 200 && status <= 299);
        case Outcome::network_error:
        case Outcome::timeout: return status == 0;
        default: return true;
    }
}
std::string status_mismatch(Outcome o, int status) {
    return std::string("outcome \"") + outcome_name(o) + "\" cannot have status " + std::to_string(status) +
           (o == Outcome::ok ? " (ok is a 2xx answer)" : o == Outcome::http_error ? " (an HTTP error is an answer other than 2xx)" : " (it had no answer: status 0)");
}

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
    const JsonValue* field(const JsonValue& obj, const Scope& sc, const char* key, bool required) {
        const JsonValue* v = obj.get(key);
        if (!v && required) fail(sc.owner + " has no \"" + key + "\"");
        return v;
    }
    bool whole(const JsonValue& obj, const Scope& sc, const char* key, bool required, int64_t* out) {
        const JsonValue* v = field(obj, sc, key, required);
        if (!v) return !required;
        if (v->kind != JsonValue::Kind::number) return fail(sc.prefix + key + " should be a number");
        if (v->whole) {
            *out = v->integer;
        } else if (v->number == std::floor(v->number) && std::fabs(v->number) <= double(max_time_us)) {
            *out = int64_t(v->number);
        } else if (v->number == std::floor(v->number)) {
            return fail(sc.prefix + key + " = " + json_number(v->number) + " is too large");
        } else {
            return fail(sc.prefix + key + " = " + json_number(v->number) + " should be a whole number");
        }
        return true;
    }
    bool time(const JsonValue& obj, const Scope& sc, const char* key, bool required, int64_t* out) {
        if (!whole(obj, sc, key, required, out)) return false;
        if (*out == -1 || (*out >= 0 && *out <= max_run_us)) return true;
        if (*out > max_run_us) return fail(sc.prefix + key + " = " + std::to_string(*out) + " is more than a day after the run's start");
        return fail(sc.prefix + key + " = " + std::to_string(*out) +
                    " is not a time (microseconds from the run's start, or -1 for never)");
    }
    bool number(const JsonValue& obj, const Scope& sc, const char* key, bool required, double* out) {
        const JsonValue* v = field(obj, sc, key, required);
        if (!v) return !required;
        if (v->kind != JsonValue::Kind::number) return fail(sc.prefix + key + " should be a number");
        *out = v->number;
        return true;
    }
    bool text(const JsonValue& obj, const Scope& sc, const char* key, bool required, std::string* out) {
        const JsonValue* v = field(obj, sc, key, required);
        if (!v) return !required;
        if (v->kind != JsonValue::Kind::string) return fail(sc.prefix + key + " should be a string in double quotes");
        *out = v->text;
        return true;
    }
    bool outcome(const JsonValue& obj, const Scope& sc, Outcome* out) {
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
    bool status(const JsonValue& obj, const Scope& sc, int* out) {
        int64_t v = 0;
        if (!whole(obj, sc, "status", false, &v)) return false;
        if (v != 0 && (v < 100 || v > 599)) return fail(sc.prefix + "status = " + std::to_string(v) + " is not an HTTP status (or 0 for none)");
        *out = int(v);
        return true;
    }

    bool desc(const JsonValue& d, RunDesc* out);
    bool expectation(const JsonValue& root, int64_t version, Run* run);
    bool request(const JsonValue& j, int index, const RunDesc& desc, RunState state, int64_t wall_us, RequestTrace* out);
    bool program_report(const JsonValue& root, ProgramReport* out);
    bool program_call(const JsonValue& j, int index, ProgramCall* out);
    bool program_trace(const JsonValue& root, ProgramTrace* out);
    bool recorded(const JsonValue& root, RecordedRun* out);
};

// Where a recorded run came from: {"file", "creator", "title"}; its requests' URLs and methods are theirs.
bool Loader::recorded(const JsonValue& root, RecordedRun* out) {
    const Scope sc{"recorded", "recorded."};
    const JsonValue* j = field(root, Scope{"the file", ""}, "recorded", true);
    if (!j) return false;
    if (j->kind != JsonValue::Kind::object) return fail("recorded should be an object {...}");
    if (!text(*j, sc, "file", false, &out->file) || !text(*j, sc, "creator", false, &out->creator) || !text(*j, sc, "title", false, &out->title)) return false;
    for (std::string* s : {&out->file, &out->creator, &out->title})
        if (s->size() > 500) return fail("recorded: a text of " + std::to_string(s->size()) + " bytes; at most 500");
    return true;
}

// A program run's report: {"source", "output", "error", "traceback", "error_line", "stopped", "output_cut_*"}.
bool Loader::program_report(const JsonValue& root, ProgramReport* out) {
    const JsonValue* p = field(root, Scope{"the file", ""}, "program", true);
    if (!p) return false;
    if (!p->is_object()) return fail("program should be an object {...}");
    const Scope sc{"program", "program."};
    ProgramReport t;
    int64_t line = 0;
    if (!text(*p, sc, "source", true, &t.source) || !text(*p, sc, "output", false, &t.output) ||
        !text(*p, sc, "error", false, &t.error_message) || !text(*p, sc, "traceback", false, &t.traceback) ||
        !whole(*p, sc, "error_line", false, &line))
        return false;
    if (line < 0 || line > 1000000) return fail("program.error_line = " + std::to_string(line) + " is not a line of the program (or 0 for none)");
    t.error_line = int(line);
    int64_t cut_bytes = 0, cut_lines = 0;
    if (!whole(*p, sc, "output_cut_bytes", false, &cut_bytes) || !whole(*p, sc, "output_cut_lines", false, &cut_lines)) return false;
    if (cut_bytes < 0 || cut_lines < 0) return fail("program.output_cut_bytes and output_cut_lines count what was cut: 0 or more");
    t.output_cut_bytes = cut_bytes;
    t.output_cut_lines = cut_lines;
    if (const JsonValue* s = p->get("stopped")) {
        if (s->kind != JsonValue::Kind::boolean) return fail("program.stopped should be true or false");
        t.stopped = s->flag;
    }
    bound_program_report(&t);  // (a file may hold more than a run keeps: cut as a run's texts are)
    *out = std::move(t);
    return true;
}

// Its tasks' trace (program_trace.h), if the file has one: read as the worker's is, keeping what fits.
bool Loader::program_trace(const JsonValue& root, ProgramTrace* out) {
    const JsonValue* p = root.get("program");
    const JsonValue* t = p && p->is_object() ? p->get("trace") : nullptr;
    if (!t) return true;
    std::string why;
    if (!read_program_trace(*t, 0, out, &why)) return fail("program.trace: " + why);
    return true;
}

// What the program said about one request: {"url", "line", "task", "queued_ms", "timeout_ms", "blocking"}.
bool Loader::program_call(const JsonValue& j, int index, ProgramCall* out) {
    const std::string n = "request " + std::to_string(index + 1);
    const Scope sc{n, n + ": "};
    ProgramCall c;
    int64_t line = 0, timeout = 0;
    if (!text(j, sc, "url", true, &c.url) || !whole(j, sc, "line", false, &line) || !text(j, sc, "task", false, &c.task) ||
        !number(j, sc, "queued_ms", false, &c.queued_ms) || !whole(j, sc, "timeout_ms", false, &timeout))
        return false;
    if (line < 0 || line > 1000000) return fail(sc.prefix + "line = " + std::to_string(line) + " is not a line of the program (or 0 for none)");
    if (timeout < 0 || timeout > 86400000) return fail(sc.prefix + "timeout_ms = " + std::to_string(timeout) + " is not a timeout (or 0 for none)");
    if (!(c.queued_ms >= 0) || !std::isfinite(c.queued_ms)) return fail(sc.prefix + "queued_ms should be 0 or more");
    if (const JsonValue* b = j.get("blocking")) {
        if (b->kind != JsonValue::Kind::boolean) return fail(sc.prefix + "blocking should be true or false");
        c.blocking = b->flag;
    }
    if (j.get("wire_url") && !text(j, sc, "wire_url", false, &c.wire_url)) return false;
    int64_t task = -1;
    if (j.get("task_id") && !whole(j, sc, "task_id", false, &task)) return false;
    if (task < -1 || task > int64_t(max_trace_tasks)) return fail(sc.prefix + "task_id = " + std::to_string(task) + " is not a task of the trace (or -1)");
    c.task_id = int(task);
    int64_t thread = -1;
    if (j.get("thread") && !text(j, sc, "thread", false, &c.thread)) return false;
    if (c.thread.size() > 200) return fail(sc.prefix + "thread is a name of over 200 characters");
    if (j.get("thread_id") && !whole(j, sc, "thread_id", false, &thread)) return false;
    if (thread < -1 || thread > int64_t(max_trace_tasks)) return fail(sc.prefix + "thread_id = " + std::to_string(thread) + " is not a thread of the trace (or -1)");
    c.thread_id = int(thread);
    c.line = int(line);
    c.timeout_ms = int(timeout);
    c.asked_latency_ms = program_spec(c.url).latency_ms;
    *out = std::move(c);
    return true;
}

bool Loader::desc(const JsonValue& j, RunDesc* out) {
    const Scope sc{"desc", "desc."};
    RunDesc d;
    if (!j.get("path")) return fail("desc has no \"path\"");
    if (!j.get("count")) return fail("desc has no \"count\"");
    // A learner's program ("path":"program", fields.h): no setting names it, and it may have made no request.
    const JsonValue* path = j.get("path");
    const bool recorded = path->is_string() && path->text == run_kind_name(RunKind::recorded);  // (a HAR's: likewise)
    const bool program = recorded || (path->is_string() && path->text == run_kind_name(RunKind::program));
    // Every run setting by its file key (fields.h); a missing one keeps RunDesc's default.
    for (const RunField& f : run_fields()) {
        const std::string_view member = f.member;
        if (program && member == "path") continue;
        if (program && member == "count") {
            int64_t v = 0;
            if (!whole(j, sc, f.file_key, true, &v)) return false;
            if (v < 0 || v > max_program_requests)
                return fail("desc.count = " + std::to_string(v) + " is out of range (a program makes 0 to " + std::to_string(max_program_requests) + " requests)");
            d.count = int(v);
            continue;
        }
        if (f.kind == FieldKind::choice) {
            std::string name = field_text(f, d);
            if (!text(j, sc, f.file_key, false, &name)) return false;
            if (!set_field_text(f, &d, name, nullptr)) {
                if (f.member == std::string_view("path"))
                    return fail("desc.path \"" + name + "\" is not a code path this page knows (" + choice_names(f) + ")");
                return fail("desc." + std::string(f.file_key) + " \"" + name + "\" is not one of " + choice_names(f));
            }
            continue;
        }
        int64_t v = f.get(d);
        if (!whole(j, sc, f.file_key, false, &v)) return false;
        if (v < -2147483647 || v > 2147483647) return fail("desc." + std::string(f.file_key) + " = " + std::to_string(v) + " is out of range");
        f.set(d, int(v));
        RunDesc clamped = d;
        const std::string note = clamp_field(f, &clamped);
        if (!note.empty()) return fail("desc." + std::string(f.file_key) + " = " + std::to_string(v) + " is out of range (" + note + ")");
    }
    if (!text(j, sc, "base_url", false, &d.base_url)) return false;
    if (program) d.kind = recorded ? RunKind::recorded : RunKind::program;
    *out = d;
    return true;
}

// Version 2 and later: "cost" and "expected" objects (version 2 called expected.path_ms program_ms). Version 1
// had expected_ms (the code path's own time), sequential_ms and capped_ms (with the browser's connection cap);
// its outcomes and peak are the model's.
bool Loader::expectation(const JsonValue& root, int64_t version, Run* run) {
    const Scope top{"the file", ""};
    auto non_negative = [&](const JsonValue& obj, const Scope& sc, const char* key, double* out) {
        if (!number(obj, sc, key, true, out)) return false;
        if (*out < 0 || !std::isfinite(*out)) return fail(sc.prefix + key + " = " + json_number(*out) + " should be 0 or more");
        return true;
    };
    Expectation& e = run->expected;
    if (version < 2) {
        double capped = 0;
        if (!non_negative(root, top, "expected_ms", &e.path_ms) || !non_negative(root, top, "sequential_ms", &e.sequential_ms) ||
            !non_negative(root, top, "capped_ms", &capped))
            return false;
        const Expectation model = expect_run(run->desc);
        e.cap_ms = run->desc.api == Api::server ? std::max(0.0, capped - e.path_ms) : 0;
        e.wall_ms = e.path_ms + e.cap_ms;
        e.peak_in_flight = model.peak_in_flight;
        e.ok = model.ok, e.failed = model.failed, e.timeouts = model.timeouts;
        return true;
    }
    const JsonValue* cost = field(root, top, "cost", true);
    if (!cost) return false;
    if (!cost->is_object()) return fail("cost should be an object {...}");
    const Scope csc{"cost", "cost."};
    if (!non_negative(*cost, csc, "round_trip_ms", &run->cost.round_trip_ms) || !non_negative(*cost, csc, "handover_ms", &run->cost.handover_ms))
        return false;
    const JsonValue* ex = field(root, top, "expected", true);
    if (!ex) return false;
    if (!ex->is_object()) return fail("expected should be an object {...}");
    const Scope esc{"expected", "expected."};
    int64_t peak = 0, ok = 0, failed = 0, timeouts = 0;
    if (!non_negative(*ex, esc, "wall_ms", &e.wall_ms) || !non_negative(*ex, esc, version < 3 ? "program_ms" : "path_ms", &e.path_ms) ||
        !non_negative(*ex, esc, "cap_ms", &e.cap_ms) || !non_negative(*ex, esc, "browser_ms", &e.browser_ms) ||
        !non_negative(*ex, esc, "sequential_ms", &e.sequential_ms) || !whole(*ex, esc, "peak_in_flight", true, &peak) ||
        !whole(*ex, esc, "ok", true, &ok) || !whole(*ex, esc, "failed", true, &failed) || !whole(*ex, esc, "timeouts", true, &timeouts))
        return false;
    for (int64_t* v : {&peak, &ok, &failed, &timeouts}) {
        if (*v < 0 || *v > Limits::max_count) return fail("expected: a count of requests should be from 0 to " + std::to_string(Limits::max_count));
    }
    e.peak_in_flight = int(peak), e.ok = int(ok), e.failed = int(failed), e.timeouts = int(timeouts);
    return true;
}

bool Loader::request(const JsonValue& j, int index, const RunDesc& desc, RunState state, int64_t wall_us, RequestTrace* out) {
    const std::string n = "request " + std::to_string(index + 1);
    const Scope sc{n, n + ": "};
    if (j.kind != JsonValue::Kind::object) return fail(n + " should be an object {...}");
    RequestTrace r;
    if (!time(j, sc, "scheduled", true, &r.scheduled_us) || !time(j, sc, "started", true, &r.started_us) ||
        !time(j, sc, "answered", false, &r.answered_us) || !time(j, sc, "handled", false, &r.handled_us) ||
        !time(j, sc, "finished", true, &r.finished_us) || !outcome(j, sc, &r.outcome) || !status(j, sc, &r.status) ||
        !whole(j, sc, "bytes", false, &r.bytes) || !text(j, sc, "reason", false, &r.reason))
        return false;
    if (r.bytes < 0 || r.bytes > max_time_us) return fail(sc.prefix + "bytes = " + std::to_string(r.bytes) + " is not a size");
    const bool recorded = desc.kind == RunKind::recorded;
    if (!status_fits(r.outcome, r.status, recorded)) return fail(sc.prefix + status_mismatch(r.outcome, r.status));

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
    if (state == RunState::finished && desc.kind == RunKind::path) {  // (a program may end without waiting; a HAR holds what it holds)
        if (r.outcome == Outcome::cancelled) return fail(n + ": was cancelled, yet the run finished");
        if (r.started_us < 0) return fail(n + ": never started, yet the run finished");
    }

    const JsonValue* attempts = j.get("attempts");
    if (attempts && attempts->kind != JsonValue::Kind::array) return fail(n + ": attempts should be an array [...]");
    const size_t count = attempts ? attempts->items.size() : 0;
    const size_t allowed = size_t(std::min(max_attempts, effective_retries(desc) + 1));
    if (count > allowed)
        return fail(n + " has " + std::to_string(count) + " attempts; this run allows at most " + std::to_string(allowed));
    if (r.started_us < 0 && count > 0) return fail(n + ": never started, but has attempts");
    if (r.started_us >= 0 && count == 0) return fail(n + ": started, but has no attempts");
    int64_t previous_end = r.started_us;
    for (size_t a = 0; a < count; ++a) {
        const JsonValue& aj = attempts->items[a];
        const std::string an = n + ", attempt " + std::to_string(a + 1);
        const Scope asc{an, an + ": "};
        if (aj.kind != JsonValue::Kind::object) return fail(an + " should be an object {...}");
        Attempt at;
        if (!time(aj, asc, "started", true, &at.started_us) || !time(aj, asc, "ended", true, &at.ended_us) ||
            !outcome(aj, asc, &at.outcome) || !status(aj, asc, &at.status))
            return false;
        if (!status_fits(at.outcome, at.status, recorded)) return fail(asc.prefix + status_mismatch(at.outcome, at.status));
        if (at.started_us < 0 || at.ended_us < 0) return fail(an + ": a saved attempt has a start and an end");
        if (at.started_us < previous_end)
            return fail(an + (a ? ": started before the attempt before it ended" : ": started before its request"));
        if (at.ended_us < at.started_us) return fail(an + ": ended before it started");
        if (at.ended_us > r.finished_us) return fail(an + ": ended after its request finished");
        // What the browser said of it (Resource Timing, or a HAR's timings): when it went out, its first byte
        // and its last. Each -1 when not known.
        if (!time(aj, asc, "sent", false, &at.sent_us) || !time(aj, asc, "first_byte", false, &at.first_byte_us) ||
            !time(aj, asc, "last_byte", false, &at.last_byte_us))
            return false;
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
    auto rel = [t0](int64_t t) { return t >= 0 ? t - t0 : int64_t(-1); };
    JsonWriter w;
    w.begin_object().key("format").string("asyncplay-run").key("version").integer(run_file_version).newline();
    w.key("desc").begin_object();
    for (const RunField& f : run_fields()) {
        w.key(f.file_key);
        if (f.kind == FieldKind::choice) w.string(field_text(f, d));
        else w.integer(f.get(d));
    }
    w.key("base_url").string(d.base_url).end_object().newline();
    const Expectation& e = run.expected;
    w.key("cost").begin_object().key("round_trip_ms").number(run.cost.round_trip_ms).key("handover_ms").number(run.cost.handover_ms).end_object();
    w.key("expected").begin_object().key("wall_ms").number(e.wall_ms).key("path_ms").number(e.path_ms).key("cap_ms").number(e.cap_ms);
    w.key("browser_ms").number(e.browser_ms).key("sequential_ms").number(e.sequential_ms).key("peak_in_flight").integer(e.peak_in_flight);
    w.key("ok").integer(e.ok).key("failed").integer(e.failed).key("timeouts").integer(e.timeouts).end_object();
    w.key("state").string(run_state_name(run.state)).key("wall_us").integer(rel(run.end_us));
    w.key("guess_ms");
    if (guess_ms >= 0 && std::isfinite(guess_ms)) w.number(guess_ms);
    else w.integer(-1);
    w.newline();
    const ProgramRun* program = run.program ? &*run.program : nullptr;
    if (program) {
        const ProgramReport& t = program->report;
        w.key("program").begin_object().key("source").string(t.source).key("output").string(t.output);
        w.key("error").string(t.error_message).key("traceback").string(t.traceback).key("error_line").integer(t.error_line);
        w.key("stopped").boolean(t.stopped).key("output_cut_bytes").integer(t.output_cut_bytes).key("output_cut_lines").integer(t.output_cut_lines);
        if (!program->trace.empty()) w.key("trace").raw(program_trace_json(program->trace, run.start_us));
        w.end_object().newline();
    }
    if (run.recorded) {
        w.key("recorded").begin_object().key("file").string(run.recorded->file).key("creator").string(run.recorded->creator);
        w.key("title").string(run.recorded->title).end_object().newline();
    }
    w.key("requests").begin_array();
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        w.newline().begin_object();
        w.key("scheduled").integer(rel(r.scheduled_us)).key("started").integer(rel(r.started_us));
        w.key("answered").integer(rel(r.answered_us)).key("handled").integer(rel(r.handled_us));
        w.key("finished").integer(rel(r.finished_us)).key("outcome").string(outcome_name(r.outcome));
        w.key("status").integer(r.status).key("bytes").integer(r.bytes).key("reason").string(r.reason);
        if (program && i < program->calls.size()) {
            const ProgramCall& c = program->calls[i];
            w.key("url").string(c.url).key("line").integer(c.line).key("task").string(c.task).key("queued_ms").number(c.queued_ms);
            w.key("timeout_ms").integer(c.timeout_ms).key("blocking").boolean(c.blocking).key("task_id").integer(c.task_id);
            if (!c.wire_url.empty()) w.key("wire_url").string(c.wire_url);
            if (!c.thread.empty()) w.key("thread").string(c.thread).key("thread_id").integer(c.thread_id);
        }
        if (run.recorded && i < run.recorded->urls.size()) w.key("url").string(run.recorded->urls[i]).key("method").string(run.recorded->methods[i]);
        w.key("attempts").begin_array();
        for (const Attempt& at : r.attempts) {
            w.begin_object().key("started").integer(rel(at.started_us)).key("ended").integer(rel(at.ended_us));
            w.key("outcome").string(outcome_name(at.outcome)).key("status").integer(at.status);
            if (at.sent_us >= 0) w.key("sent").integer(rel(at.sent_us));
            if (at.first_byte_us >= 0) w.key("first_byte").integer(rel(at.first_byte_us));
            if (at.last_byte_us >= 0) w.key("last_byte").integer(rel(at.last_byte_us));
            w.end_object();
        }
        w.end_array().end_object();
    }
    w.newline().end_array().end_object();
    return w.take() + "\n";
}

// ---- Consistency ------------------------------------------------------------------------------------------

std::vector<std::string> run_file_inconsistencies(const Run& run) {
    std::vector<std::string> found;
    if (run.desc.kind != RunKind::path) return found;  // a learner's program, a HAR: no model to contradict, no latency asked
    const Expectation model = expect_run(run.desc, run.cost);
    const Expectation& e = run.expected;
    auto differs = [](double a, double b) { return std::fabs(a - b) > 0.5 + 0.001 * std::max(a, b); };
    if (differs(e.wall_ms, model.wall_ms)) {
        found.push_back("its expected time is " + format_duration_ms(e.wall_ms) + ", but its settings give " + format_duration_ms(model.wall_ms));
    } else if (differs(e.sequential_ms, model.sequential_ms) || differs(e.path_ms, model.path_ms) || e.failed != model.failed ||
               e.timeouts != model.timeouts || e.ok != model.ok) {
        found.push_back("its expectation does not follow from its settings (the sequential yardstick or the outcomes differ)");
    }
    // An answer can come later than the latency it asked for (the network, the browser), never sooner.
    int sooner = 0;
    std::string first;
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        for (size_t a = 0; a < r.attempts.size(); ++a) {
            const Attempt& at = r.attempts[a];
            if (at.outcome != Outcome::ok && at.outcome != Outcome::http_error) continue;
            const int asked = request_latency_ms(run.desc, int(i), int(a));
            const double took = double(at.ended_us - at.started_us) / 1000.0;
            if (took + 1 < asked) {
                if (!sooner++) first = "request " + std::to_string(i + 1) + " took " + format_duration_ms(took) + " of " + format_duration_ms(asked);
                break;
            }
        }
    }
    if (sooner) {
        found.push_back(std::to_string(sooner) + (sooner == 1 ? " request was" : " requests were") +
                        " answered sooner than the latency it asked for (" + first + ")");
    }
    return found;
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
    JsonValue root;
    JsonLimits limits;
    limits.max_bytes = run_file_max_bytes;
    limits.max_depth = run_file_max_depth;
    if (!parse_json(text, &root, &err, limits)) return false;
    Loader l;
    auto failed = [&] {
        err = l.error;
        return false;
    };
    const JsonValue* format = root.kind == JsonValue::Kind::object ? root.get("format") : nullptr;
    if (!format || format->kind != JsonValue::Kind::string || format->text != "asyncplay-run") {
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
    const JsonValue* desc = l.field(root, top, "desc", true);
    if (!desc) return failed();
    if (desc->kind != JsonValue::Kind::object) {
        err = "desc should be an object {...}";
        return false;
    }
    if (!l.desc(*desc, &run.desc)) return failed();

    if (!l.expectation(root, version, &run)) return failed();
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
        err = "guess_ms = " + json_number(guess) + " should be -1 (no guess) or 0 or more";
        return false;
    }

    const JsonValue* requests = l.field(root, top, "requests", true);
    if (!requests) return failed();
    if (requests->kind != JsonValue::Kind::array) {
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
    const bool program = run.desc.kind == RunKind::program;
    const bool recorded = run.desc.kind == RunKind::recorded;
    if (program && (!l.program_report(root, &run.program.emplace().report) || !l.program_trace(root, &run.program->trace))) return failed();
    if (recorded && !l.recorded(root, &run.recorded.emplace())) return failed();
    run.requests.resize(count);
    if (program) run.program->calls.resize(count);
    if (recorded) run.recorded->urls.resize(count), run.recorded->methods.resize(count);
    int64_t last_end = 0;
    for (size_t i = 0; i < count; ++i) {
        if (!l.request(requests->items[i], int(i), run.desc, run.state, wall_us, &run.requests[i])) return failed();
        if (program && !l.program_call(requests->items[i], int(i), &run.program->calls[i])) return failed();
        if (recorded) {
            const std::string n = "request " + std::to_string(i + 1);
            const Scope sc{n, n + ": "};
            if (!l.text(requests->items[i], sc, "url", true, &run.recorded->urls[i]) || !l.text(requests->items[i], sc, "method", true, &run.recorded->methods[i])) return failed();
            if (run.recorded->urls[i].size() > 8192 || run.recorded->methods[i].size() > 16 || run.recorded->methods[i].empty()) {
                err = n + ": a URL of at most 8192 bytes and a method of 1 to 16";
                return false;
            }
        }
        last_end = std::max(last_end, run.requests[i].finished_us);
    }
    // A finished run ends with its last request (a cancelled one when the learner pressed Cancel); a program's
    // when the program returned, which may be after its last request.
    if ((program || recorded) && wall_us < last_end) {
        err = "wall_us = " + std::to_string(wall_us) + ", but a request finished later, at " + std::to_string(last_end);
        return false;
    }
    if (!program && !recorded && run.state == RunState::finished && wall_us != last_end) {
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
