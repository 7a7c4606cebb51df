// bridge.h — every entry point between the page's JavaScript (web/playground.js) and C++, in one place.
// Everything that crosses is text: JSON both ways, read by the core's one JSON reader (core/json.h), and
// passed through the heap (never the stack, so a text of megabytes is as safe as a short one).
//   JS -> C++ (extern "C", exported): ap_js_run, ap_js_cancel, ap_js_set_apis, ap_js_frame_stats,
//              ap_js_widget_rect, ap_js_set_server_base, ap_js_select_lesson, ap_js_add_lessons,
//              ap_js_lesson_file_error, ap_js_restore_progress, ap_js_lesson_state, ap_js_apply_url,
//              ap_js_permalink, ap_js_set_system_theme, ap_js_tab_leaves, ap_js_note, ap_js_desc,
//              ap_js_force_frames, ap_js_heap_bytes, ap_js_load_run, ap_js_resource_timing, ap_js_shown_run,
//              ap_js_set_costs, ap_js_calibrating, ap_js_history_json, ap_js_restore_history, ap_js_scaling_state,
//              ap_js_focus_enter, ap_js_layout_check, ap_js_duration_text, ap_js_stepper_state; ap_js_open_requests (src/web/main.cpp)
//   C++ -> JS: Module.apFirstFrame(), Module.apRequestCosts(api), Module.apRunEnded(ticket, json), Module.apProgress(json),
//              Module.apCopyLink(query), Module.apCopyEmbed(query), Module.apSaveFile(name, mime, text),
//              Module.apOpenFile(), Module.apSavePng(x, y, w, h), Module.apHistoryChanged(),
//              Module.apOpenTab(query)
#pragma once
#include <cstdint>
#include <string>

#include "core/run.h"

namespace ap {
struct App;

// How much drawing the page did: read by tools/bench through window.playground.frameStats().
struct FrameStats {
    uint32_t drawn = 0;       // frames rendered
    uint32_t deferred = 0;    // frames held back because an answer was due (see drawing_would_disturb)
    double last_ms = 0, max_ms = 0, total_ms = 0;  // main-thread time per rendered frame
    double cost_ms = 0;       // measured: from a drawn frame to the next animation tick (GPU and compositor included)
};
extern FrameStats frame_stats;

void bridge_init(App* app);
void bridge_first_frame();
// Asks the page to measure what the API costs now, unless it did a moment ago; App::apis.calibrating is
// set until it has (a clicked run waits for it).
void bridge_request_costs(Api api);
// Saves the canvas's rectangle (CSS pixels) as a PNG download; call right after a frame was drawn.
void bridge_save_png(float x, float y, float w, float h);
// Asks the platform for a redraw and a tick soon (set by main.cpp).
extern void (*bridge_wake)();
// Asks the platform to draw the next `frames` frames whether or not anything changed (tools/bench measures
// what a frame of a big waterfall costs this way).
extern void (*bridge_force_frames)(int frames);
}  // namespace ap
