#include "app/ui_kit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "app/app.h"
#include "core/json.h"
#include "imgui_internal.h"  // GImGui: the last item's id and flags, for name_item

namespace ap {

namespace {

constexpr ImU32 rgba(int r, int g, int b, int a = 255) { return IM_COL32(r, g, b, a); }

// The hues of a request's life, shared by both themes.
constexpr ImU32 green = rgba(84, 196, 124), blue = rgba(92, 160, 242), orange = rgba(240, 162, 64), red = rgba(232, 84, 84),
                purple = rgba(186, 112, 232), grey = rgba(128, 128, 128), dark_grey = rgba(80, 80, 80), yellow = rgba(236, 214, 92),
                amber = rgba(240, 200, 90), cyan = rgba(120, 200, 230), steel = rgba(150, 170, 200), stone = rgba(150, 150, 150);

constexpr ImU32 with_alpha(ImU32 c, int a) { return (c & ~IM_COL32_A_MASK) | (ImU32(a) << IM_COL32_A_SHIFT); }

Palette make_palette(bool light) {
    Palette p{};
    p.ok = green;
    p.in_flight = blue;
    p.http_error = orange;
    p.network_error = red;
    p.timeout = purple;
    p.cancelled = grey;
    p.pending = dark_grey;
    p.queued = with_alpha(stone, 110);
    p.backoff = with_alpha(amber, 150);
    p.ready = with_alpha(cyan, 120);
    p.cpu = yellow;
    p.stalled = steel;
    if (light) {
        p.code = {rgba(255, 255, 255), rgba(240, 240, 243), rgba(36, 38, 44), rgba(128, 131, 140), rgba(243, 245, 250),
                  rgba(201, 219, 247), rgba(251, 217, 212), rgba(163, 40, 28), rgba(230, 231, 236), rgba(195, 212, 239), rgba(29, 36, 51),
                  rgba(130, 80, 223), rgba(5, 80, 174), rgba(10, 110, 50), rgba(110, 119, 129), rgba(149, 56, 0)};
    } else {
        p.code = {rgba(27, 29, 35), rgba(21, 23, 28), rgba(214, 216, 222), rgba(125, 130, 144), rgba(35, 38, 46),
                  rgba(44, 74, 120), rgba(90, 35, 32), rgba(255, 155, 138), rgba(35, 38, 46), rgba(51, 73, 110), rgba(232, 236, 244),
                  rgba(198, 146, 234), rgba(130, 190, 255), rgba(152, 204, 120), rgba(128, 134, 148), rgba(240, 170, 110)};
    }
    if (light) {
        p.note = ImVec4(0.62f, 0.36f, 0.0f, 1.0f);
        p.dim = ImVec4(0.36f, 0.38f, 0.42f, 1.0f);
        p.good = ImVec4(0.05f, 0.50f, 0.20f, 1.0f);
        p.bad = ImVec4(0.75f, 0.15f, 0.12f, 1.0f);
        p.title = ImVec4(0.10f, 0.32f, 0.65f, 1.0f);
        p.axis_line = rgba(0, 0, 0, 45);
        p.axis_text = rgba(70, 72, 80);
        p.track = rgba(0, 0, 0, 14);
        p.outline = rgba(20, 20, 30);
        p.focus = rgba(20, 90, 220);
    } else {
        p.note = ImVec4(0.98f, 0.80f, 0.35f, 1.0f);
        p.dim = ImVec4(0.62f, 0.64f, 0.68f, 1.0f);
        p.good = ImVec4(0.45f, 0.85f, 0.55f, 1.0f);
        p.bad = ImVec4(1.0f, 0.50f, 0.45f, 1.0f);
        p.title = ImVec4(0.62f, 0.80f, 1.0f, 1.0f);
        p.axis_line = rgba(255, 255, 255, 40);
        p.axis_text = rgba(190, 192, 198);
        p.track = rgba(255, 255, 255, 12);
        p.outline = IM_COL32_WHITE;
        p.focus = rgba(255, 210, 80);
    }
    return p;
}

const Palette dark_palette = make_palette(false), light_palette = make_palette(true);
const Palette* current = &dark_palette;
std::vector<ImGuiID> drag_owners;

}  // namespace

std::string code_css_variables(bool light) {
    const Palette::Code& c = (light ? light_palette : dark_palette).code;
    const std::pair<const char*, ImU32> vars[] = {
        {"--editor-bg", c.background}, {"--editor-gutter", c.gutter}, {"--editor-fg", c.text}, {"--editor-dim", c.dim},
        {"--editor-active", c.active}, {"--editor-selection", c.selection}, {"--editor-error", c.error_line},
        {"--editor-error-fg", c.error_text}, {"--editor-bar", c.bar}, {"--editor-button", c.button}, {"--editor-button-fg", c.button_text},
        {"--code-keyword", c.keyword}, {"--code-builtin", c.builtin}, {"--code-string", c.string}, {"--code-comment", c.comment},
        {"--code-number", c.number},
        // (The phases' hues are the same in both themes.)
        {"--phase-wait-tint", phase_color(Phase::waiting, 56)}, {"--phase-queue-tint", phase_color(Phase::queued, 56)},
        {"--phase-cpu-tint", phase_color(Phase::handling, 56)}, {"--phase-backoff-tint", phase_color(Phase::backing_off, 56)},
    };
    JsonWriter w;
    w.begin_object();
    for (const auto& [name, col] : vars) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "#%02x%02x%02x%02x", unsigned(col >> IM_COL32_R_SHIFT) & 255, unsigned(col >> IM_COL32_G_SHIFT) & 255,
                      unsigned(col >> IM_COL32_B_SHIFT) & 255, unsigned(col >> IM_COL32_A_SHIFT) & 255);
        w.key(name).string(hex);
    }
    return w.end_object().take();
}

void trim_draw_buffers() {
    ImGuiContext* g = ImGui::GetCurrentContext();
    if (!g) return;
    for (ImGuiWindow* w : g->Windows) {
        ImDrawList* dl = w->DrawList;
        const size_t held = size_t(dl->VtxBuffer.Capacity) * sizeof(ImDrawVert) + size_t(dl->IdxBuffer.Capacity) * sizeof(ImDrawIdx);
        const size_t used = size_t(dl->VtxBuffer.Size) * sizeof(ImDrawVert) + size_t(dl->IdxBuffer.Size) * sizeof(ImDrawIdx);
        // A window not drawn last frame (a panel closed, an empty history) keeps its old buffers unseen; one drawn
        // with a quarter of what its buffers hold gives back the rest. (Its next Begin fills them anew.)
        if ((!w->Active && held > (16u << 10)) || (held > (64u << 10) && held > 4 * used)) dl->_ClearFreeMemory();
    }
}

const Palette& palette() { return *current; }

void use_palette(bool light) {
    static int applied = -1;
    current = light ? &light_palette : &dark_palette;
    if (applied == int(light)) return;
    applied = int(light);
    if (light) ImGui::StyleColorsLight();
    else ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 0;
    style.FrameRounding = 3;
    style.GrabRounding = 3;
    if (light) style.Colors[ImGuiCol_WindowBg] = ImVec4(0.95f, 0.95f, 0.96f, 1.0f);
}

ImU32 outcome_color(Outcome o) {
    const Palette& p = palette();
    switch (o) {
        case Outcome::ok: return p.ok;
        case Outcome::http_error: return p.http_error;
        case Outcome::network_error: return p.network_error;
        case Outcome::timeout: return p.timeout;
        case Outcome::cancelled: return p.cancelled;
        case Outcome::in_flight: return p.in_flight;
        case Outcome::pending: return p.pending;
    }
    return IM_COL32_WHITE;
}

ImU32 phase_color(Phase ph, int alpha) {
    const Palette& p = palette();
    switch (ph) {
        case Phase::queued: return with_alpha(p.queued, alpha);
        case Phase::waiting: return with_alpha(p.in_flight, alpha);
        case Phase::handling: return with_alpha(p.cpu, alpha);
        case Phase::backing_off: return with_alpha(p.backoff, alpha);
        case Phase::none: break;
    }
    return IM_COL32(0, 0, 0, 0);
}

ImU32 code_path_color(CodePath path) {
    static const ImU32 colors[code_path_count] = {
        rgba(232, 120, 84),   // sequential
        rgba(84, 176, 232),   // concurrent
        rgba(92, 196, 124),   // bounded
        rgba(214, 96, 150),   // sync_client
        rgba(190, 120, 232),  // await_in_loop
        rgba(64, 200, 200),   // as_completed
        rgba(150, 150, 230),  // task_group
        rgba(220, 180, 60),   // pool_limit
        rgba(200, 90, 90),    // blocking_in_async
        rgba(140, 200, 80),   // thread_pool
        rgba(170, 170, 170),  // retry_backoff
    };
    return colors[int(path) % code_path_count];
}

// Whether [x0, x1] sticks out of the window it is drawn in, sideways (a window that scrolls sideways holds
// wide content on purpose; one that is scrolled past or hidden behind another tab is not judged).
// Whether all of the item is inside what its window shows (its column may have scrolled it out of view).
static bool in_view(ImVec2 a, ImVec2 b) {
    const ImRect& clip = ImGui::GetCurrentWindow()->ClipRect;
    return a.y >= clip.Min.y - 0.5f && b.y <= clip.Max.y + 0.5f && a.x >= clip.Min.x - 0.5f && b.x <= clip.Max.x + 0.5f;
}

static bool sticks_out(float x0, float x1) {
    const ImGuiWindow* w = ImGui::GetCurrentWindow();
    if (w->ScrollMax.x > 0 || (w->Flags & ImGuiWindowFlags_HorizontalScrollbar)) return false;
    const ImRect& clip = w->ClipRect;
    if (clip.Max.x - clip.Min.x < 1) return false;
    return x1 > clip.Max.x + 0.5f || x0 < clip.Min.x - 0.5f;
}

void name_item(App& app, const std::string& name, ImGuiID id_override) {
    const ImGuiContext& g = *GImGui;
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const ImGuiID id = id_override ? id_override : g.LastItemData.ID;
    const bool enabled = (g.LastItemData.InFlags & ImGuiItemFlags_Disabled) == 0;
    app.focus.rects.push_back(FocusState::Rect{name, a.x, a.y, b.x - a.x, b.y - a.y, id, ImGui::GetCurrentWindow(), enabled, sticks_out(a.x, b.x), in_view(a, b)});
}

void name_text(App& app, const std::string& name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    app.focus.rects.push_back(FocusState::Rect{name, a.x, a.y, b.x - a.x, b.y - a.y, 0, ImGui::GetCurrentWindow(), true, sticks_out(a.x, b.x), in_view(a, b)});
}

void name_region(App& app, const std::string& name) {
    const ImVec2 a = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    app.focus.rects.push_back(FocusState::Rect{name, a.x, a.y, size.x, size.y});
}

void same_line_if_fits(float width) {
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
}

float button_width(const char* label, float min_width) {
    return std::max(min_width, ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2);
}

bool small_button(App& app, const char* label, const char* name, bool same_line) {
    if (same_line) same_line_if_fits(button_width(label));
    const bool pressed = ImGui::SmallButton(label);
    name_item(app, name);
    return pressed;
}

bool wide_button(App& app, const char* label, const char* name, float width) {
    const bool pressed = ImGui::Button(label, ImVec2(button_width(label, width), 0));
    name_item(app, name);
    return pressed;
}

bool int_field(App& app, const char* label, const char* name, int* v, int step, float width_em) {
    // A text box whose text counts when it is a whole number, on Enter or when the box is left (Dear
    // ImGui's own number field would drop a letter silently and read "1e3" as 13); then - and + buttons,
    // then the label.
    const ImGuiStyle& style = ImGui::GetStyle();
    const float button = ImGui::GetFrameHeight();
    ImGui::PushID(label);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d", *v);
    ImGui::SetNextItemWidth(std::max(1.0f, ImGui::GetFontSize() * width_em - 2 * (button + style.ItemInnerSpacing.x)));
    const bool entered = ImGui::InputText("##value", buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll);
    bool edited = false;
    if (entered || ImGui::IsItemDeactivatedAfterEdit()) {
        const std::string text(buf);
        const size_t digits_from = !text.empty() && text[0] == '-' ? 1 : 0;
        const bool whole = text.size() > digits_from && text.size() - digits_from <= 9 &&
                           text.find_first_not_of("0123456789", digits_from) == std::string::npos;
        if (whole) {
            *v = int(std::strtol(text.c_str(), nullptr, 10));
            edited = true;
        } else {
            app.input_notes = {"'" + text + "' is not a whole number: " + label + " stays " + std::to_string(*v) + "."};
            app.needs_redraw = true;
        }
    }
    name_item(app, name);
    ImGui::SameLine(0, style.ItemInnerSpacing.x);
    if (ImGui::Button("-", ImVec2(button, button))) *v -= step, edited = true;
    ImGui::SameLine(0, style.ItemInnerSpacing.x);
    if (ImGui::Button("+", ImVec2(button, button))) *v += step, edited = true;
    ImGui::SameLine(0, style.ItemInnerSpacing.x);
    ImGui::TextUnformatted(label);
    ImGui::PopID();
    return edited;
}

bool setting_field(App& app, const RunField& f, RunDesc* d, float width_em, const char* label, const char* prefix) {
    int v = f.get(*d);
    const std::string name = std::string(prefix) + f.url_key;
    if (!int_field(app, label ? label : f.label, name.c_str(), &v, f.step, width_em)) return false;
    f.set(*d, v);
    return true;
}

void lock_mark(bool locked) {
    if (!locked) return;
    ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 col = ImGui::GetColorU32(palette().dim);
    const float w = h * 0.7f, x = p.x + h * 0.15f, body = p.y + h * 0.45f;
    dl->AddRectFilled(ImVec2(x, body), ImVec2(x + w, p.y + h), col, 2);                                  // the body
    dl->PathArcTo(ImVec2(x + w / 2, body), w * 0.32f, IM_PI, 2 * IM_PI);                               // the shackle
    dl->PathStroke(col, 0, 2);
    ImGui::Dummy(ImVec2(h, h));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("fixed by the teacher (the link says lock=...)");
}

void wrapped_note(const std::string& s, const ImVec4& color) {
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextWrapped("%s", s.c_str());
    ImGui::PopStyleColor();
}

void wrapped_note(const std::string& s) { wrapped_note(s, palette().note); }

std::string without_mark(const std::string& line) {
    const size_t cut = line.find("  \xe2\x9c");
    return cut == std::string::npos ? line : line.substr(0, cut);
}

void verdict_mark(bool ok) {
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 col = ImGui::GetColorU32(ok ? palette().good : palette().bad);
    if (ok) {
        ImGui::RenderCheckMark(dl, ImVec2(p.x + 1, p.y + 1), col, h - 2);
    } else {
        dl->AddLine(ImVec2(p.x + 2, p.y + 2), ImVec2(p.x + h - 2, p.y + h - 2), col, 2);
        dl->AddLine(ImVec2(p.x + h - 2, p.y + 2), ImVec2(p.x + 2, p.y + h - 2), col, 2);
    }
    ImGui::Dummy(ImVec2(h, h));
    ImGui::SameLine();
}

double nice_step(double range_ms, int max_ticks) {
    const double raw = std::max(range_ms / std::max(1, max_ticks), 0.001);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * mag >= raw) return m * mag;
    }
    return 10 * mag;
}

double nice_time_step(double range_ms, int max_ticks) {
    const double raw = range_ms / std::max(1, max_ticks);
    if (raw <= 60000) return nice_step(range_ms, max_ticks);
    constexpr double minute = 60000, hour = 60 * minute;
    for (double m : {1.0, 2.0, 5.0, 10.0, 15.0, 30.0}) {
        if (m * minute >= raw) return m * minute;
    }
    for (double h : {1.0, 2.0, 3.0, 6.0, 12.0, 24.0}) {
        if (h * hour >= raw) return h * hour;
    }
    return nice_step(range_ms / (24 * hour), max_ticks) * 24 * hour;
}

std::string tick_label(double ms, double step) {
    char buf[32];
    if (step >= 3600000) std::snprintf(buf, sizeof buf, "%g h", ms / 3600000);
    else if (step >= 60000) std::snprintf(buf, sizeof buf, "%g min", ms / 60000);
    else if (step >= 1000) std::snprintf(buf, sizeof buf, "%g s", ms / 1000);
    else if (ms >= 1000) std::snprintf(buf, sizeof buf, "%.*f s", step >= 100 ? 1 : 2, ms / 1000);
    else std::snprintf(buf, sizeof buf, "%g ms", ms);
    return buf;
}

void draw_time_axis(ImDrawList* dl, ImVec2 origin, float width, double span_ms, float tick_h) {
    const double step = nice_time_step(span_ms, std::max(2, int(width / 90)));
    for (double t = 0; t <= span_ms + 1e-9; t += step) {
        const float x = origin.x + float(t / span_ms) * width;
        dl->AddLine(ImVec2(x, origin.y), ImVec2(x, origin.y + tick_h), palette().axis_line);
        const std::string label = tick_label(t, step);
        // The last label ends at the axis' end instead of running past it.
        const float x_text = std::min(x + 3, origin.x + width - ImGui::CalcTextSize(label.c_str()).x - 2);
        dl->AddText(ImVec2(x_text, origin.y), palette().axis_text, label.c_str());
    }
}

void own_drag(ImGuiID id) { drag_owners.push_back(id); }
bool owns_drag(ImGuiID id) { return std::find(drag_owners.begin(), drag_owners.end(), id) != drag_owners.end(); }
void clear_drag_owners() { drag_owners.clear(); }

}  // namespace ap
