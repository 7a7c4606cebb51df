#include "app/history_panel.h"

#include <algorithm>
#include <cstdio>

#include "app/app.h"
#include "app/ui_kit.h"
#include "core/analysis.h"
#include "imgui.h"

namespace ap {

void draw_history_panel(App& app) {
    const Palette& pal = palette();
    const History& h = app.history;
    wrapped_note("History: every run on one axis (0 to " + format_duration_ms(h.longest_wall_ms()) + ")", pal.dim);
    if (small_button(app, "Clear", "history:clear")) {
        app.history.clear();
        app.results.shown = 0;
        app.needs_redraw = true;
        if (app.hooks.on_history_changed) app.hooks.on_history_changed();
    }
    ImGui::BeginDisabled(h.entries().empty());
    if (small_button(app, "Save as CSV", "history:csv") && app.hooks.on_save_file) app.hooks.on_save_file("asyncplay-history.csv", "text/csv", history_to_csv(h));
    ImGui::EndDisabled();
    if (h.entries().empty()) {
        wrapped_note("Finished runs appear here, newest first. Run the loop, then gather, to see them side by side.", pal.dim);
        return;
    }
    const double span = std::max(1.0, h.longest_wall_ms());
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("history", 4, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    // Widths from the texts themselves (auto-fit would need a second frame, and this page draws only when
    // needed): each row says its run in two short lines.
    // Each run by the names the lessons use ("requests loop", "asyncio.Semaphore(k) k=5"); a learner's program by
    // what it did ("your program" over "12 requests, up to 12 at once, page").
    auto run_line = [](const HistoryEntry& e) {
        const RunDesc& d = e.run.desc;
        char buf[96];
        if (d.kind == RunKind::path && code_path_info(d.path).schedule == Schedule::k_at_a_time)
            std::snprintf(buf, sizeof buf, "%s k=%d", run_label(d), d.limit);
        else std::snprintf(buf, sizeof buf, "%s", run_label(d));
        return std::string(buf);
    };
    auto size_line = [](const HistoryEntry& e) {
        const RunDesc& d = e.run.desc;
        if (d.kind == RunKind::recorded) {
            return std::to_string(d.count) + (d.count == 1 ? " request" : " requests") + ", up to " + std::to_string(e.stats.peak()) + " at once, a HAR";
        }
        if (d.kind == RunKind::program) {
            const int peak = e.stats.peak();
            std::string line = std::to_string(d.count) + (d.count == 1 ? " request" : " requests");
            if (d.count > 1) line += ", up to " + std::to_string(peak) + " at once";
            return line + ", " + api_name(d.api);
        }
        return std::to_string(d.count) + " x " + std::to_string(d.latency_ms) + " ms, " + api_name(d.api) + (e.source.empty() ? "" : ", file");
    };
    float run_w = ImGui::CalcTextSize("Measure live, simulated").x, wall_w = ImGui::CalcTextSize("exp. 10.00 s, guess 10.00 s").x;
    for (const HistoryEntry& e : h.entries())
        run_w = std::max({run_w, ImGui::CalcTextSize(run_line(e).c_str()).x, ImGui::CalcTextSize(size_line(e).c_str()).x});
    const float pad = ImGui::GetStyle().CellPadding.x * 2 + 2;
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("1000-").x + pad);
    ImGui::TableSetupColumn("run", ImGuiTableColumnFlags_WidthFixed, run_w + pad);
    ImGui::TableSetupColumn("wall", ImGuiTableColumnFlags_WidthFixed, wall_w + pad);
    ImGui::TableSetupColumn("bars", ImGuiTableColumnFlags_WidthStretch);
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
                ImGui::TextUnformatted(run_line(e).c_str());
                ImGui::TextColored(pal.dim, "%s", size_line(e).c_str());
            }
            name_text(app, "history:run:" + std::to_string(e.number));
            ImGui::TableNextColumn();
            if (row.first != row.last) {
                double lo = 1e300, hi = 0;
                for (size_t k = row.first; k <= row.last; ++k) lo = std::min(lo, all[k].stats.wall_ms), hi = std::max(hi, all[k].stats.wall_ms);
                ImGui::Text("%s to %s", format_duration_ms(lo).c_str(), format_duration_ms(hi).c_str());
                ImGui::TextColored(pal.dim, "see Scaling");
            } else if (e.run.recorded) {
                ImGui::TextUnformatted(format_duration_ms(e.stats.wall_ms).c_str());
                ImGui::TextColored(pal.dim, "recorded, no model");
            } else if (e.run.program) {
                ImGui::Text("%s%s", format_duration_ms(e.stats.wall_ms).c_str(), e.run.state == RunState::cancelled ? " (stopped)" : "");
                ImGui::TextColored(pal.dim, "%s", !e.run.program->report.error_message.empty() ? "ended with an error" : "measured, no model");
            } else if (e.run.state == RunState::cancelled) {
                ImGui::Text("%s (cancelled)", format_duration_ms(e.stats.wall_ms).c_str());
                ImGui::TextColored(pal.dim, "of %s", format_duration_ms(e.stats.expected_ms).c_str());
            } else {
                ImGui::Text("%s  %.1fx", format_duration_ms(e.stats.wall_ms).c_str(), e.stats.speedup);
                if (e.guess_ms >= 0)
                    ImGui::TextColored(pal.dim, "exp. %s, guess %s", format_duration_ms(e.stats.expected_ms).c_str(), format_duration_ms(e.guess_ms).c_str());
                else ImGui::TextColored(pal.dim, "expected %s", format_duration_ms(e.stats.expected_ms).c_str());
            }
            name_text(app, "history:wall:" + std::to_string(e.number));
            ImGui::TableNextColumn();
            draw_mini_waterfall(app, e.timeline, span, ImVec2(std::max(10.0f, ImGui::GetContentRegionAvail().x), row_h - 4));
        }
    }
    ImGui::EndTable();
}

}  // namespace ap
