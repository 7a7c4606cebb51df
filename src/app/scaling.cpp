#include "app/scaling.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/app.h"
#include "app/ui_kit.h"
#include "imgui.h"

namespace ap {

std::vector<CodePath> scaling_paths(const App& app) {
    std::vector<CodePath> paths;
    if (const Lesson* l = current_lesson(app)) paths = l->paths;
    for (CodePath p : {CodePath::sequential, CodePath::concurrent}) {
        if (std::find(paths.begin(), paths.end(), p) == paths.end()) paths.push_back(p);
    }
    return paths;
}

const ScalingState::Model& scaling_model(App& app) {
    ScalingState::Model& s = app.scaling.model;
    RunDesc d = app.desc;
    clamp_run_desc(&d);
    d.path = CodePath::sequential;  // the sweeps vary path and N themselves
    d.count = std::clamp(d.count, 100, 1000);
    const std::vector<CodePath> paths = scaling_paths(app);
    // Through the chosen API as a run would go (its connection cap, its measured costs): the lines say
    // what a run's expectation says.
    if (d.api == Api::page && (!app.apis.inpage_ready || !app.network)) d.api = Api::simulated;
    const ApiCost cost = api_cost(app, d);
    // (Costs are measured again after every run; a small change is not worth redrawing the lines, whose
    // hundreds of model runs would land on the page's one thread, perhaps during the next run.)
    auto near = [](double a, double b) { return std::fabs(a - b) <= std::max(0.5, 0.25 * std::max(a, b)); };
    const bool same_cost = near(s.cost.round_trip_ms, cost.round_trip_ms) && near(s.cost.handover_ms, cost.handover_ms);
    if (s.valid && s.desc == d && s.paths == paths && same_cost) return s;
    s.valid = true;
    s.desc = d;
    s.paths = paths;
    s.cost = cost;
    s.by_count.clear();
    s.by_share.clear();
    // Every N up to 100, so a limit's steps show; beyond that the sweep's own spacing.
    std::vector<int> counts;
    for (int n = 1; n <= 100; ++n) counts.push_back(n);
    for (int n : sweep_counts(d.count)) if (n > 100) counts.push_back(n);
    for (CodePath p : paths) {
        s.by_count.push_back(sweep_by_count(d, p, counts, cost));
        RunDesc share_base = d;
        share_base.count = std::min(app.desc.count, 100);
        s.by_share.push_back(sweep_by_cpu_share(share_base, p, sweep_shares(), cost));
    }
    return s;
}

void scaling_start_live(App& app, int64_t now_us) {
    RunDesc base = app.desc;
    clamp_run_desc(&base);
    std::vector<QueuedRun> runs;
    int skipped = 0;
    for (CodePath p : scaling_paths(app)) {
        for (int n : {1, 5, 10, 20, 50}) {
            RunDesc d = base;
            d.path = p;
            d.count = n;
            if (model_wall_ms(d) > 10000) {
                ++skipped;
                continue;
            }
            runs.push_back(QueuedRun{d, RunPurpose::sweep});
        }
    }
    ScalingState::LiveSweep& ls = app.scaling.live;
    const int planned = int(runs.size());
    app_queue_runs(app, std::move(runs), now_us);  // (cancels what runs, which ends an old sweep)
    ls = ScalingState::LiveSweep{};
    ls.base = base;
    ls.skipped = skipped;
    ls.planned = planned;
    ls.active = planned > 0;
    ls.group = app.history.new_group();
    layout_show(app, LayoutState::Panel::scaling);
}

static void end_sweep(App& app) {
    ScalingState::LiveSweep& ls = app.scaling.live;
    if (!ls.active) return;
    ls.active = false;
    app.needs_redraw = true;
}

void scaling_interrupted(App& app) { end_sweep(app); }

void scaling_run_ended(App& app, const HistoryEntry& entry, bool swept) {
    ScalingState::LiveSweep& ls = app.scaling.live;
    if (!ls.active || !swept) return;
    const Run& run = entry.run;
    ls.points.push_back(ScalingState::LivePoint{run.desc.path, run.desc.count, entry.stats.wall_ms, run.state == RunState::finished});
    const bool more = std::any_of(app.queue.begin(), app.queue.end(), [](const QueuedRun& q) { return q.purpose == RunPurpose::sweep; });
    if (run.state != RunState::finished || !more) end_sweep(app);  // a cancel ends the sweep
}

// A line chart: one polyline per series, axes with ticks, measured points as rings on top.
struct ChartSeries { const char* label; ImU32 color; std::vector<ImVec2> points; std::vector<ImVec2> measured; };
// Returns the y axis' top.
static float draw_chart(App& app, const char* id, const char* title, const char* x_unit, bool x_is_ms_count, bool y_is_ms,
                        const std::vector<ChartSeries>& series, float height) {
    wrapped_note(title, palette().dim);
    const ImVec2 size(std::max(120.0f, ImGui::GetContentRegionAvail().x), height);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton(id, size);
    app.focus.rects.push_back(FocusState::Rect{id, p.x, p.y, size.x, size.y});
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
    dl->AddLine(o, ImVec2(o.x + w, o.y), palette().axis_text);
    dl->AddLine(o, ImVec2(o.x, o.y - h), palette().axis_text);
    const int yticks = std::max(2, int(h / (em * 2.2f)));
    const double ystep = y_is_ms ? nice_time_step(max_y, yticks) : nice_step(max_y, yticks);
    for (double y = 0; y <= max_y + 1e-9; y += ystep) {
        const float py = o.y - float(y / max_y) * h;
        dl->AddLine(ImVec2(o.x, py), ImVec2(o.x + w, py), palette().axis_line);
        char buf[32];
        if (y_is_ms) std::snprintf(buf, sizeof buf, "%s", tick_label(y, ystep).c_str());
        else std::snprintf(buf, sizeof buf, "%gx", y);
        dl->AddText(ImVec2(p.x, py - em * 0.5f), palette().axis_text, buf);
    }
    const double xstep = nice_step(max_x, std::max(2, int(w / (em * 4))));
    for (double x = 0; x <= max_x + 1e-9; x += xstep) {
        const float px = o.x + float(x / max_x) * w;
        dl->AddLine(ImVec2(px, o.y), ImVec2(px, o.y + 3), palette().axis_text);
        char buf[32];
        if (x_is_ms_count) std::snprintf(buf, sizeof buf, "%g", x);
        else std::snprintf(buf, sizeof buf, "%g%%", x * 100);
        dl->AddText(ImVec2(px - ImGui::CalcTextSize(buf).x / 2, o.y + 3), palette().axis_text, buf);
    }
    const char* unit = x_unit;
    dl->AddText(ImVec2(o.x + w - ImGui::CalcTextSize(unit).x, o.y - em * 1.2f), palette().axis_text, unit);
    dl->PushClipRect(ImVec2(o.x - 4, o.y - h - 4), ImVec2(o.x + w + 4, o.y + 4), true);
    // The first series widest, each next one narrower on top: lines that share values (a semaphore and a
    // pool of the same k) show as stripes of both colours instead of one hiding the other.
    for (size_t k = 0; k < series.size(); ++k) {
        const ChartSeries& c = series[k];
        std::vector<ImVec2> pts;
        for (const ImVec2& v : c.points) pts.push_back(at(v));
        const float width = 2.0f + 2.5f * float(series.size() - 1 - k);
        if (pts.size() > 1) dl->AddPolyline(pts.data(), int(pts.size()), c.color, 0, width);
    }
    for (const ChartSeries& c : series) {  // the measured dots over every line
        for (const ImVec2& v : c.measured) {
            dl->AddCircleFilled(at(v), em * 0.32f, c.color);
            dl->AddCircle(at(v), em * 0.32f, palette().outline, 0, 1.5f);
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
    // Legend, wrapping onto a new line when it does not fit.
    for (size_t i = 0; i < series.size(); ++i) {
        if (i) same_line_if_fits(em * 1.2f + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(series[i].label).x);
        const ImVec2 q = ImGui::GetCursorScreenPos();
        dl->AddRectFilled(ImVec2(q.x, q.y + em * 0.45f), ImVec2(q.x + em * 1.2f, q.y + em * 0.65f), series[i].color);
        ImGui::Dummy(ImVec2(em * 1.2f, em));
        ImGui::SameLine();
        ImGui::TextUnformatted(series[i].label);
    }
    return max_y;
}

void draw_scaling_panel(App& app, int64_t now_us) {
    const Palette& pal = palette();
    const ScalingState::Model& sc = scaling_model(app);
    const RunDesc& d = app.desc;
    ImGui::TextWrapped("How the wall time grows with N, at %d ms a call%s, for %s API: the lines are the model (every N played in "
                       "virtual time); Measure live runs some of them for real.", d.latency_ms,
                       code_path_info(d.path).schedule == Schedule::k_at_a_time || std::count_if(sc.paths.begin(), sc.paths.end(), [](CodePath p) {
                           return code_path_info(p).schedule == Schedule::k_at_a_time; }) ? (", k = " + std::to_string(d.limit)).c_str() : "",
                       d.api == Api::server ? "the dev server (6 connections per host)" : d.api == Api::page ? "the in-page" : "the simulated");
    ScalingState::LiveSweep& ls = app.scaling.live;
    ImGui::BeginDisabled(ls.active);
    if (wide_button(app, ls.active ? "Measuring..." : "Measure live", "scaling:live")) scaling_start_live(app, now_us);
    ImGui::EndDisabled();
    std::string progress;
    if (ls.active) progress = std::to_string(ls.points.size()) + " measured, " + std::to_string(ls.planned - int(ls.points.size())) + " to go";
    else if (!ls.points.empty())
        progress = std::to_string(ls.points.size()) + " runs measured" + (ls.skipped ? ", " + std::to_string(ls.skipped) + " left out: the model says over 10 s" : "");
    if (!progress.empty()) {
        same_line_if_fits(ImGui::CalcTextSize(progress.c_str()).x);
        wrapped_note(progress, pal.dim);
    }
    // Live points count only for the settings they were measured with.
    RunDesc shown = d, measured = ls.base;
    clamp_run_desc(&shown);
    shown.path = measured.path = CodePath::sequential;
    shown.count = measured.count = 0;
    const bool live_matches = shown == measured;
    std::vector<ChartSeries> walls, speedups;
    for (size_t i = 0; i < sc.paths.size(); ++i) {
        ChartSeries c{code_path_info(sc.paths[i]).label, code_path_color(sc.paths[i]), {}, {}};
        ChartSeries sp = c;
        for (const SweepPoint& pt : sc.by_count[i].points) c.points.push_back(ImVec2(float(pt.x), float(pt.wall_ms)));
        for (const SweepPoint& pt : sc.by_share[i].points) sp.points.push_back(ImVec2(float(pt.x), float(pt.speedup)));
        if (live_matches) {
            for (const ScalingState::LivePoint& lp : ls.points)
                if (lp.path == sc.paths[i] && lp.finished) c.measured.push_back(ImVec2(float(lp.n), float(lp.wall_ms)));
        }
        walls.push_back(std::move(c));
        speedups.push_back(std::move(sp));
    }
    const float chart_h = std::max(120.0f, (ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() * 5) / 2);
    app.scaling.dots_drawn = 0;
    for (const ChartSeries& c : walls) app.scaling.dots_drawn += int(c.measured.size());
    app.scaling.axis_max[0] = draw_chart(app, "scaling:by-n", "Wall time against the number of calls N", "N", true, true, walls, chart_h);
    ImGui::Spacing();
    char title[160];
    std::snprintf(title, sizeof title, "Speedup over the plain loop against the CPU share of each call (N = %d, %d ms of work a call)",
                  std::min(d.count, 100), std::min(d.latency_ms + d.cpu_ms, Limits::max_cpu_ms) > 0 ? std::min(d.latency_ms + d.cpu_ms, Limits::max_cpu_ms) : 100);
    app.scaling.axis_max[1] = draw_chart(app, "scaling:by-cpu", title, "CPU share", false, false, speedups, chart_h);
}

}  // namespace ap
