#include "app/app.h"

#include <algorithm>

#include "core/embedded_text.h"

namespace ap {

void app_init(App& app, Transport* network) {
    app.network = network;
    app.capped.below = network;
    app.route.target = network ? static_cast<Transport*>(&app.capped) : static_cast<Transport*>(&app.simulated);
    const char* builtin = find_embedded_text("lessons.txt");
    LessonFile file = parse_lessons(builtin ? builtin : "", "lessons.txt");
    app.lessons.all = std::move(file.lessons);
    app.lessons.errors = std::move(file.errors);
    if (!app.lessons.all.empty()) app.desc = app.lessons.all.front().preset;
    app.desc.api = network ? app.desc.api : Api::simulated;
    // Each end of a program's request goes back to the program, with the answer's body (then dropped:
    // the history keeps sizes, not bodies).
    app.scheduler.on_request_end = [&app](int index) {
        const Run& run = app.scheduler.run();
        if (!run.program || index < 0 || index >= int(run.program->calls.size())) return;
        const std::string body = app.scheduler.take_body(index);
        if (app.hooks.on_program_answer) app.hooks.on_program_answer(index, run.requests[size_t(index)], body);
    };
}

bool app_busy(const App& app) { return app.scheduler.running() || !app.queue.empty(); }

// The entries the history keeps whole when it compacts: the one on screen and a race's two lanes.
void app_keep_whole(App& app) { app.history.keep_whole({app.results.shown, app.race.run_a, app.race.run_b}); }

// The features whose series of runs a dropped queue ends.
static void queue_dropped(App& app) {
    app.queue.clear();
    race_interrupted(app);
    scaling_interrupted(app);
}

// Records the end of the current run once, then tells each feature, in the order app.h states.
static void finish_if_ended(App& app) {
    if (app.current.ticket == 0 || app.scheduler.running()) return;
    const App::CurrentRun ended = app.current;
    app.current = App::CurrentRun{};
    app.needs_redraw = true;
    app_keep_whole(app);
    const uint32_t group = ended.purpose == RunPurpose::sweep ? app.scaling.live.group : 0;
    const HistoryEntry* entry = app.history.add(app.scheduler.take_run(), ended.guess_ms, "", group);
    if (!entry) return;
    results_run_ended(app, *entry);
    stepper_run_ended(app);
    predict_run_ended(app, *entry, ended.guess_ms);
    controls_run_ended(app, *entry);
    scaling_run_ended(app, *entry, ended.purpose == RunPurpose::sweep);
    race_run_ended(app, *entry, ended.purpose == RunPurpose::race);
    lessons_run_ended(app, *entry);
    if (app.hooks.on_history_changed) app.hooks.on_history_changed();
    if (app.hooks.on_run_ended) {
        std::vector<std::string> extra;
        if (!ended.substituted.empty()) extra.push_back(ended.substituted);
        app.hooks.on_run_ended(ended.ticket, run_to_json(entry->run, entry->stats, entry->number, extra));
    }
}

// Cancels the run in flight (it ends, and is recorded, as any run does); the queue is left alone. A learner's
// program is stopped where it runs (its interpreter would go on, and its next run would wait behind it): the
// platform ends its run through app_program_end, with the program's text.
// Whether the run in flight is the learner's program.
static bool program_running(const App& app) { return app.scheduler.running() && app.scheduler.run().program; }

static void cancel_current(App& app, int64_t now_us) {
    if (!app.scheduler.running()) return;
    if (program_running(app) && app.hooks.on_stop_program) app.hooks.on_stop_program();
    if (!app.scheduler.running()) return;
    app.scheduler.cancel(now_us);
    finish_if_ended(app);
}

uint32_t app_start_run(App& app, RunDesc desc, int64_t now_us, RunPurpose purpose) {
    cancel_current(app, now_us);
    // The learner took over (a run of theirs, or their program): queued runs go, a race or a sweep is over.
    if (purpose == RunPurpose::learner) {
        if (!app.queue.empty()) queue_dropped(app);
        race_interrupted(app);
        scaling_interrupted(app);
    }
    const RunDesc asked = app.desc;
    // A program's desc is the page's own (its API, nothing else): it is not clamped, and it leaves the settings,
    // the notes about them and the guess alone.
    const bool program = desc.kind == RunKind::program;
    const bool learners = !program && (purpose == RunPurpose::learner || purpose == RunPurpose::run_each);
    std::vector<std::string> notes = program ? std::vector<std::string>{} : clamp_run_desc(&desc);
    if (learners) app.input_notes = notes;
    std::string substituted;
    const ApiCost cost = controls_route_run(app, &desc, &substituted);
    app.route.target = desc.api == Api::simulated ? static_cast<Transport*>(&app.simulated) : static_cast<Transport*>(&app.capped);
    app.capped.cap = desc.api == Api::server ? page_open_requests_per_server : 0;
    app.capped.reset_most_open();
    if (learners) {  // the settings show what the learner ran; a race's or a sweep's runs leave them alone
        app.desc = desc;
        app.desc.base_url.clear();
    }
    app.current.ticket = app.next_ticket++;
    app.current.purpose = purpose;
    app.current.substituted = substituted;
    app.current.spread = true;
    // The learner's guess goes with a run of the settings it was made for (not with a race's or a sweep's).
    app.current.guess_ms = purpose == RunPurpose::learner && !program ? predict_guess_for(app, asked, desc) : -1;
    app.scheduler.begin(desc, now_us, cost);
    if (app.hooks.on_run_started) app.hooks.on_run_started(program);
    results_run_started(app);
    stepper_run_started(app);
    layout_run_started(app, purpose, desc.kind);
    if (learners) lessons_run_started(app, app.scheduler.run().generation);  // a race or a sweep leaves the verdict alone
    app.needs_redraw = true;
    const uint32_t ticket = app.current.ticket;
    finish_if_ended(app);  // zero-latency simulated runs may end at once
    return ticket;
}

uint32_t app_start_program(App& app, Api api, int64_t now_us, bool spread) {
    RunDesc d;
    d.kind = RunKind::program;
    d.api = api;
    const uint32_t ticket = app_start_run(app, d, now_us, RunPurpose::learner);
    app.current.spread = spread;
    return ticket;
}

int app_program_request(App& app, const std::string& url, const ProgramCall& call, int64_t now_us, std::string* why) {
    if (!program_running(app)) {
        *why = "no program is running";
        return -1;
    }
    // On the dev server, the program's requests go round its ports (ApiStatus::server_siblings): the browser
    // holds at most 6 to one port, CPython's clients none.
    ProgramCall c = call;
    const std::vector<std::string>& siblings = app.apis.server_siblings;
    if (app.scheduler.run().desc.api == Api::server && app.current.spread && !siblings.empty()) {
        const std::string origin = url_origin(app.apis.server_base);
        const size_t k = app.scheduler.run().requests.size() % (siblings.size() + 1);
        if (!origin.empty() && k > 0 && url.rfind(origin, 0) == 0 && (url.size() == origin.size() || url[origin.size()] == '/'))
            c.wire_url = siblings[k - 1] + url.substr(origin.size());
    }
    const int index = app.scheduler.program_request(url, c, now_us, why);
    if (index >= 0) app.needs_redraw = true;
    return index;
}

void app_program_cancel(App& app, int index, int64_t now_us) {
    if (!program_running(app)) return;
    app.scheduler.program_cancel(index, now_us, "the program stopped waiting for it (a cancelled task: asyncio.wait_for, a timeout, a failed TaskGroup)");
    app.needs_redraw = true;
}

void app_program_started(App& app, int64_t at_us) {
    if (!program_running(app)) return;
    app.scheduler.program_started(at_us);
}

void app_program_end(App& app, ProgramReport report, int64_t now_us, int64_t ended_us, ProgramTrace trace) {
    if (!program_running(app)) return;
    int64_t at = ended_us >= 0 ? std::min(ended_us, now_us) : now_us;
    const Run& run = app.scheduler.run();
    at = std::max(at, run.start_us);
    for (const RequestTrace& r : run.requests) at = std::max({at, r.started_us, r.finished_us});
    app.scheduler.program_end(at, std::move(report), std::move(trace));
    finish_if_ended(app);
}

void app_queue_runs(App& app, std::vector<QueuedRun> runs, int64_t now_us) {
    app_cancel(app, now_us);
    for (QueuedRun& r : runs) app.queue.push_back(std::move(r));
    app.needs_redraw = true;
}

void app_cancel(App& app, int64_t now_us) {
    queue_dropped(app);
    cancel_current(app, now_us);
}

void app_complete(App& app, RequestId id, const Completion& c, int64_t now_us, int64_t handled_us) {
    if (app.scheduler.complete(id, c, now_us, handled_us)) app.needs_redraw = true;
    finish_if_ended(app);
}

void app_answered(App& app, RequestId id, int64_t now_us) { app.capped.finished(id, now_us); }

void app_tick(App& app, int64_t now_us) {
    stepper_tick(app, now_us);
    if (!app.scheduler.running() && app.current.ticket == 0 && !app.queue.empty()) {
        const QueuedRun next = app.queue.front();
        app.queue.pop_front();
        app_start_run(app, next.desc, now_us, next.purpose);
        return;
    }
    if (!app.scheduler.running()) {
        finish_if_ended(app);  // (a run that ended outside app_complete is recorded all the same)
        return;
    }
    if (app.route.target == &app.simulated) {
        // Every event of the virtual clock at its own instant, however late this tick comes: a simulated
        // run's timeline is the model's to the microsecond.
        if (run_virtual_until(&app.scheduler, &app.simulated, now_us) > 0) app.needs_redraw = true;
    } else {
        const int64_t deadline = app.scheduler.next_deadline_us();
        if (deadline >= 0 && deadline <= now_us) {
            app.scheduler.advance(now_us);
            app.capped.settle(now_us);  // places freed by timeouts
            app.needs_redraw = true;
        }
    }
    finish_if_ended(app);
}

int64_t app_next_wakeup_us(const App& app) {
    if (!app.scheduler.running()) return -1;
    const int64_t deadline = app.scheduler.next_deadline_us();
    return app.route.target == &app.simulated ? earliest_us(deadline, app.simulated.next_due_us()) : deadline;
}

const App::Expected& app_expectation(App& app) {
    App::Expected& x = app.expectation;
    RunDesc d = app.desc;
    clamp_run_desc(&d);
    if (d.api == Api::page && (!app.apis.inpage_ready || !app.network)) d.api = Api::simulated;  // as the run will
    const ApiCost cost = api_cost(app, d);
    if (!x.valid || !(x.desc == d) || !(x.cost == cost)) {
        x.valid = true;
        x.desc = d;
        x.cost = cost;
        x.e = expect_run(d, cost);
        x.claim = claim_for(d, x.e, cost);
    }
    return x;
}

int app_apply_resource_timing(App& app, uint16_t generation, const std::vector<AttemptTiming>& timings) {
    HistoryEntry* entry = app.history.find_generation(generation);
    if (!entry) return 0;
    int matched = 0;
    for (const AttemptTiming& t : timings) {
        if (annotate_attempt(&entry->run, t.index, t.attempt, t.sent_us, t.first_byte_us, t.last_byte_us)) ++matched;
    }
    if (matched > 0) entry->stats = compute_stats(entry->run);  // (the peak on the wire, from what was matched)
    app.needs_redraw = true;
    return matched;
}

}  // namespace ap
