// The page's UI, drawn by Dear ImGui with no backend: no window, no GPU, a made-up clock. Every panel is
// drawn in every state a run can be in, and the controls are clicked where the UI says they are.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "app/app.h"
#include "app/bar_merge.h"
#include "app/ui_kit.h"
#include "imgui.h"

using namespace ap;

namespace {

constexpr int64_t ms = 1000;

struct Headless {
    App app;
    int64_t now = 0;

    Headless() {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        io.DeltaTime = 1.0f / 60;
        unsigned char* pixels;
        int w, h;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the font atlas
        for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
        app_init(app, nullptr);                         // no browser: the simulated API only
        ApiStatus s;
        s.server_base = "http://127.0.0.1:8000";
        controls_set_apis(app, s);
    }
    ~Headless() { ImGui::DestroyContext(); }

    void frame() {
        trim_draw_buffers();  // as the page does between frames
        ImGui::NewFrame();
        app_draw(app, now);
        ImGui::Render();
        ASSERT_NE(ImGui::GetDrawData(), nullptr);
    }

    const FocusState::Rect* rect(const std::string& name) const {
        for (const auto& r : app.focus.rects) {
            if (r.name == name) return &r;
        }
        return nullptr;
    }

    // A press and a release over the control, a frame each, as a person's click arrives.
    void click(const std::string& name) {
        const FocusState::Rect* r = rect(name);
        ASSERT_NE(r, nullptr) << name;
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = ImVec2(r->x + std::min(12.0f, r->w / 2), r->y + r->h / 2);
        frame();
        io.MouseDown[0] = true;
        frame();
        io.MouseDown[0] = false;
        frame();
        frame();  // what the click changed is laid out in the frame after it
    }

    void advance_to(int64_t t) {
        now = t;
        app_tick(app, now);
        frame();
    }
};

}  // namespace

TEST(Ui, DrawsEveryStateOfARun) {
    Headless h;
    h.frame();  // idle
    RunDesc d = h.app.desc;
    d.path = CodePath::bounded;
    d.count = 12;
    d.latency_ms = 100;
    d.limit = 4;
    app_start_run(h.app, d, 0);
    h.advance_to(50 * ms);  // running: in-flight and queued bars
    h.advance_to(150 * ms);
    h.advance_to(400 * ms);  // finished
    EXPECT_FALSE(h.app.scheduler.running());
    EXPECT_EQ(h.app.history.entries().size(), 1u);

    d.path = CodePath::sequential;
    app_start_run(h.app, d, 500 * ms);
    h.advance_to(650 * ms);
    app_cancel(h.app, 660 * ms);  // cancelled
    h.frame();
    EXPECT_EQ(h.app.history.entries().back().run.state, RunState::cancelled);

    d.count = 10000;  // a big run still draws (rows shrink to a pixel and the list scrolls)
    d.path = CodePath::concurrent;
    app_start_run(h.app, d, 1000 * ms);
    h.advance_to(1200 * ms);
    EXPECT_EQ(h.app.history.entries().back().stats.ok, 10000);
}

TEST(Ui, ClickingTheControlsChangesTheRunAndStartsIt) {
    Headless h;
    h.frame();
    h.click("settings");  // every code path is under "All settings"
    h.click("path:concurrent");
    EXPECT_EQ(h.app.desc.path, CodePath::concurrent);
    h.click("path:bounded");
    EXPECT_EQ(h.app.desc.path, CodePath::bounded);
    h.click("run");
    EXPECT_TRUE(h.app.run_click_pending) << "the platform starts the run after this frame";
}

TEST(Ui, ServerApiShowsItsUrlFieldAndAnUnreachableNote) {
    Headless h;
    h.frame();
    h.click("settings");
    h.app.desc.api = Api::server;
    h.frame();
    EXPECT_NE(h.rect("server-url"), nullptr);
    h.app.desc.api = Api::simulated;
    h.frame();
    EXPECT_EQ(h.rect("server-url"), nullptr);
}

TEST(Ui, LessonsAreWalkedWithTheArrowsAndTheirPathsToggled) {
    Headless h;
    h.frame();
    EXPECT_EQ(h.app.lessons.index, 0);
    h.click("lesson:next");
    EXPECT_EQ(h.app.lessons.index, 1);
    EXPECT_EQ(h.app.desc.path, CodePath::sync_client) << "the lesson's preset, first path first";
    h.click("lesson-path:sequential");
    EXPECT_EQ(h.app.desc.path, CodePath::sequential);
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[ImGuiKey_RightArrow] = true;  // the null backend maps ImGuiKey_* to themselves
    h.frame();
    io.KeysDown[ImGuiKey_RightArrow] = false;
    h.frame();
    EXPECT_EQ(h.app.lessons.index, 2);
    EXPECT_TRUE(h.app.lessons.all[2].loop_view);
    // A run of the loop lesson draws the stepper; stepping moves through the loop's events.
    app_start_run(h.app, h.app.desc, 0);
    h.advance_to(2000 * ms);
    ASSERT_FALSE(h.app.scheduler.running());
    EXPECT_TRUE(h.app.stepper.open) << "a loop lesson opens the stepper";
    h.click("stepper:forward");
    h.click("stepper:forward");
    EXPECT_EQ(h.app.stepper.step, 2);
    const LoopTimeline& tl = stepper_timeline(h.app);
    EXPECT_DOUBLE_EQ(h.app.results.replay_ms, double(tl.steps[2].at_us) / 1000) << "a step moves the replay instant";
    h.click("stepper:back");
    EXPECT_EQ(h.app.stepper.step, 1);
    // Autoplay at 4x reaches the last step by itself and stops there.
    h.app.stepper.speed = 4;
    h.click("stepper:play");
    EXPECT_TRUE(h.app.stepper.playing);
    h.advance_to(h.now + 5000 * ms);
    EXPECT_FALSE(h.app.stepper.playing);
    EXPECT_EQ(h.app.stepper.step, int(tl.steps.size()) - 1);
    EXPECT_TRUE(h.app.lessons.verdict.valid);
    EXPECT_TRUE(h.app.lessons.verdict.verdict.ok) << h.app.lessons.verdict.verdict.line;
}

TEST(Ui, ALessonPutsTheSettingsItAsksForBesideItsRunButton) {
    Headless h;
    h.frame();
    EXPECT_EQ(h.rect("lesson-setting:api"), nullptr) << "lesson 1 asks for none";
    lessons_select(h.app, 6, 0);  // limits: "switch the API to the dev server"
    h.frame();
    h.frame();
    const FocusState::Rect* api = h.rect("lesson-setting:api");
    ASSERT_NE(api, nullptr);
    const FocusState::Rect* run = h.rect("run");
    ASSERT_NE(run, nullptr);
    EXPECT_LT(api->y, run->y) << "above the Run button, in the lesson's column";
    EXPECT_GT(api->y, run->y - 6 * ImGui::GetFontSize()) << "and near it";
    h.click("lesson-setting:api");
    h.click("lesson-setting:api:server");
    EXPECT_EQ(h.app.desc.api, Api::server);
    lessons_select(h.app, 7, 0);  // when-not-worth-it: the CPU work per answer
    h.frame();
    h.frame();
    EXPECT_EQ(h.rect("lesson-setting:api"), nullptr);
    ASSERT_NE(h.rect("lesson-setting:cpu"), nullptr);
    EXPECT_EQ(h.app.desc.cpu_ms, 50);
    h.click("lesson-setting:cpu");  // the text box; the field's own +/- are beside it
    ImGuiIO& io = ImGui::GetIO();
    io.KeyCtrl = true;
    io.KeysDown[ImGuiKey_A] = true;
    h.frame();
    io.KeysDown[ImGuiKey_A] = false;
    io.KeyCtrl = false;
    io.AddInputCharactersUTF8("120");
    h.frame();
    io.KeysDown[ImGuiKey_Enter] = true;
    h.frame();
    io.KeysDown[ImGuiKey_Enter] = false;
    h.frame();
    EXPECT_EQ(h.app.desc.cpu_ms, 120);
}

TEST(Ui, TheTotalsExplainThemselvesAndThePngSaysWhatItShows) {
    Headless h;
    h.frame();
    lessons_select(h.app, 3, 0);  // wait-together: gather of 50 x 500 ms
    h.app.desc.api = Api::simulated;
    app_start_run(h.app, h.app.desc, 0);
    h.advance_to(2000 * ms);
    ASSERT_FALSE(h.app.scheduler.running());
    h.frame();
    // A clicked totals cell keeps its meaning under the table, with this run's own numbers.
    h.click("totals:speedup");
    EXPECT_EQ(h.app.results.pinned_total, "speedup");
    h.click("totals:speedup");
    EXPECT_EQ(h.app.results.pinned_total, "") << "a second click folds it";
    // Save as PNG: the next frame carries the caption and is the one saved.
    h.click("save-png");
    EXPECT_FALSE(h.app.results.png_caption);
    EXPECT_TRUE(h.app.results.png_requested) << "the caption's frame asks the platform to save it";
}

TEST(Ui, ALearnersProgramIsARunLikeAnyOtherWithoutAModel) {
    Headless h;
    h.frame();
    std::vector<std::pair<int, std::string>> answers;
    h.app.hooks.on_program_answer = [&](int index, const RequestTrace& r, const std::string& body) {
        answers.emplace_back(index, std::string(outcome_name(r.outcome)) + " " + body);
    };
    const RunDesc before = h.app.desc;
    app_start_program(h.app, Api::simulated, 0);
    ASSERT_TRUE(h.app.scheduler.running());
    EXPECT_EQ(h.app.scheduler.run().desc.kind, RunKind::program);
    std::string why;
    ProgramCall call;
    call.line = 9;
    call.task = "Task-2";
    for (int i = 0; i < 3; ++i) EXPECT_EQ(app_program_request(h.app, "http://x/inpage/api/delay/100?i=" + std::to_string(i), call, 5 * ms, &why), i) << why;
    h.advance_to(50 * ms);
    h.frame();  // drawn while it runs
    h.advance_to(200 * ms);
    ASSERT_EQ(answers.size(), 3u);
    EXPECT_EQ(answers[0].second, "ok {\"delay_ms\":100,\"status\":200}");
    app_program_end(h.app, ProgramReport{"...", "done\n", "", "", 0, false}, 220 * ms);
    EXPECT_FALSE(h.app.scheduler.running());
    const HistoryEntry* e = app_shown_entry(h.app);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->run.desc.kind, RunKind::program);
    EXPECT_EQ(e->run.program->calls[1].line, 9);
    EXPECT_EQ(e->run.program->report.output, "done\n");
    EXPECT_DOUBLE_EQ(e->stats.wall_ms, 220);
    EXPECT_TRUE(h.app.desc == before) << "the settings stay the learner's";
    h.frame();
    h.frame();
    EXPECT_NE(h.rect("totals:wall"), nullptr);
    EXPECT_EQ(h.rect("totals:expected"), nullptr) << "no model, no expectation on screen";
    EXPECT_EQ(h.rect("totals:speedup"), nullptr);
    EXPECT_FALSE(h.app.lessons.verdict.valid) << "a program gets no verdict";
    // With the editor open over the code panel, a clicked bar lights the line that made its request.
    int lit = -1;
    h.app.hooks.on_open_editor = [](const std::string&) {};
    h.app.hooks.on_editor_line = [&](int line) { lit = line; };
    h.frame();
    h.click("code:edit");
    ASSERT_TRUE(h.app.code.editing);
    h.app.results.selected_request = 1;
    h.frame();
    EXPECT_EQ(lit, 9);
    // Closed from the panel's own button, the editor is hidden on the platform's side too.
    float shown_w = -1;
    h.app.hooks.on_editor_rect = [&](float, float, float w, float) { shown_w = w; };
    h.click("code:edit");
    EXPECT_FALSE(h.app.code.editing);
    EXPECT_EQ(shown_w, 0);
    // Nothing but a program takes program requests.
    EXPECT_EQ(app_program_request(h.app, "http://x/api/delay/1", call, 300 * ms, &why), -1);
    EXPECT_EQ(why, "no program is running");
}

TEST(Ui, AProgramsRunFileComesBackWithItsProgram) {
    Headless h;
    std::string saved_name, saved, opened;
    h.app.hooks.on_save_file = [&](const std::string& name, const std::string&, const std::string& text) { saved_name = name, saved = text; };
    h.app.hooks.on_open_editor = [&](const std::string& program) { opened = program; };
    h.frame();
    const RunDesc before = h.app.desc;
    app_start_program(h.app, Api::simulated, 0);
    std::string why;
    ProgramCall call;
    call.line = 4;
    ASSERT_EQ(app_program_request(h.app, "http://x/inpage/api/delay/100", call, 0, &why), 0) << why;
    h.advance_to(150 * ms);
    app_program_end(h.app, ProgramReport{"import httpx\nprint(2)\n", "2\n", "", "", 0, false}, 160 * ms);
    h.frame();
    h.click("save-run");
    EXPECT_EQ(saved_name, "asyncplay-run-program-1.json");
    ASSERT_FALSE(saved.empty());
    EXPECT_TRUE(results_load_file(h.app, saved, "mine.json")) << h.app.results.file_error;
    EXPECT_TRUE(h.app.desc == before) << "a program is no setting: the settings stay";
    const HistoryEntry* e = app_shown_entry(h.app);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->source, "mine.json");
    EXPECT_EQ(e->run.program->calls[0].line, 4);
    EXPECT_TRUE(e->edits.empty());
    h.frame();
    h.click("program:open");
    EXPECT_EQ(opened, "import httpx\nprint(2)\n") << "its program, back in the editor";
    EXPECT_TRUE(h.app.code.editing);
}

TEST(Ui, CancelStopsAProgramWhereItRuns) {
    Headless h;
    h.frame();
    int stops = 0;
    // The platform stops its interpreter and ends the run with what the program had printed.
    h.app.hooks.on_stop_program = [&] {
        ++stops;
        app_program_end(h.app, ProgramReport{"while True:\n    pass\n", "so far\n", "", "", 0, true}, h.now);
    };
    app_start_program(h.app, Api::simulated, 0);
    h.advance_to(100 * ms);
    app_cancel(h.app, h.now);
    EXPECT_EQ(stops, 1) << "the page's Cancel stops the program itself, not only its run";
    const HistoryEntry* e = app_shown_entry(h.app);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->run.state, RunState::cancelled);
    EXPECT_EQ(e->run.program->report.output, "so far\n");
    // Another run while a program runs stops it too.
    app_start_program(h.app, Api::simulated, 200 * ms);
    app_start_run(h.app, h.app.desc, 300 * ms);
    EXPECT_EQ(stops, 2);
    // Without a platform to stop it, the run is cancelled as any.
    h.app.hooks.on_stop_program = nullptr;
    app_start_program(h.app, Api::simulated, 400 * ms);
    app_cancel(h.app, 500 * ms);
    EXPECT_FALSE(h.app.scheduler.running());
}

TEST(Ui, AProgramsWallIsItsOwnFromItsStartToItsReturn) {
    Headless h;
    h.frame();
    app_start_program(h.app, Api::simulated, 0);
    app_program_started(h.app, 30 * ms);  // compiled and begun in its worker, 30 ms after the page asked
    EXPECT_EQ(h.app.scheduler.run().start_us, 30 * ms);
    std::string why;
    ProgramCall call;
    ASSERT_EQ(app_program_request(h.app, "http://x/inpage/api/delay/100", call, 40 * ms, &why), 0) << why;
    app_program_started(h.app, 60 * ms);
    EXPECT_EQ(h.app.scheduler.run().start_us, 30 * ms) << "once it made a request, its start stays";
    h.advance_to(150 * ms);
    // It returned at 145 ms by its worker's clock; the page heard at 170 ms.
    app_program_end(h.app, ProgramReport{}, 170 * ms, 145 * ms);
    const HistoryEntry* e = app_shown_entry(h.app);
    ASSERT_NE(e, nullptr);
    EXPECT_DOUBLE_EQ(e->stats.wall_ms, 115) << "145 - 30: the program's own time";

    // An end said to come before its last request ended (or in the future) is held to what the page saw.
    app_start_program(h.app, Api::simulated, 200 * ms);
    ASSERT_EQ(app_program_request(h.app, "http://x/inpage/api/delay/100", call, 200 * ms, &why), 0) << why;
    h.advance_to(320 * ms);
    app_program_end(h.app, ProgramReport{}, 330 * ms, 250 * ms);
    EXPECT_DOUBLE_EQ(app_shown_entry(h.app)->stats.wall_ms, 100) << "not before its request ended at 300 ms";
    app_start_program(h.app, Api::simulated, 400 * ms);
    app_program_end(h.app, ProgramReport{}, 410 * ms, 900 * ms);
    EXPECT_DOUBLE_EQ(app_shown_entry(h.app)->stats.wall_ms, 10) << "not after now";
}

// The race's other lane: the plain loop with 3 calls of 100 ms, on the simulated API; started.
static void race_against_the_loop(Headless& h) {
    h.app.desc.count = 3;
    h.app.desc.latency_ms = 100;
    h.app.desc.api = Api::simulated;
    h.app.race.a = Racer{RunKind::path, CodePath::sequential};
    race_start(h.app, h.now);
}

TEST(Ui, ALearnersProgramRacesABuiltInPath) {
    Headless h;
    h.frame();
    h.app.race.b = Racer{RunKind::program};
    race_start(h.app, 0);
    EXPECT_TRUE(h.app.race.no_program) << "no program has run yet: nothing starts";
    EXPECT_FALSE(app_busy(h.app));
    // The learner's program: 3 calls of 100 ms, together.
    app_start_program(h.app, Api::simulated, 0);
    std::string why;
    for (int i = 0; i < 3; ++i) ASSERT_EQ(app_program_request(h.app, "http://x/inpage/api/delay/100?i=" + std::to_string(i), ProgramCall{}, 0, &why), i) << why;
    for (int64_t t = 10 * ms; t <= 150 * ms; t += 10 * ms) h.advance_to(t);
    app_program_end(h.app, ProgramReport{"...", "", "", "", 0, false}, 120 * ms);
    const uint32_t program_run = app_shown_entry(h.app)->number;
    // Raced against the loop with the same numbers: only the loop runs; lane B is the program's run.
    race_against_the_loop(h);
    EXPECT_FALSE(h.app.race.no_program);
    EXPECT_EQ(h.app.race.run_b, program_run);
    EXPECT_TRUE(h.app.race.pending);
    for (const int64_t until = h.now + 1000 * ms; h.now < until;) h.advance_to(h.now + 10 * ms);
    EXPECT_FALSE(h.app.race.pending);
    ASSERT_NE(race_entry(h.app, false), nullptr);
    ASSERT_NE(race_entry(h.app, true), nullptr);
    EXPECT_EQ(race_entry(h.app, false)->run.desc.path, CodePath::sequential);
    EXPECT_NEAR(race_entry(h.app, false)->stats.wall_ms, 300, 1);
    EXPECT_NEAR(race_entry(h.app, true)->stats.wall_ms, 120, 1);
    h.frame();
    h.frame();  // (the race tab, selected, lays out in its second frame)
    EXPECT_EQ(h.app.layout.panel, LayoutState::Panel::race);
    EXPECT_NE(h.rect("race:lane-a"), nullptr);
    EXPECT_NE(h.rect("race:lane-b"), nullptr) << "the program's lane is drawn";
}

// A HAR loaded through Load run: a recorded run on the waterfall and in the history, its notes said, the
// stepper saying there is no loop; raced against a path in the race's other lane.
TEST(Ui, ARecordedHarIsShownInTheHistoryAndRacesAPath) {
    Headless h;
    h.frame();
    std::string entries;
    for (int i = 0; i < 3; ++i) {
        entries += std::string(i ? "," : "") + "{\"startedDateTime\":\"2026-12-05T07:40:00.00" + std::to_string(i) + "Z\",\"time\":100,\"request\":{\"method\":\"GET\",\"url\":\"http://h/" +
                   std::to_string(i) + "\"},\"response\":{\"status\":200},\"timings\":{\"send\":0,\"wait\":100,\"receive\":0}}";
    }
    const std::string har = "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\",\"version\":\"1\"},\"entries\":[" + entries + "]}}";
    h.app.race.b = Racer{RunKind::recorded};
    race_start(h.app, 0);
    EXPECT_TRUE(h.app.race.no_program) << "no HAR loaded yet: nothing starts";
    ASSERT_TRUE(results_load_file(h.app, har, "page.har"));
    const HistoryEntry* e = app_shown_entry(h.app);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->run.desc.kind, RunKind::recorded);
    EXPECT_NEAR(e->stats.wall_ms, 102, 0.01);
    EXPECT_EQ(h.app.desc.kind, RunKind::path) << "the settings stay a code path's";
    h.app.stepper.open = true;
    h.frame();
    EXPECT_NE(h.rect("waterfall"), nullptr);
    EXPECT_FALSE(results_load_file(h.app, "{\"log\":{\"version\":\"1.2\",\"entries\":[{}]}}", "bad.har"));
    EXPECT_EQ(h.app.results.file_error, "bad.har could not be loaded: log.entries[0].startedDateTime: not a date and time like 2026-12-05T07:40:00.123Z");
    race_against_the_loop(h);
    EXPECT_FALSE(h.app.race.no_program);
    EXPECT_EQ(h.app.race.run_b, e->number);
    for (const int64_t until = h.now + 1000 * ms; h.now < until;) h.advance_to(h.now + 10 * ms);
    ASSERT_NE(race_entry(h.app, true), nullptr);
    EXPECT_EQ(race_entry(h.app, true)->run.desc.kind, RunKind::recorded);
    h.frame();
    h.frame();
    EXPECT_NE(h.rect("race:lane-b"), nullptr) << "the recorded run's lane is drawn";
}

TEST(Ui, ALessonsOwnProgramIsShownAndRunItsRunIsRanNotPassed) {
    Headless h;
    std::string opened;
    int runs = 0;
    h.app.hooks.on_open_editor = [&](const std::string& program) { opened = program; };
    h.app.hooks.on_run_editor = [&] { ++runs; };
    const std::string program = "import asyncio\nprint('mine')\n";
    ASSERT_EQ(lessons_add_file(h.app, "lesson: own\ntitle: Its own\npaths: concurrent\nprogram:\n    import asyncio\n    print('mine')\ntext:\nRun it.\n", "t.txt"), 1);
    ASSERT_GE(lessons_select_named(h.app, "own", 0), 0);
    h.frame();
    ASSERT_NE(code_panel_lesson_script(h.app), nullptr);
    EXPECT_EQ(code_panel_program(h.app), program) << "the code panel shows the lesson's program";
    EXPECT_NE(h.rect("lesson-path:program"), nullptr);
    EXPECT_EQ(h.rect("n"), nullptr) << "its numbers are in its text";
    h.click("run");
    EXPECT_FALSE(h.app.run_click_pending) << "no built-in run: the lesson's program runs in Python";
    EXPECT_EQ(opened, program);
    EXPECT_EQ(runs, 1);
    EXPECT_TRUE(h.app.code.editing);
    opened.clear();
    h.click("run");
    EXPECT_EQ(runs, 2);
    EXPECT_TRUE(opened.empty()) << "open already: the editor keeps the learner's edits and runs them";
    // While it runs, the editor hears where its requests are, by line; its run, ended without an error, is
    // "ran": a program without checks has nothing to pass. The host page hears the lesson is a program's.
    std::string counts;
    h.app.hooks.on_editor_counts = [&](const std::string& json) { counts = json; };
    app_start_program(h.app, Api::simulated, h.now);
    std::string why;
    ProgramCall call;
    call.line = 2;
    ASSERT_EQ(app_program_request(h.app, "http://x/inpage/api/delay/100", call, h.now, &why), 0) << why;
    h.frame();
    EXPECT_EQ(counts, "{\"source\":\"\",\"lines\":[{\"line\":2,\"text\":\"1 waiting for the API\",\"phase\":\"wait\"}]}");
    h.advance_to(h.now + 150 * ms);
    h.frame();
    EXPECT_EQ(counts, "{\"source\":\"\",\"lines\":[]}") << "answered: no request at the line";
    app_program_end(h.app, ProgramReport{program, "mine\n", "", "", 0, false}, h.now + 5 * ms);
    EXPECT_EQ(progress_status(h.app.lessons.progress, "own"), LessonStatus::ran);
    EXPECT_TRUE(lessons_passed_ids(h.app).empty());
    EXPECT_EQ(lesson_path_said(h.app), "program");
    EXPECT_NE(lesson_claim_said(h.app).find("the page measures each request"), std::string::npos) << lesson_claim_said(h.app);
    // A code path of the lesson: its program instead, and its numbers; the lesson's program comes back.
    h.frame();
    h.click("lesson-path:concurrent");
    EXPECT_EQ(code_panel_lesson_script(h.app), nullptr);
    EXPECT_EQ(h.app.desc.path, CodePath::concurrent);
    h.frame();
    EXPECT_NE(code_panel_program(h.app).find("asyncio.gather"), std::string::npos);
    h.click("lesson-path:program");
    EXPECT_EQ(code_panel_program(h.app), program);
}

// An exercise lesson's progress: a failed try is "ran" with its checks, a passing one "passed" with its run
// kept; a code path's claim does not pass it; the progress panel lists it, saves it as JSON and CSV, and a
// progress file is joined in (a bad one said).
TEST(Ui, AnExercisesProgressIsKeptShownSavedAndLoaded) {
    Headless h;
    std::vector<std::string> saved_json, changed;
    std::vector<std::pair<std::string, std::string>> files;
    h.app.hooks.on_progress = [&](const std::string& json, const std::vector<std::string>& c) {
        saved_json.push_back(json);
        changed.insert(changed.end(), c.begin(), c.end());
    };
    h.app.hooks.on_save_file = [&](const std::string& name, const std::string&, const std::string& text) { files.emplace_back(name, text); };
    int asked = 0;
    h.app.hooks.on_open_progress = [&] { ++asked; };
    h.app.hooks.clock_of_day = [] { return std::string("2026-12-05T07:40:00.000Z"); };
    ASSERT_EQ(lessons_add_file(h.app, "lesson: two\ntitle: Two at once\npaths: sequential concurrent\npreset: n=2 latency=100 api=simulated\n"
                                      "starter:\n    print(1)\ncheck: requests == 2\ncheck: in_flight >= 2\nhint: Both at once.\nsolution:\n    print(2)\ntext:\nGo.\n", "t.txt"), 1);
    ASSERT_GE(lessons_select_named(h.app, "two", 0), 0);
    EXPECT_EQ(lesson_path_said(h.app), "sequential") << "a lesson of code paths is said by its path";
    h.frame();
    // A code path's run whose claim holds: the lesson's demonstration, not its exercise.
    h.click("run");
    h.frame();
    h.advance_to(h.now + 500 * ms);
    h.frame();
    EXPECT_EQ(progress_status(h.app.lessons.progress, "two"), LessonStatus::not_tried);
    // A program making its two calls one after the other: ran, the checks kept.
    auto program_run = [&](bool together) {
        app_start_program(h.app, Api::simulated, h.now);
        std::string why;
        ProgramCall call;
        call.line = 1;
        ASSERT_EQ(app_program_request(h.app, "http://x/inpage/api/delay/100", call, h.now, &why), 0) << why;
        if (!together) h.advance_to(h.now + 150 * ms);
        ASSERT_EQ(app_program_request(h.app, "http://x/inpage/api/delay/100", call, h.now, &why), 1) << why;
        h.advance_to(h.now + 150 * ms);
        app_program_end(h.app, ProgramReport{together ? "print(2)\n" : "print(1)\n", "", "", "", 0, false}, h.now + 5 * ms);
        h.frame();
    };
    program_run(false);
    const LessonRecord* r = progress_find(h.app.lessons.progress, "two");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, LessonStatus::ran);
    ASSERT_EQ(r->checks.size(), 2u);
    EXPECT_TRUE(r->checks[0].passed);
    EXPECT_FALSE(r->checks[1].passed);
    EXPECT_EQ(r->checks[1].measured, "at most 1 in flight at once");
    EXPECT_FALSE(r->has_passing);
    ASSERT_FALSE(changed.empty());
    EXPECT_EQ(changed.back(), "two") << "the host page hears of it";
    program_run(true);
    r = progress_find(h.app.lessons.progress, "two");
    EXPECT_EQ(r->status, LessonStatus::passed);
    ASSERT_TRUE(r->has_passing);
    EXPECT_EQ(r->passing.program, "print(2)\n");
    EXPECT_EQ(r->passing.requests, 2);
    EXPECT_EQ(r->passing.at, "2026-12-05T07:40:00.000Z");
    program_run(false);
    r = progress_find(h.app.lessons.progress, "two");
    EXPECT_EQ(r->status, LessonStatus::passed) << "a later failed try keeps the lesson passed";
    EXPECT_EQ(r->passing.program, "print(2)\n") << "... and its passing run";
    EXPECT_FALSE(r->checks[1].passed) << "the checks are the last try's";
    // The passing program, back in the editor on request.
    std::string opened;
    h.app.hooks.on_open_editor = [&](const std::string& program) { opened = program; };
    h.frame();
    h.click("exercise:mine");
    EXPECT_EQ(opened, "print(2)\n");
    // Kept across a visit: what the platform stored restores it.
    Progress back;
    std::string error;
    ASSERT_TRUE(progress_from_json(saved_json.back(), &back, &error)) << error;
    EXPECT_EQ(back.lesson, "two");
    EXPECT_EQ(progress_status(back, "two"), LessonStatus::passed);
    // The panel: a row a lesson, Save as JSON and CSV, Load.
    h.click("progress");
    h.frame();
    ASSERT_TRUE(h.app.lessons.progress_open);
    EXPECT_NE(h.rect("progress:two"), nullptr);
    EXPECT_NE(h.rect("progress:one-call-at-a-time"), nullptr);
    h.click("progress:save");
    h.click("progress:csv");
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].first, "asyncplay-progress.json");
    EXPECT_NE(files[0].second.find("\"passed\":{\"at\":\"2026-12-05T07:40:00.000Z\""), std::string::npos) << files[0].second;
    EXPECT_EQ(files[1].first, "asyncplay-progress.csv");
    EXPECT_NE(files[1].second.find("\n11,two,Two at once,passed,1,2,in_flight >= 2,2026-12-05T07:40:00.000Z,"), std::string::npos) << files[1].second;
    h.click("progress:load");
    EXPECT_EQ(asked, 1);
    lessons_load_progress(h.app, "bad.json", "{\"version\":1,\"lessons\":[{\"lesson\":\"limits\",\"status\":\"done\"}]}", "");
    EXPECT_EQ(h.app.lessons.progress_note, "bad.json was not loaded: lessons[0].status: 'done' is not one of: not tried, ran, passed.");
    EXPECT_EQ(progress_status(h.app.lessons.progress, "limits"), LessonStatus::not_tried);
    lessons_load_progress(h.app, "other.json", "{\"version\":1,\"lessons\":[{\"lesson\":\"limits\",\"status\":\"passed\",\"checks\":[],\"passed\":null},"
                                               "{\"lesson\":\"two\",\"status\":\"ran\"}]}", "");
    EXPECT_EQ(progress_status(h.app.lessons.progress, "limits"), LessonStatus::passed);
    EXPECT_EQ(progress_status(h.app.lessons.progress, "two"), LessonStatus::passed) << "the further status wins";
    EXPECT_NE(h.app.lessons.progress_note.find("1 lesson moved on"), std::string::npos) << h.app.lessons.progress_note;
    EXPECT_EQ(changed.back(), "limits");
    h.frame();
}

TEST(Ui, NarrowWindowsStillDraw) {
    Headless h;
    ImGui::GetIO().DisplaySize = ImVec2(480, 360);
    RunDesc d = h.app.desc;
    d.count = 30;
    app_start_run(h.app, d, 0);
    h.advance_to(10000 * ms);
    EXPECT_NE(h.rect("run"), nullptr);
}

TEST(Ui, NarrowWindowsShowTabsAndARunSwitchesToItsResults) {
    Headless h;
    ImGui::GetIO().DisplaySize = ImVec2(360, 640);  // a phone held upright
    h.frame();
    ASSERT_NE(h.rect("tab:lesson"), nullptr);
    EXPECT_NE(h.rect("run"), nullptr) << "the lesson tab has the Run button";
    EXPECT_EQ(h.rect("waterfall"), nullptr) << "one part at a time";
    h.click("run");
    app_start_run(h.app, h.app.desc, h.now);
    h.frame();
    h.frame();
    EXPECT_EQ(h.app.layout.narrow_tab, LayoutState::Tab::run);
    EXPECT_NE(h.rect("waterfall"), nullptr) << "the run's tab shows its waterfall";
    h.click("tab:code");
    EXPECT_EQ(h.app.layout.narrow_tab, LayoutState::Tab::code);
    EXPECT_NE(h.rect("code-line:wait"), nullptr) << [&] { std::string all; for (const auto& r : h.app.focus.rects) all += r.name + " "; return all; }();
    for (const auto& r : h.app.focus.rects) {
        if (r.name.rfind("tab:", 0) == 0) EXPECT_LE(r.x + r.w, 360.0f) << r.name << " fits the width";
    }
}

TEST(Ui, UrlCarriesEmbedThemeLocksAndStepAndExplainsBadValues) {
    Headless h;
    app_apply_url(h.app, "?lesson=3&embed=1&theme=light&lock=path,n,settings&step=4", 0);
    EXPECT_TRUE(h.app.view.embed);
    EXPECT_TRUE(h.app.view.light());
    EXPECT_TRUE(h.app.view.locked(Lock::path));
    EXPECT_TRUE(h.app.view.locked(Lock::n));
    EXPECT_FALSE(h.app.view.locked(Lock::latency));
    EXPECT_TRUE(h.app.input_notes.empty()) << h.app.input_notes.front();
    EXPECT_TRUE(h.app.run_click_pending) << "step= needs the run the stepper follows";
    EXPECT_EQ(h.app.stepper.pending_step, 3);
    app_start_run(h.app, h.app.desc, 0);
    h.advance_to(5000 * ms);
    EXPECT_EQ(h.app.stepper.step, 3);
    const std::string q = app_permalink_query(h.app);
    EXPECT_NE(q.find("step=4"), std::string::npos) << q;
    EXPECT_NE(q.find("embed=1"), std::string::npos) << q;
    EXPECT_NE(q.find("theme=light"), std::string::npos) << q;
    EXPECT_NE(q.find("lock=path,n,settings"), std::string::npos) << q;
}

TEST(Ui, BadViewParametersFallBackWithANote) {
    Headless bad;  // (one Headless per test: each owns the ImGui context)
    app_apply_url(bad.app, "?embed=maybe&theme=purple&lock=path,everything&step=-2", 0);
    ASSERT_EQ(bad.app.input_notes.size(), 4u);
    EXPECT_NE(bad.app.input_notes[0].find("embed=maybe"), std::string::npos);
    EXPECT_NE(bad.app.input_notes[1].find("theme=purple"), std::string::npos);
    EXPECT_NE(bad.app.input_notes[2].find("lock=everything"), std::string::npos);
    EXPECT_NE(bad.app.input_notes[3].find("step=-2"), std::string::npos);
    EXPECT_FALSE(bad.app.view.embed);
    EXPECT_FALSE(bad.app.view.light());
    EXPECT_TRUE(bad.app.view.locked(Lock::path)) << "the known part of a lock list still holds";
}

TEST(Ui, LinksAreReadStrictlyEachKeyOnItsOwn) {
    Headless h;
    const int n = h.app.desc.count;
    // A space inside a value is part of it (the old reader split it into three settings).
    app_apply_url(h.app, "?n=5%20latency=9999%20api=server", 0);
    EXPECT_EQ(h.app.desc.count, n);
    EXPECT_NE(h.app.desc.latency_ms, 9999);
    ASSERT_EQ(h.app.input_notes.size(), 1u);
    EXPECT_EQ(h.app.input_notes[0], "Link: n must be a whole number, got '5 latency=9999 api=server' (ignored).");
    for (const char* bad : {"?n=%2B5", "?n=5%00", "?n=1e3", "?n=5.0"}) {
        app_apply_url(h.app, bad, 0);
        EXPECT_EQ(h.app.desc.count, n) << bad;
        ASSERT_EQ(h.app.input_notes.size(), 1u) << bad;
        EXPECT_NE(h.app.input_notes[0].find("must be a whole number"), std::string::npos) << bad;
    }
    // Out of range: brought into range, and the note says what is used.
    app_apply_url(h.app, "?n=10001", 0);
    EXPECT_EQ(h.app.desc.count, 10000);
    ASSERT_EQ(h.app.input_notes.size(), 1u);
    EXPECT_EQ(h.app.input_notes[0], "Link: N = 10,001 is above 10,000: using 10,000.");
    // Switches are 1 or 0; a key given twice is noted and the last one counts.
    app_apply_url(h.app, "?predict=yes&n=7&n=8", 0);
    EXPECT_FALSE(h.app.predict.on);
    EXPECT_EQ(h.app.desc.count, 8);
    ASSERT_EQ(h.app.input_notes.size(), 2u);
    EXPECT_EQ(h.app.input_notes[0], "Link: predict=yes is not 1 or 0 (ignored).");
    EXPECT_EQ(h.app.input_notes[1], "Link: n is given more than once; the last one counts.");
}

TEST(Ui, LockedControlsCannotBeChanged) {
    Headless h;
    app_apply_url(h.app, "?lesson=4&lock=lesson,path,n,settings", 0);
    h.frame();
    const CodePath before = h.app.desc.path;
    const int lesson = h.app.lessons.index;
    const int n = h.app.desc.count;
    h.click("lesson:next");
    EXPECT_EQ(h.app.lessons.index, lesson);
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[ImGuiKey_RightArrow] = true;
    h.frame();
    io.KeysDown[ImGuiKey_RightArrow] = false;
    h.frame();
    EXPECT_EQ(h.app.lessons.index, lesson) << "the arrows do not walk a locked lesson";
    for (const auto& r : h.app.focus.rects) {
        if (r.name.rfind("lesson-path:", 0) == 0 && r.name != std::string("lesson-path:") + code_path_name(before)) h.click(r.name);
    }
    EXPECT_EQ(h.app.desc.path, before);
    EXPECT_EQ(h.rect("settings"), nullptr) << "locked settings are not shown at all";
    h.click("n");
    io.AddInputCharacter('7');
    h.frame();
    EXPECT_EQ(h.app.desc.count, n);
    h.click("run");
    EXPECT_TRUE(h.app.run_click_pending) << "what is not locked still works";
}

TEST(Ui, TabWalksTheControlsAndEnterPressesTheFocusedOne) {
    Headless h;
    h.frame();
    EXPECT_FALSE(app_tab_leaves(h.app, false)) << "Tab enters the controls";
    EXPECT_FALSE(app_tab_leaves(h.app, true)) << "so does Shift+Tab, at the last one";
    h.app.focus.tab_request = 1;
    h.frame();
    ASSERT_FALSE(h.app.focus.name.empty());
    const std::string first = h.app.focus.name;
    h.app.focus.tab_request = 1;
    h.frame();
    EXPECT_NE(h.app.focus.name, first);
    h.app.focus.tab_request = -1;
    h.frame();
    EXPECT_EQ(h.app.focus.name, first);
    // Walk to Run and press Enter: the run is requested as a click would.
    for (int i = 0; i < 60 && h.app.focus.name != "run"; ++i) {
        h.app.focus.tab_request = 1;
        h.frame();
    }
    ASSERT_EQ(h.app.focus.name, "run");
    h.app.focus.activate_request = true;
    h.frame();
    h.frame();
    EXPECT_TRUE(h.app.run_click_pending);
    // The last control: Tab leaves the page from there.
    for (int i = 0; i < 200 && !app_tab_leaves(h.app, false); ++i) {
        h.app.focus.tab_request = 1;
        h.frame();
    }
    EXPECT_TRUE(app_tab_leaves(h.app, false));
    // A click hands control back to the pointer.
    h.click("lesson:next");
    EXPECT_TRUE(h.app.focus.name.empty());
}

namespace {
// The named controls Tab can reach in the last frame, in drawing order.
std::vector<std::string> stops(const App& app) {
    std::vector<std::string> out;
    for (const FocusState::Rect& r : app.focus.rects)
        if (r.enabled && r.id) out.push_back(r.name);
    return out;
}
// Walks the ring from entering the canvas to leaving it (dir 1: Tab, -1: Shift+Tab), checking each step goes
// to the next control in the frame's own order; returns the controls visited.
std::vector<std::string> walk(Headless& h, int dir) {
    h.app.focus.name.clear();
    h.frame();
    keyboard_focus_enter(h.app, dir < 0);
    h.frame();
    std::vector<std::string> seen{h.app.focus.name};
    for (int i = 0; i < 400 && !app_tab_leaves(h.app, dir < 0); ++i) {
        const std::vector<std::string> before = stops(h.app);
        const auto at = std::find(before.begin(), before.end(), h.app.focus.name);
        h.app.focus.tab_request = dir;
        h.frame();
        if (at != before.end() && at + dir >= before.begin() && at + dir < before.end())
            EXPECT_EQ(h.app.focus.name, *(at + dir)) << "the next control in reading order";
        seen.push_back(h.app.focus.name);
        h.frame();
    }
    EXPECT_TRUE(app_tab_leaves(h.app, dir < 0)) << "the ring leaves the canvas at its end";
    return seen;
}
void expect_every_control_once(Headless& h, const std::string& state) {
    h.frame();
    h.frame();
    EXPECT_TRUE(duplicate_names(h.app).empty()) << state << ": " << (duplicate_names(h.app).empty() ? "" : duplicate_names(h.app)[0]);
    const std::vector<std::string> all = stops(h.app);
    for (int dir : {1, -1}) {
        const std::vector<std::string> seen = walk(h, dir);
        std::vector<std::string> sorted = seen;
        std::sort(sorted.begin(), sorted.end());
        EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << state << ": a control visited twice";
        for (const std::string& name : all)
            EXPECT_NE(std::find(seen.begin(), seen.end(), name), seen.end()) << state << ": Tab never reached " << name;
    }
}
}  // namespace

TEST(Ui, TabVisitsEveryControlOnceInEveryState) {
    {
        Headless h;
        expect_every_control_once(h, "the first lesson");
        h.click("settings");
        expect_every_control_once(h, "all settings open");
        h.click("progress");
        expect_every_control_once(h, "the progress panel open");
        h.click("view:race");
        expect_every_control_once(h, "the race tab, settings open");
        h.click("view:scaling");
        expect_every_control_once(h, "the scaling tab, settings open");
        app_start_run(h.app, h.app.desc, 0);
        h.advance_to(20000 * ms);
        h.click("view:run");
        expect_every_control_once(h, "a finished run");
    }
    {
        Headless h;
        app_apply_url(h.app, "?lesson=4&lock=lesson,path,n&embed=1", 0);
        expect_every_control_once(h, "locked and embedded");
    }
    {
        Headless h;
        ImGui::GetIO().DisplaySize = ImVec2(390, 844);  // a phone
        expect_every_control_once(h, "a phone");
        h.click("progress");
        expect_every_control_once(h, "a phone, the progress panel open");
        h.click("tab:code");
        expect_every_control_once(h, "a phone, the code tab");
    }
}

TEST(Ui, ZoomButtonsWidenTheTimeline) {
    Headless h;
    app_start_run(h.app, h.app.desc, 0);
    h.advance_to(10000 * ms);
    h.click("zoom:in");
    EXPECT_GT(h.app.results.zoom, 1.4f);
    h.click("zoom:in");
    h.click("zoom:fit");
    EXPECT_EQ(h.app.results.zoom, 1.0f);
    h.click("zoom:out");
    EXPECT_EQ(h.app.results.zoom, 1.0f) << "never narrower than the whole run";
}

TEST(Ui, LightThemeDraws) {
    Headless h;
    app_apply_url(h.app, "?theme=light", 0);
    h.frame();
    float rgb[3];
    app_clear_color(h.app, rgb);
    EXPECT_GT(rgb[0], 0.8f);
    EXPECT_GT(ImGui::GetStyle().Colors[ImGuiCol_WindowBg].x, 0.8f);
    h.app.view.theme = Theme::automatic;
    h.app.view.system_light = false;
    h.frame();
    EXPECT_LT(ImGui::GetStyle().Colors[ImGuiCol_WindowBg].x, 0.3f);
}

TEST(Ui, RaceRunsTwoPathsOneAfterTheOtherOnOneAxis) {
    Headless h;
    app_apply_url(h.app, "?lesson=5&n=6&latency=100", 0);  // await in the loop against gather
    h.frame();
    h.frame();  // a tab bar lays its tabs out in its second frame
    h.click("view:race");
    EXPECT_EQ(h.app.layout.panel, LayoutState::Panel::race);
    EXPECT_EQ(h.app.race.a, (Racer{RunKind::path, CodePath::await_in_loop}));
    EXPECT_EQ(h.app.race.b, (Racer{RunKind::path, CodePath::concurrent}));
    h.click("race:start");
    EXPECT_TRUE(h.app.race.pending);
    for (int t = 1; t <= 40 && h.app.race.pending; ++t) h.advance_to(t * 50 * ms);
    ASSERT_FALSE(h.app.race.pending);
    const HistoryEntry* a = race_entry(h.app, false);
    const HistoryEntry* b = race_entry(h.app, true);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a->run.desc.path, CodePath::await_in_loop);
    EXPECT_EQ(b->run.desc.path, CodePath::concurrent);
    EXPECT_EQ(a->run.desc.count, b->run.desc.count) << "the same numbers";
    EXPECT_NEAR(a->stats.wall_ms, 600, 1);
    EXPECT_NEAR(b->stats.wall_ms, 100, 1);
    EXPECT_EQ(h.app.desc.path, CodePath::await_in_loop) << "the learner's path is back";
    h.frame();
    EXPECT_NE(h.rect("race:lane-a"), nullptr);
    EXPECT_NE(h.rect("race:lane-b"), nullptr);
    // Later runs compact the older history entries, but not the race's two: the race view still draws them.
    for (int k = 0; k < 3; ++k) {
        app_start_run(h.app, h.app.desc, h.now);
        for (int t = 1; t <= 40 && h.app.scheduler.running(); ++t) h.advance_to(h.now + 50 * ms);
        h.frame();
    }
    ASSERT_EQ(h.app.history.entries().size(), 5u);
    EXPECT_NE(race_entry(h.app, false), nullptr);
    EXPECT_NE(race_entry(h.app, true), nullptr);
    EXPECT_TRUE(h.app.history.entries()[0].full());
    EXPECT_TRUE(h.app.history.entries()[1].full());
    EXPECT_FALSE(h.app.history.entries()[2].full()) << "neither newest nor pinned";
    EXPECT_FALSE(h.app.history.entries()[3].full());
    EXPECT_TRUE(h.app.history.entries()[4].full()) << "the newest";
    EXPECT_EQ(h.app.history.entries()[2].timeline.size(), 6u);
    h.click("view:race");
    // A run started by hand in the middle of a race ends the race.
    h.click("race:start");
    h.advance_to(h.now + 10 * ms);
    app_start_run(h.app, h.app.desc, h.now);
    EXPECT_FALSE(h.app.race.pending);
}

TEST(Ui, ScalingChartsShowTheModelAndALiveSweep) {
    Headless h;
    app_apply_url(h.app, "?lesson=7&latency=100&api=simulated", 0);  // limits: semaphore, pool, gather
    h.frame();
    h.frame();
    h.click("view:scaling");
    EXPECT_EQ(h.app.layout.panel, LayoutState::Panel::scaling);
    const ScalingState::Model& sc = scaling_model(h.app);
    ASSERT_EQ(sc.paths.size(), 4u) << "the lesson's three paths and the plain loop";
    EXPECT_NE(h.rect("scaling:by-n"), nullptr);
    EXPECT_NE(h.rect("scaling:by-cpu"), nullptr);
    h.click("scaling:live");
    EXPECT_TRUE(h.app.scaling.live.active);
    for (int t = 1; t <= 400 && h.app.scaling.live.active; ++t) h.advance_to(h.now + 100 * ms);
    EXPECT_FALSE(h.app.scaling.live.active);
    EXPECT_EQ(h.app.layout.panel, LayoutState::Panel::scaling) << "the sweep's runs leave the charts in view";
    EXPECT_EQ(h.app.desc.count, h.app.scaling.live.base.count) << "the learner's N is back";
    EXPECT_EQ(h.app.desc.path, h.app.scaling.live.base.path);
    // 4 paths x N = 1, 5, 10, 20, 50; the loop at 50 x 100 ms = 5 s stays in; nothing is over 10 s.
    EXPECT_EQ(h.app.scaling.live.points.size(), 20u);
    EXPECT_EQ(h.app.scaling.live.skipped, 0);
    for (const ScalingState::LivePoint& p : h.app.scaling.live.points) {
        RunDesc d = h.app.desc;
        d.path = p.path;
        d.count = p.n;
        EXPECT_NEAR(p.wall_ms, model_wall_ms(d), 1) << code_path_name(p.path) << " N=" << p.n;
    }
    h.click("run");
    EXPECT_TRUE(h.app.run_click_pending);
}

TEST(Ui, PredictThenRunScoresTheGuessAndKeepsItInTheHistory) {
    Headless h;
    app_apply_url(h.app, "?lesson=4&n=10&latency=200&api=simulated&predict=1", 0);
    h.frame();
    ASSERT_TRUE(h.app.predict.on);
    const FocusState::Rect* track = h.rect("predict-track");
    ASSERT_NE(track, nullptr);
    // Press on the track a fifth of the way along and let go: the guess is where the marker was put.
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(track->x + track->w * 0.2f, track->y + track->h / 2);
    h.frame();
    io.MouseDown[0] = true;
    h.frame();
    io.MouseDown[0] = false;
    h.frame();
    ASSERT_GT(h.app.predict.guess_ms, 0);
    const double guess = h.app.predict.guess_ms;
    app_start_run(h.app, h.app.desc, h.now);
    EXPECT_EQ(h.app.current.guess_ms, guess);
    h.advance_to(h.now + 1000 * ms);
    ASSERT_TRUE(h.app.predict.scored.valid);
    EXPECT_NEAR(h.app.predict.scored.wall_ms, 200, 1);
    EXPECT_EQ(h.app.predict.scored.score.stars, score_prediction(guess, 200).stars);
    EXPECT_EQ(h.app.history.entries().back().guess_ms, guess);
    EXPECT_NE(history_to_csv(h.app.history).find(std::to_string(int(guess)).substr(0, 2)), std::string::npos);
    // A race's runs carry no guess.
    race_start(h.app, h.now);
    for (int t = 0; t < 40 && h.app.race.pending; ++t) h.advance_to(h.now + 100 * ms);
    EXPECT_LT(h.app.history.entries().back().guess_ms, 0);
}

TEST(Ui, ReplayShowsTheRunAtAnInstant) {
    Headless h;
    app_apply_url(h.app, "?lesson=7&n=10&latency=100&api=simulated", 0);  // k = 5: two waves
    app_start_run(h.app, h.app.desc, 0);
    h.advance_to(1000 * ms);
    ASSERT_EQ(h.app.scheduler.run().state, RunState::finished);
    const FocusState::Rect* slider = h.rect("replay");
    ASSERT_NE(slider, nullptr);
    h.app.results.replay_ms = 50;  // (the slider's own drag is ImGui's; the state it sets is what matters here)
    h.frame();
    const ReplayState st = replay_at(app_shown_run(h.app), 50 * ms);  // the ended run lives in the run store
    EXPECT_EQ(st.per_phase[int(Phase::waiting)], 5);
    EXPECT_EQ(st.per_phase[int(Phase::queued)], 5);
    h.click("replay:off");
    EXPECT_LT(h.app.results.replay_ms, 0);
}

TEST(Ui, RunFilesSaveAndLoadAndABadOneIsExplained) {
    Headless h;
    std::string saved_name, saved;
    h.app.hooks.on_save_file = [&](const std::string& name, const std::string&, const std::string& text) { saved_name = name, saved = text; };
    app_apply_url(h.app, "?lesson=7&n=10&latency=100&api=simulated", 0);
    app_start_run(h.app, h.app.desc, 0);
    h.advance_to(1000 * ms);
    h.click("save-run");
    EXPECT_EQ(saved_name, "asyncplay-run-bounded-10.json");
    ASSERT_NE(saved.find("\"format\":\"asyncplay-run\""), std::string::npos);
    const size_t before = h.app.history.entries().size();
    EXPECT_TRUE(results_load_file(h.app, saved, "mine.json"));
    EXPECT_EQ(h.app.history.entries().size(), before + 1);
    ASSERT_NE(app_shown_entry(h.app), nullptr);
    EXPECT_EQ(app_shown_entry(h.app)->source, "mine.json");
    EXPECT_NEAR(app_shown_stats(h.app).wall_ms, 200, 1);
    h.frame();
    EXPECT_FALSE(results_load_file(h.app, "{\"format\":\"something else\"}", "bad.json"));
    EXPECT_NE(h.app.results.file_error.find("bad.json could not be loaded"), std::string::npos) << h.app.results.file_error;
    ASSERT_NE(app_shown_entry(h.app), nullptr) << "a bad file changes nothing else";
    EXPECT_EQ(app_shown_entry(h.app)->source, "mine.json") << "a bad file changes nothing else";
    h.frame();
    h.click("history:csv");
    EXPECT_EQ(saved_name, "asyncplay-history.csv");
    EXPECT_EQ(saved.rfind("run,path,api", 0), 0u) << saved.substr(0, 40);
    app_start_run(h.app, h.app.desc, h.now);
    EXPECT_EQ(app_shown_entry(h.app), nullptr) << "a new run replaces the loaded one";
}

// ---- Bar merging (bar_merge.h): plain geometry, no ImGui ---------------------------------------------------

namespace {
// The x of a shape's left or right edge at height y (its top and bottom edges joined by a straight line).
float edge_at(const std::vector<float>& shapes, size_t k, int side, float y) {
    const float* s = &shapes[k * 6];  // top x0, top x1, bottom x0, bottom x1, y0, y1
    const float t = s[5] > s[4] ? (y - s[4]) / (s[5] - s[4]) : 0;
    return s[side] + (s[2 + side] - s[side]) * t;
}
}  // namespace

TEST(BarMerge, AThousandCallStaircaseIsAHandfulOfShapesWithinHalfAPixelOfEveryBar) {
    // A loop of 1,000 calls drawn 600 px wide, a pixel row each: bar i from 0.6 i to 0.6 (i + 1) px, a step of
    // less than a pixel from row to row.
    for (float ratio : {1.0f, 2.0f}) {
        std::vector<float> shapes;
        std::vector<uint32_t> colors;
        BarMerger m(ratio);
        m.reset(&shapes, &colors);
        for (int i = 0; i < 1000; ++i) m.add(0.6f * float(i), float(i), 0.6f * float(i + 1), float(i + 1), 0xff40c060u);
        EXPECT_LE(m.shape_count(), 4u) << "device pixel ratio " << ratio;
        EXPECT_GE(m.shape_count(), 1u);
        for (int i = 0; i < 1000; ++i) {
            const float y = float(i) + 0.5f;  // the middle of the row
            size_t k = 0;
            while (k < colors.size() && !(shapes[k * 6 + 4] <= y && y < shapes[k * 6 + 5])) ++k;
            ASSERT_LT(k, colors.size()) << "row " << i << " is in no shape";
            // The bar's own edges (at least a device pixel wide).
            const float x0 = 0.6f * float(i);
            const float x1 = std::max(0.6f * float(i + 1), x0 + 1 / ratio);
            EXPECT_NEAR(edge_at(shapes, k, 0, y), x0, 0.5f / ratio + 1e-3f) << "row " << i << " at ratio " << ratio;
            EXPECT_NEAR(edge_at(shapes, k, 1, y), x1, 0.5f / ratio + 1e-3f) << "row " << i << " at ratio " << ratio;
        }
    }
}

TEST(BarMerge, ARealStaircaseWithJitterStillMerges) {
    // Real calls do not start on a perfect line: up to 0.2 px either way, at 1 device pixel per CSS pixel.
    std::vector<float> shapes;
    std::vector<uint32_t> colors;
    BarMerger m;
    m.reset(&shapes, &colors);
    for (int i = 0; i < 1000; ++i) {
        const float jitter = float((i * 7919) % 101) / 100.0f * 0.4f - 0.2f;
        m.add(0.6f * float(i) + jitter, float(i), 0.6f * float(i + 1) + jitter, float(i + 1), 0xff40c060u);
    }
    EXPECT_LE(m.shape_count(), 4u);
}

TEST(BarMerge, AGathersBlockIsOneRectangleAndColoursNeverMix) {
    std::vector<float> shapes;
    std::vector<uint32_t> colors;
    BarMerger m;
    m.reset(&shapes, &colors);
    for (int i = 0; i < 1000; ++i) m.add(10, float(i), 310, float(i + 1), 0xff40c060u);
    ASSERT_EQ(m.shape_count(), 1u);
    EXPECT_EQ(shapes, (std::vector<float>{10, 310, 10, 310, 0, 1000}));
    // Rows of 12 px (a few requests) are never merged: each is its own bar.
    m.reset(&shapes, &colors);
    for (int i = 0; i < 5; ++i) m.add(10, float(i * 12), 310, float(i * 12 + 11), i % 2 ? 0xff0000ffu : 0xff40c060u);
    EXPECT_EQ(m.shape_count(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(colors[size_t(i)], i % 2 ? 0xff0000ffu : 0xff40c060u);
}

TEST(Ui, TimeAxesTickInUnitsAPersonReads) {
    EXPECT_EQ(nice_time_step(1000, 5), 200);
    EXPECT_EQ(nice_time_step(50000, 5), 10000);
    EXPECT_EQ(nice_time_step(10 * 60000, 5), 2 * 60000) << "minutes, not 200 s";
    EXPECT_EQ(nice_time_step(83 * 3600000.0, 8), 12 * 3600000.0);
    EXPECT_EQ(nice_time_step(30 * 24 * 3600000.0, 5), 10 * 24 * 3600000.0);
    EXPECT_EQ(tick_label(250, 50), "250 ms");
    EXPECT_EQ(tick_label(1500, 500), "1.5 s");
    EXPECT_EQ(tick_label(20000, 10000), "20 s");
    EXPECT_EQ(tick_label(4 * 60000, 2 * 60000), "4 min");
    EXPECT_EQ(tick_label(36 * 3600000.0, 12 * 3600000.0), "36 h");
    // A run of 10,000 calls of 30 s, one at a time: at most as many ticks as asked, each a whole unit.
    const double span = 10000.0 * 30000;
    const double step = nice_time_step(span, 10);
    EXPECT_LE(span / step, 10.0);
    EXPECT_EQ(std::fmod(step, 3600000.0), 0.0);
}
