// ui.cpp — the page, drawn with Dear ImGui as a function of App state. Holds no state of its own that
// the model already has: the controls edit app.desc, the results read the scheduler and the history.
//
// [SECTION] Colours and small helpers
// [SECTION] Lesson panel (text, the lesson's code paths, claim, verdict, navigation)
// [SECTION] Controls panel (code path, N, latency, k, API, Run / Cancel)
// [SECTION] Code panel (the Python the run mirrors)
// [SECTION] Totals
// [SECTION] Waterfall (one bar per request on a shared time axis)
// [SECTION] Event-loop stepper
// [SECTION] History (past runs side by side on one axis)
// [SECTION] Page layout
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "app/app.h"
#include "core/code_view.h"
#include "core/embedded_text.h"
#include "core/lessons.h"
#include "core/stats.h"
#include "imgui.h"
#include "imgui_internal.h"  // ImGui::GetActiveID: is a widget being edited?

namespace ap {

//-------------------------------------------------------------------------------------------------
// [SECTION] Colours and small helpers
//-------------------------------------------------------------------------------------------------

static ImU32 outcome_color(Outcome o) {
    switch (o) {
        case Outcome::ok: return IM_COL32(84, 196, 124, 255);
        case Outcome::http_error: return IM_COL32(240, 162, 64, 255);
        case Outcome::network_error: return IM_COL32(232, 84, 84, 255);
        case Outcome::timeout: return IM_COL32(186, 112, 232, 255);
        case Outcome::cancelled: return IM_COL32(128, 128, 128, 255);
        case Outcome::in_flight: return IM_COL32(92, 160, 242, 255);
        case Outcome::pending: return IM_COL32(80, 80, 80, 255);
    }
    return IM_COL32_WHITE;
}
static const ImU32 queued_color = IM_COL32(150, 150, 150, 110);
static const ImU32 backoff_color = IM_COL32(240, 200, 90, 150);
static const ImU32 ready_color = IM_COL32(120, 200, 230, 120);
static const ImU32 cpu_color = IM_COL32(236, 214, 92, 255);
static const ImU32 stalled_color = IM_COL32(150, 170, 200, 255);
// Text and line colours that depend on the theme; set at the start of every frame (see use_theme).
static ImVec4 note_color, dim_color, good_color, bad_color, title_color;
static ImU32 axis_line_color, axis_text_color, track_color, outline_color, focus_color;

static void use_theme(bool light) {
    static int applied = -1;
    if (applied != int(light)) {
        applied = int(light);
        if (light) ImGui::StyleColorsLight();
        else ImGui::StyleColorsDark();
        ImGuiStyle& style = ImGui::GetStyle();
        style.WindowRounding = 0;
        style.FrameRounding = 3;
        style.GrabRounding = 3;
        if (light) style.Colors[ImGuiCol_WindowBg] = ImVec4(0.95f, 0.95f, 0.96f, 1.0f);
    }
    if (light) {
        note_color = ImVec4(0.62f, 0.36f, 0.0f, 1.0f);
        dim_color = ImVec4(0.36f, 0.38f, 0.42f, 1.0f);
        good_color = ImVec4(0.05f, 0.50f, 0.20f, 1.0f);
        bad_color = ImVec4(0.75f, 0.15f, 0.12f, 1.0f);
        title_color = ImVec4(0.10f, 0.32f, 0.65f, 1.0f);
        axis_line_color = IM_COL32(0, 0, 0, 45);
        axis_text_color = IM_COL32(70, 72, 80, 255);
        track_color = IM_COL32(0, 0, 0, 14);
        outline_color = IM_COL32(20, 20, 30, 255);
        focus_color = IM_COL32(20, 90, 220, 255);
    } else {
        note_color = ImVec4(0.98f, 0.80f, 0.35f, 1.0f);
        dim_color = ImVec4(0.62f, 0.64f, 0.68f, 1.0f);
        good_color = ImVec4(0.45f, 0.85f, 0.55f, 1.0f);
        bad_color = ImVec4(1.0f, 0.50f, 0.45f, 1.0f);
        title_color = ImVec4(0.62f, 0.80f, 1.0f, 1.0f);
        axis_line_color = IM_COL32(255, 255, 255, 40);
        axis_text_color = IM_COL32(190, 192, 198, 255);
        track_color = IM_COL32(255, 255, 255, 12);
        outline_color = IM_COL32_WHITE;
        focus_color = IM_COL32(255, 210, 80, 255);
    }
}

static const char* api_label(Api a) {
    switch (a) {
        case Api::page: return "In-page API (service worker)";
        case Api::server: return "Dev server (real sockets)";
        case Api::simulated: return "Simulated (virtual time)";
    }
    return "?";
}

// A tick step of 1, 2 or 5 x 10^k ms giving at most max_ticks ticks over range_ms.
static double nice_step(double range_ms, int max_ticks) {
    const double raw = std::max(range_ms / std::max(1, max_ticks), 0.001);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * mag >= raw) return m * mag;
    }
    return 10 * mag;
}

static std::string tick_label(double ms, double step) {
    char buf[32];
    if (step >= 1000) std::snprintf(buf, sizeof buf, "%g s", ms / 1000);
    else if (ms >= 1000) std::snprintf(buf, sizeof buf, "%.*f s", step >= 100 ? 1 : 2, ms / 1000);
    else std::snprintf(buf, sizeof buf, "%g ms", ms);
    return buf;
}

static void wrapped_note(const std::string& s, const ImVec4& color = note_color) {
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextWrapped("%s", s.c_str());
    ImGui::PopStyleColor();
}

// Records where the last item was drawn under `name` (see App::widget_rects), and its id, so that Tab can
// move to it and Enter or Space can press it. id_override: the part of a compound widget that takes keys.
static void name_item(App& app, const std::string& name, ImGuiID id_override = 0) {
    const ImGuiContext& g = *GImGui;
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const ImGuiID id = id_override ? id_override : g.LastItemData.ID;
    const bool enabled = (g.LastItemData.InFlags & ImGuiItemFlags_Disabled) == 0;
    app.widget_rects.push_back(App::WidgetRect{name, a.x, a.y, b.x - a.x, b.y - a.y, id, ImGui::GetCurrentWindow(), enabled});
}

// An integer field, registered under `name` (see name_item).
static bool int_field(App& app, const char* label, const char* name, int* v, int step, float width_em = 9) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * width_em);
    // InputInt is a group; its text box (what Tab should reach) is the "" item under the label's id.
    ImGui::PushID(label);
    const ImGuiID text_id = ImGui::GetID("");
    ImGui::PopID();
    const bool edited = ImGui::InputInt(label, v, step, step * 10);
    name_item(app, name, text_id);
    return edited;
}

//-------------------------------------------------------------------------------------------------
// [SECTION] Lesson panel
//-------------------------------------------------------------------------------------------------

// Run, "Run each path" (when the lesson offers several), Cancel.
static void draw_run_buttons(App& app, int64_t now_us, const std::vector<CodePath>& paths) {
    const float button_w = ImGui::GetFontSize() * 7;
    const bool running = app.scheduler.running() || !app.queued_paths.empty();
    const char* label = app.start_requested ? "Starting..." : app.scheduler.running() ? "Run again" : "Run";
    if (ImGui::Button(label, ImVec2(button_w, 0))) app.start_requested = true;  // started by the platform
    name_item(app, "run");
    if (paths.size() > 1) {
        ImGui::SameLine();
        if (ImGui::Button("Run each path", ImVec2(button_w * 1.5f, 0))) app_run_each(app, now_us);
        name_item(app, "run-each");
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!running);
    if (ImGui::Button("Cancel", ImVec2(button_w, 0))) app_cancel(app, now_us);
    name_item(app, "cancel");
    ImGui::EndDisabled();
}


// ✓ and ✗ drawn, not typed: the built-in font has no such glyphs.
static void verdict_mark(bool ok) {
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 col = ImGui::GetColorU32(ok ? good_color : bad_color);
    if (ok) {
        ImGui::RenderCheckMark(dl, ImVec2(p.x + 1, p.y + 1), col, h - 2);
    } else {
        dl->AddLine(ImVec2(p.x + 2, p.y + 2), ImVec2(p.x + h - 2, p.y + h - 2), col, 2);
        dl->AddLine(ImVec2(p.x + h - 2, p.y + 2), ImVec2(p.x + 2, p.y + h - 2), col, 2);
    }
    ImGui::Dummy(ImVec2(h, h));
    ImGui::SameLine();
}

static std::string without_mark(const std::string& line) {
    const size_t cut = line.find("  \xe2\x9c");
    return cut == std::string::npos ? line : line.substr(0, cut);
}

static bool lesson_done(const App& app, int i) {
    return std::find(app.done.begin(), app.done.end(), app.lessons[size_t(i)].id) != app.done.end();
}

// Controls that use a drag themselves (a slider, a marker), registered by the frame that draws them.
static std::vector<ImGuiID> drag_owners;

// Predict, then run: a track from 0 to a bit past the plain loop's time; drag (or tap) the marker to the
// wall time you expect, then Run. The score of the last guessed run stays below the track.
static void draw_prediction(App& app) {
    if (ImGui::Checkbox("Predict first", &app.predicting)) app.dirty = true;
    name_item(app, "predict");
    if (!app.predicting) return;
    const RunDesc& d = app.desc;
    const double top = std::max({sequential_estimate_ms(d), app_expectation(app).wall_ms, 1.0}) * 1.15;
    const float em = ImGui::GetFontSize();
    const ImVec2 size(std::max(100.0f, ImGui::GetContentRegionAvail().x), em * 2.6f);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("predict-track", size);
    name_item(app, "predict-track");
    drag_owners.push_back(ImGui::GetItemID());
    const float x0 = p.x + em * 0.6f, w = size.x - em * 1.2f, y = p.y + em * 0.9f;
    if (ImGui::IsItemActive()) {
        app.guess_ms = std::clamp(double((ImGui::GetIO().MousePos.x - x0) / w) * top, 0.0, top);
        app.dirty = true;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddLine(ImVec2(x0, y), ImVec2(x0 + w, y), axis_text_color, 2);
    const double step = nice_step(top, std::max(2, int(w / (em * 4))));
    for (double t = 0; t <= top + 1e-9; t += step) {
        const float x = x0 + float(t / top) * w;
        dl->AddLine(ImVec2(x, y - 3), ImVec2(x, y + 3), axis_text_color);
        dl->AddText(ImVec2(x - 2, y + 4), axis_text_color, tick_label(t, step).c_str());
    }
    if (app.guess_ms >= 0) {
        const float x = x0 + float(app.guess_ms / top) * w;
        dl->AddTriangleFilled(ImVec2(x, y + 1), ImVec2(x - em * 0.5f, y - em * 0.8f), ImVec2(x + em * 0.5f, y - em * 0.8f), focus_color);
        ImGui::Text("Your guess: %s. Now press Run.", format_duration_ms(app.guess_ms).c_str());
    } else {
        ImGui::TextColored(dim_color, "Drag the marker to the total time you expect, then press Run.");
    }
    if (app.scored.valid) {
        const App::Scored& sc = app.scored;
        ImGui::PushStyleColor(ImGuiCol_Text, sc.score.stars >= 2 ? good_color : sc.score.stars == 1 ? note_color : bad_color);
        ImGui::TextWrapped("Run #%u: you guessed %s, it took %s: %s (%d of 3 stars)", sc.run_number, format_duration_ms(sc.guess_ms).c_str(),
                           format_duration_ms(sc.wall_ms).c_str(), sc.score.words.c_str(), sc.score.stars);
        ImGui::PopStyleColor();
    }
}

static void draw_lesson(App& app, int64_t now_us) {
    if (app.lessons.empty()) {
        wrapped_note("No lessons loaded.");
        for (const std::string& e : app.lesson_errors) wrapped_note(e);
        return;
    }
    const int count = int(app.lessons.size());
    const Lesson& l = app.lessons[size_t(app.lesson)];
    const bool lesson_locked = app.view.locked(Lock::lesson);
    ImGui::BeginDisabled(app.lesson == 0 || lesson_locked);
    if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) app_select_lesson(app, app.lesson - 1, now_us);
    name_item(app, "lesson:prev");
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Text("Lesson %d of %d", app.lesson + 1, count);
    ImGui::SameLine();
    ImGui::BeginDisabled(app.lesson + 1 >= count || lesson_locked);
    if (ImGui::ArrowButton("##next", ImGuiDir_Right)) app_select_lesson(app, app.lesson + 1, now_us);
    name_item(app, "lesson:next");
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x);
    ImGui::BeginDisabled(lesson_locked);
    const bool open = ImGui::BeginCombo("##lessons", "all lessons");
    name_item(app, "lesson:list");
    ImGui::EndDisabled();
    if (open) {
        for (int i = 0; i < count; ++i) {
            // Progress marks: a check for every lesson whose claim the learner has seen hold.
            if (lesson_done(app, i)) verdict_mark(true);
            else ImGui::Dummy(ImVec2(ImGui::GetTextLineHeight(), 0)), ImGui::SameLine();
            const std::string label = std::to_string(i + 1) + ". " + app.lessons[size_t(i)].title;
            if (ImGui::Selectable(label.c_str(), i == app.lesson)) app_select_lesson(app, i, now_us);
            name_item(app, "lesson:" + app.lessons[size_t(i)].id);
        }
        ImGui::EndCombo();
    }
    if (lesson_done(app, app.lesson)) verdict_mark(true);
    ImGui::PushStyleColor(ImGuiCol_Text, title_color);
    ImGui::TextWrapped("%s", l.title.c_str());
    ImGui::PopStyleColor();
    const float text_h = std::min(ImGui::GetTextLineHeightWithSpacing() * 9, ImGui::GetContentRegionAvail().y * 0.3f);
    ImGui::BeginChild("lesson-text", ImVec2(0, text_h), false);
    for (const std::string& p : l.paragraphs) {
        ImGui::TextWrapped("%s", p.c_str());
        ImGui::Spacing();
    }
    ImGui::EndChild();

    // The code paths this lesson lets the learner toggle (wrapping onto a new line on a narrow page).
    ImGui::BeginDisabled(app.view.locked(Lock::path));
    for (size_t i = 0; i < l.paths.size(); ++i) {
        const CodePathInfo& info = code_path_info(l.paths[i]);
        const float w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(info.label).x;
        if (i && ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w < ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) ImGui::SameLine();
        if (ImGui::RadioButton(info.label, app.desc.path == l.paths[i])) app.desc.path = l.paths[i];
        name_item(app, std::string("lesson-path:") + info.name);
    }
    ImGui::EndDisabled();
    // The numbers the claim is about, editable right here.
    RunDesc& d = app.desc;
    bool edited = false;
    ImGui::BeginDisabled(app.view.locked(Lock::n));
    edited |= int_field(app, "N", "n", &d.count, 1, 6.5f);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(app.view.locked(Lock::latency));
    edited |= int_field(app, "latency ms", "latency", &d.latency_ms, 50, 6.5f);
    ImGui::EndDisabled();
    if (code_path_info(d.path).schedule == Schedule::k_at_a_time) {
        if (ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 24) ImGui::SameLine();
        ImGui::BeginDisabled(app.view.locked(Lock::limit));
        edited |= int_field(app, "k", "limit", &d.limit, 1, 6.5f);
        ImGui::EndDisabled();
    }
    if (edited) app.input_notes = clamp_run_desc(&d);
    draw_prediction(app);
    const bool revealed = !app.predicting || (app_shown_run(app).state == RunState::finished && app_shown_run(app).desc.path == d.path &&
                                               app_shown_run(app).desc.count == d.count && app_shown_run(app).desc.latency_ms == d.latency_ms);
    if (revealed) ImGui::TextWrapped("Claim: %s", app_expectation(app).claim.c_str());
    else ImGui::TextColored(dim_color, "Claim: hidden until you run these numbers (you are predicting).");
    draw_run_buttons(app, now_us, l.paths);
    if (ImGui::SmallButton("Copy link") && app.on_copy_link) app.on_copy_link(app_permalink_query(app));
    name_item(app, "copy-link");
    ImGui::SameLine();
    if (ImGui::SmallButton("Copy embed code") && app.on_copy_embed) app.on_copy_embed(app_permalink_query(app));
    name_item(app, "copy-embed");
    if (app.view.locks) {
        std::string list;
        for (int k = 0; k < lock_count; ++k)
            if (app.view.locked(Lock(k))) list += (list.empty() ? "" : ", ") + std::string(lock_name(Lock(k)));
        ImGui::SameLine();
        ImGui::TextColored(dim_color, "fixed by the teacher: %s", list.c_str());
    }
    for (const std::string& n : app.input_notes) wrapped_note(n);
    if (app.verdict.valid) {
        const Verdict& v = app.verdict.verdict;
        verdict_mark(v.ok);
        ImGui::PushStyleColor(ImGuiCol_Text, v.ok ? good_color : bad_color);
        ImGui::TextWrapped("%s: %s", app.verdict.path.c_str(), without_mark(v.line).c_str());
        ImGui::PopStyleColor();
        if (!v.reason.empty()) wrapped_note(v.reason);
    } else if (app.scheduler.running() && app.verdict.generation == app.scheduler.run().generation) {
        ImGui::TextColored(dim_color, "%s: measuring...", app.verdict.path.c_str());
    }
    for (const std::string& e : app.lesson_errors) wrapped_note(e);
}

//-------------------------------------------------------------------------------------------------
// [SECTION] Controls panel
//-------------------------------------------------------------------------------------------------

static void draw_controls(App& app, int64_t now_us) {
    RunDesc& d = app.desc;

    ImGui::TextColored(dim_color, "How the Python calls the API");
    // Grouped by how they let requests overlap: the grouping is half the lesson.
    struct Group { const char* title; Schedule schedule; };
    const Group groups[] = {{"one at a time", Schedule::one_at_a_time},
                            {"all at once", Schedule::all_at_once},
                            {"at most k at once", Schedule::k_at_a_time}};
    ImGui::BeginDisabled(app.view.locked(Lock::path));
    const bool paths_table = ImGui::BeginTable("paths", 2, ImGuiTableFlags_SizingStretchSame);
    if (paths_table) {
        for (const Group& g : groups) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextColored(dim_color, "%s", g.title);
            ImGui::TableNextRow();
            for (int i = 0; i < code_path_count; ++i) {
                const CodePathInfo& info = code_path_info(CodePath(i));
                if (info.schedule != g.schedule) continue;
                ImGui::TableNextColumn();
                if (ImGui::RadioButton(info.label, d.path == CodePath(i))) d.path = CodePath(i);
                name_item(app, std::string("path:") + info.name);
            }
        }
        ImGui::EndTable();
    }
    ImGui::EndDisabled();
    ImGui::Spacing();

    bool edited = false;
    ImGui::BeginDisabled(app.view.locked(Lock::n));
    edited |= int_field(app, "requests (N)", "n", &d.count, 1);
    ImGui::EndDisabled();
    ImGui::BeginDisabled(app.view.locked(Lock::latency));
    edited |= int_field(app, "latency (ms)", "latency", &d.latency_ms, 50);
    ImGui::EndDisabled();
    ImGui::BeginDisabled(code_path_info(d.path).schedule != Schedule::k_at_a_time || app.view.locked(Lock::limit));
    edited |= int_field(app, "limit (k)", "limit", &d.limit, 1);
    ImGui::EndDisabled();
    if (ImGui::TreeNode("Latency, CPU and failures")) {
        const char* spreads[] = {"every call the same", "uneven (0.5 to 1.5 x)", "a slow tail"};
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
        int spread = int(d.spread);
        if (ImGui::Combo("latencies", &spread, spreads, spread_count)) {
            d.spread = Spread(spread);
            edited = true;
        }
        name_item(app, "spread");
        if (d.spread == Spread::slow_tail) {
            edited |= int_field(app, "slow: one in", "slow-every", &d.slow_every, 1);
            edited |= int_field(app, "slow latency (ms)", "slow-ms", &d.slow_ms, 100);
        }
        edited |= int_field(app, "CPU per answer (ms)", "cpu", &d.cpu_ms, 10);
        // Only the retries program has a timeout of its own and retries; the others keep a 20 s timeout.
        ImGui::BeginDisabled(d.path != CodePath::retry_backoff);
        edited |= int_field(app, "timeout (ms)", "timeout", &d.timeout_ms, 100);
        edited |= int_field(app, "retries", "retries", &d.retries, 1);
        edited |= int_field(app, "backoff (ms)", "backoff", &d.backoff_ms, 50);
        ImGui::EndDisabled();
        if (d.path != CodePath::retry_backoff) ImGui::TextColored(dim_color, "(timeout, retries, back-off: the retries program's)");
        edited |= int_field(app, "API fails (%)", "fail", &d.fail_pct, 5);
        edited |= int_field(app, "answer status", "status", &d.status, 1);
        ImGui::TreePop();
    }
    if (edited) app.input_notes = clamp_run_desc(&d);

    ImGui::Spacing();
    ImGui::TextColored(dim_color, "Which API answers");
    ImGui::SetNextItemWidth(std::min(ImGui::GetFontSize() * 17, ImGui::GetContentRegionAvail().x));
    ImGui::BeginDisabled(app.view.locked(Lock::api));
    const bool api_open = ImGui::BeginCombo("##api", api_label(d.api));
    name_item(app, "api");
    ImGui::EndDisabled();
    if (api_open) {
        for (int i = 0; i < api_count; ++i) {
            if (ImGui::Selectable(api_label(Api(i)), d.api == Api(i))) d.api = Api(i);
            name_item(app, std::string("api:") + api_name(Api(i)));
        }
        ImGui::EndCombo();
    }
    const ApiStatus& s = app.apis;  // a copy would go stale when the server URL is edited below
    switch (d.api) {
        case Api::page:
            if (s.inpage_ready) wrapped_note("Answered inside this page after the delay: no server, no connection cap.", dim_color);
            else wrapped_note("Not available: " + s.inpage_note + " Runs fall back to the simulated API.");
            break;
        case Api::server:
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 17);
            if (ImGui::InputText("server", app.server_url_edit, sizeof app.server_url_edit, ImGuiInputTextFlags_EnterReturnsTrue)) {
                app_set_server_base(app, app.server_url_edit);
            }
            name_item(app, "server-url");
            if (s.server_ready) wrapped_note("Real sockets to " + s.server_base + ": the browser allows 6 connections per host.", dim_color);
            else if (!s.server_checked) wrapped_note("Real sockets to " + s.server_base + " (" + s.server_note + ").", dim_color);
            else wrapped_note("No dev server answered at " + (s.server_base.empty() ? std::string("this page's origin") : s.server_base) +
                              " (" + s.server_note + "). Start one with tools/serve; until then these requests fail, and each failure says why.");
            break;
        case Api::simulated:
            wrapped_note("No network: a virtual clock answers each request after exactly its latency.", dim_color);
            break;
    }

    ImGui::Spacing();
    if (app.lessons.empty()) {  // otherwise the lesson panel above shows the claim and the buttons
        ImGui::TextWrapped("Claim: %s", app_expectation(app).claim.c_str());
        ImGui::Spacing();
        draw_run_buttons(app, now_us, {});
    }
}

//-------------------------------------------------------------------------------------------------
// [SECTION] Code panel
//-------------------------------------------------------------------------------------------------

static ImU32 span_color(SpanKind k) {
    switch (k) {
        case SpanKind::plain: return IM_COL32(214, 216, 222, 255);
        case SpanKind::keyword: return IM_COL32(198, 146, 234, 255);
        case SpanKind::builtin: return IM_COL32(130, 190, 255, 255);
        case SpanKind::string: return IM_COL32(152, 204, 120, 255);
        case SpanKind::comment: return IM_COL32(128, 134, 148, 255);
        case SpanKind::number: return IM_COL32(240, 170, 110, 255);
    }
    return IM_COL32_WHITE;
}

static ImU32 phase_color(Phase p, int alpha) {
    switch (p) {
        case Phase::queued: return IM_COL32(150, 150, 150, alpha);
        case Phase::waiting: return IM_COL32(92, 160, 242, alpha);
        case Phase::handling: return IM_COL32(236, 214, 92, alpha);
        case Phase::backing_off: return IM_COL32(240, 200, 90, alpha);
        case Phase::none: break;
    }
    return IM_COL32(0, 0, 0, 0);
}

// The code, coloured; during a run each marked line shows how many requests are at it; a clicked bar
// lights its line, a clicked line lights its bars.
static void draw_code(App& app, int64_t now_us) {
    const RunDesc& d = app.desc;
    ImGui::TextColored(dim_color, "The Python this run mirrors: %s", python_file_for(d.path));
    // The program with the learner's numbers, split and coloured once per change of the settings.
    App::CodeCache& cache = app.code_cache;
    if (!cache.valid || !(cache.desc == d)) {
        cache.valid = true;
        cache.desc = d;
        cache.lines = code_lines(render_tagged_snippet(python_for(d.path), d));
        cache.spans.clear();
        for (const CodeLine& line : cache.lines) cache.spans.push_back(python_spans(line.text));
        cache.gaps = snippet_gaps(python_for(d.path), d);
    }
    const std::vector<CodeLine>& lines = cache.lines;
    for (const std::string& gap : cache.gaps) wrapped_note(gap);

    const Run& run = app_shown_run(app);
    int counts[phase_count] = {};
    const bool replaying = app.replay_ms >= 0 && run.state != RunState::running && run.state != RunState::idle;
    const bool live = (run.state == RunState::running || replaying) && run.desc.path == d.path;
    if (live) {
        // Where every request is: now, or at the replay slider's instant.
        const int64_t t = replaying ? run.start_us + int64_t(app.replay_ms * 1000) : now_us;
        for (const RequestTrace& r : run.requests) ++counts[int(request_phase(r, t))];
    }
    const float min_h = ImGui::GetTextLineHeightWithSpacing() * 16;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(20, 22, 27, 255));
    ImGui::BeginChild("code", ImVec2(0, std::max(min_h, ImGui::GetContentRegionAvail().y)), true, ImGuiWindowFlags_HorizontalScrollbar);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float line_h = ImGui::GetTextLineHeight();
    const float width = std::max(ImGui::GetContentRegionAvail().x, ImGui::CalcTextSize("x").x * 64);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 0));
    bool named[phase_count] = {};
    for (size_t i = 0; i < lines.size(); ++i) {
        const CodeLine& line = lines[i];
        const ImVec2 p = ImGui::GetCursorScreenPos();
        if (!ImGui::IsRectVisible(ImVec2(width, line_h))) {  // scrolled out of sight: only its place
            ImGui::Dummy(ImVec2(width, line_h));
            continue;
        }
        Phase lit = Phase::none;
        int count = 0;
        for (int ph = 1; ph < phase_count; ++ph) {
            if (!(line.phases & phase_bit(Phase(ph)))) continue;
            if (app.selected_phase == ph || (live && counts[ph] > 0)) lit = Phase(ph);
            count += live ? counts[ph] : 0;
        }
        if (lit != Phase::none) dl->AddRectFilled(p, ImVec2(p.x + width, p.y + line_h), phase_color(lit, app.selected_phase == int(lit) ? 90 : 55));
        ImGui::PushID(int(i));
        if (ImGui::InvisibleButton("line", ImVec2(width, line_h)) && line.phases) {
            int first = 0;
            for (int ph = 1; ph < phase_count && !first; ++ph) if (line.phases & phase_bit(Phase(ph))) first = ph;
            app.selected_phase = app.selected_phase == first ? -1 : first;
            app.dirty = true;
        }
        ImGui::PopID();
        for (int ph = 1; ph < phase_count; ++ph) {
            if ((line.phases & phase_bit(Phase(ph))) && !named[ph]) {
                named[ph] = true;
                name_item(app, std::string("code-line:") + phase_name(Phase(ph)));
            }
        }
        float x = p.x + 4;
        for (const Span& s : cache.spans[i]) {
            const char* b = line.text.c_str() + s.begin;
            const char* e = line.text.c_str() + s.end;
            dl->AddText(ImVec2(x, p.y), span_color(s.kind), b, e);
            x += ImGui::CalcTextSize(b, e).x;
        }
        if (count > 0) {
            char badge[64];
            std::snprintf(badge, sizeof badge, "%d %s", count, phase_label(lit));
            const float bw = ImGui::CalcTextSize(badge).x;
            const float bx = std::max(x + 12, p.x + ImGui::GetContentRegionAvail().x - bw - 6);
            dl->AddRectFilled(ImVec2(bx - 4, p.y), ImVec2(bx + bw + 4, p.y + line_h), phase_color(lit, 220), 3);
            dl->AddText(ImVec2(bx, p.y), IM_COL32(20, 22, 27, 255), badge);
        }
    }
    ImGui::PopStyleVar();
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

//-------------------------------------------------------------------------------------------------
// [SECTION] Totals
//-------------------------------------------------------------------------------------------------

static void draw_totals(const Run& run, const RunStats& s, bool running, int64_t now_us) {
    const RunDesc& d = run.desc;
    if (running) {
        ImGui::Text("Running %s, %d x %d ms, %s: %d of %d done, %d in flight, %s so far", code_path_name(d.path), d.count,
                    d.latency_ms, api_name(d.api), run.ended, d.count, run.in_flight,
                    format_duration_ms(double(now_us - run.start_us) / 1000).c_str());
    } else {
        ImGui::Text("%s run: %s, %d x %d ms, %s API", run.state == RunState::cancelled ? "Cancelled" : "Last",
                    code_path_name(d.path), d.count, d.latency_ms, api_name(d.api));
    }
    // Label over value in each cell, so the cells can flow into two rows on a narrow page.
    const int columns = ImGui::GetContentRegionAvail().x < 48 * ImGui::GetFontSize() ? 4 : 7;
    if (ImGui::BeginTable("totals", columns, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
        char buf[64];
        auto cell = [](const char* label, const std::string& v) {
            ImGui::TableNextColumn();
            ImGui::TextColored(dim_color, "%s", label);
            ImGui::TextUnformatted(v.c_str());
        };
        cell("wall", running ? "..." : format_duration_ms(s.wall_ms));
        cell("sum of calls", format_duration_ms(s.sum_ms));
        cell("slowest", format_duration_ms(s.slowest_ms));
        cell("mean", format_duration_ms(s.mean_ms));
        cell("expected", format_duration_ms(s.expected_ms));
        if (running || run.state == RunState::cancelled) std::snprintf(buf, sizeof buf, "- of %.1fx", s.expected_speedup);
        else std::snprintf(buf, sizeof buf, "%.1fx of %.1fx", s.speedup, s.expected_speedup);
        cell("speedup", buf);
        std::snprintf(buf, sizeof buf, "%d", s.peak_in_flight);
        cell("peak in flight", buf);
        ImGui::EndTable();
    }
    if (!running) {
        for (const std::string& n : explain_run(run, s)) wrapped_note(n);
    }
}

//-------------------------------------------------------------------------------------------------
// [SECTION] Waterfall
//-------------------------------------------------------------------------------------------------

static void draw_axis(ImDrawList* dl, ImVec2 origin, float width, double span_ms, float tick_h) {
    const double step = nice_step(span_ms, std::max(2, int(width / 90)));
    const ImU32 line = axis_line_color, text = axis_text_color;
    for (double t = 0; t <= span_ms + 1e-9; t += step) {
        const float x = origin.x + float(t / span_ms) * width;
        dl->AddLine(ImVec2(x, origin.y), ImVec2(x, origin.y + tick_h), line);
        const std::string label = tick_label(t, step);
        dl->AddText(ImVec2(x + 3, origin.y), text, label.c_str());
    }
}

// Where bars go: into a batch for the platform's instanced pass (one draw call, no blending), or, without
// one (the native tests), straight into ImGui's draw list. Translucent colours are blended against the
// page's background first, so the instanced pass can draw every bar opaque.
struct BarSink {
    App& app;
    ImDrawList* dl;
    BarBatch* batch = nullptr;
    float bg[3];

    // instanced = false: a few bars (a history row's 30 pixel rows) are cheaper through ImGui's own list than a
    // pass of their own, whose state changes cost more WebGL calls than the bars.
    BarSink(App& a, ImDrawList* list, bool instanced = true) : app(a), dl(list) {
        app_clear_color(app, bg);
        if (!app.bar_pass || !instanced) return;
        if (app.bar_batches_used == app.bar_batches.size()) app.bar_batches.emplace_back();
        batch = &app.bar_batches[app.bar_batches_used++];
        batch->rects.clear();
        batch->colors.clear();
    }
    void rect(ImVec2 a, ImVec2 b, ImU32 col) {
        if (!batch) {
            dl->AddRectFilled(a, b, col);
            return;
        }
        const float alpha = float((col >> IM_COL32_A_SHIFT) & 0xFF) / 255.0f;
        ImU32 out = IM_COL32_A_MASK;
        for (int c = 0; c < 3; ++c) {
            const float v = float((col >> (8 * c)) & 0xFF) / 255.0f;
            out |= ImU32(std::lround((v * alpha + bg[c] * (1 - alpha)) * 255.0f)) << (8 * c);
        }
        // Rows of a pixel or two: a run of rows whose bars line up is one shape. Bars covering the same
        // pixels (a gather's block) make a rectangle; bars that shift by the same step row after row (a
        // loop's staircase) make a parallelogram, within half a device pixel of every bar. A software
        // rasteriser pays per triangle far more than per pixel: 440 one-pixel rows cost ~10 ms, one shape
        // nothing.
        const float px = ImGui::GetIO().DisplayFramebufferScale.x;
        const float x0 = std::round(a.x * px) / px, x1 = std::max(std::round(b.x * px) / px, x0 + 1 / px);
        const float tolerance = 0.5f / px;
        for (Band& o : open) {
            if (o.color != out) continue;
            float* r = &batch->rects[o.at * 6];  // top x0, top x1, bottom x0, bottom x1, y0, y1
            const bool below = a.y <= r[5] + 0.01f && b.y >= r[5] && a.y > o.last_y + 0.01f && b.y - a.y <= 2.5f;
            if (below && o.rows == 1 && std::fabs((x1 - x0) - (o.last_x1 - o.last_x0)) <= tolerance &&
                std::fabs(x0 - o.last_x0) <= 4 / px) {
                o.step0 = (x0 - o.last_x0) / (a.y - o.last_y);  // the second row sets the slope
                o.step1 = (x1 - o.last_x1) / (a.y - o.last_y);
            } else if (!below || o.rows == 1 || std::fabs(o.last_x0 + o.step0 * (a.y - o.last_y) - x0) > tolerance ||
                       std::fabs(o.last_x1 + o.step1 * (a.y - o.last_y) - x1) > tolerance) {
                o = Band{out, batch->colors.size(), 1, x0, x1, a.y, 0, 0};  // a new shape for this colour
                batch->rects.insert(batch->rects.end(), {x0, x1, x0, x1, a.y, b.y});
                batch->colors.push_back(out);
                return;
            }
            ++o.rows;
            o.last_x0 = x0, o.last_x1 = x1, o.last_y = a.y;
            r[2] = x0 + o.step0 * (b.y - a.y);  // the bottom edge, where the band's slope takes it
            r[3] = x1 + o.step1 * (b.y - a.y);
            r[5] = b.y;
            return;
        }
        open.push_back(Band{out, batch->colors.size(), 1, x0, x1, a.y, 0, 0});
        batch->rects.insert(batch->rects.end(), {x0, x1, x0, x1, a.y, b.y});
        batch->colors.push_back(out);
    }
    struct Band {
        ImU32 color;
        size_t at;             // its shape in the batch
        int rows;
        float last_x0, last_x1, last_y;  // the last bar that joined it
        float step0, step1;    // how far its edges move per pixel of height
    };
    std::vector<Band> open;  // per colour: the shape a next bar may join
    // Hands the batch to the platform at this point of the draw order: what the list gets next is on top.
    void flush() {
        if (!batch || batch->colors.empty()) return;
        dl->AddCallback(app.bar_pass, batch);
        dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
    }
};

// Zoom: buttons for touch and keyboard; Ctrl+wheel (a trackpad's pinch) or a two-finger pinch also work.
static void draw_zoom_buttons(App& app) {
    if (ImGui::SmallButton(" - ")) app.zoom /= 1.5f;
    name_item(app, "zoom:out");
    ImGui::SameLine();
    if (ImGui::SmallButton(" + ")) app.zoom *= 1.5f;
    name_item(app, "zoom:in");
    ImGui::SameLine();
    if (ImGui::SmallButton("fit")) app.zoom = 1;
    name_item(app, "zoom:fit");
    ImGui::SameLine();
    ImGui::TextColored(dim_color, "zoom %.1fx%s", app.zoom, app.zoom > 1 ? "  (drag or scroll sideways)" : "");
}

// One bar per request on a time axis from 0 to span_ms. `id` names the panel (several can share the zoom);
// `interactive`: a click selects a request and lights its code line.
static void draw_waterfall(App& app, const Run& run, double span_ms, int64_t now_us, float height, const char* id = "waterfall",
                           bool interactive = true) {
    const int n = int(run.requests.size());
    const float label_h = ImGui::GetTextLineHeight() + 2;
    const float old_zoom = interactive ? app.zoom_shown : app.zoom;
    ImGui::BeginChild(id, ImVec2(0, height), true, ImGuiWindowFlags_HorizontalScrollbar);
    {
        const ImVec2 a = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
        app.widget_rects.push_back(App::WidgetRect{id, a.x, a.y, size.x, size.y});
    }
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsWindowHovered() && io.KeyCtrl && io.MouseWheel != 0) app.zoom *= std::pow(1.25f, io.MouseWheel);
    app.zoom = std::clamp(app.zoom, 1.0f, 64.0f);
    const float view_w = std::max(10.0f, ImGui::GetContentRegionAvail().x - 4);
    if (app.zoom != old_zoom) {
        // Keep the instant in the middle of the view where it was.
        const float mid = (ImGui::GetScrollX() + view_w / 2) / old_zoom;
        ImGui::SetScrollX(std::max(0.0f, mid * app.zoom - view_w / 2));
        app.dirty = true;
    }
    if (interactive) app.zoom_shown = app.zoom;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 top = ImGui::GetCursorScreenPos();
    const float width = view_w * app.zoom;
    const float rows_h = std::max(20.0f, ImGui::GetContentRegionAvail().y - label_h);
    const float row_h = std::clamp(rows_h / std::max(1, n), 1.0f, 16.0f);
    const float bar_h = row_h >= 4 ? row_h - 1 : row_h;

    draw_axis(dl, top, width, span_ms, rows_h + label_h + ImGui::GetScrollY());
    // Reserve the full height so the child scrolls when 10,000 rows do not fit.
    ImGui::Dummy(ImVec2(width, label_h + row_h * n));
    const ImVec2 rows_top(top.x, top.y + label_h);
    const float scroll = ImGui::GetScrollY();
    const float visible_h = ImGui::GetWindowHeight();
    const int first = std::max(0, int((scroll - label_h) / row_h) - 1);
    const int last = std::min(n, int((scroll + visible_h) / row_h) + 2);
    const double us_to_x = width / (span_ms * 1000.0);
    auto x_of = [&](int64_t abs_us) { return rows_top.x + float(double(abs_us - run.start_us) * us_to_x); };

    const int64_t live_end = run.state == RunState::running ? now_us : run.end_us;
    BarSink bars(app, dl);
    std::vector<ImVec4> outlines;  // drawn over the bars once they are all out
    for (int i = first; i < last; ++i) {
        const RequestTrace& r = run.requests[size_t(i)];
        const float y = rows_top.y + row_h * i;
        // A code line clicked: outline every stretch of that phase.
        auto outline = [&](Phase ph, ImVec2 a, ImVec2 b) {
            if (app.selected_phase == int(ph) && b.x > a.x) outlines.push_back(ImVec4(a.x - 1, a.y - 1, b.x + 1, b.y + 1));
        };
        auto thin = [&](int64_t from, int64_t to, ImU32 col, Phase ph) {
            if (to <= from) return;
            // A thin stripe through the row; rows of a pixel or two have no room for one: the whole row.
            const ImVec2 a(x_of(from), row_h < 3 ? y : y + bar_h * 0.35f), b(x_of(to), row_h < 3 ? y + bar_h : y + bar_h * 0.65f + 0.5f);
            bars.rect(a, b, col);
            outline(ph, a, b);
        };
        if (r.scheduled_us >= 0) thin(r.scheduled_us, r.started_us >= 0 ? r.started_us : live_end, queued_color, Phase::queued);
        if (r.started_us < 0) continue;
        // Each attempt its own bar; the gaps between attempts are back-off.
        float x_first = 1e9f, x_last = 0;
        for (size_t a = 0; a < r.attempts.size(); ++a) {
            const Attempt& at = r.attempts[a];
            const int64_t end = at.ended_us >= 0 ? at.ended_us : live_end;
            const float x0 = x_of(at.started_us), x1 = std::max(x_of(end), x0 + 1.5f);
            if (at.sent_us > at.started_us) {
                // Resource Timing (real sockets): stalled in the browser until a connection was free.
                const float xs = std::min(x_of(at.sent_us), x1);
                bars.rect(ImVec2(x0, y), ImVec2(xs, y + bar_h), stalled_color);
                bars.rect(ImVec2(xs, y), ImVec2(x1, y + bar_h), outcome_color(at.outcome));
            } else {
                bars.rect(ImVec2(x0, y), ImVec2(x1, y + bar_h), outcome_color(at.outcome));
            }
            outline(Phase::waiting, ImVec2(x0, y), ImVec2(x1, y + bar_h));
            if (a + 1 < r.attempts.size()) thin(end, r.attempts[a + 1].started_us, backoff_color, Phase::backing_off);
            else if (r.retry_at_us >= 0) thin(end, live_end, backoff_color, Phase::backing_off);
            x_first = std::min(x_first, x0);
            x_last = std::max(x_last, x1);
        }
        // After the answer: waiting for the busy event loop, then the CPU work itself.
        if (r.answered_us >= 0 && r.finished_us > r.answered_us) {
            thin(r.answered_us, r.handled_us, ready_color, Phase::waiting);
            const ImVec2 a(x_of(r.handled_us), y), b(std::max(x_of(r.finished_us), x_of(r.handled_us) + 1.5f), y + bar_h);
            bars.rect(a, b, cpu_color);
            outline(Phase::handling, a, b);
            x_last = std::max(x_last, x_of(r.finished_us));
        }
        if (r.outcome == Outcome::cancelled && r.attempts.empty()) continue;
        if (i == app.selected_request) outlines.push_back(ImVec4(x_first - 1, y - 1, x_last + 1, y + bar_h + 1));
    }
    bars.flush();
    for (const ImVec4& o : outlines) dl->AddRect(ImVec2(o.x, o.y), ImVec2(o.z, o.w), outline_color);
    if (interactive && app.replay_ms >= 0 && run.state != RunState::running) {
        const float x = x_of(run.start_us + int64_t(app.replay_ms * 1000));
        const float y0 = ImGui::GetWindowPos().y, y1 = y0 + ImGui::GetWindowHeight();
        dl->AddLine(ImVec2(x, y0), ImVec2(x, y1), focus_color, 2);
    }

    // Hover: the request under the pointer, with its numbers and its reason.
    if (ImGui::IsWindowHovered() && n > 0) {
        const ImVec2 m = ImGui::GetMousePos();
        const int i = int((m.y - rows_top.y) / row_h);
        if (i >= 0 && i < n && m.y >= rows_top.y) {
            const RequestTrace& r = run.requests[size_t(i)];
            if (interactive && ImGui::IsMouseClicked(0)) {
                // The bar's phase at the clicked instant lights its line in the code.
                app.selected_request = i;
                const int64_t t = run.start_us + int64_t(double(m.x - rows_top.x) / us_to_x);
                const Phase ph = request_phase(r, t);
                app.selected_phase = ph == Phase::none ? -1 : int(ph);
                app.dirty = true;
            }
            ImGui::BeginTooltip();
            ImGui::Text("request %d of %d: %s", i + 1, n, outcome_name(r.outcome));
            auto rel = [&](int64_t us) { return format_duration_ms(double(us - run.start_us) / 1000); };
            if (r.scheduled_us >= 0 && r.started_us > r.scheduled_us)
                ImGui::Text("queued %s, %s", format_duration_ms(double(r.started_us - r.scheduled_us) / 1000).c_str(), queue_reason(run.desc));
            if (r.started_us >= 0) ImGui::Text("started at %s", rel(r.started_us).c_str());
            if (r.finished_us >= 0)
                ImGui::Text("ended at %s, took %s", rel(r.finished_us).c_str(), format_duration_ms(double(r.finished_us - r.started_us) / 1000).c_str());
            for (const Attempt& at : r.attempts) {
                if (at.sent_us < 0 || at.ended_us < 0) continue;
                ImGui::Text("Resource Timing: stalled %s (no free connection), then %s to the first byte, %s for the rest",
                            format_duration_ms(double(at.sent_us - at.started_us) / 1000).c_str(),
                            format_duration_ms(double((at.first_byte_us >= 0 ? at.first_byte_us : at.ended_us) - at.sent_us) / 1000).c_str(),
                            format_duration_ms(double(at.ended_us - (at.first_byte_us >= 0 ? at.first_byte_us : at.ended_us)) / 1000).c_str());
                break;
            }
            if (r.attempts.size() > 1) {
                for (size_t a = 0; a < r.attempts.size(); ++a) {
                    const Attempt& at = r.attempts[a];
                    ImGui::Text("  attempt %d: %s at %s%s", int(a) + 1, outcome_name(at.outcome), rel(at.started_us).c_str(),
                                at.status ? (", HTTP " + std::to_string(at.status)).c_str() : "");
                }
            }
            if (r.answered_us >= 0 && r.finished_us > r.answered_us)
                ImGui::Text("answered at %s, handled from %s (CPU %d ms)", rel(r.answered_us).c_str(), rel(r.handled_us).c_str(), run.desc.cpu_ms);
            if (r.status) ImGui::Text("HTTP %d, %lld bytes", r.status, static_cast<long long>(r.bytes));
            if (!r.reason.empty()) ImGui::TextColored(note_color, "%s", r.reason.c_str());
            ImGui::EndTooltip();
        }
    }
    ImGui::EndChild();
}

// The waterfall's colours, as swatches that wrap onto a new line when the panel is narrow.
static void draw_legend(const Run& run) {
    const Outcome shown[] = {Outcome::ok, Outcome::in_flight, Outcome::http_error, Outcome::network_error, Outcome::timeout, Outcome::cancelled};
    const float s = ImGui::GetTextLineHeight() * 0.7f;
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    auto legend_item = [&](const char* label, ImU32 color, float swatch_w, float y0, float y1) {
        const float w = swatch_w + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(label).x;
        if (ImGui::GetItemRectMax().x + ImGui::GetFontSize() + w < right) ImGui::SameLine(0, ImGui::GetFontSize());
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + s * y0), ImVec2(p.x + swatch_w, p.y + s * y1), color);
        ImGui::Dummy(ImVec2(swatch_w, s));
        ImGui::SameLine();
        ImGui::TextUnformatted(label);
    };
    ImGui::Dummy(ImVec2(0, 0));
    for (Outcome o : shown) legend_item(outcome_name(o), outcome_color(o), s, 0.25f, 1.25f);
    legend_item("queued (scheduled, not yet sent)", queued_color, s * 1.6f, 0.55f, 0.95f);
    bool stalled = false;
    for (size_t i = 0; i < run.requests.size() && !stalled && run.desc.api == Api::server; ++i)
        for (const Attempt& a : run.requests[i].attempts) stalled |= a.sent_us > a.started_us;
    if (stalled) legend_item("stalled in the browser: no free connection (Resource Timing)", stalled_color, s, 0.25f, 1.25f);
    if (run.desc.retries > 0) legend_item("back-off before a retry", backoff_color, s * 1.6f, 0.55f, 0.95f);
    if (run.desc.cpu_ms > 0) {
        legend_item("answer waits for the busy loop", ready_color, s * 1.6f, 0.55f, 0.95f);
        legend_item("CPU work on the answer", cpu_color, s, 0.25f, 1.25f);
    }
}

//-------------------------------------------------------------------------------------------------
// [SECTION] Event-loop stepper
//-------------------------------------------------------------------------------------------------

static ImU32 state_color(CoroutineState s) {
    switch (s) {
        case CoroutineState::not_started: return IM_COL32(70, 72, 78, 255);
        case CoroutineState::running: return IM_COL32(236, 214, 92, 255);
        case CoroutineState::waiting: return IM_COL32(92, 160, 242, 255);
        case CoroutineState::ready: return IM_COL32(120, 200, 230, 255);
        case CoroutineState::backing_off: return IM_COL32(240, 200, 90, 255);
        case CoroutineState::done: return IM_COL32(84, 196, 124, 255);
    }
    return IM_COL32_WHITE;
}

static void draw_loop_stepper(App& app, const Run& run) {
    if (run.state == RunState::running) {
        ImGui::TextColored(dim_color, "The event loop, step by step, once the run is over.");
        return;
    }
    if (run.requests.size() > 12) {
        ImGui::TextColored(dim_color, "The event-loop stepper follows a handful of calls: run with N of 12 or fewer.");
        return;
    }
    const std::vector<LoopStep> steps = loop_steps(run);
    if (steps.empty()) return;
    app.loop_step = std::clamp(app.loop_step, 0, int(steps.size()) - 1);
    if (ImGui::ArrowButton("##step-back", ImGuiDir_Left) && app.loop_step > 0) --app.loop_step;
    name_item(app, "loop:back");
    ImGui::SameLine();
    if (ImGui::ArrowButton("##step-forward", ImGuiDir_Right) && app.loop_step + 1 < int(steps.size())) ++app.loop_step;
    name_item(app, "loop:forward");
    const LoopStep& st = steps[size_t(app.loop_step)];
    ImGui::SameLine();
    ImGui::Text("step %d of %d, at %s:", app.loop_step + 1, int(steps.size()), format_duration_ms(double(st.at_us) / 1000).c_str());
    ImGui::TextWrapped("%s", st.what.c_str());
    for (size_t c = 0; c < st.states.size(); ++c) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float h = ImGui::GetTextLineHeight();
        ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + h * 1.6f, p.y + h), state_color(st.states[c]), 3);
        ImGui::Dummy(ImVec2(h * 1.6f, h));
        ImGui::SameLine();
        ImGui::Text("call %d: %s", int(c) + 1, coroutine_state_name(st.states[c]));
        if (c % 2 == 0 && c + 1 < st.states.size()) ImGui::SameLine(ImGui::GetContentRegionAvail().x * 0.5f);
    }
}

//-------------------------------------------------------------------------------------------------
// [SECTION] History
//-------------------------------------------------------------------------------------------------

// A run's requests squeezed into one row: the shape tells sequential (a staircase) from concurrent (a block).
static void draw_mini_waterfall(App& app, const std::vector<TimelineBar>& timeline, double span_ms, ImVec2 size) {
    if (!ImGui::IsRectVisible(size)) {  // scrolled out of the table: nothing to draw
        ImGui::Dummy(size);
        return;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), track_color);
    // The entry's timeline: one bar per request, or per group of requests when the run had more than
    // timeline_rows of them.
    const int n = int(timeline.size());
    const double ms_to_x = size.x / span_ms;
    const float row_h = size.y / float(std::max(1, n));
    BarSink bars(app, dl, /*instanced=*/false);
    // With more bars than pixel rows, each pixel row draws once: from the earliest start to the latest
    // end of its bars (a staircase stays a staircase), in the colour of its worst outcome.
    const int rows = row_h >= 1 ? n : std::max(1, int(size.y));
    const float bar_h = std::max(1.0f, size.y / float(std::max(1, std::min(n, rows))));
    int i = 0;
    for (int row = 0; row < rows && i < n; ++row) {
        const int last = row_h >= 1 ? i + 1 : std::min(n, int(double(row + 1) * n / rows));
        float from = FLT_MAX, to = -FLT_MAX;
        Outcome worst = Outcome::ok;
        for (; i < last; ++i) {
            const TimelineBar& b = timeline[size_t(i)];
            if (b.from_ms < 0) continue;
            from = std::min(from, b.from_ms);
            to = std::max(to, b.to_ms);
            if (b.worst != Outcome::ok && (worst == Outcome::ok || worst == Outcome::cancelled)) worst = b.worst;
        }
        if (from > to) continue;
        const float x0 = p.x + float(double(from) * ms_to_x);
        const float x1 = std::max(p.x + float(double(to) * ms_to_x), x0 + 1.0f);
        const float y = p.y + (row_h >= 1 ? row_h * float(row) : float(row) * size.y / float(rows));
        bars.rect(ImVec2(x0, y), ImVec2(x1, y + bar_h), outcome_color(worst));
    }
    bars.flush();
    ImGui::Dummy(size);
}

static void draw_history(App& app) {
    const History& h = app.history;
    ImGui::TextColored(dim_color, "History: every run on one time axis (0 to %s)", format_duration_ms(h.longest_wall_ms()).c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Clear")) {
        app.history.clear();
        app.dirty = true;
    }
    name_item(app, "history:clear");
    ImGui::SameLine();
    ImGui::BeginDisabled(h.entries().empty());
    if (ImGui::SmallButton("Save as CSV") && app.on_save_file) app.on_save_file("asyncplay-history.csv", "text/csv", history_to_csv(h));
    name_item(app, "history:csv");
    ImGui::EndDisabled();
    if (h.entries().empty()) {
        ImGui::TextColored(dim_color, "Finished runs appear here, newest first. Run the loop, then gather, to see them side by side.");
        return;
    }
    const double span = std::max(1.0, h.longest_wall_ms());
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("history", 4, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    // Fixed widths in ems: auto-fit would need a second frame, and this page draws only when needed.
    const float em = ImGui::GetFontSize();
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 1.8f * em);
    ImGui::TableSetupColumn("run", ImGuiTableColumnFlags_WidthFixed, 10.5f * em);
    ImGui::TableSetupColumn("wall", ImGuiTableColumnFlags_WidthFixed, 12.5f * em);
    ImGui::TableSetupColumn("timeline", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    const float row_h = ImGui::GetTextLineHeightWithSpacing() * 2;
    for (auto it = h.entries().rbegin(); it != h.entries().rend(); ++it) {
        const HistoryEntry& e = *it;
        const RunDesc& d = e.run.desc;
        ImGui::TableNextRow(0, row_h);
        ImGui::TableNextColumn();
        ImGui::Text("%u", e.number);
        ImGui::TableNextColumn();
        if (code_path_info(d.path).schedule == Schedule::k_at_a_time) ImGui::Text("%s k=%d, %s", code_path_name(d.path), d.limit, api_name(d.api));
        else ImGui::Text("%s, %s", code_path_name(d.path), api_name(d.api));
        ImGui::TextColored(dim_color, "%d x %d ms", d.count, d.latency_ms);
        ImGui::TableNextColumn();
        if (e.run.state == RunState::cancelled) {
            ImGui::Text("%s (cancelled)", format_duration_ms(e.stats.wall_ms).c_str());
            ImGui::TextColored(dim_color, "of %s", format_duration_ms(e.stats.expected_ms).c_str());
        } else if (e.stats.sequential_estimate_ms <= 0) {
            ImGui::Text("%s", format_duration_ms(e.stats.wall_ms).c_str());
            ImGui::TextColored(dim_color, "expected %s", format_duration_ms(e.stats.expected_ms).c_str());
        } else {
            ImGui::Text("%s  %.1fx", format_duration_ms(e.stats.wall_ms).c_str(), e.stats.speedup);
            if (e.guess_ms >= 0)
                ImGui::TextColored(dim_color, "exp. %s, guess %s", format_duration_ms(e.stats.expected_ms).c_str(), format_duration_ms(e.guess_ms).c_str());
            else ImGui::TextColored(dim_color, "expected %s", format_duration_ms(e.stats.expected_ms).c_str());
        }
        ImGui::TableNextColumn();
        draw_mini_waterfall(app, e.timeline, span, ImVec2(std::max(10.0f, ImGui::GetContentRegionAvail().x), row_h - 4));
    }
    ImGui::EndTable();
}

//-------------------------------------------------------------------------------------------------
// [SECTION] Page layout
//-------------------------------------------------------------------------------------------------

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
        ImGui::TextColored(dim_color, "%s", subtitle);
    }
    if (ImGui::CalcTextSize(title).x + gap + status_w < avail) ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - status_w));
    ImGui::TextColored(dim_color, "%s", status);
    ImGui::Separator();
}

// Replay: scrub over the finished run; the waterfall shows the instant, the code panel lights the lines the
// requests are at, and one sentence says what every request and the event loop are doing.
static void draw_replay(App& app, const Run& run) {
    const float wall = float(std::max<int64_t>(1, run.end_us - run.start_us)) / 1000.0f;
    float t = app.replay_ms < 0 ? wall : float(app.replay_ms);
    ImGui::SetNextItemWidth(std::max(80.0f, ImGui::GetContentRegionAvail().x - ImGui::GetFontSize() * 9));
    if (ImGui::SliderFloat("##replay", &t, 0.0f, wall, "replay: %.0f ms", ImGuiSliderFlags_AlwaysClamp)) {
        app.replay_ms = t;
        app.dirty = true;
    }
    name_item(app, "replay");
    drag_owners.push_back(ImGui::GetItemID());
    ImGui::SameLine();
    ImGui::BeginDisabled(app.replay_ms < 0);
    if (ImGui::SmallButton("whole run")) app.replay_ms = -1, app.dirty = true;
    name_item(app, "replay:off");
    ImGui::EndDisabled();
    if (app.replay_ms < 0) {
        ImGui::TextColored(dim_color, "Drag the replay slider to see any instant of the run: who waits, who is queued, what the loop does.");
        return;
    }
    const ReplayState st = replay_at(run, int64_t(app.replay_ms * 1000));
    ImGui::TextWrapped("%s", describe_replay(run, st).c_str());
}

// The last run's totals, waterfall and stepper.
static void draw_run_view(App& app, int64_t now_us, bool with_buttons) {
    if (with_buttons && !app.lessons.empty()) {
        draw_run_buttons(app, now_us, app.lessons[size_t(app.lesson)].paths);
    }
    const Run& run = app_shown_run(app);
    const bool running = !app.loaded && app.scheduler.running();
    if (!app.file_error.empty()) wrapped_note(app.file_error, bad_color);
    if (run.state == RunState::idle) {
        ImGui::TextWrapped("Pick a code path and press Run. Each request asks the API to wait the given latency before it answers. "
                           "The waterfall draws one bar per request on a shared time axis: a loop makes a staircase, "
                           "gather makes a block as wide as a single call.");
        if (ImGui::SmallButton("Load a run file...") && app.on_open_file) app.on_open_file();
        name_item(app, "load-run");
        return;
    }
    const RunStats& s = app_shown_stats(app);
    if (app.loaded) ImGui::TextColored(title_color, "From the file %s (Run starts a new one):", app.loaded_name.c_str());
    draw_totals(run, s, running, now_us);
    const double elapsed = double((running ? now_us : run.end_us) - run.start_us) / 1000.0;
    const double span = std::max({s.expected_ms, elapsed, 1.0}) * 1.04;
    const bool stepper = !app.lessons.empty() && app.lessons[size_t(app.lesson)].loop_view;
    const bool order = run.desc.path == CodePath::as_completed && run.state == RunState::finished;
    const float wf_h = std::max(140.0f, ImGui::GetContentRegionAvail().y * (stepper ? 0.45f : 0.62f));
    draw_zoom_buttons(app);
    if (!running) {
        ImGui::SameLine(0, ImGui::GetFontSize() * 2);
        if (ImGui::SmallButton("Save run") && app.on_save_file) {
            app.on_save_file(std::string("asyncplay-run-") + code_path_name(run.desc.path) + "-" + std::to_string(run.desc.count) + ".json",
                             "application/json", app_run_file(app));
        }
        name_item(app, "save-run");
        ImGui::SameLine();
        if (ImGui::SmallButton("Load run...") && app.on_open_file) app.on_open_file();
        name_item(app, "load-run");
        ImGui::SameLine();
        if (ImGui::SmallButton("Save as PNG")) app.png_requested = true;
        name_item(app, "save-png");
    }
    draw_waterfall(app, run, span, now_us, wf_h);
    if (!running && run.state != RunState::idle) draw_replay(app, run);
    draw_legend(run);
    if (order) {
        std::string line = "as_completed hands the results over in this order:";
        for (int i : finishing_order(run)) line += " " + std::to_string(i + 1);
        ImGui::TextWrapped("%s", line.c_str());
    }
    if (stepper) {
        ImGui::Separator();
        draw_loop_stepper(app, run);
    }
}

// A code path picker: the lesson's paths first, then every other one.
static void path_combo(App& app, const char* label, const char* name, CodePath* path) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 13);
    const bool open = ImGui::BeginCombo(label, code_path_info(*path).label);
    name_item(app, name);
    if (!open) return;
    std::vector<CodePath> order;
    if (!app.lessons.empty()) order = app.lessons[size_t(app.lesson)].paths;
    for (int i = 0; i < code_path_count; ++i)
        if (std::find(order.begin(), order.end(), CodePath(i)) == order.end()) order.push_back(CodePath(i));
    for (CodePath p : order) {
        if (ImGui::Selectable(code_path_info(p).label, p == *path)) *path = p;
        name_item(app, std::string(name) + ":" + code_path_name(p));
    }
    ImGui::EndCombo();
}

// Two code paths, the same numbers, one time axis from zero: the race.
static void draw_race(App& app, int64_t now_us) {
    const RunDesc& d = app.desc;
    ImGui::TextWrapped("Race two ways of making the same %d calls of %d ms each: they run one after the other, "
                       "then sit on one time axis, both starting at zero.", d.count, d.latency_ms);
    ImGui::TextUnformatted("A");
    ImGui::SameLine();
    path_combo(app, "##A", "race:a", &app.race.a);
    ImGui::SameLine();
    ImGui::TextUnformatted("B");
    ImGui::SameLine();
    path_combo(app, "##B", "race:b", &app.race.b);
    ImGui::SameLine();
    ImGui::BeginDisabled(app.race.pending);
    if (ImGui::Button(app.race.pending ? "Racing..." : "Race them")) app_start_race(app, now_us);
    name_item(app, "race:start");
    ImGui::EndDisabled();

    const HistoryEntry* done[2] = {app_race_entry(app, false), app_race_entry(app, true)};
    const CodePath paths[2] = {app.race.a, app.race.b};
    const Run& live = app.scheduler.run();
    const Run* lanes[2] = {nullptr, nullptr};
    for (int k = 0; k < 2; ++k) {
        if (done[k]) lanes[k] = &done[k]->run;
        else if (app.race.pending && app.scheduler.running() && live.desc.path == paths[k]) lanes[k] = &live;
    }
    if (!lanes[0] && !lanes[1]) {
        ImGui::TextColored(dim_color, "Press Race them. (A race whose runs left the history, or was cancelled, starts over.)");
        return;
    }
    double span = std::max({app.race.expected_a, app.race.expected_b, 1.0});
    for (const Run* r : lanes) {
        if (r) span = std::max(span, double((r->state == RunState::running ? now_us : r->end_us) - r->start_us) / 1000.0);
    }
    span *= 1.04;
    // Two lanes, and room below them for the ratio and a legend of two lines.
    const float lane_h = std::max(90.0f, (ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() * 6.5f) / 2);
    double walls[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
        const char* letter = k == 0 ? "A" : "B";
        if (!lanes[k]) {
            ImGui::Text("%s  %s: waiting for its turn", letter, code_path_info(paths[k]).label);
            ImGui::Dummy(ImVec2(0, lane_h));
            continue;
        }
        const Run& r = *lanes[k];
        const RunStats s = done[k] ? done[k]->stats : compute_stats(r);
        walls[k] = done[k] ? s.wall_ms : 0;
        if (done[k]) ImGui::Text("%s  %s: %s (expected %s), run #%u", letter, code_path_info(paths[k]).label, format_duration_ms(s.wall_ms).c_str(),
                                 format_duration_ms(s.expected_ms).c_str(), done[k]->number);
        else ImGui::Text("%s  %s: running, %d of %d done", letter, code_path_info(paths[k]).label, r.ended, r.desc.count);
        draw_waterfall(app, r, span, now_us, lane_h, k == 0 ? "race:lane-a" : "race:lane-b", false);
    }
    if (walls[0] > 0 && walls[1] > 0) {
        const double ratio = walls[0] / walls[1];
        ImGui::PushStyleColor(ImGuiCol_Text, title_color);
        if (ratio >= 1.05) ImGui::TextWrapped("B took %.2fx less time than A: %s against %s.", ratio, format_duration_ms(walls[1]).c_str(), format_duration_ms(walls[0]).c_str());
        else if (ratio <= 1 / 1.05) ImGui::TextWrapped("A took %.2fx less time than B: %s against %s.", 1 / ratio, format_duration_ms(walls[0]).c_str(), format_duration_ms(walls[1]).c_str());
        else ImGui::TextWrapped("A dead heat: %s against %s (within 5%%).", format_duration_ms(walls[0]).c_str(), format_duration_ms(walls[1]).c_str());
        ImGui::PopStyleColor();
    }
    draw_legend(lanes[0] ? *lanes[0] : *lanes[1]);
}

// Colours for the code paths of a chart, in the order they are listed.
static ImU32 series_color(size_t i) {
    static const ImU32 colors[] = {IM_COL32(232, 120, 84, 255), IM_COL32(84, 176, 232, 255), IM_COL32(92, 196, 124, 255),
                                   IM_COL32(190, 120, 232, 255), IM_COL32(220, 180, 60, 255), IM_COL32(150, 150, 150, 255)};
    return colors[i % (sizeof colors / sizeof colors[0])];
}

// A line chart: one polyline per series, axes with ticks, measured points as rings on top.
struct ChartSeries { const char* label; ImU32 color; std::vector<ImVec2> points; std::vector<ImVec2> measured; };
static void draw_chart(App& app, const char* id, const char* title, const char* x_unit, bool x_is_ms_count, bool y_is_ms,
                       const std::vector<ChartSeries>& series, float height) {
    ImGui::TextColored(dim_color, "%s", title);
    const ImVec2 size(std::max(120.0f, ImGui::GetContentRegionAvail().x), height);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton(id, size);
    app.widget_rects.push_back(App::WidgetRect{id, p.x, p.y, size.x, size.y});
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float max_x = 1, max_y = 1e-9f;
    for (const ChartSeries& c : series) {
        for (const ImVec2& v : c.points) max_x = std::max(max_x, v.x), max_y = std::max(max_y, v.y);
        for (const ImVec2& v : c.measured) max_x = std::max(max_x, v.x), max_y = std::max(max_y, v.y);
    }
    max_y *= 1.08f;
    const float em = ImGui::GetFontSize();
    const ImVec2 o(p.x + em * 3.6f, p.y + size.y - em * 1.4f);  // origin
    const float w = size.x - em * 4.2f, h = size.y - em * 2.0f;
    auto at = [&](ImVec2 v) { return ImVec2(o.x + v.x / max_x * w, o.y - v.y / max_y * h); };
    dl->AddLine(o, ImVec2(o.x + w, o.y), axis_text_color);
    dl->AddLine(o, ImVec2(o.x, o.y - h), axis_text_color);
    const double ystep = nice_step(max_y, std::max(2, int(h / (em * 2.2f))));
    for (double y = 0; y <= max_y + 1e-9; y += ystep) {
        const float py = o.y - float(y / max_y) * h;
        dl->AddLine(ImVec2(o.x, py), ImVec2(o.x + w, py), axis_line_color);
        char buf[32];
        if (y_is_ms) std::snprintf(buf, sizeof buf, "%s", tick_label(y, ystep).c_str());
        else std::snprintf(buf, sizeof buf, "%gx", y);
        dl->AddText(ImVec2(p.x, py - em * 0.5f), axis_text_color, buf);
    }
    const double xstep = nice_step(max_x, std::max(2, int(w / (em * 4))));
    for (double x = 0; x <= max_x + 1e-9; x += xstep) {
        const float px = o.x + float(x / max_x) * w;
        dl->AddLine(ImVec2(px, o.y), ImVec2(px, o.y + 3), axis_text_color);
        char buf[32];
        if (x_is_ms_count) std::snprintf(buf, sizeof buf, "%g", x);
        else std::snprintf(buf, sizeof buf, "%g%%", x * 100);
        dl->AddText(ImVec2(px - ImGui::CalcTextSize(buf).x / 2, o.y + 3), axis_text_color, buf);
    }
    const char* unit = x_unit;
    dl->AddText(ImVec2(o.x + w - ImGui::CalcTextSize(unit).x, o.y - em * 1.2f), axis_text_color, unit);
    dl->PushClipRect(ImVec2(o.x - 4, o.y - h - 4), ImVec2(o.x + w + 4, o.y + 4), true);
    for (const ChartSeries& c : series) {
        std::vector<ImVec2> pts;
        for (const ImVec2& v : c.points) pts.push_back(at(v));
        if (pts.size() > 1) dl->AddPolyline(pts.data(), int(pts.size()), c.color, 0, 2.0f);
        for (const ImVec2& v : c.measured) {
            dl->AddCircleFilled(at(v), em * 0.32f, c.color);
            dl->AddCircle(at(v), em * 0.32f, outline_color, 0, 1.5f);
        }
    }
    dl->PopClipRect();
    // Hover: the nearest point of every series at that x.
    if (ImGui::IsItemHovered()) {
        const float mx = (ImGui::GetMousePos().x - o.x) / w * max_x;
        ImGui::BeginTooltip();
        for (const ChartSeries& c : series) {
            const ImVec2* best = nullptr;
            for (const ImVec2& v : c.points) if (!best || std::fabs(v.x - mx) < std::fabs(best->x - mx)) best = &v;
            if (!best) continue;
            if (x_is_ms_count) ImGui::Text("%s: N = %g, %s", c.label, best->x, format_duration_ms(best->y).c_str());
            else ImGui::Text("%s: CPU %g%%, speedup %.2fx", c.label, std::round(best->x * 100), best->y);
        }
        ImGui::EndTooltip();
    }
    // Legend.
    for (size_t i = 0; i < series.size(); ++i) {
        if (i) ImGui::SameLine(0, em);
        const ImVec2 q = ImGui::GetCursorScreenPos();
        dl->AddRectFilled(ImVec2(q.x, q.y + em * 0.45f), ImVec2(q.x + em * 1.2f, q.y + em * 0.65f), series[i].color);
        ImGui::Dummy(ImVec2(em * 1.2f, em));
        ImGui::SameLine();
        ImGui::TextUnformatted(series[i].label);
    }
}

// Wall time against N for each code path (the model's lines, live measurements as dots), and the speedup
// against the share of each request that is CPU work.
static void draw_scaling(App& app, int64_t now_us) {
    const App::Scaling& sc = app_scaling(app);
    const RunDesc& d = app.desc;
    ImGui::TextWrapped("How the wall time grows with N, at %d ms a call%s, for %s API: the lines are the model (every N played in "
                       "virtual time); Measure live runs some of them for real.", d.latency_ms,
                       code_path_info(d.path).schedule == Schedule::k_at_a_time || std::count_if(sc.paths.begin(), sc.paths.end(), [](CodePath p) {
                           return code_path_info(p).schedule == Schedule::k_at_a_time; }) ? (", k = " + std::to_string(d.limit)).c_str() : "",
                       d.api == Api::server ? "the dev server (6 connections per host)" : d.api == Api::page ? "the in-page" : "the simulated");
    App::LiveSweep& ls = app.live_sweep;
    ImGui::BeginDisabled(ls.active);
    if (ImGui::Button(ls.active ? "Measuring..." : "Measure live")) app_start_live_sweep(app, now_us);
    name_item(app, "scaling:live");
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ls.active) ImGui::TextColored(dim_color, "%d measured, %d to go", int(ls.points.size()), int(ls.todo.size()));
    else if (!ls.points.empty()) ImGui::TextColored(dim_color, "%d runs measured%s", int(ls.points.size()),
                                                    ls.skipped ? (", " + std::to_string(ls.skipped) + " left out: the model says over 10 s").c_str() : "");
    // Live points count only for the settings they were measured with.
    RunDesc shown = d, measured = ls.base;
    clamp_run_desc(&shown);
    shown.path = measured.path = CodePath::sequential;
    shown.count = measured.count = 0;
    const bool live_matches = shown == measured;
    std::vector<ChartSeries> walls, speedups;
    for (size_t i = 0; i < sc.paths.size(); ++i) {
        ChartSeries c{code_path_info(sc.paths[i]).label, series_color(i), {}, {}};
        ChartSeries sp = c;
        for (const SweepPoint& pt : sc.by_count[i].points) c.points.push_back(ImVec2(float(pt.x), float(pt.wall_ms)));
        for (const SweepPoint& pt : sc.by_share[i].points) sp.points.push_back(ImVec2(float(pt.x), float(pt.speedup)));
        if (live_matches) {
            for (const App::LivePoint& lp : ls.points)
                if (lp.path == sc.paths[i] && lp.finished) c.measured.push_back(ImVec2(float(lp.n), float(lp.wall_ms)));
        }
        walls.push_back(std::move(c));
        speedups.push_back(std::move(sp));
    }
    const float chart_h = std::max(120.0f, (ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() * 5) / 2);
    draw_chart(app, "scaling:by-n", "Wall time against the number of calls N", "N", true, true, walls, chart_h);
    ImGui::Spacing();
    char title[160];
    std::snprintf(title, sizeof title, "Speedup over the plain loop against the CPU share of each call (N = %d, %d ms of work a call)",
                  std::min(d.count, 100), std::min(d.latency_ms + d.cpu_ms, Limits::max_cpu_ms) > 0 ? std::min(d.latency_ms + d.cpu_ms, Limits::max_cpu_ms) : 100);
    draw_chart(app, "scaling:by-cpu", title, "CPU share", false, false, speedups, chart_h);
}

// Keyboard: Tab and Shift+Tab walk the named controls in the order they were drawn, Enter or Space presses
// the one with the focus ring. (Dear ImGui 1.86 tabs through text fields only, and its arrow-key navigation
// would take the arrows that walk the lessons.)
static void apply_keyboard(App& app) {
    ImGuiContext& g = *GImGui;
    if (ImGui::IsMouseClicked(0) && !app.focus.empty()) app.focus.clear();  // the pointer is in charge again
    std::vector<const App::WidgetRect*> stops;
    for (const App::WidgetRect& r : app.widget_rects) {
        if (r.enabled && r.id) stops.push_back(&r);
    }
    auto find = [&](const std::string& name) -> int {
        for (size_t i = 0; i < stops.size(); ++i) if (stops[i]->name == name) return int(i);
        return -1;
    };
    if (app.tab_request != 0 && !stops.empty()) {
        const int at = find(app.focus);
        int next = at < 0 ? (app.tab_request > 0 ? 0 : int(stops.size()) - 1) : at + app.tab_request;
        next = std::clamp(next, 0, int(stops.size()) - 1);
        const App::WidgetRect* r = stops[size_t(next)];
        app.focus = r->name;
        if (g.ActiveId != 0) ImGui::ClearActiveID();  // leave a text field being edited
        ImGuiWindow* w = static_cast<ImGuiWindow*>(r->window);
        if (w) ImGui::ScrollToRectEx(w, ImRect(r->x, r->y, r->x + r->w, r->y + r->h), ImGuiScrollFlags_KeepVisibleEdgeY);
        app.dirty = true;
    }
    app.tab_request = 0;
    const int at = find(app.focus);
    if (app.activate_request && at >= 0) {
        ImGui::ActivateItem(stops[size_t(at)]->id);  // pressed during the next frame, as a click would be
        app.dirty = true;
    }
    app.activate_request = false;
    if (at >= 0) {
        const App::WidgetRect* r = stops[size_t(at)];
        ImGui::GetForegroundDrawList()->AddRect(ImVec2(r->x - 3, r->y - 3), ImVec2(r->x + r->w + 3, r->y + r->h + 3), focus_color, 4, 0, 2);
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
        if (std::find(drag_owners.begin(), drag_owners.end(), g.ActiveId) != drag_owners.end()) return;
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

void app_draw(App& app, int64_t now_us) {
    use_theme(app.view.light());
    app.widget_rects.clear();
    drag_owners.clear();
    app.bar_batches_used = 0;
    // Left and right arrows walk through the lessons, unless the learner is typing into a field.
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.WantTextInput && ImGui::GetActiveID() == 0 && !app.view.locked(Lock::lesson)) {
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow), false)) app_select_lesson(app, app.lesson - 1, now_us);
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), false)) app_select_lesson(app, app.lesson + 1, now_us);
    }
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground;
    if (app.view.embed) ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 4));
    ImGui::Begin("playground", nullptr, flags);
    if (app.view.embed) ImGui::PopStyleVar();
    if (!app.view.embed) draw_header(app);

    const float em = ImGui::GetFontSize();
    const float total_w = ImGui::GetContentRegionAvail().x;
    const bool settings_allowed = !app.view.locked(Lock::settings);
    auto draw_settings = [&] {
        if (!settings_allowed) return;
        const bool open = ImGui::CollapsingHeader("All settings: every code path, the API, failures");
        name_item(app, "settings");
        if (open) draw_controls(app, now_us);
    };
    if (total_w < 56 * em) {
        // One column (a phone, a small iframe): the parts become tabs; a run started shows its results.
        const App::Tab tabs[] = {App::Tab::lesson, App::Tab::code, App::Tab::run, App::Tab::race, App::Tab::scaling, App::Tab::history};
        const char* labels[] = {"Lesson", "Code", "Run", "Race", "Scale", "History"};
        const char* names[] = {"tab:lesson", "tab:code", "tab:run", "tab:race", "tab:scaling", "tab:history"};
        const App::Tab wanted = app.panel == App::Panel::race ? App::Tab::race : app.panel == App::Panel::scaling ? App::Tab::scaling : App::Tab::run;
        if (app.show_run_tab) app.narrow_tab = wanted;
        if (ImGui::BeginTabBar("narrow")) {
            for (int t = 0; t < 6; ++t) {
                const bool select = app.show_run_tab && tabs[t] == wanted;
                const bool open = ImGui::BeginTabItem(labels[t], nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
                name_item(app, names[t]);
                if (!open) continue;
                if (!select) app.narrow_tab = tabs[t];
                ImGui::BeginChild("tab", ImVec2(0, 0), false);
                {
                    const ImVec2 a = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
                    app.widget_rects.push_back(App::WidgetRect{"results", a.x, a.y, size.x, size.y});
                }
                switch (tabs[t]) {
                    case App::Tab::lesson:
                        draw_lesson(app, now_us);
                        ImGui::Separator();
                        draw_settings();
                        break;
                    case App::Tab::code: draw_code(app, now_us); break;
                    case App::Tab::run: draw_run_view(app, now_us, true); break;
                    case App::Tab::race: draw_race(app, now_us); break;
                    case App::Tab::scaling: draw_scaling(app, now_us); break;
                    case App::Tab::history: draw_history(app); break;
                }
                ImGui::EndChild();
                ImGui::EndTabItem();
            }
            ImGui::EndTabBar();
        }
        app.show_run_tab = false;
    } else {
        app.show_run_tab = false;
        const float left_w = std::clamp(total_w * 0.38f, 300.0f, 540.0f);
        ImGui::BeginChild("left", ImVec2(left_w, 0), false);
        draw_lesson(app, now_us);
        ImGui::Separator();
        draw_settings();
        ImGui::Separator();
        draw_code(app, now_us);
        ImGui::EndChild();

        ImGui::SameLine();
        ImGui::BeginChild("right", ImVec2(0, 0), false);
        {
            const ImVec2 a = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
            app.widget_rects.push_back(App::WidgetRect{"results", a.x, a.y, size.x, size.y});
        }
        const float top_h = std::max(260.0f, ImGui::GetContentRegionAvail().y * 0.72f);
        if (ImGui::BeginTabBar("views")) {
            const App::Panel panels[] = {App::Panel::run, App::Panel::race, App::Panel::scaling};
            const char* labels[] = {"This run", "Race two paths", "Scaling"};
            const char* names[] = {"view:run", "view:race", "view:scaling"};
            for (int t = 0; t < 3; ++t) {
                const bool select = app.show_panel && app.panel == panels[t];
                const bool open = ImGui::BeginTabItem(labels[t], nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
                name_item(app, names[t]);
                if (!open) continue;
                if (!select) app.panel = panels[t];
                ImGui::BeginChild("view", ImVec2(0, top_h), false);
                if (panels[t] == App::Panel::run) draw_run_view(app, now_us, false);
                else if (panels[t] == App::Panel::race) draw_race(app, now_us);
                else draw_scaling(app, now_us);
                ImGui::EndChild();
                ImGui::EndTabItem();
            }
            ImGui::EndTabBar();
        }
        app.show_panel = false;
        ImGui::Separator();
        draw_history(app);
        ImGui::EndChild();
    }
    drag_to_scroll();
    apply_keyboard(app);
    ImGui::End();
}

}  // namespace ap
