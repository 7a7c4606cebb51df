#include "bridge.h"

#include <cstdio>

#include <emscripten.h>

#include "app/app.h"
#include "web/fetch_transport.h"

namespace ap {

static App* g_app = nullptr;
FrameStats frame_stats;
void (*bridge_wake)() = nullptr;

void bridge_init(App* app) { g_app = app; }

EM_JS(void, js_first_frame, (), { if (Module.apFirstFrame) Module.apFirstFrame(); });
EM_JS(void, js_run_ended, (uint32_t ticket, const char* json), {
    if (Module.apRunEnded) Module.apRunEnded(ticket, UTF8ToString(json));
});

void bridge_first_frame() { js_first_frame(); }
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

// {"drawn":..,"deferred":..,"lastMs":..,"maxMs":..,"meanMs":..}; valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* ap_js_frame_stats() {
    static char buf[256];
    const FrameStats& f = frame_stats;
    std::snprintf(buf, sizeof buf, "{\"drawn\":%u,\"deferred\":%u,\"lastMs\":%.3f,\"maxMs\":%.3f,\"meanMs\":%.3f,\"costMs\":%.3f}", f.drawn,
                  f.deferred, f.last_ms, f.max_ms, f.drawn ? f.total_ms / f.drawn : 0.0, f.cost_ms);
    return buf;
}

}  // extern "C"
