#include "app/stepper.h"

#include <algorithm>
#include <cstdio>

#include "app/app.h"
#include "app/ui_kit.h"
#include "imgui.h"

namespace ap {

namespace {

constexpr double speed_factors[stepper_speed_count - 1] = {0.25, 0.5, 1, 2, 4};
constexpr int one_event_a_second = stepper_speed_count - 1;

ImU32 call_color(CallState s) {
    const Palette& p = palette();
    switch (s) {
        case CallState::not_reached: return p.pending;
        case CallState::queued: return p.queued | IM_COL32_A_MASK;
        case CallState::on_network: return p.in_flight;
        case CallState::ready: return p.ready | IM_COL32_A_MASK;
        case CallState::running: return p.cpu;
        case CallState::backing_off: return p.backoff | IM_COL32_A_MASK;
        case CallState::done: return p.ok;
    }
    return IM_COL32_WHITE;
}

double wall_ms(const Run& run) { return double(std::max<int64_t>(0, run.end_us - run.start_us)) / 1000.0; }

// A row of the picture: a label, then one numbered chip per call (or task: `tasks`, numbered from 1, 0 the
// top level), wrapping at the panel's edge.
void chips(const char* label, const std::vector<int>& calls, CallState state, const char* none = nullptr, bool tasks = false) {
    if (calls.empty() && !none) return;
    ImGui::TextUnformatted(label);
    if (calls.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", none);
        return;
    }
    const float h = ImGui::GetTextLineHeight();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int c : calls) {
        char text[16];
        if (tasks && c == 0) std::snprintf(text, sizeof text, "top");
        else std::snprintf(text, sizeof text, "%d", tasks ? c : c + 1);
        const float w = std::max(h * 1.6f, ImGui::CalcTextSize(text).x + h * 0.6f);
        same_line_if_fits(w + 6);  // (clear of the picture's frame)
        const ImVec2 p = ImGui::GetCursorScreenPos();
        dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), call_color(state), 3);
        const ImVec2 ts = ImGui::CalcTextSize(text);
        dl->AddText(ImVec2(p.x + (w - ts.x) / 2, p.y), IM_COL32(20, 20, 20, 255), text);
        ImGui::Dummy(ImVec2(w, h));
    }
}

}  // namespace

const char* stepper_speed_label(int speed) {
    static const char* labels[stepper_speed_count] = {"0.25x", "0.5x", "1x (real time)", "2x", "4x", "one event a second"};
    return labels[std::clamp(speed, 0, stepper_speed_count - 1)];
}

const LoopTimeline& stepper_timeline(App& app) {
    StepperState::Cache& c = app.stepper.cache;
    const Run& run = app_shown_run(app);
    const HistoryEntry* entry = app_shown_entry(app);
    const uint32_t number = entry ? entry->number : 0;
    if (!c.valid || c.entry != number || c.generation != run.generation || c.end_us != run.end_us || c.requests != run.requests.size()) {
        c.valid = true;
        c.entry = number;
        c.generation = run.generation;
        c.end_us = run.end_us;
        c.requests = run.requests.size();
        c.timeline = event_loop_timeline(run);
    }
    return c.timeline;
}

LoopPicture stepper_picture(App& app) {
    const LoopTimeline& tl = stepper_timeline(app);
    return loop_picture(app_shown_run(app), tl, size_t(std::max(0, app.stepper.step)));
}

void stepper_go(App& app, int index) {
    StepperState& st = app.stepper;
    const LoopTimeline& tl = stepper_timeline(app);
    st.step = std::clamp(index, 0, int(tl.steps.size()) - 1);
    app.results.replay_ms = double(tl.steps[size_t(st.step)].shown_us()) / 1000.0;
    st.synced_replay_ms = app.results.replay_ms;
    st.reveal = true;
    app.needs_redraw = true;
}

void stepper_play(App& app, bool play, int64_t now_us) {
    StepperState& st = app.stepper;
    const LoopTimeline& tl = stepper_timeline(app);
    if (!play || tl.steps.size() < 2 || app.scheduler.running()) {
        st.playing = false;
        app.needs_redraw = true;
        return;
    }
    if (st.step >= int(tl.steps.size()) - 1) stepper_go(app, 0);  // from the end: play again from the start
    st.playing = true;
    st.play_ms = double(tl.steps[size_t(st.step)].shown_us()) / 1000.0;
    st.last_tick_us = now_us;
    stepper_go(app, st.step);
}

void stepper_tick(App& app, int64_t now_us) {
    StepperState& st = app.stepper;
    if (!st.playing) return;
    if (app.scheduler.running()) {  // a run's timing is never shared with an animation
        st.playing = false;
        return;
    }
    const LoopTimeline& tl = stepper_timeline(app);
    const int last = int(tl.steps.size()) - 1;
    if (st.speed == one_event_a_second) {
        if (now_us - st.last_tick_us < 1000 * 1000) return;
        st.last_tick_us = now_us;
        stepper_go(app, st.step + 1);
        if (st.step >= last) st.playing = false;
        return;
    }
    const double dt_ms = double(now_us - st.last_tick_us) / 1000.0;
    st.last_tick_us = now_us;
    st.play_ms += dt_ms * speed_factors[std::clamp(st.speed, 0, one_event_a_second - 1)];
    const double end_ms = wall_ms(app_shown_run(app));
    if (st.play_ms >= end_ms) {
        stepper_go(app, last);
        st.playing = false;
        return;
    }
    st.step = int(loop_step_at(tl, int64_t(st.play_ms * 1000)));
    app.results.replay_ms = st.play_ms;  // the marker glides; the step changes at each event
    st.synced_replay_ms = st.play_ms;
    app.needs_redraw = true;
}

bool stepper_wants_frames(const App& app) { return app.stepper.playing; }

bool stepper_holds_replay(App& app) {
    const StepperState& st = app.stepper;
    if (!st.open || app.results.replay_ms < 0 || app.results.replay_ms != st.synced_replay_ms) return false;
    const Run& run = app_shown_run(app);
    if (run.state == RunState::running || run.state == RunState::idle) return false;
    const LoopTimeline& tl = stepper_timeline(app);
    return !tl.too_big && tl.steps.size() >= 2;
}

void stepper_run_started(App& app) {
    app.stepper.playing = false;
    app.stepper.step = 0;
    app.stepper.synced_replay_ms = -2;
}

void stepper_run_ended(App& app) {
    StepperState& st = app.stepper;
    const int pending = st.pending_step;
    st.pending_step = -1;
    if (pending >= 0 && app_shown_run(app).state == RunState::finished) {
        st.open = true;
        stepper_go(app, pending);
    }
}

void draw_stepper(App& app, int64_t now_us) {
    StepperState& st = app.stepper;
    const Palette& pal = palette();
    ImGui::SetNextItemOpen(st.open, ImGuiCond_Always);
    st.open = ImGui::CollapsingHeader("The event loop, step by step");
    name_item(app, "stepper");
    if (!st.open) return;
    const Run& run = app_shown_run(app);
    if (run.state == RunState::running) {
        wrapped_note("Step through the event loop once the run is over.", pal.dim);
        return;
    }
    const LoopTimeline& tl = stepper_timeline(app);
    if (tl.too_big) {
        wrapped_note("The stepper follows runs of up to " + std::to_string(max_stepper_calls) + " calls: run with a smaller N.", pal.dim);
        return;
    }
    if (run.recorded && !tl.steps.empty()) wrapped_note(tl.steps[0].what, pal.dim);
    if (tl.steps.size() < 2) return;
    // The replay slider moved (or "whole run"): the step follows it.
    if (!st.playing && app.results.replay_ms >= 0 && app.results.replay_ms != st.synced_replay_ms) {
        st.step = int(loop_step_at(tl, int64_t(app.results.replay_ms * 1000)));
        st.synced_replay_ms = app.results.replay_ms;
    }
    const int last = int(tl.steps.size()) - 1;
    st.step = std::clamp(st.step, 0, last);

    ImGui::BeginDisabled(st.step == 0);
    if (ImGui::ArrowButton("##stepper-back", ImGuiDir_Left)) stepper_go(app, st.step - 1), st.playing = false;
    ImGui::EndDisabled();
    name_item(app, "stepper:back");
    ImGui::SameLine();
    ImGui::BeginDisabled(st.step == last);
    if (ImGui::ArrowButton("##stepper-forward", ImGuiDir_Right)) stepper_go(app, st.step + 1), st.playing = false;
    ImGui::EndDisabled();
    name_item(app, "stepper:forward");
    if (small_button(app, st.playing ? "Pause" : "Play", "stepper:play")) stepper_play(app, !st.playing, now_us);
    same_line_if_fits(ImGui::CalcTextSize("one event a second").x + ImGui::GetFontSize() * 2);
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("one event a second").x + ImGui::GetFontSize() * 2);
    if (ImGui::BeginCombo("##stepper-speed", stepper_speed_label(st.speed))) {
        for (int s = 0; s < stepper_speed_count; ++s) {
            if (ImGui::Selectable(stepper_speed_label(s), s == st.speed)) {
                st.speed = s;
                app.needs_redraw = true;
            }
        }
        ImGui::EndCombo();
    }
    name_item(app, "stepper:speed");
    const int follow = app.results.selected_request;
    if (follow >= 0 && follow < int(run.requests.size())) {
        const std::string label = "next event of call " + std::to_string(follow + 1);
        const size_t next = next_step_of_call(tl, size_t(st.step), follow);
        ImGui::BeginDisabled(next == size_t(st.step));
        if (small_button(app, label.c_str(), "stepper:next-of-call")) stepper_go(app, int(next)), st.playing = false;
        ImGui::EndDisabled();
    }
    const LoopEvent& ev = tl.steps[size_t(st.step)];
    // (A program's step that took a while, or tells several tasks' steps in a row, spans from its start to its end.)
    if (ev.shown_us() - ev.at_us >= 1000)
        ImGui::Text("step %d of %d, from %s to %s", st.step + 1, last + 1, format_duration_ms(double(ev.at_us) / 1000.0).c_str(),
                    format_duration_ms(double(ev.shown_us()) / 1000.0).c_str());
    else
        ImGui::Text("step %d of %d, at %s", st.step + 1, last + 1, format_duration_ms(double(ev.at_us) / 1000.0).c_str());
    name_text(app, "stepper:where");
    ImGui::PushStyleColor(ImGuiCol_Text, pal.title);
    ImGui::TextWrapped("%s", ev.what.c_str());
    ImGui::PopStyleColor();
    if (follow < 0) wrapped_note("Click a bar to follow one call from event to event.", pal.dim);

    // The loop itself.
    const LoopPicture pic = loop_picture(run, tl, size_t(st.step));
    const ImVec2 top = ImGui::GetCursorScreenPos();
    ImGui::BeginGroup();
    ImGui::Indent(ImGui::GetFontSize() * 0.5f);
    const std::string thread = tl.has_loop ? "The event loop " : pic.threads.empty() ? "The program's one thread " : "The main thread ";
    ImGui::TextWrapped("%s%s.", thread.c_str(), loop_words(tl, pic, st.step == last).c_str());
    if (tl.by_task) {
        // A learner's program: its tasks, as its trace says (a chip is a task; "top" is the top level).
        if (pic.task_running >= 0) chips(pic.main_wait >= 0 ? "held (its thread waits):" : pic.loop == LoopState::blocked ? "blocked in a call:" : "running:", {pic.task_running},
                                         pic.loop == LoopState::blocked ? CallState::on_network : CallState::running, nullptr, true);
        if (tl.has_loop) chips("ready queue:", pic.task_ready, CallState::ready, "empty", true);
        static const char* labels[task_wait_count] = {"", "waiting for an answer:", "waiting for a free connection:", "waiting at a semaphore:",
                                                      "waiting for a lock:", "waiting for an event:", "sleeping:", "awaiting another task:",
                                                      "awaiting a gather:", "awaiting a future:", "in asyncio.run:"};
        for (int w = 1; w < task_wait_count; ++w) {
            std::vector<int> these;
            for (const auto& [task, wait] : pic.task_parked)
                if (int(wait) == w) these.push_back(task);
            chips(labels[w], these, w == int(TaskWait::request) ? CallState::on_network : w == int(TaskWait::sleep) ? CallState::backing_off : CallState::queued,
                  nullptr, true);
        }
        // Its threads, by what each does: "blocked in its request: ThreadPoolExecutor-0_0 (line 6), ...".
        if (!pic.threads.empty()) {
            std::vector<std::pair<std::string, std::string>> groups;
            for (const LoopPicture::Thread& th : pic.threads) {
                const std::string key = th.at == ThreadAt::running ? "running" : thread_wait_words(th.wait, "");
                auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& e) { return e.first == key; });
                if (g == groups.end()) g = groups.insert(groups.end(), {key, std::string()});
                g->second += (g->second.empty() ? "" : ", ") + thread_title(run.program->trace, th.thread) +
                             (th.line > 0 ? " (line " + std::to_string(th.line) + ")" : "");
            }
            ImGui::TextDisabled("threads (%d alive):", int(pic.threads.size()));
            for (const auto& [key, names] : groups) {
                ImGui::PushStyleColor(ImGuiCol_Text, key == "running" ? pal.title : pal.dim);
                ImGui::TextWrapped("  %s: %s", key.c_str(), names.c_str());
                ImGui::PopStyleColor();
            }
        }
        if (pic.tasks_made > 0 || pic.threads.empty())
            ImGui::TextDisabled("tasks done: %d of %d   requests done: %d of %d", pic.tasks_done, pic.tasks_made, pic.done, int(run.requests.size()));
        else
            ImGui::TextDisabled("requests done: %d of %d", pic.done, int(run.requests.size()));
    } else {
        if (pic.running >= 0) chips(pic.loop == LoopState::computing ? "running:" : "blocked in:", {pic.running},
                                    pic.loop == LoopState::computing ? CallState::running : CallState::on_network);
        if (tl.has_loop) chips("ready queue:", pic.ready, CallState::ready, "empty");
        std::vector<int> network = pic.network;
        if (pic.loop == LoopState::blocked) network.erase(std::remove(network.begin(), network.end(), pic.running), network.end());
        chips("waiting on the network:", network, CallState::on_network);
        if (tl.has_workers) {
            const std::string label = "worker threads (" + std::to_string(pic.workers.size()) + " of " + std::to_string(tl.workers) + " busy):";
            chips(label.c_str(), pic.workers, CallState::on_network, "all idle");
        }
        if (!pic.queued.empty()) {
            const std::string label = std::string("queued (") + queue_reason(run.desc) + "):";
            chips(label.c_str(), pic.queued, CallState::queued);
        }
        chips("backing off before a retry:", pic.backing_off, CallState::backing_off);
        ImGui::TextDisabled("done: %d   not reached yet: %d", pic.done, pic.not_reached);
    }
    ImGui::Unindent(ImGui::GetFontSize() * 0.5f);
    ImGui::EndGroup();
    name_region(app, "stepper:loop");
    const ImVec2 bottom = ImGui::GetItemRectMax();
    ImGui::GetWindowDrawList()->AddRect(ImVec2(top.x - 2, top.y - 2), ImVec2(top.x + ImGui::GetContentRegionAvail().x, bottom.y + 2), pal.outline, 4);
    ImGui::Dummy(ImVec2(0, 2));
    // A step taken with the stepper's own controls brings the loop's picture into view, scrolling no
    // further than needed so the waterfall above stays in sight (a dragged replay slider never scrolls).
    if (st.reveal) {
        st.reveal = false;
        const float window_top = ImGui::GetWindowPos().y;
        const float visible_bottom = window_top + ImGui::GetWindowHeight() - ImGui::GetStyle().WindowPadding.y;
        if (bottom.y + 4 > visible_bottom) {
            ImGui::SetScrollFromPosY(bottom.y + 4 - window_top, 1.0f);
            app.needs_redraw = true;
        }
    }
}

}  // namespace ap
