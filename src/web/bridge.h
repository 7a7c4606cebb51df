// bridge.h — every entry point between the page's JavaScript (web/playground.js) and C++, in one place.
//   JS -> C++: ap_js_run, ap_js_cancel, ap_js_set_apis   (extern "C", exported)
//   C++ -> JS: Module.apFirstFrame(), Module.apRunEnded(ticket, json)
#pragma once
#include <cstdint>
#include <string>

namespace ap {
struct App;

void bridge_init(App* app);
void bridge_first_frame();
void bridge_run_ended(uint32_t ticket, const std::string& json);
// Asks the platform for a redraw and a tick soon (set by main.cpp).
extern void (*bridge_wake)();
}  // namespace ap
