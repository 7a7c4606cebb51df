// bridge.h — the crossing between the page's JavaScript (web/) and C++, in one place: bridge.cpp.
// Everything that crosses is text: JSON both ways, read by the core's one JSON reader (core/json.h), and
// passed through the heap (never the stack, so a text of megabytes is as safe as a short one).
//   JS -> C++: the ap_js_* functions (extern "C", exported), in bridge.cpp by feature, and main.cpp's
//              ap_js_open_requests;
//   C++ -> JS: the Module.apX callbacks, each an EM_JS at the top of bridge.cpp, registered by the page in
//              one place (web/bridge.js).
// No list is kept by hand here: a test (tests/surface.test.mjs) compares both sides with the source.
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
