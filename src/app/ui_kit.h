// ui_kit.h — what every panel draws with: the one colour palette (per theme), named controls (so Tab,
// tests and assistive tools find them), number fields, notes, verdict marks, time axes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/code_view.h"
#include "core/fields.h"
#include "core/run.h"
#include "imgui.h"

namespace ap {

struct App;

// The page's colours. The hues of what a request is doing are the same in the waterfall, the code panel
// and the event-loop stepper; text and line colours follow the theme (set by use_palette each frame).
struct Palette {
    // What a request is doing (the waterfall's bars, the code panel's lit lines, the stepper's swatches).
    ImU32 ok, in_flight, http_error, network_error, timeout, cancelled, pending;
    ImU32 queued, backoff, ready, cpu, stalled;
    // Text and lines.
    ImVec4 note, dim, good, bad, title;
    ImU32 axis_line, axis_text, track, outline, focus;
    // Code: the code panel draws with these, and the program editor (web/editor.mjs) takes the same as CSS
    // variables (code_css_variables), so both look one in either theme.
    struct Code {
        ImU32 background, gutter, text, dim, active, selection, error_line, error_text, bar, button, button_text;
        ImU32 keyword, builtin, string, comment, number;
    } code;
};
const Palette& palette();
// Between frames (before ImGui::NewFrame, after the last frame was rendered): a window whose draw buffers
// grew for a big frame (a history of 1,000 rows, a waterfall of 10,000 bars) and now hold far less, or that
// was not drawn at all, gives the memory back, so a cleared history leaves the heap as it found it.
void trim_draw_buffers();
// Sets the palette and ImGui's style for the theme (called at the start of every frame).
void use_palette(bool light);
// The code colours of the theme's palette as CSS custom properties: {"--editor-bg": "#1b1d23ff", ...}.
std::string code_css_variables(bool light);

ImU32 outcome_color(Outcome o);
// A phase's colour at the given alpha (the code panel's lit lines and badges).
ImU32 phase_color(Phase p, int alpha);
// Colours for the code paths of a chart: one per code path, the same in every lesson.
ImU32 code_path_color(CodePath p);

// Records where the last item was drawn under `name` (see FocusState::rects), and its id, so that Tab can
// move to it and Enter or Space can press it. id_override: the part of a compound widget that takes keys.
void name_item(App& app, const std::string& name, ImGuiID id_override = 0);
// Records a text that is not a control (a total, a label) under `name`, so a test can see it is not cut off.
void name_text(App& app, const std::string& name);
// Puts the next item on the line of the last one when `width` more pixels fit there, else on a new line.
void same_line_if_fits(float width);
// The width a button needs for its label (at least `min_width`).
float button_width(const char* label, float min_width = 0);
// A small button on the last item's line when it fits there (else on the next), named `name`.
bool small_button(App& app, const char* label, const char* name, bool same_line = true);
// A button at least `width` wide and always wide enough for its label, named `name`.
bool wide_button(App& app, const char* label, const char* name, float width = 0);
// Records a region that is not a control (a panel, a chart) under `name`.
void name_region(App& app, const std::string& name);
// An integer field, registered under `name`.
bool int_field(App& app, const char* label, const char* name, int* v, int step, float width_em = 9);
// A run setting's field (fields.h): its label and step from the table, named by `prefix` + its URL key
// (the lesson panel's N is "n", the settings panel's "settings:n": every control has a name of its own).
bool setting_field(App& app, const RunField& f, RunDesc* d, float width_em = 9, const char* label = nullptr, const char* prefix = "");

// A small padlock after the last item, when `locked`: the control is fixed by the teacher (?lock=), and says
// so on hover. The control itself is drawn disabled.
void lock_mark(bool locked);

// A verdict line without its trailing ✓ or ✗ (the font has no such glyphs: verdict_mark draws them).
std::string without_mark(const std::string& line);
void wrapped_note(const std::string& s, const ImVec4& color);
void wrapped_note(const std::string& s);
// ✓ and ✗ drawn, not typed: the built-in font has no such glyphs.
void verdict_mark(bool ok);

// A tick step of 1, 2 or 5 x 10^k ms giving at most max_ticks ticks over range_ms.
double nice_step(double range_ms, int max_ticks);
// The same for a time axis: beyond a minute a tick, whole minutes (1, 2, 5, 10, 15, 30) or hours (1, 2, 3, 6,
// 12, 24), then days.
double nice_time_step(double range_ms, int max_ticks);
// A tick's label in the step's unit: "250 ms", "1.5 s", "20 s", "5 min", "2 h".
std::string tick_label(double ms, double step);
// Ticks and labels of a time axis from 0 to span_ms over `width` pixels.
void draw_time_axis(ImDrawList* dl, ImVec2 origin, float width, double span_ms, float tick_h);

// Controls that use a drag themselves (a slider, a marker), registered by the frame that draws them, so a
// finger dragged over them does not scroll the page instead (keyboard.cpp).
void own_drag(ImGuiID id);
bool owns_drag(ImGuiID id);
void clear_drag_owners();

}  // namespace ap
