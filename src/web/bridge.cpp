#include "bridge.h"

#include <cstdio>

#include <malloc.h>

#include <emscripten.h>

#include "app/app.h"
#include "core/analysis.h"
#include "core/code_view.h"
#include "core/json.h"
#include "core/lessons.h"
#include "web/fetch_transport.h"

namespace ap {

static App* g_app = nullptr;
FrameStats frame_stats;
void (*bridge_wake)() = nullptr;
void (*bridge_force_frames)(int) = nullptr;

EM_JS(void, js_first_frame, (), { if (Module.apFirstFrame) Module.apFirstFrame(); });
EM_JS(void, js_progress, (const char* json), { if (Module.apProgress) Module.apProgress(UTF8ToString(json)); });
EM_JS(void, js_copy_link, (const char* query), { if (Module.apCopyLink) Module.apCopyLink(UTF8ToString(query)); });
EM_JS(void, js_copy_embed, (const char* query), { if (Module.apCopyEmbed) Module.apCopyEmbed(UTF8ToString(query)); });
EM_JS(void, js_save_file, (const char* name, const char* mime, const char* text), {
    if (Module.apSaveFile) Module.apSaveFile(UTF8ToString(name), UTF8ToString(mime), UTF8ToString(text));
});
EM_JS(void, js_open_file, (), { if (Module.apOpenFile) Module.apOpenFile(); });
EM_JS(void, js_save_png, (float x, float y, float w, float h), { if (Module.apSavePng) Module.apSavePng(x, y, w, h); });
EM_JS(void, js_run_ended, (uint32_t ticket, const char* json), {
    if (Module.apRunEnded) Module.apRunEnded(ticket, UTF8ToString(json));
});

static std::string json_strings(const std::vector<std::string>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + json_quote(v[i]);
    return out + "]";
}

void bridge_init(App* app) {
    g_app = app;
    // The learner's place and ✓ marks: the page keeps them in localStorage (see web/playground.js).
    app->on_copy_link = [](const std::string& query) { js_copy_link(query.c_str()); };
    app->on_copy_embed = [](const std::string& query) { js_copy_embed(query.c_str()); };
    app->on_save_file = [](const std::string& name, const std::string& mime, const std::string& text) {
        js_save_file(name.c_str(), mime.c_str(), text.c_str());
    };
    app->on_open_file = [] { js_open_file(); };
    app->on_progress = [](const std::string& lesson_id, const std::vector<std::string>& done) {
        js_progress(("{\"lesson\":" + json_quote(lesson_id) + ",\"done\":" + json_strings(done) + "}").c_str());
    };
}

void bridge_first_frame() { js_first_frame(); }
void bridge_save_png(float x, float y, float w, float h) { js_save_png(x, y, w, h); }
void bridge_run_ended(uint32_t ticket, const std::string& json) { js_run_ended(ticket, json.c_str()); }

}  // namespace ap

using namespace ap;

extern "C" {

// Starts a run; returns its ticket (> 0), or 0 when path or api is not a known name.
// Out-of-range numbers are clamped by the app, which shows why.
EMSCRIPTEN_KEEPALIVE uint32_t ap_js_run(const char* path, int n, int latency_ms, int limit, const char* api, int status) {
    if (!g_app) return 0;
    RunDesc desc = g_app->desc;
    if (!parse_code_path(path ? path : "", &desc.path) || !parse_api(api ? api : "", &desc.api)) return 0;
    desc.count = n;
    desc.latency_ms = latency_ms;
    desc.limit = limit;
    desc.status = status;
    const uint32_t ticket = app_start_run(*g_app, desc, monotonic_now_us());
    if (bridge_wake) bridge_wake();
    return ticket;
}

EMSCRIPTEN_KEEPALIVE void ap_js_cancel() {
    if (!g_app) return;
    app_cancel(*g_app, monotonic_now_us());
    if (bridge_wake) bridge_wake();
}

// What the page found out about its two real APIs (see web/playground.js, probeApis).
EMSCRIPTEN_KEEPALIVE void ap_js_set_apis(int inpage_ready, const char* inpage_base, const char* inpage_note,
                                         int server_ready, const char* server_base, const char* server_note) {
    if (!g_app) return;
    ApiStatus s;
    s.inpage_ready = inpage_ready != 0;
    s.inpage_base = inpage_base ? inpage_base : "inpage";
    s.inpage_note = inpage_note ? inpage_note : "";
    s.server_ready = server_ready != 0;
    s.server_base = server_base ? server_base : "";
    s.server_note = server_note ? server_note : "";
    app_set_apis(*g_app, s);
    if (bridge_wake) bridge_wake();
}

// Where the last frame drew a named control: {"x":..,"y":..,"w":..,"h":..} in CSS pixels, or "null".
EMSCRIPTEN_KEEPALIVE const char* ap_js_widget_rect(const char* name) {
    static char buf[160];
    std::snprintf(buf, sizeof buf, "null");
    if (!g_app || !name) return buf;
    for (const App::WidgetRect& r : g_app->widget_rects) {
        if (r.name == name) {
            std::snprintf(buf, sizeof buf, "{\"x\":%.1f,\"y\":%.1f,\"w\":%.1f,\"h\":%.1f}", r.x, r.y, r.w, r.h);
            break;
        }
    }
    return buf;
}

// The run's other knobs, set before ap_js_run (which takes the rest). Out-of-range values are clamped by
// the run, which says why on screen.
EMSCRIPTEN_KEEPALIVE void ap_js_set_knobs(const char* spread, int slow_every, int slow_ms, int cpu_ms, int timeout_ms,
                                          int retries, int backoff_ms, int fail_pct, int /*reserved*/) {
    if (!g_app) return;
    RunDesc& d = g_app->desc;
    if (!parse_spread(spread ? spread : "", &d.spread)) d.spread = Spread::even;
    d.slow_every = slow_every;
    d.slow_ms = slow_ms;
    d.cpu_ms = cpu_ms;
    d.timeout_ms = timeout_ms;
    d.retries = retries;
    d.backoff_ms = backoff_ms;
    d.fail_pct = fail_pct;
}

// Points the "server" API at another base URL, e.g. a dev server on another port.
EMSCRIPTEN_KEEPALIVE void ap_js_set_server_base(const char* base) {
    if (!g_app || !base) return;
    app_set_server_base(*g_app, base);
    if (bridge_wake) bridge_wake();
}

// The page's URL query (location.search): the lesson and run settings of a permalink.
EMSCRIPTEN_KEEPALIVE void ap_js_apply_url(const char* query) {
    if (!g_app || !query) return;
    app_apply_url(*g_app, query, monotonic_now_us());
    if (bridge_wake) bridge_wake();
}

// The query of the current state; valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* ap_js_permalink() {
    static std::string out;
    out = g_app ? app_permalink_query(*g_app) : "";
    return out.c_str();
}

// Opens a lesson by id or by 1-based number; returns its 0-based index, or -1 when there is none.
EMSCRIPTEN_KEEPALIVE int ap_js_select_lesson(const char* which) {
    if (!g_app || !which) return -1;
    const std::string w = which;
    for (size_t i = 0; i < g_app->lessons.size(); ++i) {
        if (g_app->lessons[i].id == w || std::to_string(i + 1) == w) {
            app_select_lesson(*g_app, int(i), monotonic_now_us());
            if (bridge_wake) bridge_wake();
            return int(i);
        }
    }
    return -1;
}

// A teacher's lesson file (the ?lessons= URL parameter): returns how many lessons it added.
EMSCRIPTEN_KEEPALIVE int ap_js_add_lessons(const char* name, const char* text) {
    if (!g_app) return 0;
    const int added = app_add_lessons(*g_app, text ? text : "", name ? name : "lessons");
    if (bridge_wake) bridge_wake();
    return added;
}

// Why a teacher's lesson file could not be loaded at all (network, HTTP status).
EMSCRIPTEN_KEEPALIVE void ap_js_lesson_file_error(const char* message) {
    if (!g_app || !message) return;
    g_app->lesson_errors.push_back(message);
    g_app->dirty = true;
    if (bridge_wake) bridge_wake();
}

// The place and ✓ marks saved by the page, as "lesson id" and "id,id,...".
EMSCRIPTEN_KEEPALIVE void ap_js_restore_progress(const char* lesson_id, const char* done_csv) {
    if (!g_app) return;
    std::vector<std::string> done;
    std::string item;
    for (const char* p = done_csv ? done_csv : ""; ; ++p) {
        if (*p == ',' || *p == '\0') {
            if (!item.empty()) done.push_back(item);
            item.clear();
            if (*p == '\0') break;
        } else {
            item += *p;
        }
    }
    app_restore_progress(*g_app, lesson_id ? lesson_id : "", done, monotonic_now_us());
    if (bridge_wake) bridge_wake();
}

// {"index":..,"id":..,"title":..,"count":..,"lessons":[ids],"paths":[..],"claim":..,"verdict":{ok,line,reason,path}|null,
//  "done":[ids],"errors":[..],"loopSteps":n}; valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* ap_js_lesson_state() {
    static std::string out;
    out = "null";
    if (!g_app || g_app->lessons.empty()) return out.c_str();
    const App& a = *g_app;
    const Lesson& l = a.lessons[size_t(a.lesson)];
    std::vector<std::string> ids, paths;
    for (const Lesson& x : a.lessons) ids.push_back(x.id);
    for (CodePath p : l.paths) paths.push_back(code_path_name(p));
    out = "{\"index\":" + std::to_string(a.lesson) + ",\"id\":" + json_quote(l.id) + ",\"title\":" + json_quote(l.title) +
          ",\"count\":" + std::to_string(a.lessons.size()) + ",\"lessons\":" + json_strings(ids) + ",\"paths\":" + json_strings(paths) +
          ",\"path\":" + json_quote(code_path_name(a.desc.path)) + ",\"claim\":" + json_quote(app_expectation(*g_app).claim) + ",\"verdict\":";
    if (a.verdict.valid) {
        const Verdict& v = a.verdict.verdict;
        out += std::string("{\"ok\":") + (v.ok ? "true" : "false") + ",\"line\":" + json_quote(v.line) + ",\"reason\":" +
               json_quote(v.reason) + ",\"path\":" + json_quote(a.verdict.path) + ",\"measuredMs\":" + std::to_string(v.measured_ms) +
               ",\"expectedMs\":" + std::to_string(v.expected_ms) + "}";
    } else {
        out += "null";
    }
    out += ",\"done\":" + json_strings(a.done) + ",\"errors\":" + json_strings(a.lesson_errors) + ",\"notes\":" + json_strings(a.input_notes);
    out += ",\"selectedPhase\":" + (a.selected_phase > 0 ? json_quote(phase_name(Phase(a.selected_phase))) : std::string("null"));
    out += ",\"selectedRequest\":" + std::to_string(a.selected_request);
    std::string locks;
    for (int k = 0; k < lock_count; ++k) if (a.view.locked(Lock(k))) locks += (locks.empty() ? "" : ",") + json_quote(lock_name(Lock(k)));
    out += std::string(",\"embed\":") + (a.view.embed ? "true" : "false") + ",\"theme\":" + json_quote(a.view.light() ? "light" : "dark") +
           ",\"locks\":[" + locks + "],\"focus\":" + json_quote(a.focus) + ",\"loopStep\":" + std::to_string(a.loop_step) +
           ",\"zoom\":" + std::to_string(a.zoom) + "}";
    return out.c_str();
}

// A run file the learner picked (its name and text), or why it could not be read.
EMSCRIPTEN_KEEPALIVE int ap_js_load_run(const char* name, const char* text, const char* read_error) {
    if (!g_app) return 0;
    int ok = 0;
    if (read_error && *read_error) {
        g_app->file_error = std::string(name ? name : "the file") + " could not be read: " + read_error;
        g_app->dirty = true;
    } else {
        ok = app_load_run(*g_app, text ? text : "", name ? name : "run.json") ? 1 : 0;
    }
    if (bridge_wake) bridge_wake();
    return ok;
}

// Resource Timing of a real-socket run: "index,attempt,sentMs,firstByteMs;..." on performance.now()'s clock,
// which is the app's. Returns how many attempts it matched.
EMSCRIPTEN_KEEPALIVE int ap_js_resource_timing(int generation, const char* rows) {
    if (!g_app || !rows) return 0;
    std::vector<AttemptTiming> timings;
    const char* p = rows;
    while (*p) {
        int index = 0, attempt = 0;
        double sent = 0, first = 0;
        int used = 0;
        if (std::sscanf(p, "%d,%d,%lf,%lf%n", &index, &attempt, &sent, &first, &used) != 4) break;
        timings.push_back(AttemptTiming{index, attempt, int64_t(sent * 1000.0), first > 0 ? int64_t(first * 1000.0) : -1});
        p += used;
        if (*p == ';') ++p;
    }
    const int matched = app_apply_resource_timing(*g_app, uint16_t(generation), timings);
    if (bridge_wake) bridge_wake();
    return matched;
}

// The run the results panel shows: {"loaded": file name or null, "fileError", "wallMs", "replayMs", "replayText",
// "stalledMs": [per request: how long its first attempt stalled before it went out, or -1]}.
EMSCRIPTEN_KEEPALIVE const char* ap_js_shown_run() {
    static std::string out;
    if (!g_app) return "null";
    App& a = *g_app;
    const Run& run = app_shown_run(a);
    const RunStats& s = app_shown_stats(a);
    out = std::string("{\"loaded\":") + (a.loaded ? json_quote(a.loaded_name) : std::string("null")) + ",\"fileError\":" + json_quote(a.file_error) +
          ",\"state\":" + json_quote(run_state_name(run.state)) + ",\"wallMs\":" + std::to_string(s.wall_ms) +
          ",\"replayMs\":" + std::to_string(a.replay_ms) + ",\"replayText\":" +
          json_quote(a.replay_ms >= 0 && run.state != RunState::idle ? describe_replay(run, replay_at(run, int64_t(a.replay_ms * 1000))) : "") +
          ",\"stalledMs\":[";
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        const double stalled = !r.attempts.empty() && r.attempts[0].sent_us >= 0 ? double(r.attempts[0].sent_us - r.attempts[0].started_us) / 1000.0 : -1;
        out += (i ? "," : "") + std::to_string(stalled);
    }
    out += "]}";
    return out.c_str();
}

// A note from the page's JavaScript for the learner (a bad ?origin=), shown with the input notes.
EMSCRIPTEN_KEEPALIVE void ap_js_note(const char* message) {
    if (!g_app || !message) return;
    g_app->input_notes.push_back(message);
    g_app->dirty = true;
    if (bridge_wake) bridge_wake();
}

// The controls' settings in window.playground.run()'s terms; valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* ap_js_desc() {
    static std::string out;
    if (!g_app) return "{}";
    const RunDesc& d = g_app->desc;
    out = std::string("{\"path\":") + json_quote(code_path_name(d.path)) + ",\"api\":" + json_quote(api_name(d.api)) +
          ",\"spread\":" + json_quote(spread_name(d.spread)) + ",\"n\":" + std::to_string(d.count) +
          ",\"latencyMs\":" + std::to_string(d.latency_ms) + ",\"limit\":" + std::to_string(d.limit) +
          ",\"status\":" + std::to_string(d.status) + ",\"slowEvery\":" + std::to_string(d.slow_every) +
          ",\"slowMs\":" + std::to_string(d.slow_ms) + ",\"cpuMs\":" + std::to_string(d.cpu_ms) +
          ",\"timeoutMs\":" + std::to_string(d.timeout_ms) + ",\"retries\":" + std::to_string(d.retries) +
          ",\"backoffMs\":" + std::to_string(d.backoff_ms) + ",\"failPct\":" + std::to_string(d.fail_pct) + "}";
    return out.c_str();
}

// Bytes the program has allocated and not freed (malloc's view), for tools/bench's heap check.
EMSCRIPTEN_KEEPALIVE double ap_js_heap_bytes() {
    const struct mallinfo m = mallinfo();
    return double(m.uordblks);
}

// Draws the next `frames` frames even though nothing changed (for tools/bench).
EMSCRIPTEN_KEEPALIVE void ap_js_force_frames(int frames) {
    if (bridge_force_frames) bridge_force_frames(frames < 1 ? 1 : frames > 1000 ? 1000 : frames);
}

// The browser's prefers-color-scheme (1 = light); the URL's theme= wins over it.
EMSCRIPTEN_KEEPALIVE void ap_js_set_system_theme(int light) {
    if (!g_app) return;
    g_app->view.system_light = light != 0;
    g_app->dirty = true;
    if (bridge_wake) bridge_wake();
}

// Whether a Tab (backwards: Shift+Tab) pressed now should leave the canvas for the host page.
EMSCRIPTEN_KEEPALIVE int ap_js_tab_leaves(int backwards) {
    if (!g_app) return 1;
    const bool leaves = app_tab_leaves(*g_app, backwards != 0);
    if (leaves && !g_app->focus.empty()) {
        g_app->focus.clear();
        g_app->dirty = true;
        if (bridge_wake) bridge_wake();
    }
    return leaves ? 1 : 0;
}

// {"drawn":..,"deferred":..,"lastMs":..,"maxMs":..,"meanMs":..,"costMs":..,"totalMs":..}; valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* ap_js_frame_stats() {
    static char buf[256];
    const FrameStats& f = frame_stats;
    std::snprintf(buf, sizeof buf, "{\"drawn\":%u,\"deferred\":%u,\"lastMs\":%.3f,\"maxMs\":%.3f,\"meanMs\":%.3f,\"costMs\":%.3f,\"totalMs\":%.3f}",
                  f.drawn, f.deferred, f.last_ms, f.max_ms, f.drawn ? f.total_ms / f.drawn : 0.0, f.cost_ms, f.total_ms);
    return buf;
}

}  // extern "C"
