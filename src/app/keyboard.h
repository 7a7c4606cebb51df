// keyboard.h — focus and keys. Every control the frame draws is named (ui_kit.h, name_item), so Tab and
// Shift+Tab walk them in drawing order with a focus ring, Enter or Space presses the one in the ring, and
// tests and assistive tools find them by name. The arrows walk the lessons; a finger (or the mouse)
// dragged over the page scrolls what is under it.
#pragma once
#include <string>
#include <vector>

#include "imgui.h"

namespace ap {

struct App;

struct FocusState {
    // Where the last frame drew each named control (CSS pixels): "run", "cancel", "path:sequential", "n", ...
    // clipped: the item does not fit its window's width (the window does not scroll sideways), so part of it
    // or of its text is cut off: a layout bug at this size (see ui_kit.cpp, name_item).
    // shown: the whole item is inside what its window shows now (not scrolled out of its column).
    struct Rect {
        std::string name;
        float x, y, w, h;
        ImGuiID id = 0;
        void* window = nullptr;
        bool enabled = true;
        bool clipped = false;
        bool shown = true;
    };
    std::vector<Rect> rects;
    std::string name;             // the control Tab moved to, or "" when the pointer is in charge
    int tab_request = 0;          // +1 Tab, -1 Shift+Tab: applied by the next drawn frame
    bool activate_request = false;  // Enter or Space on the focused control
    std::string reveal;           // a control to scroll into view in the next frame (playground.revealWidget)
};

// Names of the controls and texts the last frame cut off (see Rect::clipped).
std::vector<std::string> clipped_names(const App& app);
// Names the last frame gave to more than one control (there should be none: Tab and tests go by name).
std::vector<std::string> duplicate_names(const App& app);
// The named control, or nullptr when the last frame did not draw it.
const FocusState::Rect* find_rect(const App& app, const std::string& name);
// Whether a Tab press (backwards: Shift+Tab) would leave the page's controls: the focus is on the last
// (first) control, so the browser should move focus out of the canvas instead. With no ring yet, Tab
// enters at the first control and Shift+Tab at the last.
bool app_tab_leaves(const App& app, bool backwards);

// The canvas got the keyboard focus from Tab (backwards: Shift+Tab) in the page around it: the ring starts at
// the first (last) control.
void keyboard_focus_enter(App& app, bool backwards);
// At the start of a frame: the arrows walk the lessons (unless a field is being typed into).
void keyboard_begin_frame(App& app, int64_t now_us);
// At the end of a frame: Tab moves the ring, Enter presses, a drag scrolls.
void keyboard_end_frame(App& app);

}  // namespace ap
