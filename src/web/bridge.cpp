#include "bridge.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <malloc.h>

#include <emscripten.h>

#include "app/app.h"
#include "app/ui_kit.h"
#include "core/analysis.h"
#include "core/code_view.h"
#include "core/fields.h"
#include "core/json.h"
#include "core/lessons.h"
#include "web/fetch_transport.h"

namespace ap {

static App* g_app = nullptr;
FrameStats frame_stats;
void (*bridge_wake)() = nullptr;
void (*bridge_force_frames)(int) = nullptr;

// ---- C++ -> JS: every Module.apX the page registers (web/bridge.js), each called only if it is there ----

EM_JS(void, js_first_frame, (), { if (Module.apFirstFrame) Module.apFirstFrame(); });
EM_JS(void, js_progress, (const char* json, const char* changed), {  // (changed: a JSON list)
    if (Module.apProgress) Module.apProgress(UTF8ToString(json), UTF8ToString(changed));
});
EM_JS(void, js_open_progress, (), { if (Module.apOpenProgress) Module.apOpenProgress(); });
// Unix time in ms of performance.now()'s 0: the page's monotonic clock (monotonic_now_us) in dates.
EM_JS(double, js_time_origin, (), { return performance.timeOrigin; });
// The date and time now, ISO 8601, in a buffer the caller frees.
EM_JS(char*, js_clock_of_day, (), {
    const text = new Date().toISOString();
    const size = lengthBytesUTF8(text) + 1;
    const p = _malloc(size);
    if (p) stringToUTF8(text, p, size);
    return p;
});
EM_JS(void, js_copy_link, (const char* query), { if (Module.apCopyLink) Module.apCopyLink(UTF8ToString(query)); });
EM_JS(void, js_copy_embed, (const char* query), { if (Module.apCopyEmbed) Module.apCopyEmbed(UTF8ToString(query)); });
EM_JS(void, js_save_file, (const char* name, const char* mime, const char* text), {
    if (Module.apSaveFile) Module.apSaveFile(UTF8ToString(name), UTF8ToString(mime), UTF8ToString(text));
});
EM_JS(void, js_open_file, (), { if (Module.apOpenFile) Module.apOpenFile(); });
EM_JS(void, js_history_changed, (), { if (Module.apHistoryChanged) Module.apHistoryChanged(); });
EM_JS(void, js_copy_text, (const char* what, const char* text), {
    if (Module.apCopyText) Module.apCopyText(UTF8ToString(what), UTF8ToString(text));
});
EM_JS(void, js_program_answer, (int index, const char* json, const char* body), {
    if (Module.apProgramAnswer) Module.apProgramAnswer(index, UTF8ToString(json), UTF8ToString(body));
});
EM_JS(void, js_open_editor, (const char* program), { if (Module.apOpenEditor) Module.apOpenEditor(UTF8ToString(program)); });
EM_JS(void, js_editor_line, (int line), { if (Module.apEditorLine) Module.apEditorLine(line); });
EM_JS(void, js_run_editor, (), { if (Module.apRunEditor) Module.apRunEditor(); });
EM_JS(void, js_stop_program, (), { if (Module.apStopProgram) Module.apStopProgram(); });
EM_JS(void, js_editor_counts, (const char* json), { if (Module.apEditorCounts) Module.apEditorCounts(UTF8ToString(json)); });
EM_JS(void, js_editor_rect, (float x, float y, float w, float h), { if (Module.apEditorRect) Module.apEditorRect(x, y, w, h); });
EM_JS(void, js_open_tab, (const char* query), { if (Module.apOpenTab) Module.apOpenTab(UTF8ToString(query)); });
EM_JS(void, js_run_started, (int program), {
    if (Module.apRunStarted) Module.apRunStarted(program !== 0);
});
EM_JS(void, js_request_costs, (const char* api), {
    if (Module.apRequestCosts) Module.apRequestCosts(UTF8ToString(api));
    else Module._ap_js_calibrating(0);
});
EM_JS(void, js_save_png, (float x, float y, float w, float h), { if (Module.apSavePng) Module.apSavePng(x, y, w, h); });
EM_JS(void, js_run_ended, (uint32_t ticket, const char* json), {
    if (Module.apRunEnded) Module.apRunEnded(ticket, UTF8ToString(json));
});


void bridge_init(App* app) {
    g_app = app;
    PlatformHooks& h = app->hooks;
    h.on_run_started = [](bool program) { js_run_started(program ? 1 : 0); };
    h.on_copy_link = [](const std::string& query) { js_copy_link(query.c_str()); };
    h.on_copy_embed = [](const std::string& query) { js_copy_embed(query.c_str()); };
    h.on_save_file = [](const std::string& name, const std::string& mime, const std::string& text) {
        js_save_file(name.c_str(), mime.c_str(), text.c_str());
    };
    h.on_open_file = [] { js_open_file(); };
    h.on_history_changed = [] { js_history_changed(); };
    h.on_open_tab = [](const std::string& query) { js_open_tab(query.c_str()); };
    h.on_copy_text = [](const std::string& what, const std::string& text) { js_copy_text(what.c_str(), text.c_str()); };
    h.on_open_editor = [](const std::string& program) { js_open_editor(program.c_str()); };
    h.on_editor_rect = [](float x, float y, float w, float h) { js_editor_rect(x, y, w, h); };
    h.on_editor_line = [](int line) { js_editor_line(line); };
    h.on_run_editor = [] { js_run_editor(); };
    h.on_stop_program = [] { js_stop_program(); };
    h.on_editor_counts = [](const std::string& json) { js_editor_counts(json.c_str()); };
    // {"outcome", "status", "reason"}; the body apart (it may hold anything, and may be long).
    h.on_program_answer = [](int index, const RequestTrace& r, const std::string& body) {
        JsonWriter w;
        w.begin_object().key("outcome").string(outcome_name(r.outcome)).key("status").integer(r.status).key("reason").string(r.reason).end_object();
        js_program_answer(index, w.take().c_str(), body.c_str());
    };
    // The learner's place and progress: the page keeps them in localStorage (see web/storage.js), and tells
    // the host page of each lesson whose record changed, as [{lesson, status, checks: [{text, passed,
    // measured}]}].
    h.on_progress = [](const std::string& json, const std::vector<std::string>& changed) {
        JsonWriter w;
        w.begin_array();
        for (const std::string& id : changed) {
            const LessonRecord* r = g_app ? progress_find(g_app->lessons.progress, id) : nullptr;
            if (!r) continue;
            w.begin_object().key("lesson").string(r->lesson).key("status").string(lesson_status_name(r->status)).key("checks");
            write_checks_json(w, r->checks);
            w.end_object();
        }
        js_progress(json.c_str(), w.end_array().take().c_str());
    };
    h.on_open_progress = [] { js_open_progress(); };
    h.clock_epoch_ms = [] { return js_time_origin(); };
    h.clock_of_day = [] {
        char* p = js_clock_of_day();
        std::string s = p ? p : "";
        std::free(p);
        return s;
    };
    h.on_run_ended = [](uint32_t ticket, const std::string& json) { js_run_ended(ticket, json.c_str()); };
}

void bridge_first_frame() { js_first_frame(); }
void bridge_request_costs(Api api) {
    if (g_app) g_app->apis.calibrating = true;  // until the page says the figures are fresh
    js_request_costs(api_name(api));
}
void bridge_save_png(float x, float y, float w, float h) { js_save_png(x, y, w, h); }

// ---- Helpers of the entry points below -----------------------------------------------------------------

// A returned text lives until the next call that returns one.
static const char* out(std::string text) {
    static std::string kept;
    kept = std::move(text);
    return kept.c_str();
}

// {"error": why}, the answer of an entry point that could not do what it was asked.
static const char* error_out(const std::string& why) {
    JsonWriter w;
    w.begin_object().key("error").string(why).end_object();
    return out(w.take());
}

static void wake() {
    if (bridge_wake) bridge_wake();
}

// A JSON text from JS; a malformed one is the page's own bug, reported as one.
static bool read_json(const char* text, JsonValue* v, std::string* error) {
    return parse_json(text ? text : "", v, error);
}

static std::string string_of(const JsonValue* v, const std::string& fallback = "") {
    return v && v->is_string() ? v->text : fallback;
}

// The options of window.playground.run() (or a host page's run command) onto a desc: every run setting by
// its JS key (fields.h); unknown keys are ignored. Numbers are rounded to whole ones and held to the 32-bit
// range (clamping to each field's own range, with a note on screen, is the run's job).
static bool desc_from_options(const JsonValue& o, RunDesc* d, std::string* error) {
    for (const RunField& f : run_fields()) {
        const JsonValue* v = o.get(f.js_key);
        if (!v || v->kind == JsonValue::Kind::null) continue;
        if (f.kind == FieldKind::choice) {
            if (!v->is_string() || !set_field_text(f, d, v->text, nullptr)) {
                *error = std::string(f.js_key) + " must be one of " + choice_names(f) + "; got " +
                         (v->is_string() ? v->text : std::string("a ") + (v->is_number() ? "number" : "value that is not a name"));
                return false;
            }
            continue;
        }
        double x = 0;
        if (v->is_number()) {
            x = v->number;
        } else if (v->is_string() && !v->text.empty()) {
            char* end = nullptr;
            x = std::strtod(v->text.c_str(), &end);
            if (*end != '\0') x = NAN;
        } else {
            x = NAN;
        }
        if (!std::isfinite(x)) {
            *error = std::string(f.js_key) + " must be a number; got " + (v->is_string() ? v->text : std::string("something else"));
            return false;
        }
        f.set(*d, int(std::clamp(std::round(x), -2147483648.0, 2147483647.0)));
    }
    return true;
}

}  // namespace ap

using namespace ap;

extern "C" {

// ---- Runs: start, cancel, the settings, notes -------------------------------------------------------

// Starts a run: options are window.playground.run()'s ({path, n, latencyMs, ...}, fields.h's JS keys, and
// serverBase). Returns {"ticket": n} or {"error": "..."}; out-of-range numbers are clamped by the run,
// which says why on screen.
EMSCRIPTEN_KEEPALIVE const char* ap_js_run(const char* options_json) {
    if (!g_app) return error_out("the playground is not ready");
    JsonValue o;
    std::string error;
    RunDesc desc;
    desc.path = CodePath::concurrent;
    if (!read_json(options_json, &o, &error) || !o.is_object()) {
        error = error.empty() ? "options must be an object" : "options: " + error;
    } else if (desc_from_options(o, &desc, &error)) {
        if (const JsonValue* base = o.get("serverBase"); base && base->is_string()) controls_set_server_base(*g_app, base->text);
        const uint32_t ticket = app_start_run(*g_app, desc, monotonic_now_us());
        wake();
        JsonWriter w;
        w.begin_object().key("ticket").integer(ticket).end_object();
        return out(w.take());
    }
    JsonWriter w;
    w.begin_object().key("error").string(error).end_object();
    return out(w.take());
}

EMSCRIPTEN_KEEPALIVE void ap_js_cancel() {
    if (!g_app) return;
    app_cancel(*g_app, monotonic_now_us());
    wake();
}

// The controls' settings in window.playground.run()'s terms (every field of fields.h by its JS key).
EMSCRIPTEN_KEEPALIVE const char* ap_js_desc() {
    if (!g_app) return out("{}");
    JsonWriter w;
    w.begin_object();
    for (const RunField& f : run_fields()) {
        w.key(f.js_key);
        if (f.kind == FieldKind::choice) w.string(field_text(f, g_app->desc));
        else w.integer(f.get(g_app->desc));
    }
    w.end_object();
    return out(w.take());
}

// A note from the page's JavaScript for the learner (a bad ?origin=), shown with the input notes.
EMSCRIPTEN_KEEPALIVE void ap_js_note(const char* message) {
    if (!g_app || !message) return;
    g_app->input_notes.push_back(message);
    g_app->needs_redraw = true;
    wake();
}

// ---- The learner's program: its run, its requests, its end, the editor ------------------------------

// The learner's own program, run by web/python-worker.js. Begin: {"api": "page" | "server" | "simulated",
// "spread": false to keep its dev-server requests on the one port (default: spread over the sibling ports)};
// returns {"ticket", "api", "base", "note"} (api: the one it really runs on, note: why, when another) or
// {"error"}.
EMSCRIPTEN_KEEPALIVE const char* ap_js_program_begin(const char* json) {
    if (!g_app) return error_out("the playground is not ready");
    JsonValue o;
    std::string error;
    RunDesc d;
    if (!read_json(json, &o, &error) || !o.is_object()) return error_out("program options must be an object");
    const std::string api = string_of(o.get("api"), "page");
    if (!set_field_text(*find_run_field(FieldKey::url, "api"), &d, api, &error)) {
        JsonWriter w;
        w.begin_object().key("error").string(error).end_object();
        return out(w.take());
    }
    const JsonValue* spread = o.get("spread");
    const uint32_t ticket = app_start_program(*g_app, d.api, monotonic_now_us(), !(spread && spread->kind == JsonValue::Kind::boolean && !spread->flag));
    wake();
    const Run& run = g_app->scheduler.run();
    JsonWriter w;
    w.begin_object().key("ticket").integer(ticket).key("api").string(api_name(run.desc.api));
    w.key("base").string(run.desc.base_url).key("note").string(g_app->current.substituted).end_object();
    return out(w.take());
}

// The program stopped waiting for its request `index` (its task was cancelled): aborted on the wire.
EMSCRIPTEN_KEEPALIVE void ap_js_program_cancel(int index) {
    if (!g_app) return;
    app_program_cancel(*g_app, index, monotonic_now_us());
    wake();
}

// The program began to run, at at_ms on the page's clock (performance.now()).
EMSCRIPTEN_KEEPALIVE void ap_js_program_started(double at_ms) {
    if (!g_app || !std::isfinite(at_ms)) return;
    app_program_started(*g_app, int64_t(std::llround(at_ms * 1000.0)));
    wake();
}

// A request the program makes now: {"url", "line", "task", "taskId", "thread", "threadId", "timeoutMs", "queuedMs",
// "blocking"}; returns {"index"} or {"error"}.
EMSCRIPTEN_KEEPALIVE const char* ap_js_program_request(const char* json) {
    if (!g_app) return error_out("the playground is not ready");
    JsonValue o;
    std::string error;
    if (!read_json(json, &o, &error) || !o.is_object()) return error_out("a request must be an object");
    ProgramCall call;
    const std::string url = string_of(o.get("url"));
    auto whole = [&](const char* key) {
        const JsonValue* v = o.get(key);
        return v && v->is_number() && std::isfinite(v->number) ? int(std::clamp(v->number, 0.0, 2147483647.0)) : 0;
    };
    call.line = whole("line");
    call.task = string_of(o.get("task"));
    if (const JsonValue* t = o.get("taskId"); t && t->is_number() && std::isfinite(t->number)) call.task_id = int(std::clamp(t->number, -1.0, 1e6));
    call.thread = string_of(o.get("thread")).substr(0, 200);
    if (const JsonValue* t = o.get("threadId"); t && t->is_number() && std::isfinite(t->number)) call.thread_id = int(std::clamp(t->number, -1.0, 1e6));
    call.timeout_ms = whole("timeoutMs");
    if (const JsonValue* q = o.get("queuedMs"); q && q->is_number()) call.queued_ms = q->number;
    if (const JsonValue* b = o.get("blocking"); b && b->kind == JsonValue::Kind::boolean) call.blocking = b->flag;
    int index = -1;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        error = "only http:// and https:// URLs can be fetched from the page, not " + url.substr(0, 60);
    } else {
        index = app_program_request(*g_app, url, call, monotonic_now_us(), &error);
    }
    wake();
    JsonWriter w;
    w.begin_object();
    if (index >= 0) w.key("index").integer(index);
    else w.key("error").string(error);
    // (The cap on requests ends the program there and then: a program that catches the error cannot go on.)
    if (index < 0 && g_app->scheduler.running() && g_app->scheduler.run().requests.size() >= size_t(max_program_requests)) w.key("limit").boolean(true);
    w.end_object();
    return out(w.take());
}

// The program is over: {"source", "output", "error": null | {"line", "message", "traceback"}, "stopped", "atMs",
// "outputCut": {"bytes", "lines"}, "traceShiftMs"}; its texts are bounded by the scheduler (bound_program_report).
// trace_text: its tasks' trace (program_trace.h), times traceShiftMs ahead of the page's clock, or "".
EMSCRIPTEN_KEEPALIVE void ap_js_program_end(const char* json, const char* trace_text) {
    if (!g_app) return;
    JsonValue o;
    std::string error;
    ProgramReport text;
    int64_t ended_us = -1;
    ProgramTrace trace;
    if (read_json(json, &o, &error) && o.is_object()) {
        // (A trace that cannot be read is left out: the stepper then tells the run by its requests.)
        const JsonValue* shift = o.get("traceShiftMs");
        if (trace_text && *trace_text && shift && shift->is_number() && std::isfinite(shift->number) && std::fabs(shift->number) < 1e12)
            read_program_trace(trace_text, int64_t(std::llround(shift->number * 1000.0)), &trace, nullptr);
        text.output = string_of(o.get("output"));
        text.source = string_of(o.get("source"));
        if (const JsonValue* e = o.get("error"); e && e->is_object()) {
            text.error_message = string_of(e->get("message"), "the program failed");
            text.traceback = string_of(e->get("traceback"));
            const JsonValue* line = e->get("line");
            text.error_line = line && line->is_number() ? int(std::clamp(line->number, 0.0, 1e9)) : 0;
        }
        const JsonValue* stopped = o.get("stopped");
        text.stopped = stopped && stopped->kind == JsonValue::Kind::boolean && stopped->flag;
        if (const JsonValue* cut = o.get("outputCut"); cut && cut->is_object()) {
            const auto whole = [](const JsonValue* v) { return v && v->is_number() && std::isfinite(v->number) ? int64_t(std::clamp(v->number, 0.0, 1e15)) : 0; };
            text.output_cut_bytes = whole(cut->get("bytes"));
            text.output_cut_lines = whole(cut->get("lines"));
        }
        if (const JsonValue* at = o.get("atMs"); at && at->is_number() && std::isfinite(at->number) && at->number >= 0)
            ended_us = int64_t(std::llround(at->number * 1000.0));
    }
    app_program_end(*g_app, std::move(text), monotonic_now_us(), ended_us, std::move(trace));
    wake();
}

// What the program printed since the last call (web/python.js, as each batch comes), with what its
// interpreter cut so far: shown while it runs.
EMSCRIPTEN_KEEPALIVE void ap_js_program_output(const char* text, double cut_bytes, double cut_lines) {
    if (!g_app || !text) return;
    const auto count = [](double v) { return std::isfinite(v) ? int64_t(std::clamp(v, 0.0, 1e15)) : int64_t(0); };
    if (!g_app->scheduler.running() || !g_app->scheduler.run().program) return;
    g_app->scheduler.program_output(text, count(cut_bytes), count(cut_lines));
    wake();
}

// The code panel's program with the learner's numbers (the editor's Reset).
EMSCRIPTEN_KEEPALIVE const char* ap_js_code_program() { return out(g_app ? code_panel_program(*g_app) : ""); }
// What Edit and run opens (the lesson's starter, or the panel's program): the editor's Reset goes back to it.
EMSCRIPTEN_KEEPALIVE const char* ap_js_editor_program() { return out(g_app ? code_panel_editor_program(*g_app) : ""); }

// The platform opened the program editor itself (a link with a program): the code panel makes room.
EMSCRIPTEN_KEEPALIVE void ap_js_editor_opened() {
    if (!g_app) return;
    code_panel_editor_opened(*g_app);
    wake();
}

// The platform closed the program editor (its Close button).
EMSCRIPTEN_KEEPALIVE void ap_js_editor_closed() {
    if (!g_app) return;
    code_panel_editor_closed(*g_app);
    wake();
}

// ---- The APIs: what the page found out, their measured costs, the server's base, Resource Timing ----

// An API's measured costs: {"roundTripMs", "handoverMs"} (see web/costs.js, measureCost).
static ApiCost cost_of(const JsonValue* v) {
    ApiCost c;
    if (!v) return c;
    auto ms = [](const JsonValue* x) { return x && x->is_number() && std::isfinite(x->number) ? std::clamp(x->number, 0.0, 10000.0) : 0.0; };
    c.round_trip_ms = ms(v->get("roundTripMs"));
    c.handover_ms = ms(v->get("handoverMs"));
    return c;
}

// What the page found out about its two real APIs (see web/apis.js):
// {"page": {"ready", "base", "note", "cost": {...}}, "server": {"ready", "base", "note", "cost": {...}}}.
EMSCRIPTEN_KEEPALIVE void ap_js_set_apis(const char* json) {
    JsonValue v;
    std::string error;
    if (!g_app || !read_json(json, &v, &error)) return;
    ApiStatus s;
    const JsonValue* page = v.get("page");
    const JsonValue* server = v.get("server");
    s.inpage_cost = cost_of(page ? page->get("cost") : nullptr);
    s.inpage_blocked = page && page->get("blocked") && page->get("blocked")->flag;
    s.server_cost = cost_of(server ? server->get("cost") : nullptr);
    s.inpage_ready = page && page->get("ready") && page->get("ready")->flag;
    s.inpage_base = string_of(page ? page->get("base") : nullptr, "inpage");
    s.inpage_note = string_of(page ? page->get("note") : nullptr);
    s.server_ready = server && server->get("ready") && server->get("ready")->flag;
    s.server_base = string_of(server ? server->get("base") : nullptr);
    s.server_note = string_of(server ? server->get("note") : nullptr);
    if (const JsonValue* origins = server ? server->get("origins") : nullptr; origins && origins->is_array())
        for (const JsonValue& o : origins->items)
            if (o.is_string() && (o.text.rfind("http://", 0) == 0 || o.text.rfind("https://", 0) == 0) && o.text.size() < 200 && s.server_siblings.size() < 8)
                s.server_siblings.push_back(o.text);
    controls_set_apis(*g_app, s);
    wake();
}

// Costs measured again (after a run: the machine may be busier or quieter now): {"page": {...}, "server": {...}},
// either may be missing.
EMSCRIPTEN_KEEPALIVE void ap_js_set_costs(const char* json) {
    JsonValue v;
    std::string error;
    if (!g_app || !read_json(json, &v, &error)) return;
    if (const JsonValue* page = v.get("page")) g_app->apis.inpage_cost = cost_of(page);
    if (const JsonValue* server = v.get("server")) g_app->apis.server_cost = cost_of(server);
    g_app->needs_redraw = true;
    wake();
}

// 1 when the browser's costs make over a quarter of the claim for the page's settings (browser_cost_doubtful):
// web/costs.js measures them again before the run, however fresh they are.
EMSCRIPTEN_KEEPALIVE int ap_js_costs_doubtful() {
    if (!g_app) return 0;
    return browser_cost_doubtful(expect_run(g_app->desc, api_cost(*g_app, g_app->desc))) ? 1 : 0;
}

// 1 while the page measures those costs: a clicked run waits until it is done.
EMSCRIPTEN_KEEPALIVE void ap_js_calibrating(int on) {
    if (!g_app) return;
    g_app->apis.calibrating = on != 0;
    wake();
}

// Points the "server" API at another base URL, e.g. a dev server on another port.
EMSCRIPTEN_KEEPALIVE void ap_js_set_server_base(const char* base) {
    if (!g_app || !base) return;
    controls_set_server_base(*g_app, base);
    wake();
}

// Resource Timing of a real-socket run: {"generation": g, "attempts": [[index, attempt, sentMs, firstByteMs, lastByteMs], ...]}
// on performance.now()'s clock, which is the app's. Returns how many attempts it matched.
EMSCRIPTEN_KEEPALIVE int ap_js_resource_timing(const char* json) {
    JsonValue v;
    std::string error;
    if (!g_app || !read_json(json, &v, &error)) return 0;
    const JsonValue* gen = v.get("generation");
    const JsonValue* rows = v.get("attempts");
    if (!gen || !gen->is_number() || !rows || !rows->is_array()) return 0;
    std::vector<AttemptTiming> timings;
    for (const JsonValue& row : rows->items) {
        if (!row.is_array() || (row.items.size() != 4 && row.items.size() != 5)) continue;
        bool numbers = true;
        for (const JsonValue& x : row.items) numbers = numbers && x.is_number() && std::isfinite(x.number);
        if (!numbers) continue;
        const double first = row.items[3].number;
        const double last = row.items.size() == 5 ? row.items[4].number : 0;
        timings.push_back(AttemptTiming{int(row.items[0].number), int(row.items[1].number), int64_t(row.items[2].number * 1000.0),
                                        first > 0 ? int64_t(first * 1000.0) : -1, last > 0 ? int64_t(last * 1000.0) : -1});
    }
    const int matched = app_apply_resource_timing(*g_app, uint16_t(gen->number), timings);
    wake();
    return matched;
}

// ---- Lessons, progress and the URL ------------------------------------------------------------------

// Opens a lesson by id or by 1-based number; returns its 0-based index, or -1 when there is none.
EMSCRIPTEN_KEEPALIVE int ap_js_select_lesson(const char* which) {
    if (!g_app || !which) return -1;
    const int index = lessons_select_named(*g_app, which, monotonic_now_us());
    if (index >= 0) wake();
    return index;
}

// A teacher's lesson file (the ?lessons= URL parameter): returns how many lessons it added.
EMSCRIPTEN_KEEPALIVE int ap_js_add_lessons(const char* name, const char* text) {
    if (!g_app) return 0;
    const int added = lessons_add_file(*g_app, text ? text : "", name ? name : "lessons");
    wake();
    return added;
}

// Where the teacher's lesson file came from, as ?lessons= gave it: every link the page makes carries it, so
// that it opens the teacher's lessons again (at most 8 KB of URL).
EMSCRIPTEN_KEEPALIVE void ap_js_set_lessons_url(const char* url) {
    if (!g_app || !url || std::strlen(url) > 8192) return;
    g_app->lessons.file_url = url;
}

// Why a teacher's lesson file could not be loaded at all (network, HTTP status).
EMSCRIPTEN_KEEPALIVE void ap_js_lesson_file_error(const char* message) {
    if (!g_app || !message) return;
    g_app->lessons.errors.push_back(message);
    g_app->needs_redraw = true;
    wake();
}

// The place and progress the page kept (progress_to_json's text, or an earlier version's {"lesson", "done"});
// what cannot be read is forgotten.
EMSCRIPTEN_KEEPALIVE void ap_js_restore_progress(const char* json) {
    Progress kept;
    std::string error;
    if (!g_app || !json || !progress_from_json(json, &kept, &error)) return;
    lessons_restore_progress(*g_app, std::move(kept), monotonic_now_us());
    wake();
}

// A progress file the learner picked (its name and text), or why it could not be read: joined in, said.
EMSCRIPTEN_KEEPALIVE void ap_js_load_progress(const char* name, const char* text, const char* why) {
    if (!g_app) return;
    lessons_load_progress(*g_app, name ? name : "", text ? text : "", why ? why : "");
    wake();
}

// Every lesson's progress: the page's lessons in order, then any others the progress knows:
// [{lesson, number, title, status, checks: [{text, passed, measured}], passed: {at, wallMs, requests,
// program} | null}] (number and title null for a lesson not on the page).
EMSCRIPTEN_KEEPALIVE const char* ap_js_progress() {
    if (!g_app) return out("[]");
    const LessonsState& ls = g_app->lessons;
    JsonWriter w;
    w.begin_array();
    auto row = [&](const std::string& id, int number, const std::string* title) {
        const LessonRecord* r = progress_find(ls.progress, id);
        w.begin_object().key("lesson").string(id).key("number");
        if (number > 0) w.integer(number);
        else w.null();
        w.key("title");
        if (title) w.string(*title);
        else w.null();
        const LessonRecord none;
        w.key("status").string(lesson_status_name(r ? r->status : LessonStatus::not_tried)).key("checks");
        write_checks_json(w, r ? r->checks : none.checks);
        w.key("passed");
        write_passing_json(w, r ? *r : none);
        w.end_object();
    };
    for (size_t i = 0; i < ls.all.size(); ++i) row(ls.all[i].id, int(i + 1), &ls.all[i].title);
    for (const LessonRecord& r : ls.progress.lessons) {
        bool shown = false;
        for (const Lesson& l : ls.all) shown |= l.id == r.lesson;
        if (!shown) row(r.lesson, 0, nullptr);
    }
    return out(w.end_array().take());
}

// {"index":..,"id":..,"title":..,"count":..,"lessons":[ids],"paths":[..],"path":..,"claim":..,
//  "verdict":{ok,line,reason,path,measuredMs,expectedMs}|null,"done":[ids],"errors":[..],"notes":[..],
//  "selectedPhase","selectedRequest","embed","theme","locks":[..],"focus","loopStep","zoom"}.
// The open lesson's exercise after its last program run: {lesson, status: "not tried" | "ran" | "passed",
// checks: [{text, passed, measured, hint}], starter, solution} (passed and measured null before a run), or
// null without one.
EMSCRIPTEN_KEEPALIVE const char* ap_js_exercise() {
    const Lesson* l = g_app ? current_lesson(*g_app) : nullptr;
    if (!l || !l->has_exercise()) return out("null");
    const LessonsState::ExerciseState& ex = g_app->lessons.exercise;
    const bool judged = ex.lesson == l->id && ex.results.size() == l->checks.size();
    JsonWriter w;
    w.begin_object().key("lesson").string(l->id).key("status").string(exercise_status(*g_app)).key("checks").begin_array();
    for (size_t i = 0; i < l->checks.size(); ++i) {
        w.begin_object().key("text").string(l->checks[i].source);
        if (judged) w.key("passed").boolean(ex.results[i].passed).key("measured").string(ex.results[i].measured).key("hint").string(ex.results[i].hint);
        else w.key("passed").null().key("measured").null();
        w.end_object();
    }
    w.end_array().key("starter").string(l->starter.empty() ? l->script : l->starter).key("solution").string(l->solution).end_object();
    return out(w.take());
}

EMSCRIPTEN_KEEPALIVE const char* ap_js_lesson_state() {
    const Lesson* l = g_app ? current_lesson(*g_app) : nullptr;
    if (!l) return out("null");
    App& a = *g_app;
    std::vector<std::string> ids, paths, locks;
    for (const Lesson& x : a.lessons.all) ids.push_back(x.id);
    for (CodePath p : l->paths) paths.push_back(code_path_name(p));
    for (int k = 0; k < lock_count; ++k) if (a.view.locked(Lock(k))) locks.push_back(lock_name(Lock(k)));
    JsonWriter w;
    w.begin_object().key("index").integer(a.lessons.index).key("id").string(l->id).key("title").string(l->title);
    w.key("count").integer(int64_t(a.lessons.all.size())).key("lessons").strings(ids).key("paths").strings(paths);
    w.key("path").string(lesson_path_said(a)).key("claim").string(lesson_claim_said(a)).key("exercise");
    if (l->has_exercise()) {
        std::vector<std::string> checks;
        for (const Check& c : l->checks) checks.push_back(c.source);
        w.begin_object().key("checks").strings(checks).key("status").string(lesson_status_name(progress_status(a.lessons.progress, l->id))).end_object();
    } else {
        w.null();
    }
    w.key("verdict");
    if (a.lessons.verdict.valid) {
        const Verdict& v = a.lessons.verdict.verdict;
        w.begin_object().key("ok").boolean(v.ok).key("line").string(v.line).key("reason").string(v.reason);
        w.key("path").string(a.lessons.verdict.path).key("measuredMs").number(v.measured_ms, 6).key("expectedMs").number(v.expected_ms, 6);
        w.end_object();
    } else {
        w.null();
    }
    w.key("done").strings(lessons_passed_ids(a)).key("errors").strings(a.lessons.errors).key("notes").strings(a.input_notes);
    w.key("selectedPhase");
    if (a.code.selected_phase > 0) w.string(phase_name(Phase(a.code.selected_phase)));
    else w.null();
    w.key("selectedRequest").integer(a.results.selected_request);
    w.key("embed").boolean(a.view.embed).key("theme").string(a.view.light() ? "light" : "dark").key("locks").strings(locks);
    w.key("focus").string(a.focus.name).key("loopStep").integer(a.stepper.step).key("zoom").number(a.results.zoom, 6);
    w.end_object();
    return out(w.take());
}

// The page's URL query (location.search): the lesson and run settings of a permalink.
EMSCRIPTEN_KEEPALIVE void ap_js_apply_url(const char* query) {
    if (!g_app || !query) return;
    app_apply_url(*g_app, query, monotonic_now_us());
    wake();
}

// The shown run as text in another format: "json", "csv", "har", "trace"; null for a format not one of these.
EMSCRIPTEN_KEEPALIVE const char* ap_js_export_run(const char* format) {
    if (!g_app || !format) return out("");
    return out(results_export(*g_app, format));
}

// The query of the current state.
EMSCRIPTEN_KEEPALIVE const char* ap_js_permalink() { return out(g_app ? app_permalink_query(*g_app) : ""); }

// ---- Runs kept and loaded: the history, run files, the shown run ------------------------------------

// The history as JSON, to keep across a reload (core/history.h).
EMSCRIPTEN_KEEPALIVE const char* ap_js_history_json() { return out(g_app ? history_to_json(g_app->history) : "[]"); }

// A history kept from the last visit, put before this visit's runs. Returns how many entries it held.
EMSCRIPTEN_KEEPALIVE int ap_js_restore_history(const char* json) {
    std::string error;
    if (!g_app || !json) return 0;
    const size_t before = g_app->history.entries().size();
    if (!history_from_json(json, &g_app->history, &error)) return 0;
    g_app->results.shown = 0;  // (the entries were renumbered)
    g_app->needs_redraw = true;
    wake();
    return int(g_app->history.entries().size() - before);
}

// A run file the learner picked (its name and text), or why it could not be read. Returns 1 when it loaded.
EMSCRIPTEN_KEEPALIVE int ap_js_load_run(const char* name, const char* text, const char* read_error) {
    if (!g_app) return 0;
    int ok = 0;
    const std::string file = name && *name ? name : "run.json";
    if (read_error && *read_error) results_file_unreadable(*g_app, file, read_error);
    else ok = results_load_file(*g_app, text ? text : "", file) ? 1 : 0;
    wake();
    return ok;
}

// The run the results panel shows: {"loaded": file name or null, "fileError", "state", "wallMs", "replayMs",
// "replayText", "stalledMs": [per request: how long its first attempt stalled before it went out, or -1],
// "peakAsked", "peakOnWire" (0: not known), "outputBytes": a program's output shown so far, "notes": what the
// results panel explains}.
EMSCRIPTEN_KEEPALIVE const char* ap_js_shown_run() {
    if (!g_app) return out("null");
    App& a = *g_app;
    const Run& run = app_shown_run(a);
    const HistoryEntry* entry = app_shown_entry(a);
    const RunStats& s = app_shown_stats(a);
    const double replay_ms = a.results.replay_ms;
    JsonWriter w;
    w.begin_object().key("loaded");
    if (entry && !entry->source.empty()) w.string(entry->source);
    else w.null();
    w.key("fileError").string(a.results.file_error).key("state").string(run_state_name(run.state));
    w.key("kind").string(run_kind_name(run.desc.kind)).key("path").string(run_name(run.desc)).key("count").integer(int64_t(run.requests.size()));
    w.key("wallMs").number(s.wall_ms, 6).key("replayMs").number(replay_ms, 6);
    const bool held = stepper_holds_replay(a);
    w.key("replayText").string(replay_ms >= 0 && run.state != RunState::idle
                                   ? describe_replay(run, held ? replay_from_picture(stepper_picture(a)) : replay_at(run, int64_t(replay_ms * 1000)))
                                   : "");
    w.key("stalledMs").begin_array();
    for (const RequestTrace& r : run.requests) {
        w.number(!r.attempts.empty() && r.attempts[0].sent_us >= 0 ? double(r.attempts[0].sent_us - r.attempts[0].started_us) / 1000.0 : -1, 6);
    }
    w.end_array().key("peakAsked").integer(s.peak_in_flight).key("peakOnWire").integer(s.peak_on_wire);
    w.key("outputBytes").integer(run.program ? int64_t(run.program->report.output.size()) : 0);
    w.key("notes").strings(explain_run(run, s));
    w.end_object();
    return out(w.take());
}

// The shown run's steps, as the stepper tells them: [{"atMs", "text"}] (playground.loopSteps()).
EMSCRIPTEN_KEEPALIVE const char* ap_js_loop_steps() {
    if (!g_app) return out("[]");
    const LoopTimeline& tl = stepper_timeline(*g_app);
    JsonWriter w;
    w.begin_array();
    for (const LoopEvent& e : tl.steps) w.begin_object().key("atMs").number(double(e.at_us) / 1000.0, 3).key("text").string(e.what).end_object();
    w.end_array();
    return out(w.take());
}

// ---- Views read by tests and tools: stepper, scaling, widgets, layout, frames, heap, durations ------

// The stepper: {"open","step","count","atMs","playing","speed","what","loop","running","ready","network",
// "queued","backingOff","workers","done","notReached","replayMs","lit": {phase: requests at its lines}}.
// Calls are 1-based, as on screen.
EMSCRIPTEN_KEEPALIVE const char* ap_js_stepper_state() {
    if (!g_app) return out("null");
    App& a = *g_app;
    const LoopTimeline& tl = stepper_timeline(a);
    const LoopPicture p = stepper_picture(a);
    const Run& run = app_shown_run(a);
    auto calls = [](const std::vector<int>& v) {
        std::vector<int64_t> out;
        for (int c : v) out.push_back(c + 1);
        return out;
    };
    JsonWriter w;
    const size_t i = size_t(std::clamp(a.stepper.step, 0, int(tl.steps.size()) - 1));
    w.begin_object().key("open").boolean(a.stepper.open).key("step").integer(a.stepper.step).key("count").integer(int64_t(tl.steps.size()));
    w.key("atMs").number(double(tl.steps[i].at_us) / 1000.0, 3).key("playing").boolean(a.stepper.playing);
    w.key("speed").string(stepper_speed_label(a.stepper.speed)).key("what").string(tl.steps[i].what);
    w.key("loop").string(loop_words(tl, p, i + 1 == tl.steps.size())).key("running").integer(p.running + 1);
    w.key("ready").integers(calls(p.ready)).key("network").integers(calls(p.network)).key("queued").integers(calls(p.queued));
    w.key("backingOff").integers(calls(p.backing_off)).key("workers").integers(calls(p.workers));
    w.key("done").integer(p.done).key("notReached").integer(p.not_reached).key("replayMs").number(a.results.replay_ms, 3);
    // A program told by its tasks: the task running, the ready queue, each parked task and what it waits for.
    w.key("byTask").boolean(tl.by_task).key("taskRunning").integer(p.task_running).key("taskReady").integers({p.task_ready.begin(), p.task_ready.end()});
    w.key("taskParked").begin_array();
    for (const auto& [task, wait] : p.task_parked) w.begin_array().integer(task).string(task_wait_name(wait)).end_array();
    w.end_array();
    // Its threads: [name, "running" | what it waits for, line].
    w.key("threads").begin_array();
    if (run.program)
        for (const LoopPicture::Thread& th : p.threads)
            w.begin_array().string(thread_title(run.program->trace, th.thread)).string(th.at == ThreadAt::running ? "running" : thread_wait_name(th.wait)).integer(th.line).end_array();
    w.end_array();
    w.key("lit").begin_object();
    if (a.results.replay_ms >= 0 && run.state != RunState::running) {
        int counts[phase_count] = {};
        const int64_t t = run.start_us + int64_t(a.results.replay_ms * 1000);
        if (stepper_holds_replay(a) && !tl.by_task)
            for (CallState c : p.calls) ++counts[int(phase_of_call(c))];
        else
            for (const RequestTrace& r : run.requests) ++counts[int(request_phase(r, t))];
        for (int ph = 1; ph < phase_count; ++ph)
            if (counts[ph]) w.key(phase_name(Phase(ph))).integer(counts[ph]);
    }
    w.end_object().end_object();
    return out(w.take());
}

// The scaling view: {"active", "planned", "skipped", "dotsDrawn", "axisMax": [wall ms, speedup],
// "points": [{"path", "n", "wallMs", "finished"}], "lines": [{"path", "maxMs", "maxSpeedup"}]}.
EMSCRIPTEN_KEEPALIVE const char* ap_js_scaling_state() {
    if (!g_app) return out("null");
    const ScalingState& sc = g_app->scaling;
    JsonWriter w;
    w.begin_object().key("active").boolean(sc.live.active).key("planned").integer(sc.live.planned).key("skipped").integer(sc.live.skipped);
    w.key("dotsDrawn").integer(sc.dots_drawn).key("axisMax").begin_array().number(sc.axis_max[0], 3).number(sc.axis_max[1], 3).end_array();
    w.key("points").begin_array();
    for (const ScalingState::LivePoint& p : sc.live.points) {
        w.begin_object().key("path").string(code_path_name(p.path)).key("n").integer(p.n).key("wallMs").number(p.wall_ms, 3);
        w.key("finished").boolean(p.finished).end_object();
    }
    w.end_array().key("lines").begin_array();
    for (size_t i = 0; sc.model.valid && i < sc.model.paths.size(); ++i) {
        double max_ms = 0, max_speedup = 0;
        for (const SweepPoint& p : sc.model.by_count[i].points) max_ms = std::max(max_ms, p.wall_ms);
        for (const SweepPoint& p : sc.model.by_share[i].points) max_speedup = std::max(max_speedup, p.speedup);
        w.begin_object().key("path").string(code_path_name(sc.model.paths[i])).key("maxMs").number(max_ms, 3);
        w.key("maxSpeedup").number(max_speedup, 3).end_object();
    }
    w.end_array().end_object();
    return out(w.take());
}

// Where the last frame drew a named control: {"x":..,"y":..,"w":..,"h":..,"enabled":..} in CSS pixels, or null.
EMSCRIPTEN_KEEPALIVE const char* ap_js_widget_rect(const char* name) {
    const FocusState::Rect* r = g_app && name ? find_rect(*g_app, name) : nullptr;
    if (!r) return out("null");
    JsonWriter w;
    w.begin_object().key("x").number(r->x, 1).key("y").number(r->y, 1).key("w").number(r->w, 1).key("h").number(r->h, 1);
    w.key("enabled").boolean(r->enabled).key("shown").boolean(r->shown).end_object();
    return out(w.take());
}

// Scrolls the named control into its column's view in the next frame (a test, a host page's tour). False when
// the last frame did not draw it.
EMSCRIPTEN_KEEPALIVE int ap_js_reveal_widget(const char* name) {
    if (!g_app || !name || !find_rect(*g_app, name)) return 0;
    g_app->focus.reveal = name;
    g_app->needs_redraw = true;
    return 1;
}

// What the last frame drew that does not fit, or shares a name: {"clipped": [names], "duplicates": [names]}.
EMSCRIPTEN_KEEPALIVE const char* ap_js_layout_check() {
    if (!g_app) return out("null");
    JsonWriter w;
    w.begin_object().key("clipped").strings(clipped_names(*g_app)).key("duplicates").strings(duplicate_names(*g_app)).end_object();
    return out(w.take());
}

// {"drawn":..,"deferred":..,"lastMs":..,"maxMs":..,"meanMs":..,"costMs":..,"totalMs":..}.
EMSCRIPTEN_KEEPALIVE const char* ap_js_frame_stats() {
    const FrameStats& f = frame_stats;
    JsonWriter w;
    w.begin_object().key("drawn").integer(f.drawn).key("deferred").integer(f.deferred).key("lastMs").number(f.last_ms, 3);
    w.key("maxMs").number(f.max_ms, 3).key("meanMs").number(f.drawn ? f.total_ms / f.drawn : 0.0, 3).key("costMs").number(f.cost_ms, 3);
    w.key("totalMs").number(f.total_ms, 3).end_object();
    return out(w.take());
}

// Draws the next `frames` frames even though nothing changed (for tools/bench).
EMSCRIPTEN_KEEPALIVE void ap_js_force_frames(int frames) {
    if (bridge_force_frames) bridge_force_frames(frames < 1 ? 1 : frames > 1000 ? 1000 : frames);
}

// Bytes the program has allocated and not freed (malloc's view), for tools/bench's heap check.
EMSCRIPTEN_KEEPALIVE double ap_js_heap_bytes() {
    const struct mallinfo m = mallinfo();
    return double(m.uordblks);
}

// A duration as the page writes it everywhere ("480 ms", "4 min 10 s"): the screen-reader mirror uses it too.
EMSCRIPTEN_KEEPALIVE const char* ap_js_duration_text(double ms) { return out(format_duration_ms(ms)); }

// ---- Focus and theme: the canvas among the page's own controls --------------------------------------

// The code colours of a theme (1 = light), as CSS custom properties for the program editor: one palette for
// the code panel and the editor (ui_kit.h). {"--editor-bg": "#1b1d23ff", ...}
EMSCRIPTEN_KEEPALIVE const char* ap_js_code_palette(int light) { return out(code_css_variables(light != 0)); }

// The canvas got the focus from Tab (1: Shift+Tab) in the page around it: the ring starts at an end.
EMSCRIPTEN_KEEPALIVE void ap_js_focus_enter(int backwards) {
    if (!g_app) return;
    keyboard_focus_enter(*g_app, backwards != 0);
    wake();
}

// Whether a Tab (backwards: Shift+Tab) pressed now should leave the canvas for the host page.
EMSCRIPTEN_KEEPALIVE int ap_js_tab_leaves(int backwards) {
    if (!g_app) return 1;
    const bool leaves = app_tab_leaves(*g_app, backwards != 0);
    if (leaves && !g_app->focus.name.empty()) {
        g_app->focus.name.clear();
        g_app->needs_redraw = true;
        wake();
    }
    return leaves ? 1 : 0;
}

// The browser's prefers-color-scheme (1 = light); the URL's theme= wins over it.
EMSCRIPTEN_KEEPALIVE void ap_js_set_system_theme(int light) {
    if (!g_app) return;
    g_app->view.system_light = light != 0;
    g_app->needs_redraw = true;
    wake();
}

}  // extern "C"
