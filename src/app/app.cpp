#include "app.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/embedded_text.h"

namespace ap {

static void save_progress(App& app) {
    if (app.on_progress && !app.lessons.empty()) app.on_progress(app.lessons[size_t(app.lesson)].id, app.done);
}

void app_init(App& app, Transport* network) {
    app.network = network;
    app.route.target = network ? network : static_cast<Transport*>(&app.simulated);
    const char* builtin = find_embedded_text("lessons.txt");
    LessonFile file = parse_lessons(builtin ? builtin : "", "lessons.txt");
    app.lessons = std::move(file.lessons);
    app.lesson_errors = std::move(file.errors);
    if (!app.lessons.empty()) app.desc = app.lessons.front().preset;
    app.desc.api = network ? app.desc.api : Api::simulated;
}

void app_select_lesson(App& app, int index, int64_t now_us) {
    if (index < 0 || index >= int(app.lessons.size())) return;
    app.queued_paths.clear();
    app_cancel(app, now_us);
    app.lesson = index;
    app.desc = app.lessons[size_t(index)].preset;
    if (app.desc.api == Api::page && ((app.apis.probed && !app.apis.inpage_ready) || !app.network)) app.desc.api = Api::simulated;
    app.input_notes.clear();
    app.verdict = App::LessonVerdict{};
    app.loop_step = 0;
    app.selected_phase = -1;
    // The race's default pair: the lesson's first two paths, or its path against the plain loop or gather.
    const Lesson& l = app.lessons[size_t(index)];
    app.race.a = l.paths.empty() ? CodePath::sequential : l.paths[0];
    app.race.b = l.paths.size() > 1 ? l.paths[1] : app.race.a == CodePath::concurrent ? CodePath::sequential : CodePath::concurrent;
    app.race.run_a = app.race.run_b = 0;
    app.dirty = true;
    save_progress(app);
}

int app_add_lessons(App& app, const std::string& text, const std::string& file_name) {
    LessonFile file = parse_lessons(text, file_name);
    for (std::string& e : file.errors) app.lesson_errors.push_back(std::move(e));
    if (file.lessons.empty() && file.errors.empty()) app.lesson_errors.push_back(file_name + ": no lessons in this file");
    const int added = int(file.lessons.size());
    for (Lesson& l : file.lessons) app.lessons.push_back(std::move(l));
    app.dirty = true;
    return added;
}

void app_restore_progress(App& app, const std::string& lesson_id, const std::vector<std::string>& done, int64_t now_us) {
    app.done = done;
    for (size_t i = 0; i < app.lessons.size(); ++i) {
        if (app.lessons[i].id == lesson_id) {
            app_select_lesson(app, int(i), now_us);
            return;
        }
    }
    app.dirty = true;
}

const char* lock_name(Lock l) {
    static const char* names[lock_count] = {"lesson", "path", "n", "latency", "limit", "api", "settings"};
    return names[int(l)];
}

static bool parse_flag(const std::string& v, bool* out) {
    if (v == "1" || v == "true" || v == "yes" || v.empty()) return *out = true, true;
    if (v == "0" || v == "false" || v == "no") return *out = false, true;
    return false;
}

// The page's own keys: embed, theme, lock, step. Returns false when `key` is not one of them.
static bool apply_view_key(App& app, const std::string& key, const std::string& value, std::vector<std::string>* notes) {
    if (key == "embed") {
        if (!parse_flag(value, &app.view.embed)) notes->push_back("Link: embed=" + value + " is not 1 or 0 (ignored).");
    } else if (key == "theme") {
        if (value == "light") app.view.theme = Theme::light;
        else if (value == "dark") app.view.theme = Theme::dark;
        else if (value == "auto") app.view.theme = Theme::automatic;
        else notes->push_back("Link: theme=" + value + " is not light, dark or auto; following the system's setting.");
    } else if (key == "lock") {
        app.view.locks = 0;
        size_t at = 0;
        while (at <= value.size()) {
            const size_t comma = std::min(value.find(',', at), value.size());
            const std::string name = value.substr(at, comma - at);
            at = comma + 1;
            if (name.empty()) continue;
            bool known = false;
            for (int l = 0; l < lock_count && !known; ++l) {
                if (name == lock_name(Lock(l))) app.view.locks |= lock_bit(Lock(l)), known = true;
            }
            if (!known) notes->push_back("Link: lock=" + name + " is not a control that can be locked (lesson, path, n, latency, limit, api, settings).");
        }
    } else if (key == "predict") {
        if (!parse_flag(value, &app.predicting)) notes->push_back("Link: predict=" + value + " is not 1 or 0 (ignored).");
    } else if (key == "step") {
        char* end = nullptr;
        const long step = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || step < 1 || step > 1000) {
            notes->push_back("Link: step=" + value + " is not a step number (1 or more); starting at the first step.");
        } else if (app.lessons.empty() || !app.lessons[size_t(app.lesson)].loop_view) {
            notes->push_back("Link: step=" + value + ": this lesson has no event-loop stepper (ignored).");
        } else {
            // The stepper follows a finished run: start it, and open it at that step when it ends.
            app.pending_step = int(step) - 1;
            app.start_requested = true;
        }
    } else {
        return false;
    }
    return true;
}

void app_apply_url(App& app, const std::string& query, int64_t now_us) {
    const auto params = parse_query(query);
    std::vector<std::string> notes;
    for (const auto& [key, value] : params) {
        if (key != "lesson") continue;
        bool found = false;
        for (size_t i = 0; i < app.lessons.size() && !found; ++i) {
            if (app.lessons[i].id == value || std::to_string(i + 1) == value) {
                app_select_lesson(app, int(i), now_us);
                found = true;
            }
        }
        if (!found) notes.push_back("Link: there is no lesson '" + value + "'; showing lesson " + std::to_string(app.lesson + 1) + ".");
    }
    // Keys the JavaScript side owns (a lesson file's URL, the host page's origin) pass silently.
    static const char* js_keys[] = {"lesson", "lessons", "origin"};
    for (const auto& [key, value] : params) {
        const std::string& name = key;  // (a structured binding cannot be captured before C++20's clang 16)
        if (std::find_if(std::begin(js_keys), std::end(js_keys), [&](const char* k) { return name == k; }) != std::end(js_keys)) continue;
        if (apply_view_key(app, key, value, &notes)) continue;
        std::string error;
        RunDesc d = app.desc;
        if (apply_preset(key + "=" + value, &d, &error)) app.desc = d;
        else notes.push_back("Link: " + error + " (ignored).");
    }
    app.input_notes = notes;
    app.dirty = true;
}

std::string app_permalink_query(const App& app) {
    if (app.lessons.empty()) return "";
    std::string q = permalink_query(app.desc, app.lessons[size_t(app.lesson)]);
    const Run& run = app.scheduler.run();
    if (app.lessons[size_t(app.lesson)].loop_view && run.state == RunState::finished && app.loop_step > 0)
        q += "&step=" + std::to_string(app.loop_step + 1);
    if (app.predicting) q += "&predict=1";
    if (app.view.embed) q += "&embed=1";
    if (app.view.theme != Theme::automatic) q += app.view.theme == Theme::light ? "&theme=light" : "&theme=dark";
    if (app.view.locks) {
        std::string list;
        for (int l = 0; l < lock_count; ++l) {
            if (app.view.locked(Lock(l))) list += (list.empty() ? "" : ",") + std::string(lock_name(Lock(l)));
        }
        q += "&lock=" + list;
    }
    return q;
}

bool app_tab_leaves(const App& app, bool backwards) {
    // The controls in the order the last frame drew them; disabled ones are skipped like the browser does.
    const App::WidgetRect* first = nullptr;
    const App::WidgetRect* last = nullptr;
    for (const App::WidgetRect& r : app.widget_rects) {
        if (!r.enabled || !r.id) continue;
        if (!first) first = &r;
        last = &r;
    }
    if (!first) return true;
    if (app.focus.empty()) return backwards;  // Tab enters at the first control; Shift+Tab leaves
    return (backwards ? first : last)->name == app.focus;
}

void app_clear_color(const App& app, float rgb[3]) {
    const float dark[3] = {0.09f, 0.10f, 0.12f}, light[3] = {0.95f, 0.95f, 0.96f};
    const float* c = app.view.light() ? light : dark;
    for (int i = 0; i < 3; ++i) rgb[i] = c[i];
}

int app_apply_resource_timing(App& app, uint16_t generation, const std::vector<AttemptTiming>& timings) {
    int matched = 0;
    HistoryEntry* entry = app.history.find_generation(generation);
    for (const AttemptTiming& t : timings) {
        if (app.scheduler.annotate_attempt(generation, t.index, t.attempt, t.sent_us, t.first_byte_us)) ++matched;
        if (entry && t.index >= 0 && t.index < int(entry->run.requests.size())) {
            std::vector<Attempt>& attempts = entry->run.requests[size_t(t.index)].attempts;
            if (t.attempt >= 0 && t.attempt < int(attempts.size())) {
                // The same clamping as the scheduler's: copy what it kept.
                if (app.scheduler.run().generation == generation) {
                    attempts[size_t(t.attempt)] = app.scheduler.run().requests[size_t(t.index)].attempts[size_t(t.attempt)];
                }
            }
        }
    }
    app.dirty = true;
    return matched;
}

const Run& app_shown_run(const App& app) { return app.loaded ? *app.loaded : app.scheduler.run(); }

const RunStats& app_shown_stats(App& app) { return app.loaded ? app.loaded_stats : app_run_stats(app); }

bool app_load_run(App& app, const std::string& text, const std::string& file_name) {
    auto run = std::make_unique<Run>();
    double guess = -1;
    std::string error;
    app.dirty = true;
    app.panel = App::Panel::run;
    app.show_panel = app.show_run_tab = true;
    if (!run_from_file(text, run.get(), &guess, &error)) {
        app.file_error = file_name + " could not be loaded: " + error;
        return false;
    }
    app.file_error.clear();
    app.history.add(*run, guess);
    app.loaded_stats = compute_stats(*run);
    app.loaded = std::move(run);
    app.loaded_name = file_name;
    app.replay_ms = -1;
    app.selected_request = -1;
    return true;
}

std::string app_run_file(const App& app) {
    const Run& run = app_shown_run(app);
    double guess = -1;
    for (const HistoryEntry& e : app.history.entries()) {
        if (e.run.generation == run.generation && e.run.start_us == run.start_us) guess = e.guess_ms;
    }
    return run_to_file(run, guess);
}

std::vector<CodePath> app_scaling_paths(const App& app) {
    std::vector<CodePath> paths;
    if (!app.lessons.empty()) paths = app.lessons[size_t(app.lesson)].paths;
    for (CodePath p : {CodePath::sequential, CodePath::concurrent}) {
        if (std::find(paths.begin(), paths.end(), p) == paths.end()) paths.push_back(p);
    }
    return paths;
}

const App::Scaling& app_scaling(App& app) {
    App::Scaling& s = app.scaling;
    RunDesc d = app.desc;
    clamp_run_desc(&d);
    d.path = CodePath::sequential;  // the sweeps vary path and N themselves
    d.count = std::clamp(d.count, 100, 1000);
    const std::vector<CodePath> paths = app_scaling_paths(app);
    if (s.valid && s.desc == d && s.paths == paths) return s;
    s.valid = true;
    s.desc = d;
    s.paths = paths;
    s.by_count.clear();
    s.by_share.clear();
    // Every N up to 100, so a limit's steps show; beyond that the sweep's own spacing.
    std::vector<int> counts;
    for (int n = 1; n <= 100; ++n) counts.push_back(n);
    for (int n : sweep_counts(d.count)) if (n > 100) counts.push_back(n);
    for (CodePath p : paths) {
        s.by_count.push_back(sweep_by_count(d, p, counts));
        RunDesc share_base = d;
        share_base.count = std::min(app.desc.count, 100);
        s.by_share.push_back(sweep_by_cpu_share(share_base, p, sweep_shares()));
    }
    return s;
}

void app_start_live_sweep(App& app, int64_t now_us) {
    app_cancel(app, now_us);
    App::LiveSweep& ls = app.live_sweep;
    ls = App::LiveSweep{};
    ls.base = app.desc;
    clamp_run_desc(&ls.base);
    for (CodePath p : app_scaling_paths(app)) {
        for (int n : {1, 5, 10, 20, 50}) {
            RunDesc d = ls.base;
            d.path = p;
            d.count = n;
            if (model_wall_ms(d) > 10000) {
                ++ls.skipped;
                continue;
            }
            ls.todo.emplace_back(p, n);
        }
    }
    ls.active = !ls.todo.empty();
    app.panel = App::Panel::scaling;
    app.show_panel = app.show_run_tab = true;
    app.dirty = true;
}

void app_start_race(App& app, int64_t now_us) {
    app_cancel(app, now_us);
    app.race.run_a = app.race.run_b = 0;
    app.race.pending = true;
    app.race.path_before = app.desc.path;
    RunDesc d = app.desc;
    clamp_run_desc(&d);
    d.path = app.race.a;
    app.race.expected_a = model_wall_ms(d);
    d.path = app.race.b;
    app.race.expected_b = model_wall_ms(d);
    app.queued_paths = {app.race.a, app.race.b};  // app_tick starts them one after the other
    app.panel = App::Panel::race;
    app.show_panel = app.show_run_tab = true;
    app.dirty = true;
}

const HistoryEntry* app_race_entry(const App& app, bool second) {
    const uint32_t number = second ? app.race.run_b : app.race.run_a;
    if (!number) return nullptr;
    for (const HistoryEntry& e : app.history.entries()) {
        if (e.number == number) return e.full() ? &e : nullptr;
    }
    return nullptr;
}

void app_run_each(App& app, int64_t now_us) {
    if (app.lessons.empty()) return;
    const Lesson& l = app.lessons[size_t(app.lesson)];
    app_cancel(app, now_us);
    app.queued_paths.assign(l.paths.begin(), l.paths.end());  // app_tick starts them one after another
    app.dirty = true;
}

// Records the end of the current run once: into the history, and to whoever waits for its ticket.
static void finish_if_ended(App& app) {
    if (app.ticket == 0 || app.scheduler.running()) return;
    app.history.pin(app.race.run_a, app.race.run_b);  // the race view draws them in full
    const HistoryEntry* entry = app.history.add(app.scheduler.run(), app.run_guess_ms);
    if (entry && app.run_guess_ms >= 0 && entry->run.state == RunState::finished) {
        app.scored = App::Scored{true, entry->number, app.run_guess_ms, entry->stats.wall_ms,
                                 score_prediction(app.run_guess_ms, entry->stats.wall_ms)};
    }
    app.run_guess_ms = -1;
    if (entry && entry->run.desc.api == Api::server && entry->run.desc.base_url == app.apis.server_base) {
        // A run through the server is the best probe there is: any answer at all means it is there.
        const RunStats& s = entry->stats;
        if (s.ok + s.http_errors > 0) {
            app.apis.server_ready = app.apis.server_checked = true;
            app.apis.server_note = "answered";
        } else if (s.network_errors > 0 && s.network_errors == s.started) {
            app.apis.server_ready = false;
            app.apis.server_checked = true;
            app.apis.server_note = "no answer at all";
        }
    }
    const uint32_t ticket = app.ticket;
    app.ticket = 0;
    app.dirty = true;
    const Run& run = app.scheduler.run();
    if (app.live_sweep.active && entry) {
        App::LiveSweep& ls = app.live_sweep;
        ls.points.push_back(App::LivePoint{run.desc.path, run.desc.count, entry->stats.wall_ms, run.state == RunState::finished});
        if (run.state != RunState::finished) {
            ls.active = false;  // a cancel ends the sweep
            ls.todo.clear();
            app.desc.path = ls.base.path;
            app.desc.count = ls.base.count;
        }
    }
    if (app.race.pending && entry) {
        // A race run counts only if it finished: a cancelled one ends the race.
        if (run.state != RunState::finished) app.race.pending = false;
        else if (!app.race.run_a && run.desc.path == app.race.a) app.race.run_a = entry->number;
        else if (app.race.run_a && !app.race.run_b && run.desc.path == app.race.b) app.race.run_b = entry->number;
        if (app.race.run_a && app.race.run_b) {
            app.race.pending = false;
            app.desc.path = app.race.path_before;  // the learner's own choice again
        }
    }
    const RunStats stats = entry ? entry->stats : compute_stats(run);
    if (app.verdict.generation == run.generation && !app.lessons.empty()) {
        app.verdict.valid = true;
        app.verdict.verdict = judge_run(run, stats);
        const Lesson& lesson = app.lessons[size_t(app.lesson)];
        const std::string& id = lesson.id;
        // A lesson is marked only by a run of one of its own code paths whose claim held.
        const bool own_path = std::find(lesson.paths.begin(), lesson.paths.end(), run.desc.path) != lesson.paths.end();
        if (app.verdict.verdict.ok && own_path && std::find(app.done.begin(), app.done.end(), id) == app.done.end()) {
            app.done.push_back(id);
            save_progress(app);
        }
    }
    if (app.pending_step >= 0 && run.state == RunState::finished) app.loop_step = app.pending_step;  // clamped by the stepper
    app.pending_step = -1;
    if (app.on_run_ended) app.on_run_ended(ticket, run_to_json(run, stats));
}

uint32_t app_start_run(App& app, RunDesc desc, int64_t now_us) {
    const std::vector<CodePath> queued = std::move(app.queued_paths);  // cancelling the old run must not drop them
    const bool racing = app.race.pending && !app.scheduler.running();  // (a run started over a race's ends it)
    app_cancel(app, now_us);
    app.queued_paths = queued;
    app.race.pending = racing && (desc.path == app.race.a || desc.path == app.race.b);
    app.input_notes = clamp_run_desc(&desc);
    if (desc.api == Api::page && !app.apis.inpage_ready) {
        app.input_notes.push_back("The in-page API is not available (" + app.apis.inpage_note +
                                  "): this run is simulated in virtual time.");
        desc.api = Api::simulated;
    }
    if (desc.api != Api::simulated && !app.network) desc.api = Api::simulated;
    switch (desc.api) {
        case Api::page: desc.base_url = app.apis.inpage_base; break;
        case Api::server: desc.base_url = app.apis.server_base; break;
        case Api::simulated: desc.base_url = "simulated:"; break;
    }
    app.route.target = desc.api == Api::simulated ? static_cast<Transport*>(&app.simulated) : app.network;
    app.desc = desc;
    app.ticket = app.next_ticket++;
    app.selected_request = -1;
    app.loop_step = 0;
    app.show_run_tab = true;
    app.loaded.reset();
    app.file_error.clear();
    app.replay_ms = -1;
    // The learner's guess goes with a run of the settings it was made for (not with a race's or a sweep's).
    RunDesc asked = app.desc, running = desc;
    asked.base_url = running.base_url = "";
    clamp_run_desc(&asked);
    app.run_guess_ms = app.predicting && app.guess_ms >= 0 && !app.race.pending && asked == running ? app.guess_ms : -1;
    if (!app.race.pending) {  // a run of its own shows in "This run" (a sweep's run is put back by app_tick)
        app.panel = App::Panel::run;
        app.show_panel = true;
    }
    app.scheduler.begin(desc, now_us);
    app.verdict = App::LessonVerdict{};
    app.verdict.generation = app.scheduler.run().generation;
    app.verdict.path = code_path_info(desc.path).label;
    app.dirty = true;
    const uint32_t ticket = app.ticket;
    finish_if_ended(app);  // zero-latency simulated runs may end at once
    return ticket;
}

void app_cancel(App& app, int64_t now_us) {
    app.queued_paths.clear();
    app.race.pending = false;
    if (!app.scheduler.running()) app.live_sweep.active = false;  // (a running sweep run records its cancel)
    if (!app.scheduler.running()) return;
    app.scheduler.cancel(now_us);
    finish_if_ended(app);
}

void app_complete(App& app, RequestId id, const Completion& c, int64_t now_us, int64_t handled_us) {
    if (app.scheduler.complete(id, c, now_us, handled_us)) app.dirty = true;
    finish_if_ended(app);
}

void app_tick(App& app, int64_t now_us) {
    App::LiveSweep& ls = app.live_sweep;
    if (ls.active && !app.scheduler.running() && app.ticket == 0 && app.queued_paths.empty()) {
        if (ls.todo.empty()) {
            ls.active = false;
            app.desc.path = ls.base.path;  // the learner's own settings again
            app.desc.count = ls.base.count;
            app.dirty = true;
        } else {
            RunDesc d = ls.base;
            d.path = ls.todo.front().first;
            d.count = ls.todo.front().second;
            ls.todo.erase(ls.todo.begin());
            app_start_run(app, d, now_us);
            app.live_sweep.active = true;  // (starting a run ends a sweep unless the sweep started it)
            app.panel = App::Panel::scaling;
            return;
        }
    }
    if (!app.scheduler.running() && !app.queued_paths.empty() && app.ticket == 0) {
        // "Run each": the next of the lesson's paths, with the same numbers.
        RunDesc d = app.desc;
        d.path = app.queued_paths.front();
        app.queued_paths.erase(app.queued_paths.begin());
        app_start_run(app, d, now_us);
        return;
    }
    if (!app.scheduler.running()) return;
    if (app.route.target == &app.simulated && app.simulated.deliver_due(&app.scheduler, now_us) > 0) app.dirty = true;
    const int64_t deadline = app.scheduler.next_deadline_us();
    if (deadline >= 0 && deadline <= now_us) {
        app.scheduler.advance(now_us);
        app.dirty = true;
    }
    finish_if_ended(app);
}

int64_t app_next_wakeup_us(const App& app) {
    if (!app.scheduler.running()) return -1;
    int64_t next = app.scheduler.next_deadline_us();
    if (app.route.target == &app.simulated) {
        const int64_t due = app.simulated.next_due_us();
        if (due >= 0 && (next < 0 || due < next)) next = due;
    }
    return next;
}

const RunStats& app_run_stats(App& app) {
    App::StatsCache& c = app.stats_cache;
    const Run& run = app.scheduler.run();
    if (!c.valid || c.generation != run.generation || c.state != run.state || c.ended != run.ended || c.in_flight != run.in_flight ||
        c.end_us != run.end_us || run.state == RunState::running) {
        c.valid = true;
        c.generation = run.generation;
        c.state = run.state;
        c.ended = run.ended;
        c.in_flight = run.in_flight;
        c.end_us = run.end_us;
        c.stats = compute_stats(run);
    }
    return c.stats;
}

const App::Expectation& app_expectation(App& app) {
    App::Expectation& e = app.expectation;
    if (e.wall_ms < 0 || !(e.desc == app.desc)) {
        e.desc = app.desc;
        e.wall_ms = model_wall_ms(app.desc);
        e.claim = claim_for(app.desc);
    }
    return e;
}

void app_set_server_base(App& app, const std::string& base) {
    if (base == app.apis.server_base) return;
    app.apis.server_base = base;
    app.apis.server_ready = false;
    app.apis.server_checked = false;
    app.apis.server_note = "not checked yet: the next run will show whether it answers";
    std::snprintf(app.server_url_edit, sizeof app.server_url_edit, "%s", base.c_str());
    app.dirty = true;
}

void app_set_apis(App& app, const ApiStatus& apis) {
    app.apis = apis;
    app.apis.server_checked = true;
    std::snprintf(app.server_url_edit, sizeof app.server_url_edit, "%s", apis.server_base.c_str());
    app.apis.probed = true;
    // A page without its service worker starts on the simulated API and says why.
    if (!apis.inpage_ready && app.desc.api == Api::page) app.desc.api = Api::simulated;
    app.dirty = true;
}

}  // namespace ap
