#include "app/keyboard.h"

#include <algorithm>

#include "app/app.h"
#include "app/ui_kit.h"
#include "imgui_internal.h"  // ActiveId, ScrollToRectEx, the hovered window: focus and drag-to-scroll

namespace ap {

const FocusState::Rect* find_rect(const App& app, const std::string& name) {
    for (const FocusState::Rect& r : app.focus.rects) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

std::vector<std::string> clipped_names(const App& app) {
    std::vector<std::string> out;
    for (const FocusState::Rect& r : app.focus.rects)
        if (r.clipped) out.push_back(r.name);
    return out;
}

std::vector<std::string> duplicate_names(const App& app) {
    std::vector<std::string> names, twice;
    for (const FocusState::Rect& r : app.focus.rects) names.push_back(r.name);
    std::sort(names.begin(), names.end());
    for (size_t i = 1; i < names.size(); ++i)
        if (names[i] == names[i - 1] && (twice.empty() || twice.back() != names[i])) twice.push_back(names[i]);
    return twice;
}

bool app_tab_leaves(const App& app, bool backwards) {
    // The controls in the order the last frame drew them; disabled ones are skipped like the browser does.
    const FocusState::Rect* first = nullptr;
    const FocusState::Rect* last = nullptr;
    for (const FocusState::Rect& r : app.focus.rects) {
        if (!r.enabled || !r.id) continue;
        if (!first) first = &r;
        last = &r;
    }
    if (!first) return true;
    if (app.focus.name.empty()) return false;  // Tab enters at the first control, Shift+Tab at the last
    return (backwards ? first : last)->name == app.focus.name;
}

void keyboard_focus_enter(App& app, bool backwards) {
    const FocusState::Rect* pick = nullptr;
    for (const FocusState::Rect& r : app.focus.rects) {
        if (!r.enabled || !r.id) continue;
        if (!pick || backwards) pick = &r;
        if (!backwards) break;
    }
    app.focus.name = pick ? pick->name : "";
    app.needs_redraw = true;
}

void keyboard_begin_frame(App& app, int64_t now_us) {
    app.focus.rects.clear();
    clear_drag_owners();
    // Left and right arrows walk through the lessons, unless the learner is typing into a field.
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.WantTextInput && ImGui::GetActiveID() == 0 && !app.view.locked(Lock::lesson)) {
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow), false)) lessons_select(app, app.lessons.index - 1, now_us);
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), false)) lessons_select(app, app.lessons.index + 1, now_us);
    }
}

// Tab and Shift+Tab walk the named controls in the order they were drawn, Enter or Space presses the one
// with the focus ring. (Dear ImGui 1.86 tabs through text fields only, and its arrow-key navigation would
// take the arrows that walk the lessons.)
static void apply_keyboard(App& app) {
    ImGuiContext& g = *GImGui;
    FocusState& f = app.focus;
    if (ImGui::IsMouseClicked(0) && !f.name.empty()) f.name.clear();  // the pointer is in charge again
    std::vector<const FocusState::Rect*> stops;
    for (const FocusState::Rect& r : f.rects) {
        if (r.enabled && r.id) stops.push_back(&r);
    }
    auto find = [&](const std::string& name) -> int {
        for (size_t i = 0; i < stops.size(); ++i) if (stops[i]->name == name) return int(i);
        return -1;
    };
    if (f.tab_request != 0 && !stops.empty()) {
        const int at = find(f.name);
        int next = at < 0 ? (f.tab_request > 0 ? 0 : int(stops.size()) - 1) : at + f.tab_request;
        next = std::clamp(next, 0, int(stops.size()) - 1);
        const FocusState::Rect* r = stops[size_t(next)];
        f.name = r->name;
        if (g.ActiveId != 0) ImGui::ClearActiveID();  // leave a text field being edited
        ImGuiWindow* w = static_cast<ImGuiWindow*>(r->window);
        if (w) ImGui::ScrollToRectEx(w, ImRect(r->x, r->y, r->x + r->w, r->y + r->h), ImGuiScrollFlags_KeepVisibleEdgeY);
        app.needs_redraw = true;
    }
    f.tab_request = 0;
    // A control asked for by name (a test, a host page's tour) is scrolled into its column's view.
    if (!f.reveal.empty()) {
        const FocusState::Rect* r = find_rect(app, f.reveal);
        ImGuiWindow* w = r ? static_cast<ImGuiWindow*>(r->window) : nullptr;
        if (w && !r->shown) {
            ImGui::ScrollToRectEx(w, ImRect(r->x, r->y, r->x + r->w, r->y + r->h), ImGuiScrollFlags_KeepVisibleCenterY);
            app.needs_redraw = true;
        }
        f.reveal.clear();
    }
    const int at = find(f.name);
    if (f.activate_request && at >= 0) {
        ImGui::ActivateItem(stops[size_t(at)]->id);  // pressed during the next frame, as a click would be
        app.needs_redraw = true;
    }
    f.activate_request = false;
    if (at >= 0) {
        const FocusState::Rect* r = stops[size_t(at)];
        ImGui::GetForegroundDrawList()->AddRect(ImVec2(r->x - 3, r->y - 3), ImVec2(r->x + r->w + 3, r->y + r->h + 3), palette().focus, 4, 0, 2);
    }
}

// Touch: a finger (or the mouse) dragged over the page scrolls what is under it, unless the drag belongs to
// a control that drags (a slider, a text field, a scrollbar). A press that turns into a drag is no click.
static void drag_to_scroll() {
    ImGuiContext& g = *GImGui;
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.MouseDown[0] || !ImGui::IsMouseDragging(0, 8.0f) || (io.MouseDelta.x == 0 && io.MouseDelta.y == 0)) return;
    ImGuiWindow* w = g.HoveredWindow;
    if (!w || io.WantTextInput) return;
    if (g.ActiveId != 0) {
        if (owns_drag(g.ActiveId)) return;
        for (ImGuiWindow* x = w; x; x = x->ParentWindow) {
            if (g.ActiveId == ImGui::GetWindowScrollbarID(x, ImGuiAxis_X) || g.ActiveId == ImGui::GetWindowScrollbarID(x, ImGuiAxis_Y)) return;
        }
        if (g.ActiveId != w->MoveId) ImGui::ClearActiveID();  // the button pressed first is not clicked
    }
    ImGuiWindow* vertical = w;
    while (vertical && vertical->ScrollMax.y <= 0) vertical = vertical->ParentWindow;
    ImGuiWindow* horizontal = w;
    while (horizontal && horizontal->ScrollMax.x <= 0) horizontal = horizontal->ParentWindow;
    if (vertical && io.MouseDelta.y != 0) ImGui::SetScrollY(vertical, std::clamp(vertical->Scroll.y - io.MouseDelta.y, 0.0f, vertical->ScrollMax.y));
    if (horizontal && io.MouseDelta.x != 0) ImGui::SetScrollX(horizontal, std::clamp(horizontal->Scroll.x - io.MouseDelta.x, 0.0f, horizontal->ScrollMax.x));
}

void keyboard_end_frame(App& app) {
    drag_to_scroll();
    apply_keyboard(app);
}

}  // namespace ap
