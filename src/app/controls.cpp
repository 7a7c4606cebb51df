#include "app/controls.h"

#include <algorithm>
#include <cstdio>

#include "app/app.h"
#include "app/ui_kit.h"
#include "imgui.h"

namespace ap {

const char* api_label(Api a) {
    switch (a) {
        case Api::page: return "In-page API (service worker)";
        case Api::server: return "Dev server (real sockets)";
        case Api::simulated: return "Simulated (virtual time)";
    }
    return "?";
}

void controls_set_apis(App& app, const ApiStatus& apis) {
    app.apis = apis;
    app.apis.server_checked = true;
    std::snprintf(app.controls.server_url_edit, sizeof app.controls.server_url_edit, "%s", apis.server_base.c_str());
    app.apis.probed = true;
    if (!apis.inpage_ready && app.desc.api == Api::page) app.desc.api = Api::simulated;
    app.needs_redraw = true;
}

void controls_set_server_base(App& app, const std::string& base) {
    if (base == app.apis.server_base) return;
    app.apis.server_base = base;
    app.apis.server_siblings.clear();  // (they were the probed server's)
    app.apis.server_ready = false;
    app.apis.server_checked = false;
    app.apis.server_note = "not checked yet: the next run will show whether it answers";
    std::snprintf(app.controls.server_url_edit, sizeof app.controls.server_url_edit, "%s", base.c_str());
    app.needs_redraw = true;
}

ApiCost api_cost(const App& app, const RunDesc& desc) {
    switch (desc.api) {
        case Api::page: return app.apis.inpage_cost;
        case Api::server: return app.apis.server_cost;
        case Api::simulated: break;
    }
    return {};
}

std::string api_base(const App& app, const RunDesc& desc) {
    switch (desc.api) {
        case Api::page: return app.apis.inpage_base;
        case Api::server: return app.apis.server_base;
        case Api::simulated: break;
    }
    return "simulated:";
}

ApiCost controls_route_run(App& app, RunDesc* desc, std::string* substituted) {
    if (desc->api == Api::page && !app.apis.inpage_ready) {
        const std::string why = "The in-page API is not available (" + app.apis.inpage_note + "): this run is simulated in virtual time.";
        app.input_notes.push_back(why);
        if (substituted) *substituted = why;
        desc->api = Api::simulated;
    }
    if (desc->api != Api::simulated && !app.network) desc->api = Api::simulated;
    desc->base_url = api_base(app, *desc);
    return api_cost(app, *desc);
}

void controls_run_ended(App& app, const HistoryEntry& entry) {
    if (entry.run.desc.api != Api::server || entry.run.desc.base_url != app.apis.server_base) return;
    // A run through the server is the best probe there is: any answer at all means it is there.
    const RunStats& s = entry.stats;
    if (s.ok + s.http_errors > 0) {
        app.apis.server_ready = app.apis.server_checked = true;
        app.apis.server_note = "answered";
    } else if (s.network_errors > 0 && s.network_errors == s.started) {
        app.apis.server_ready = false;
        app.apis.server_checked = true;
        app.apis.server_note = "no answer at all";
    }
}

void draw_api_banner(App& app) {
    const ApiStatus& s = app.apis;
    if (!s.probed || s.inpage_ready || !s.inpage_blocked) return;
    wrapped_note("No real requests here: this playground is inside another site's page, and your browser does not let an embedded "
                 "page start its in-page API. Runs are simulated (exact, but nothing is sent).");
    if (small_button(app, "Open in a new tab for real requests", "open-in-tab", false) && app.hooks.on_open_tab)
        app.hooks.on_open_tab(app_permalink_query(app));
}

void api_combo(App& app, const std::string& name, float width) {
    RunDesc& d = app.desc;
    ImGui::SetNextItemWidth(std::min(width, ImGui::GetContentRegionAvail().x));
    // (The popup opens and closes inside the disabled scope: Dear ImGui checks that they pair.)
    ImGui::BeginDisabled(app.view.locked(Lock::api));
    const bool api_open = ImGui::BeginCombo(("##" + name).c_str(), api_label(d.api));
    name_item(app, name);
    if (api_open) {
        for (int i = 0; i < api_count; ++i) {
            if (ImGui::Selectable(api_label(Api(i)), d.api == Api(i))) d.api = Api(i);
            name_item(app, name + ":" + api_name(Api(i)));
        }
        ImGui::EndCombo();
    }
    ImGui::EndDisabled();
    lock_mark(app.view.locked(Lock::api));
}

static void draw_api_choice(App& app) {
    const Palette& pal = palette();
    RunDesc& d = app.desc;
    ImGui::TextColored(pal.dim, "Which API answers");
    api_combo(app, "api", ImGui::GetFontSize() * 17);
    const ApiStatus& s = app.apis;  // a copy would go stale when the server URL is edited below
    switch (d.api) {
        case Api::page:
            if (s.inpage_ready) wrapped_note("Answered inside this page after the delay: no server, no connection cap.", pal.dim);
            else wrapped_note("Not available: " + s.inpage_note + " Runs fall back to the simulated API.");
            break;
        case Api::server:
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 17);
            if (ImGui::InputText("server", app.controls.server_url_edit, sizeof app.controls.server_url_edit, ImGuiInputTextFlags_EnterReturnsTrue)) {
                controls_set_server_base(app, app.controls.server_url_edit);
            }
            name_item(app, "server-url");
            if (s.server_ready) wrapped_note("Real sockets to " + s.server_base + ": the browser allows 6 connections per host.", pal.dim);
            else if (!s.server_checked) wrapped_note("Real sockets to " + s.server_base + " (" + s.server_note + ").", pal.dim);
            else wrapped_note("No dev server answered at " + (s.server_base.empty() ? std::string("this page's origin") : s.server_base) +
                              " (" + s.server_note + "). Start one with tools/serve; until then these requests fail, and each failure says why.");
            break;
        case Api::simulated:
            wrapped_note("No network: a virtual clock answers each request after exactly its latency.", pal.dim);
            break;
    }
}

void draw_settings_panel(App& app, int64_t now_us) {
    const Palette& pal = palette();
    RunDesc& d = app.desc;
    ImGui::TextColored(pal.dim, "How the Python calls the API");
    // Grouped by how they let requests overlap: the grouping is half the lesson.
    struct Group { const char* title; Schedule schedule; };
    const Group groups[] = {{"one at a time", Schedule::one_at_a_time},
                            {"all at once", Schedule::all_at_once},
                            {"at most k at once", Schedule::k_at_a_time}};
    ImGui::BeginDisabled(app.view.locked(Lock::path));
    // Two columns when the longest label fits in half the width, else one.
    float widest = 0;
    for (int i = 0; i < code_path_count; ++i) widest = std::max(widest, ImGui::CalcTextSize(code_path_info(CodePath(i)).label).x);
    const float radio_w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + widest + ImGui::GetStyle().CellPadding.x * 2;
    const int columns = ImGui::GetContentRegionAvail().x >= 2 * radio_w ? 2 : 1;
    if (ImGui::BeginTable("paths", columns, ImGuiTableFlags_SizingStretchSame)) {
        for (const Group& g : groups) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextColored(pal.dim, "%s", g.title);
            ImGui::TableNextRow();
            for (int i = 0; i < code_path_count; ++i) {
                const CodePathInfo& info = code_path_info(CodePath(i));
                if (info.schedule != g.schedule) continue;
                ImGui::TableNextColumn();
                if (ImGui::RadioButton(info.label, !code_panel_lesson_script(app) && d.path == CodePath(i))) {
                    d.path = CodePath(i);
                    code_panel_show_lesson_script(app, false);
                }
                name_item(app, std::string("path:") + info.name);
            }
        }
        ImGui::EndTable();
    }
    ImGui::EndDisabled();
    ImGui::Spacing();

    auto field = [&](const char* member) -> const RunField& { return *find_run_field(FieldKey::member, member); };
    bool edited = false;
    ImGui::BeginDisabled(app.view.locked(Lock::n));
    edited |= setting_field(app, field("count"), &d, 9, nullptr, "settings:");
    ImGui::EndDisabled();
    ImGui::BeginDisabled(app.view.locked(Lock::latency));
    edited |= setting_field(app, field("latency_ms"), &d, 9, nullptr, "settings:");
    ImGui::EndDisabled();
    ImGui::BeginDisabled(code_path_info(d.path).schedule != Schedule::k_at_a_time || app.view.locked(Lock::limit));
    edited |= setting_field(app, field("limit"), &d, 9, nullptr, "settings:");
    ImGui::EndDisabled();
    if (ImGui::TreeNode("Latency, CPU and failures")) {
        const char* spreads[] = {"every call the same", "uneven (0.5 to 1.5 x)", "a slow tail"};
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
        int spread = int(d.spread);
        if (ImGui::Combo(field("spread").label, &spread, spreads, spread_count)) {
            d.spread = Spread(spread);
            edited = true;
        }
        name_item(app, "spread");
        if (d.spread == Spread::slow_tail) {
            edited |= setting_field(app, field("slow_every"), &d);
            edited |= setting_field(app, field("slow_ms"), &d);
        }
        edited |= setting_field(app, field("cpu_ms"), &d);
        // Only the retries program has a timeout of its own and retries; the others keep a 20 s timeout.
        ImGui::BeginDisabled(d.path != CodePath::retry_backoff);
        edited |= setting_field(app, field("timeout_ms"), &d);
        edited |= setting_field(app, field("retries"), &d);
        edited |= setting_field(app, field("backoff_ms"), &d);
        ImGui::EndDisabled();
        if (d.path != CodePath::retry_backoff) wrapped_note("(timeout, retries, back-off: the retries program's)", pal.dim);
        edited |= setting_field(app, field("fail_pct"), &d);
        edited |= setting_field(app, field("status"), &d);
        ImGui::TreePop();
    }
    if (edited) app.input_notes = clamp_run_desc(&d);

    ImGui::Spacing();
    draw_api_choice(app);
    ImGui::Spacing();
    if (app.lessons.all.empty()) {  // otherwise the lesson panel above shows the claim and the buttons
        ImGui::TextWrapped("Claim: %s", app_expectation(app).claim.c_str());
        ImGui::Spacing();
        draw_run_buttons(app, now_us, {});
    }
}

}  // namespace ap
