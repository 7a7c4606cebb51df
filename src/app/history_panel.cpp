#include "app/history_panel.h"

#include <algorithm>

#include "app/app.h"
#include "app/ui_kit.h"
#include "core/analysis.h"
#include "imgui.h"

namespace ap {

void draw_history_panel(App& app) {
    const Palette& pal = palette();
    const History& h = app.history;
    ImGui::TextColored(pal.dim, "History: every run on one time axis (0 to %s)", format_duration_ms(h.longest_wall_ms()).c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Clear")) {
        app.history.clear();
        app.results.shown = 0;
        app.needs_redraw = true;
        if (app.hooks.on_history_changed) app.hooks.on_history_changed();
    }
    name_item(app, "history:clear");
    ImGui::SameLine();
    ImGui::BeginDisabled(h.entries().empty());
    if (ImGui::SmallButton("Save as CSV") && app.hooks.on_save_file) app.hooks.on_save_file("asyncplay-history.csv", "text/csv", history_to_csv(h));
    name_item(app, "history:csv");
    ImGui::EndDisabled();
    if (h.entries().empty()) {
        ImGui::TextColored(pal.dim, "Finished runs appear here, newest first. Run the loop, then gather, to see them side by side.");
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
    // Rows, newest first: one per run, one per group of runs made together (a live sweep).
    struct Row { size_t first, last; };  // indices into the entries, first <= last
    std::vector<Row> rows;
    const auto& all = h.entries();
    for (size_t k = all.size(); k-- > 0;) {
        if (all[k].group && !rows.empty() && all[rows.back().first].group == all[k].group) rows.back().first = k;
        else rows.push_back(Row{k, k});
    }
    ImGuiListClipper clipper;
    clipper.Begin(int(rows.size()), row_h);
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const Row& row = rows[size_t(r)];
            const HistoryEntry& e = all[row.last];
            const RunDesc& d = e.run.desc;
            ImGui::TableNextRow(0, row_h);
            ImGui::TableNextColumn();
            if (row.first == row.last) {
                ImGui::Text("%u", e.number);
            } else {
                ImGui::Text("%u-", all[row.first].number);
                ImGui::Text("%u", e.number);
            }
            ImGui::TableNextColumn();
            if (row.first != row.last) {
                ImGui::Text("Measure live, %s", api_name(d.api));
                ImGui::TextColored(pal.dim, "%d runs x %d ms", int(row.last - row.first + 1), d.latency_ms);
            } else {
                if (code_path_info(d.path).schedule == Schedule::k_at_a_time) ImGui::Text("%s k=%d, %s", code_path_name(d.path), d.limit, api_name(d.api));
                else ImGui::Text("%s, %s", code_path_name(d.path), api_name(d.api));
                ImGui::TextColored(pal.dim, "%d x %d ms%s", d.count, d.latency_ms, e.source.empty() ? "" : " (file)");
            }
            ImGui::TableNextColumn();
            if (row.first != row.last) {
                double lo = 1e300, hi = 0;
                for (size_t k = row.first; k <= row.last; ++k) lo = std::min(lo, all[k].stats.wall_ms), hi = std::max(hi, all[k].stats.wall_ms);
                ImGui::Text("%s to %s", format_duration_ms(lo).c_str(), format_duration_ms(hi).c_str());
                ImGui::TextColored(pal.dim, "see Scaling");
            } else if (e.run.state == RunState::cancelled) {
                ImGui::Text("%s (cancelled)", format_duration_ms(e.stats.wall_ms).c_str());
                ImGui::TextColored(pal.dim, "of %s", format_duration_ms(e.stats.expected_ms).c_str());
            } else {
                ImGui::Text("%s  %.1fx", format_duration_ms(e.stats.wall_ms).c_str(), e.stats.speedup);
                if (e.guess_ms >= 0)
                    ImGui::TextColored(pal.dim, "exp. %s, guess %s", format_duration_ms(e.stats.expected_ms).c_str(), format_duration_ms(e.guess_ms).c_str());
                else ImGui::TextColored(pal.dim, "expected %s", format_duration_ms(e.stats.expected_ms).c_str());
            }
            ImGui::TableNextColumn();
            draw_mini_waterfall(app, e.timeline, span, ImVec2(std::max(10.0f, ImGui::GetContentRegionAvail().x), row_h - 4));
        }
    }
    ImGui::EndTable();
}

}  // namespace ap
