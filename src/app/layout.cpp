#include "app/layout.h"

#include <algorithm>
#include <cstdio>

#include "app/app.h"
#include "app/history_panel.h"
#include "app/ui_kit.h"
#include "imgui.h"
#include "imgui_internal.h"  // the tab bar's next selection: a tap is shown at once

namespace ap {

void layout_show(App& app, LayoutState::Panel panel) {
    app.layout.panel = panel;
    app.layout.select_panel = app.layout.select_narrow = true;
    app.needs_redraw = true;
}

void layout_show_code(App& app) {
    app.layout.show_code = app.layout.select_narrow = true;
    app.needs_redraw = true;
}

void layout_run_started(App& app, RunPurpose purpose, RunKind kind) {
    // A run of its own shows in "This run"; a race's or a sweep's keep their panel in view, and the learner's
    // program keeps the editor in view.
    if (kind == RunKind::path && (purpose == RunPurpose::learner || purpose == RunPurpose::run_each)) layout_show(app, LayoutState::Panel::run);
    else app.layout.select_narrow = true;
}

void app_clear_color(const App& app, float rgb[3]) {
    const float dark[3] = {0.09f, 0.10f, 0.12f}, light[3] = {0.95f, 0.95f, 0.96f};
    const float* c = app.view.light() ? light : dark;
    for (int i = 0; i < 3; ++i) rgb[i] = c[i];
}

static void draw_header(const App& app) {
    const ApiStatus& s = app.apis;
    char status[256];
    std::snprintf(status, sizeof status, "in-page API: %s   dev server: %s", !s.probed ? "starting" : s.inpage_ready ? "serving" : "unavailable",
                  !s.probed ? "probing" : s.server_ready ? "reachable" : s.server_checked ? "not found" : "not checked");
    const char* title = "Async API playground";
    const char* subtitle = " - one call at a time, or all waiting together? Fire real requests and time them.";
    const float avail = ImGui::GetContentRegionAvail().x;
    const float status_w = ImGui::CalcTextSize(status).x;
    const float gap = ImGui::GetFontSize() * 2;
    ImGui::TextUnformatted(title);
    if (ImGui::CalcTextSize(title).x + ImGui::CalcTextSize(subtitle).x + gap + status_w < avail) {
        ImGui::SameLine(0, 0);
        ImGui::TextColored(palette().dim, "%s", subtitle);
    }
    if (ImGui::CalcTextSize(title).x + gap + status_w < avail) ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - status_w));
    ImGui::TextColored(palette().dim, "%s", status);
    ImGui::Separator();
}

static void draw_settings(App& app, int64_t now_us) {
    if (app.view.locked(Lock::settings)) return;
    const char* label = ImGui::GetContentRegionAvail().x > ImGui::CalcTextSize("All settings: every code path, the API, failures").x + ImGui::GetFontSize() * 3
                            ? "All settings: every code path, the API, failures###settings" : "All settings###settings";
    const bool open = ImGui::CollapsingHeader(label);
    name_item(app, "settings");
    if (open) draw_settings_panel(app, now_us);
}

// The narrow layout's bar under every tab: Run, Cancel and the links, always in reach however small the
// frame (a 480 x 360 embed), wrapping onto a second line when they do not fit on one.
static void draw_action_bar(App& app, int64_t now_us) {
    const float top = ImGui::GetCursorPosY();
    ImGui::Separator();
    const Lesson* l = current_lesson(app);
    draw_run_buttons(app, now_us, l ? l->paths : std::vector<CodePath>{});
    same_line_if_fits(button_width("Copy link") + button_width("Copy embed code") + ImGui::GetStyle().ItemSpacing.x);
    draw_link_buttons(app);
    app.layout.action_bar_h = ImGui::GetCursorPosY() - top;
}

// One column (a phone, a small iframe): the parts become tabs; a run started shows its results.
static void draw_narrow(App& app, int64_t now_us) {
    LayoutState& lay = app.layout;
    using Tab = LayoutState::Tab;
    const Tab tabs[] = {Tab::lesson, Tab::code, Tab::run, Tab::race, Tab::scaling, Tab::history};
    const char* labels[] = {"Lesson", "Code", "Run", "Race", "Scale", "History"};
    const char* names[] = {"tab:lesson", "tab:code", "tab:run", "tab:race", "tab:scaling", "tab:history"};
    // What this frame selects; a control drawn in it (the action bar's Run) may ask again, for the next one.
    const bool select_now = lay.select_narrow;
    const Tab wanted = lay.show_code ? Tab::code : lay.panel == LayoutState::Panel::race ? Tab::race : lay.panel == LayoutState::Panel::scaling ? Tab::scaling : Tab::run;
    lay.select_narrow = lay.show_code = false;
    if (select_now) lay.narrow_tab = wanted;
    if (ImGui::BeginTabBar("narrow")) {
        for (int t = 0; t < 6; ++t) {
            const bool select = select_now && tabs[t] == wanted;
            const bool open = ImGui::BeginTabItem(labels[t], nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
            name_item(app, names[t]);
            if (!open) continue;
            if (!select) lay.narrow_tab = tabs[t];
            const float bar_h = lay.action_bar_h > 0 ? lay.action_bar_h : ImGui::GetFrameHeightWithSpacing() * 2.5f;
            ImGui::BeginChild("tab", ImVec2(0, std::max(ImGui::GetFrameHeight() * 3, ImGui::GetContentRegionAvail().y - bar_h)), false);
            name_region(app, "results");
            switch (tabs[t]) {
                case Tab::lesson:
                    draw_lesson_panel(app, now_us);
                    ImGui::Separator();
                    draw_progress_panel(app, now_us);
                    draw_settings(app, now_us);
                    break;
                case Tab::code: draw_code_panel(app, now_us); break;
                case Tab::run: draw_run_view(app, now_us); break;
                case Tab::race: draw_race_panel(app, now_us); break;
                case Tab::scaling: draw_scaling_panel(app, now_us); break;
                case Tab::history: draw_history_panel(app); break;
            }
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
        // A tab pressed this frame is shown from the next one: draw it now, or a tap (no pointer moves after it)
        // would switch tabs only at the next touch.
        if (ImGuiTabBar* bar = ImGui::GetCurrentContext()->CurrentTabBar; bar && bar->NextSelectedTabId != 0 && bar->NextSelectedTabId != bar->SelectedTabId)
            app.needs_redraw = true;
        ImGui::EndTabBar();
    }
    draw_action_bar(app, now_us);
}

static void draw_wide(App& app, int64_t now_us, float total_w) {
    LayoutState& lay = app.layout;
    lay.select_narrow = lay.show_code = false;
    const float left_w = std::clamp(total_w * 0.38f, 300.0f, 540.0f);
    ImGui::BeginChild("left", ImVec2(left_w, 0), false);
    draw_lesson_panel(app, now_us);
    ImGui::Separator();
    draw_progress_panel(app, now_us);
    draw_settings(app, now_us);
    ImGui::Separator();
    draw_code_panel(app, now_us);
    ImGui::EndChild();

    ImGui::SameLine();
    ImGui::BeginChild("right", ImVec2(0, 0), false);
    name_region(app, "results");
    const float top_h = std::max(260.0f, ImGui::GetContentRegionAvail().y * 0.72f);
    if (ImGui::BeginTabBar("views")) {
        using Panel = LayoutState::Panel;
        const Panel panels[] = {Panel::run, Panel::race, Panel::scaling};
        const char* labels[] = {"This run", "Race two paths", "Scaling"};
        const char* names[] = {"view:run", "view:race", "view:scaling"};
        // (What is asked for is read once: the tab still open this frame must not overwrite it before the
        // asked tab is reached; ImGui opens that one from the next frame.)
        const bool selecting = lay.select_panel;
        const Panel wanted = lay.panel;
        for (int t = 0; t < 3; ++t) {
            const bool select = selecting && wanted == panels[t];
            const bool open = ImGui::BeginTabItem(labels[t], nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
            name_item(app, names[t]);
            if (!open) continue;
            if (!selecting) lay.panel = panels[t];
            ImGui::BeginChild("view", ImVec2(0, top_h), false);
            if (panels[t] == Panel::run) draw_run_view(app, now_us);
            else if (panels[t] == Panel::race) draw_race_panel(app, now_us);
            else draw_scaling_panel(app, now_us);
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
        // A tab pressed this frame is shown from the next one: draw it now, or a tap (no pointer moves after it)
        // would switch tabs only at the next touch.
        if (ImGuiTabBar* bar = ImGui::GetCurrentContext()->CurrentTabBar; bar && bar->NextSelectedTabId != 0 && bar->NextSelectedTabId != bar->SelectedTabId)
            app.needs_redraw = true;
        ImGui::EndTabBar();
    }
    lay.select_panel = false;
    ImGui::Separator();
    draw_history_panel(app);
    ImGui::EndChild();
}

void app_draw(App& app, int64_t now_us) {
    use_palette(app.view.light());
    app.bars.used = 0;
    keyboard_begin_frame(app, now_us);
    code_panel_begin_frame(app);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground;
    if (app.view.embed) ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 4));
    ImGui::Begin("playground", nullptr, flags);
    if (app.view.embed) ImGui::PopStyleVar();
    if (!app.view.embed) draw_header(app);
    draw_api_banner(app);  // (in every view: above the layout's tabs)
    const float total_w = ImGui::GetContentRegionAvail().x;
    app.layout.narrow = total_w < 56 * ImGui::GetFontSize();
    if (app.layout.narrow) draw_narrow(app, now_us);
    else draw_wide(app, now_us, total_w);
    keyboard_end_frame(app);
    ImGui::End();
    code_panel_end_frame(app);
}

}  // namespace ap
