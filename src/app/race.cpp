#include "app/race.h"

#include <algorithm>

#include "app/app.h"
#include "app/ui_kit.h"
#include "imgui.h"

namespace ap {

const HistoryEntry* last_run_of(const App& app, RunKind kind) {
    const auto& all = app.history.entries();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->run.desc.kind == kind && it->full()) return &*it;
    return nullptr;
}

const HistoryEntry* last_program_run(const App& app) { return last_run_of(app, RunKind::program); }

const char* racer_label(const Racer& r) {
    return r.kind == RunKind::program ? "your program (its last run)" : r.kind == RunKind::recorded ? "the HAR loaded last" : code_path_info(r.path).label;
}

void race_start(App& app, int64_t now_us) {
    RaceState& race = app.race;
    race.no_program = false;
    for (const Racer& r : {race.a, race.b}) race.no_program |= r.kind != RunKind::path && !last_run_of(app, r.kind);
    if (race.no_program) {
        app.needs_redraw = true;
        return;
    }
    RunDesc d = app.desc;
    clamp_run_desc(&d);
    std::vector<QueuedRun> runs;
    uint32_t lanes[2] = {0, 0};
    double expected[2] = {0, 0};
    const Racer racers[2] = {race.a, race.b};
    for (int k = 0; k < 2; ++k) {
        if (racers[k].kind != RunKind::path) {  // its last run: nothing to run
            const HistoryEntry* last = last_run_of(app, racers[k].kind);
            lanes[k] = last->number;
            expected[k] = last->stats.wall_ms;
            continue;
        }
        d.path = racers[k].path;
        expected[k] = model_wall_ms(d);
        runs.push_back(QueuedRun{d, RunPurpose::race});
    }
    app_queue_runs(app, std::move(runs), now_us);  // (cancels what runs, which ends an old race)
    race.expected_a = expected[0], race.expected_b = expected[1];
    race.run_a = lanes[0], race.run_b = lanes[1];
    race.pending = !(race.run_a && race.run_b);
    app_keep_whole(app);
    layout_show(app, LayoutState::Panel::race);
}

const HistoryEntry* race_entry(const App& app, bool second) {
    const uint32_t number = second ? app.race.run_b : app.race.run_a;
    const HistoryEntry* e = number ? app.history.find(number) : nullptr;
    return e && e->full() ? e : nullptr;
}

void race_lesson_opened(App& app, const Lesson& l) {
    // The race's default pair: the lesson's first two paths, or its path against the plain loop or gather.
    RaceState& race = app.race;
    const CodePath a = l.paths.empty() ? CodePath::sequential : l.paths[0];
    race.a = Racer{RunKind::path, a};
    race.b = Racer{RunKind::path, l.paths.size() > 1 ? l.paths[1] : a == CodePath::concurrent ? CodePath::sequential : CodePath::concurrent};
    race.run_a = race.run_b = 0;
}

void race_interrupted(App& app) { app.race.pending = false; }

void race_run_ended(App& app, const HistoryEntry& entry, bool raced) {
    RaceState& race = app.race;
    if (!race.pending || !raced) return;
    const Run& run = entry.run;
    // A race run counts only if it finished: a cancelled one ends the race.
    if (run.state != RunState::finished) race.pending = false;
    else if (!race.run_a && run.desc.path == race.a.path) race.run_a = entry.number;
    else if (race.run_a && !race.run_b && run.desc.path == race.b.path) race.run_b = entry.number;
    if (race.run_a && race.run_b) race.pending = false;
}

void racer_combo(App& app, const char* label, const char* name, Racer* racer) {
    ImGui::SetNextItemWidth(std::min(ImGui::GetFontSize() * 13, ImGui::GetContentRegionAvail().x));
    const bool open = ImGui::BeginCombo(label, racer_label(*racer));
    name_item(app, name);
    if (!open) return;
    std::vector<Racer> order;
    // (The learner's program first: a combo shows eight lines before it scrolls.)
    if (last_program_run(app) || racer->kind == RunKind::program) order.push_back(Racer{RunKind::program});
    if (last_run_of(app, RunKind::recorded) || racer->kind == RunKind::recorded) order.push_back(Racer{RunKind::recorded});
    if (const Lesson* l = current_lesson(app))
        for (CodePath p : l->paths) order.push_back(Racer{RunKind::path, p});
    for (int i = 0; i < code_path_count; ++i)
        if (std::find(order.begin(), order.end(), Racer{RunKind::path, CodePath(i)}) == order.end()) order.push_back(Racer{RunKind::path, CodePath(i)});
    for (const Racer& r : order) {
        if (ImGui::Selectable(racer_label(r), r == *racer)) *racer = r, app.race.no_program = false;
        name_item(app, std::string(name) + ":" + (r.kind != RunKind::path ? run_kind_name(r.kind) : code_path_name(r.path)));
    }
    ImGui::EndCombo();
}

void draw_race_panel(App& app, int64_t now_us) {
    const Palette& pal = palette();
    RaceState& race = app.race;
    const RunDesc& d = app.desc;
    ImGui::TextWrapped("Race two ways of making the same %d calls of %d ms each: they run one after the other, "
                       "then sit on one time axis, both starting at zero.", d.count, d.latency_ms);
    // A [path]  B [path]  Race them, each part on the line before when it fits.
    const float combo_w = ImGui::GetFontSize() * 13, letter_w = ImGui::CalcTextSize("A").x + ImGui::GetStyle().ItemSpacing.x;
    ImGui::TextUnformatted("A");
    ImGui::SameLine();
    racer_combo(app, "##A", "race:a", &race.a);
    same_line_if_fits(letter_w + combo_w);
    ImGui::TextUnformatted("B");
    ImGui::SameLine();
    racer_combo(app, "##B", "race:b", &race.b);
    ImGui::BeginDisabled(race.pending);
    const char* start = race.pending ? "Racing..." : "Race them";
    same_line_if_fits(button_width(start));
    if (wide_button(app, start, "race:start")) race_start(app, now_us);
    ImGui::EndDisabled();
    if (race.no_program)
        wrapped_note(race.a.kind == RunKind::recorded || race.b.kind == RunKind::recorded
                         ? "No HAR is loaded to race: Load run... takes one (DevTools' Save all as HAR), or a run's Save as HAR."
                         : "Your program has no run to race yet: run it (Edit and run, above the code), then race it.", pal.bad);

    const HistoryEntry* done[2] = {race_entry(app, false), race_entry(app, true)};
    const Racer racers[2] = {race.a, race.b};
    const Run& live = app.scheduler.run();
    const bool racing_now = race.pending && app.scheduler.running() && app.current.purpose == RunPurpose::race;
    const Run* lanes[2] = {nullptr, nullptr};
    for (int k = 0; k < 2; ++k) {
        if (done[k]) lanes[k] = &done[k]->run;
        else if (racing_now && racers[k].kind == RunKind::path && live.desc.kind == RunKind::path && live.desc.path == racers[k].path) lanes[k] = &live;
    }
    if (!lanes[0] && !lanes[1]) {
        wrapped_note("Press Race them. (A race whose runs left the history, or was cancelled, starts over.)", pal.dim);
        return;
    }
    double span = std::max({race.expected_a, race.expected_b, 1.0});
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
            ImGui::TextWrapped("%s  %s: waiting for its turn", letter, racer_label(racers[k]));
            ImGui::Dummy(ImVec2(0, lane_h));
            continue;
        }
        const Run& r = *lanes[k];
        if (done[k]) {
            walls[k] = done[k]->stats.wall_ms;
            if (r.program || r.recorded)  // (no model: no expectation)
                ImGui::TextWrapped("%s  %s: %s, %d requests, run #%u", letter, r.recorded ? "recorded" : "your program", format_duration_ms(walls[k]).c_str(),
                                   r.desc.count, done[k]->number);
            else
                ImGui::TextWrapped("%s  %s: %s (expected %s), run #%u", letter, run_label(r.desc), format_duration_ms(walls[k]).c_str(),
                                   format_duration_ms(done[k]->stats.expected_ms).c_str(), done[k]->number);
        } else {
            ImGui::TextWrapped("%s  %s: running, %d of %d done", letter, racer_label(racers[k]), r.ended, r.desc.count);
        }
        draw_waterfall(app, r, span, now_us, lane_h, k == 0 ? "race:lane-a" : "race:lane-b", false);
    }
    if (walls[0] > 0 && walls[1] > 0) {
        const double ratio = walls[0] / walls[1];
        ImGui::PushStyleColor(ImGuiCol_Text, pal.title);
        // One decimal, as the history prints its speedups.
        if (ratio >= 1.05) ImGui::TextWrapped("B took %.1fx less time than A: %s against %s.", ratio, format_duration_ms(walls[1]).c_str(), format_duration_ms(walls[0]).c_str());
        else if (ratio <= 1 / 1.05) ImGui::TextWrapped("A took %.1fx less time than B: %s against %s.", 1 / ratio, format_duration_ms(walls[0]).c_str(), format_duration_ms(walls[1]).c_str());
        else ImGui::TextWrapped("A dead heat: %s against %s (within 5%%).", format_duration_ms(walls[0]).c_str(), format_duration_ms(walls[1]).c_str());
        ImGui::PopStyleColor();
        // The history's speedup of B is against the model's plain loop, not A's run: when the two figures
        // differ, say why there are two.
        if (done[1] && lanes[1]->desc.kind == RunKind::path && ratio >= 1.05) {
            char race_fig[16], history_fig[16];
            std::snprintf(race_fig, sizeof race_fig, "%.1f", ratio);
            std::snprintf(history_fig, sizeof history_fig, "%.1f", done[1]->stats.speedup);
            if (std::string(race_fig) != history_fig)
                wrapped_note(std::string("The history gives B ") + history_fig + "x: it compares B with the model's plain loop (" +
                             format_duration_ms(done[1]->stats.sequential_estimate_ms) + "), where this race compares it with A's own run (" +
                             format_duration_ms(walls[0]) + ").", pal.dim);
        }
    }
    draw_legend(lanes[0] ? *lanes[0] : *lanes[1]);
}

}  // namespace ap
