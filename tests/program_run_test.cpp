// The learner's own program as the scheduler runs it, in virtual time: nothing starts by itself, each
// request starts when the program makes it and answers the program (its body, its end), the program's line,
// task and timeout are kept per request, the run ends when the program does (cancelling what it never
// waited for), stats and the event loop's steps work on it, and the request cap says why it refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/analysis.h"
#include "core/event_loop.h"
#include "core/exercise.h"
#include "core/export.h"
#include "core/har.h"
#include "core/fields.h"
#include "core/history.h"
#include "core/json.h"
#include "core/progress.h"
#include "core/runfile.h"
#include "core/stats.h"
#include "fixtures.h"

namespace ap {
namespace {

using test::ms;

struct ProgramFixture : test::Player {
    std::vector<int> ended;
    ProgramFixture() {
        scheduler.on_request_end = [this](int index) { ended.push_back(index); };
        RunDesc d;
        d.kind = RunKind::program;
        d.api = Api::simulated;
        scheduler.begin(d, 0);
    }
    int make(const std::string& url, int line, const std::string& task, int64_t now_us, int timeout_ms = 0) {
        std::string why;
        ProgramCall c;
        c.line = line;
        c.task = task;
        c.timeout_ms = timeout_ms;
        const int index = scheduler.program_request(url, c, now_us, &why);
        EXPECT_GE(index, 0) << why;
        return index;
    }
};

TEST(ProgramRun, StartsNothingByItselfAndHasNoModel) {
    ProgramFixture f;
    EXPECT_TRUE(f.scheduler.running());
    EXPECT_TRUE(f.scheduler.run().requests.empty());
    EXPECT_EQ(f.scheduler.run().desc.count, 0);
    EXPECT_EQ(f.scheduler.run().expected.wall_ms, 0) << "no model plays a learner's program";
    f.advance_to(10000 * ms);
    EXPECT_TRUE(f.scheduler.running()) << "only the program's end ends the run";
}

TEST(ProgramRun, AGatherOverlapsAndEachAnswerReachesTheProgram) {
    ProgramFixture f;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(f.make("http://x/inpage/api/delay/300?i=" + std::to_string(i), 12, "Task-" + std::to_string(i + 2), 1 * ms), i);
    EXPECT_EQ(f.scheduler.run().desc.count, 3);
    f.advance_to(400 * ms);
    ASSERT_EQ(f.ended, (std::vector<int>{0, 1, 2}));
    const ap::Run& run = f.scheduler.run();
    for (int i = 0; i < 3; ++i) {
        const RequestTrace& r = run.requests[size_t(i)];
        EXPECT_EQ(r.outcome, Outcome::ok);
        EXPECT_EQ(r.started_us, 1 * ms);
        EXPECT_EQ(r.finished_us, 301 * ms);
        EXPECT_EQ(run.program->calls[size_t(i)].line, 12);
        EXPECT_EQ(run.program->calls[size_t(i)].body, "{\"delay_ms\":300,\"status\":200}") << "the body the program reads";
    }
    EXPECT_EQ(run.program->calls[1].task, "Task-3");
    f.scheduler.program_end(350 * ms, ProgramReport{"print(1)\n", "1\n", "", "", 0, false});
    EXPECT_EQ(f.scheduler.run().state, RunState::finished);
    EXPECT_EQ(f.scheduler.run().end_us, 350 * ms) << "the program's own end, after its last answer";
    EXPECT_EQ(f.scheduler.run().program->report.output, "1\n");
    const RunStats s = compute_stats(f.scheduler.run());
    EXPECT_EQ(s.ok, 3);
    EXPECT_EQ(s.peak_in_flight, 3);
    EXPECT_DOUBLE_EQ(s.wall_ms, 350);
}

TEST(ProgramRun, AwaitedInTurnItIsAStaircaseAndTheLoopSeesIt) {
    ProgramFixture f;
    int64_t t = 0;
    for (int i = 0; i < 3; ++i) {
        f.make("http://x/inpage/api/delay/200", 7, "Task-1", t);
        f.advance_to(t + 250 * ms);
        t = f.scheduler.run().requests[size_t(i)].finished_us;  // the program goes on when its answer is in
    }
    f.scheduler.program_end(t, {});
    const ap::Run& run = f.scheduler.run();
    EXPECT_EQ(run.requests[2].started_us, 400 * ms);
    EXPECT_EQ(run.end_us, 600 * ms);
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_FALSE(tl.too_big);
    EXPECT_GE(tl.steps.size(), 7u) << "sent and done, three times, after the start";
}

TEST(ProgramRun, StatusesTimeoutsAndWhatTheProgramNeverAwaited) {
    ProgramFixture f;
    const int bad = f.make("http://x/inpage/api/delay/100?i=0&status=503", 3, "main", 0);
    const int slow = f.make("http://x/inpage/api/delay/5000", 4, "main", 0, /*timeout_ms=*/1000);
    const int forgotten = f.make("http://x/inpage/api/delay/9000", 5, "main", 0);
    f.advance_to(1500 * ms);
    const ap::Run& run = f.scheduler.run();
    EXPECT_EQ(run.requests[size_t(bad)].outcome, Outcome::http_error);
    EXPECT_EQ(run.requests[size_t(bad)].status, 503);
    EXPECT_EQ(run.requests[size_t(slow)].outcome, Outcome::timeout) << "the timeout its client set";
    EXPECT_EQ(run.requests[size_t(slow)].finished_us, 1000 * ms);
    EXPECT_EQ(run.requests[size_t(forgotten)].outcome, Outcome::in_flight) << "no timeout set: none";
    f.scheduler.program_end(1500 * ms, {});
    EXPECT_EQ(f.scheduler.run().requests[size_t(forgotten)].outcome, Outcome::cancelled);
    EXPECT_EQ(f.scheduler.run().requests[size_t(forgotten)].reason, "the program ended without waiting for it");
    EXPECT_EQ(f.ended.size(), 3u) << "each end told the program";
}

TEST(ProgramRun, ARequestItsTaskStoppedWaitingForIsAbortedThere) {
    ProgramFixture f;
    const int slow = f.make("http://x/inpage/api/delay/2000", 6, "Task-2", 0);
    const int other = f.make("http://x/inpage/api/delay/100", 7, "Task-3", 0);
    f.advance_to(300 * ms);
    f.scheduler.program_cancel(slow, 300 * ms, "stopped waiting");
    const ap::Run& run = f.scheduler.run();
    EXPECT_EQ(run.requests[size_t(slow)].outcome, Outcome::cancelled);
    EXPECT_EQ(run.requests[size_t(slow)].finished_us, 300 * ms) << "ended when the task gave up, not at its answer";
    EXPECT_EQ(run.requests[size_t(slow)].attempts.back().outcome, Outcome::cancelled) << "aborted on the wire";
    EXPECT_EQ(run.requests[size_t(slow)].reason, "stopped waiting");
    EXPECT_EQ(f.transport.pending(), 0u) << "the transport no longer holds it";
    f.scheduler.program_cancel(other, 310 * ms, "late");  // already answered: left alone
    EXPECT_EQ(run.requests[size_t(other)].outcome, Outcome::ok);
    f.scheduler.program_cancel(99, 310 * ms, "no such request");
    EXPECT_EQ(std::count(f.ended.begin(), f.ended.end(), slow), 1) << "the program hears of its end once";
}

TEST(ProgramRun, TheJsResultIsTheRunsOwn) {
    ProgramFixture f;
    f.make("http://x/inpage/api/delay/50", 6, "Task-2", 0);
    f.advance_to(100 * ms);
    f.scheduler.program_end(100 * ms, ProgramReport{"...", "hi\n", "ValueError: no", "  line 7\n", 7, false});
    JsonValue j;
    std::string error;
    ASSERT_TRUE(parse_json(run_to_json(f.scheduler.run(), compute_stats(f.scheduler.run()), 1, {}), &j, &error)) << error;
    EXPECT_EQ(j.get("stdout")->text, "hi\n");
    EXPECT_FALSE(j.get("stopped")->flag);
    ASSERT_TRUE(j.get("error")->is_object());
    EXPECT_EQ(j.get("error")->get("message")->text, "ValueError: no");
    EXPECT_EQ(j.get("error")->get("line")->number, 7);
    EXPECT_EQ(j.get("error")->get("traceback")->text, "  line 7\n");
    const JsonValue& r0 = j.get("requests")->items.at(0);
    EXPECT_EQ(r0.get("line")->number, 6);
    EXPECT_EQ(r0.get("task")->text, "Task-2");
    // A built-in path's result has none of these.
    test::Player built_in;
    JsonValue b;
    ASSERT_TRUE(parse_json(run_to_json(built_in.play(test::desc_of(CodePath::concurrent, 2, 10)), RunStats{}, 1, {}), &b, &error));
    EXPECT_EQ(b.get("stdout"), nullptr);
    EXPECT_EQ(b.get("requests")->items.at(0).get("line"), nullptr);
}

TEST(ProgramRun, AStoppedProgramKeepsItsTextAndEndsCancelled) {
    ProgramFixture f;
    f.make("http://x/inpage/api/delay/100", 3, "main", 0);
    const int open = f.make("http://x/inpage/api/delay/5000", 4, "main", 0);
    f.advance_to(200 * ms);
    f.scheduler.program_end(200 * ms, ProgramReport{"while True:\n    pass\n", "so far\n", "", "", 0, /*stopped=*/true});
    const ap::Run& run = f.scheduler.run();
    EXPECT_EQ(run.state, RunState::cancelled) << "Stop is a program's Cancel";
    EXPECT_EQ(run.program->report.source, "while True:\n    pass\n") << "the program stays with its run";
    EXPECT_EQ(run.program->report.output, "so far\n");
    EXPECT_EQ(run.requests[0].outcome, Outcome::ok);
    EXPECT_EQ(run.requests[size_t(open)].outcome, Outcome::cancelled);
    EXPECT_EQ(run.requests[size_t(open)].reason, "cancelled while in flight: the program was stopped");
    ap::Run back;
    std::string error;
    ASSERT_TRUE(run_from_file(run_to_file(run), &back, nullptr, &error)) << error;
    EXPECT_TRUE(back.program->report.stopped);
}

// A program's texts are bounded wherever they come from: the run, its file, the history.
TEST(ProgramRun, EveryTextIsBoundedAndSaysWhatWasCut) {
    ProgramFixture f;
    ProgramReport t;
    t.source = "print(1)\n";
    t.output = std::string(program_output_limit - 1, 'a') + "\xc3\xa9\n" + std::string(5000, 'b') + "\nc\n";  // é across the cut
    t.output_cut_bytes = 1000, t.output_cut_lines = 10;  // what the worker already dropped
    t.error_message = "ValueError: " + std::string(7'500'000, 'x');
    t.traceback = std::string(200'000, 't');
    f.scheduler.program_end(10 * ms, t);
    const ProgramReport& kept = f.scheduler.run().program->report;
    EXPECT_LE(kept.output.size(), program_output_limit);
    EXPECT_EQ(kept.output.size(), program_output_limit - 1) << "cut before a character, never inside one";
    EXPECT_EQ(kept.output_cut_bytes, 1000 + 3 + 5000 + 3) << "the worker's count and the page's add up";
    EXPECT_EQ(kept.output_cut_lines, 10 + 3);
    EXPECT_LE(kept.error_message.size(), program_message_limit);
    EXPECT_NE(kept.error_message.find("more bytes cut)"), std::string::npos) << kept.error_message.substr(kept.error_message.size() - 60);
    EXPECT_LE(kept.traceback.size(), program_traceback_limit);
    EXPECT_EQ(program_output_cut_note(kept), "Output cut at 1.0 MB: 6 KB more (13 lines) not shown.");
    // The run file keeps the counts, and a file that holds more than a run keeps is cut the same way.
    ap::Run back;
    std::string error;
    ASSERT_TRUE(run_from_file(run_to_file(f.scheduler.run()), &back, nullptr, &error)) << error;
    EXPECT_EQ(back.program->report.output_cut_bytes, kept.output_cut_bytes);
    EXPECT_EQ(back.program->report.output_cut_lines, 13);
    EXPECT_EQ(back.program->report.error_message, kept.error_message) << "cut once, not again";
    std::string file = run_to_file(f.scheduler.run());
    const std::string big(3 << 20, 'z');
    const size_t at = file.find("\"output\":\"") + 10;
    file.insert(at, big);
    ASSERT_TRUE(run_from_file(file, &back, nullptr, &error)) << error;
    EXPECT_LE(back.program->report.output.size(), program_output_limit);
    EXPECT_EQ(back.program->report.output_cut_bytes, kept.output_cut_bytes + int64_t(big.size()) - 1) << "(the kept part was one byte short of the limit)";
    // The JS result says what was cut.
    EXPECT_NE(run_to_json(f.scheduler.run(), compute_stats(f.scheduler.run())).find("\"stdoutCut\":{\"bytes\":6006,\"lines\":13}"), std::string::npos);
}

TEST(ProgramRun, TheHistoryHoldsProgramsTextsInABoundedNumberOfBytes) {
    History h;
    int64_t clock = 0;
    for (int i = 0; i < 60; ++i) {  // 60 runs that printed a megabyte each
        ProgramFixture f;
        ProgramReport t;
        t.source = "for i in range(10**6): print(i)\n";
        t.output = std::string(program_output_limit, '\n');
        t.traceback = std::string(1000, 't');
        f.scheduler.program_end(clock += ms, t);
        ASSERT_NE(h.add(f.scheduler.run()), nullptr);
        EXPECT_LE(h.program_text_bytes(), History::program_history_bytes + program_output_limit + 2000) << "after run " << i;
    }
    const HistoryEntry& newest = h.entries().back();
    EXPECT_EQ(newest.run.program->report.output.size(), program_output_limit) << "the newest run keeps its output";
    const HistoryEntry& oldest = h.entries().front();
    EXPECT_TRUE(oldest.run.program->report.output.empty());
    EXPECT_EQ(oldest.run.program->report.output_cut_bytes, int64_t(program_output_limit)) << "and says it was dropped";
    EXPECT_EQ(oldest.run.program->report.output_cut_lines, int64_t(program_output_limit));
}

TEST(ProgramRun, StopCancelsAndTheCapSaysWhy) {
    ProgramFixture f;
    std::string why;
    ProgramCall c;
    for (int i = 0; i < max_program_requests; ++i) ASSERT_GE(f.scheduler.program_request("http://x/api/delay/50", c, 0, &why), 0) << why;
    EXPECT_EQ(f.scheduler.program_request("http://x/api/delay/50", c, 0, &why), -1);
    EXPECT_EQ(why, "a program may make at most 10000 requests in one run");
    f.scheduler.cancel(10 * ms);
    EXPECT_EQ(f.scheduler.run().state, RunState::cancelled);
    EXPECT_EQ(explain_run(f.scheduler.run(), compute_stats(f.scheduler.run())).front(),
              "Stopped after 10 ms: 10000 of its 10000 requests were still in flight, and were cancelled.");
    ProgramFixture quiet;
    quiet.scheduler.cancel(617 * ms);
    EXPECT_EQ(explain_run(quiet.scheduler.run(), compute_stats(quiet.scheduler.run())).front(), "Stopped after 617 ms, before the program made a request.");
    EXPECT_EQ(f.scheduler.program_request("http://x/api/delay/50", c, 20 * ms, &why), -1);
    EXPECT_EQ(why, "no program is running");
    // A run of a built-in code path takes no requests from a program.
    test::Player g;
    g.scheduler.begin(test::desc_of(CodePath::concurrent, 2, 100), 0);
    EXPECT_EQ(g.scheduler.program_request("http://x/api/delay/50", c, 0, &why), -1);
}

TEST(ProgramRun, AWaitForAFreeConnectionIsDrawnAsQueued) {
    ProgramFixture f;
    std::string why;
    ProgramCall c;
    c.queued_ms = 150;
    const int late = f.scheduler.program_request("http://x/api/delay/100", c, 400 * ms, &why);
    c.queued_ms = 9e9;  // more than the run has lasted: from the run's start
    const int early = f.scheduler.program_request("http://x/api/delay/100", c, 450 * ms, &why);
    c.queued_ms = std::nan("");
    const int none = f.scheduler.program_request("http://x/api/delay/100", c, 460 * ms, &why);
    const ap::Run& run = f.scheduler.run();
    EXPECT_EQ(run.requests[size_t(late)].scheduled_us, 250 * ms);
    EXPECT_EQ(run.requests[size_t(late)].started_us, 400 * ms);
    EXPECT_EQ(run.requests[size_t(early)].scheduled_us, 0);
    EXPECT_EQ(run.requests[size_t(none)].scheduled_us, 460 * ms);
}

TEST(ProgramRun, KeptAcrossVisitsButNeverASetting) {
    ProgramFixture f;
    f.scheduler.program_end(30 * ms, {});  // a program that made no request
    History h;
    ASSERT_NE(h.add(f.scheduler.take_run(), -1, "", 0), nullptr);
    History again;
    std::string error;
    ASSERT_TRUE(history_from_json(history_to_json(h), &again, &error)) << error;
    ASSERT_EQ(again.entries().size(), 1u);
    EXPECT_EQ(again.entries()[0].run.desc.kind, RunKind::program);
    EXPECT_EQ(again.entries()[0].run.desc.count, 0);
    // No link, preset or run file may ask for it.
    RunDesc d;
    EXPECT_FALSE(set_field_text(*find_run_field(FieldKey::url, "path"), &d, "program", &error));
    EXPECT_EQ(field_text(*find_run_field(FieldKey::url, "path"), f.scheduler.run().desc), "program") << "but it is named";
}

TEST(ProgramRun, ARunFileKeepsTheProgramItsOutputAndEachRequestsLine) {
    ProgramFixture f;
    f.make("http://x/inpage/api/delay/100?i=0", 7, "Task-2", 0);
    std::string why;
    ProgramCall c;
    c.line = 9, c.task = "main", c.timeout_ms = 300, c.queued_ms = 12.5, c.blocking = true;
    ASSERT_EQ(f.scheduler.program_request("http://x/inpage/api/delay/900", c, 20 * ms, &why), 1) << why;
    f.make("http://x/inpage/api/delay/5000", 11, "Task-3", 30 * ms);  // never awaited
    f.advance_to(400 * ms);
    f.scheduler.program_end(450 * ms, ProgramReport{"import asyncio\n\"quoted\"\n", "ok\n", "TimeoutError: late", "  line 9, in main\n", 9, false});
    const ap::Run& run = f.scheduler.run();
    const std::string text = run_to_file(run);
    ASSERT_FALSE(text.empty());
    ap::Run back;
    std::string error;
    ASSERT_TRUE(run_from_file(text, &back, nullptr, &error)) << error;
    EXPECT_EQ(back.desc.kind, RunKind::program);
    EXPECT_EQ(back.program->report.source, run.program->report.source);
    EXPECT_EQ(back.program->report.output, "ok\n");
    EXPECT_EQ(back.program->report.error_message, "TimeoutError: late");
    EXPECT_EQ(back.program->report.traceback, "  line 9, in main\n");
    EXPECT_EQ(back.program->report.error_line, 9);
    ASSERT_EQ(back.program->calls.size(), 3u);
    EXPECT_EQ(back.program->calls[1].url, "http://x/inpage/api/delay/900");
    EXPECT_EQ(back.program->calls[1].line, 9);
    EXPECT_EQ(back.program->calls[1].task, "main");
    EXPECT_EQ(back.program->calls[1].timeout_ms, 300);
    EXPECT_DOUBLE_EQ(back.program->calls[1].queued_ms, 12.5);
    EXPECT_TRUE(back.program->calls[1].blocking);
    EXPECT_EQ(back.program->calls[0].line, 7);
    EXPECT_EQ(back.requests[1].outcome, Outcome::timeout);
    EXPECT_EQ(back.requests[2].outcome, Outcome::cancelled) << "the run finished, with a request the program never awaited";
    EXPECT_EQ(back.end_us - back.start_us, 450 * ms) << "the program's end, after its last request";
    EXPECT_TRUE(run_file_inconsistencies(back).empty()) << "no model to contradict";
    EXPECT_EQ(run_to_file(back), text) << "saved again, the same file";

    // A program that made no request has a file too; one without its program text is refused.
    ProgramFixture g;
    g.scheduler.program_end(5 * ms, ProgramReport{"print(1)\n", "1\n", "", "", 0, false});
    const std::string empty = run_to_file(g.scheduler.run());
    ASSERT_TRUE(run_from_file(empty, &back, nullptr, &error)) << error;
    EXPECT_EQ(back.desc.count, 0);
    std::string cut = empty;
    cut.erase(cut.find("\"program\":"), cut.find("},\n", cut.find("\"program\":")) + 3 - cut.find("\"program\":"));
    EXPECT_FALSE(run_from_file(cut, &back, nullptr, &error));
    EXPECT_EQ(error, "the file has no \"program\"");
    std::string ended_early = text;
    ended_early.replace(ended_early.find("\"wall_us\":450000"), 16, "\"wall_us\":350000");
    EXPECT_FALSE(run_from_file(ended_early, &back, nullptr, &error));
    EXPECT_EQ(error, "wall_us = 350000, but a request finished later, at 450000");
}

TEST(ProgramRun, EachLineSaysWhereItsRequestsAreAtAnInstant) {
    ProgramFixture f;
    for (int i = 0; i < 3; ++i) f.make("http://x/inpage/api/delay/200?i=" + std::to_string(i), 8, "Task-" + std::to_string(i + 2), 0);
    std::string why;
    ProgramCall c;
    c.line = 12, c.queued_ms = 50;
    f.scheduler.program_request("http://x/inpage/api/delay/100", c, 50 * ms, &why);  // queued from 0 to 50 ms
    c.queued_ms = 0, c.blocking = true, c.line = 3;
    f.scheduler.program_request("http://x/inpage/api/delay/100", c, 60 * ms, &why);
    f.advance_to(300 * ms);
    f.scheduler.program_end(300 * ms, {});
    const ap::Run& run = f.scheduler.run();
    auto at = [&](int64_t t) {
        std::string out;
        for (const ProgramLineCount& l : program_line_counts(run, t)) out += std::to_string(l.line) + ": " + l.text + " (" + phase_name(l.phase) + "); ";
        return out;
    };
    EXPECT_EQ(at(10 * ms), "8: 3 waiting for the API (wait); 12: 1 queued (queue); ");
    EXPECT_EQ(at(70 * ms), "3: 1 blocking the thread (wait); 8: 3 waiting for the API (wait); 12: 1 waiting for the API (wait); ");
    EXPECT_EQ(at(250 * ms), "") << "all answered";
    test::Player built_in;
    EXPECT_TRUE(program_line_counts(built_in.play(test::desc_of(CodePath::concurrent, 3, 100)), 50 * ms).empty()) << "a built-in path's run has no program lines";
    const std::string csv = run_requests_csv(run);
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "request,scheduled_ms,started_ms,answered_ms,handled_ms,finished_ms,outcome,status,attempts,bytes,stalled_ms,reason,url,line,task,thread");
    EXPECT_NE(csv.find(",http://x/inpage/api/delay/200?i=1,8,Task-3,\r\n"), std::string::npos) << csv;
}

TEST(ProgramRun, DrawingWaitsBetweenAProgramsCallsAndForItsAnswers) {
    test::Player p;
    RunDesc d;
    d.kind = RunKind::program;
    d.api = Api::page;
    p.scheduler.begin(d, 0);
    const QuietRule rule{30 * ms, 20 * ms, 40 * ms};
    EXPECT_TRUE(drawing_would_disturb(p.scheduler.run(), 10 * ms, rule)) << "just begun: its first requests are on their way";
    std::string why;
    ASSERT_EQ(p.scheduler.program_request("http://x/inpage/api/delay/300?i=0", ProgramCall{}, 0, &why), 0) << why;
    EXPECT_TRUE(drawing_would_disturb(p.scheduler.run(), 20 * ms, rule)) << "its requests are still being made";
    EXPECT_FALSE(drawing_would_disturb(p.scheduler.run(), 100 * ms, rule)) << "mid-flight: free to draw";
    EXPECT_TRUE(drawing_would_disturb(p.scheduler.run(), 280 * ms, rule)) << "its URL asks for 300 ms: the answer is due";
    Completion c;
    c.status = 200;
    p.scheduler.complete(make_request_id(p.scheduler.run().generation, 0), c, 305 * ms);
    EXPECT_EQ(p.scheduler.run().in_flight, 0);
    EXPECT_TRUE(drawing_would_disturb(p.scheduler.run(), 320 * ms, rule)) << "nothing in flight, but the program's next call is on its way";
    EXPECT_FALSE(drawing_would_disturb(p.scheduler.run(), 400 * ms, rule)) << "the program went quiet";
}

TEST(ProgramRun, ABlockingCallIsSteppedAsTheThreadWaitingInIt) {
    ProgramFixture f;
    std::string why;
    ProgramCall c;
    c.blocking = true;
    f.scheduler.program_request("http://x/api/delay/100", c, 0, &why);
    f.advance_to(150 * ms);
    f.scheduler.program_end(150 * ms, {});
    const ap::Run& run = f.scheduler.run();
    const LoopTimeline tl = event_loop_timeline(run);
    ASSERT_GE(tl.steps.size(), 3u);
    EXPECT_EQ(tl.steps[1].kind, LoopEventKind::sent);
    EXPECT_EQ(tl.steps[1].what, "call 1 makes a blocking call (requests or httpx.Client): the thread, event loop included, waits in it until the answer is in.");
    const LoopPicture p = loop_picture(run, tl, 1);
    EXPECT_EQ(p.loop, LoopState::blocked);
    EXPECT_EQ(p.running, 0);
}

TEST(ProgramRun, TheSimulatedApiReadsTheUrlAsTheRealOnesDo) {
    EXPECT_EQ(program_spec("http://127.0.0.1:8000/inpage/api/delay/250?i=3").latency_ms, 250);
    EXPECT_EQ(program_spec("http://h/api/delay/250?i=3&status=404").status, 404);
    EXPECT_EQ(program_spec("http://h/api/delay/250?status=abc").status, 200);
    EXPECT_EQ(program_spec("http://h/other").latency_ms, 0);
    EXPECT_EQ(program_spec("http://h/api/delay/99999999999999").latency_ms, Limits::max_latency_ms);
    EXPECT_TRUE(program_spec("http://h/").want_body);
}

}  // namespace
}  // namespace ap

namespace ap {
namespace {

// The article's own URLs (https://api.example.com/...) get no answer in the page: the reason says where the
// page's API is and how to aim a request at it.
TEST(ProgramRun, ARequestToAnotherHostSaysHowToAimItAtThePagesApi) {
    RunDesc inpage;
    inpage.kind = RunKind::program;
    inpage.base_url = "inpage";
    EXPECT_EQ(program_reach_hint(inpage, "http://127.0.0.1:5000/inpage/api/delay/400?i=1"), "");
    EXPECT_NE(program_reach_hint(inpage, "https://api.example.com/city/Paris").find("f\"{BASE}/api/delay/400\""), std::string::npos);
    RunDesc server = inpage;
    server.base_url = "http://127.0.0.1:8000/";
    EXPECT_EQ(program_reach_hint(server, "http://127.0.0.1:8000/api/delay/5"), "");
    EXPECT_NE(program_reach_hint(server, "http://127.0.0.1:9/api/delay/5"), "");
    RunDesc simulated = inpage;
    simulated.base_url.clear();
    EXPECT_EQ(program_reach_hint(simulated, "https://api.example.com/x"), "") << "no API to point at";

    // Through a run: the request's reason carries it, and so what the program is told.
    test::Player p;
    p.transport.answer = [](RequestId, const RequestSpec& spec) {
        VirtualAnswer a = VirtualTransport::default_answer(spec);
        a.completion.status = 0;  // no answer at all
        return a;
    };
    RunDesc d = inpage;
    d.api = Api::simulated;
    p.scheduler.begin(d, 0);
    std::string why;
    const int i = p.scheduler.program_request("https://api.example.com/city/Paris", ProgramCall{}, 0, &why);
    ASSERT_GE(i, 0) << why;
    run_virtual(&p.scheduler, &p.transport, 0);
    const RequestTrace& r = p.scheduler.run().requests[size_t(i)];
    EXPECT_EQ(r.outcome, Outcome::network_error);
    EXPECT_NE(r.reason.find("aim the request at BASE"), std::string::npos) << r.reason;
}


// ---- The program's own trace (program_trace.h): its tasks tell the stepper, the replay and the lines ----

namespace {

// A gather of three tasks as the worker reports it: the top level runs asyncio.run(main()) (line 9), main
// gathers fetch() x3 (line 7), each sends its request at line 4 and parks; answers at 301 ms; all done.
struct GatherProgram : ProgramFixture {
    GatherProgram() {
        for (int i = 0; i < 3; ++i) {
            ProgramCall c;
            c.line = 4;
            c.task = "Task-" + std::to_string(i + 3);
            c.task_id = i + 2;
            std::string why;
            EXPECT_EQ(scheduler.program_request("http://x/inpage/api/delay/300?i=" + std::to_string(i), c, (1 + i) * ms + 500, &why), i) << why;
        }
        advance_to(400 * ms);
        const std::string trace = R"({"tasks": [[1, 0, 9, 0.1, "main", "Task-1"], [2, 1, 7, 0.4, "fetch", "Task-2"],
            [3, 1, 7, 0.4, "fetch", "Task-3"], [4, 1, 7, 0.4, "fetch", "Task-4"]],
          "steps": [[0, 0, 0.2, "parked", "loop", 9, 0], [1, 0.3, 0.5, "parked", "gather", 7, 3],
            [2, 0.6, 1.2, "parked", "request", 4, 0], [3, 1.3, 2.2, "parked", "request", 4, 0], [4, 2.3, 3.2, "parked", "request", 4, 0],
            [2, 302, 302.5, "done", "", 0, 0], [3, 302.6, 303, "done", "", 0, 0], [4, 303.1, 303.5, "done", "", 0, 0],
            [1, 304, 304.2, "done", "", 0, 0], [0, 304.3, 304.4, "done", "", 0, 0]], "cut": 0})";
        ProgramTrace t;
        std::string why;
        EXPECT_TRUE(read_program_trace(trace, 0, &t, &why)) << why;
        scheduler.program_end(305 * ms, ProgramReport{"...", "", "", "", 0, false}, std::move(t));
    }
};

size_t step_saying(const LoopTimeline& tl, const std::string& words) {
    for (size_t i = 0; i < tl.steps.size(); ++i)
        if (tl.steps[i].what.find(words) != std::string::npos) return i;
    return tl.steps.size();
}

}  // namespace

TEST(ProgramRun, OutputIsShownAsItComesAndBoundedThere) {
    ProgramFixture f;
    f.scheduler.program_output("line 1\n", 0, 0);
    f.scheduler.program_output("line 2\n", 0, 0);
    EXPECT_EQ(f.scheduler.run().program->report.output, "line 1\nline 2\n");
    // More than a run keeps: cut at the limit and counted, with what the interpreter itself cut.
    f.scheduler.program_output(std::string(program_output_limit, 'x') + "\nmore\n", 500, 2);
    const ProgramReport& r = f.scheduler.run().program->report;
    EXPECT_EQ(r.output.size(), program_output_limit);
    EXPECT_EQ(r.output_cut_bytes, 500 + 14 + 6);
    EXPECT_EQ(r.output_cut_lines, 2 + 2);
    f.scheduler.program_end(10 * ms, ProgramReport{"print()", "the end's own\n", "", "", 0, false});
    EXPECT_EQ(f.scheduler.run().program->report.output, "the end's own\n") << "the end's report is the one kept";
}

TEST(ProgramRun, OnRealSocketsTheBrowsersHoldIsSaidWithWhatCPythonWouldHaveTaken) {
    // Twelve requests of 300 ms made at once on the dev server: Resource Timing says the browser sent six
    // at once and each of the other six when one of the first came off the wire (so the page saw those end
    // at 600 ms: played here by asking them for 600).
    ProgramFixture f;
    for (int i = 0; i < 12; ++i) f.make("http://x/api/delay/" + std::to_string(i < 6 ? 300 : 600) + "?i=" + std::to_string(i), 4, "Task-" + std::to_string(i), 0);
    f.advance_to(700 * ms);
    f.scheduler.program_end(700 * ms, ProgramReport{});
    ap::Run run = f.scheduler.run();
    for (int i = 0; i < 12; ++i) {
        const int64_t sent = i < 6 ? 1 * ms : 301 * ms;
        ASSERT_TRUE(annotate_attempt(&run, i, 0, sent, sent + 299 * ms, i < 6 ? 300 * ms : 600 * ms));
    }
    const RunStats s = compute_stats(run);
    EXPECT_EQ(s.peak_on_wire, 6);
    EXPECT_EQ(s.peak_in_flight, 12);
    std::string notes;
    for (const std::string& n : explain_run(run, s)) notes += n + "\n";
    EXPECT_NE(notes.find("The browser held 6 of these requests for one of its 6 connections to this host"), std::string::npos) << notes;
    EXPECT_NE(notes.find("CPython has no such cap, and would have had the last answer about 301 ms sooner: about 399 ms in all"), std::string::npos) << notes;
    // The same requests all sent at once (spread over the server's ports): nothing held, nothing said of it.
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(annotate_attempt(&run, i, 0, 1 * ms, 300 * ms, 300 * ms));
    notes.clear();
    for (const std::string& n : explain_run(run, compute_stats(run))) notes += n + "\n";
    EXPECT_EQ(notes.find("held"), std::string::npos) << notes;
}

TEST(ProgramTrace, AGatherIsToldByItsTasksNotByAModel) {
    GatherProgram f;
    const ap::Run& run = f.scheduler.run();
    const LoopTimeline tl = event_loop_timeline(run);
    ASSERT_TRUE(tl.by_task);
    EXPECT_TRUE(tl.has_loop);
    std::string all;
    for (const LoopEvent& e : tl.steps) all += e.what + "\n";
    EXPECT_EQ(all.find("queued"), std::string::npos) << "no code path's sentence speaks for a program:\n" << all;
    EXPECT_EQ(all.find("previous call"), std::string::npos) << all;
    const size_t sent = step_saying(tl, "Tasks 2-4 (fetch) start, send their requests (line 4) and park on await");
    ASSERT_LT(sent, tl.steps.size()) << all;
    EXPECT_NE(tl.steps[sent].what.find("the event loop is free"), std::string::npos) << tl.steps[sent].what;
    EXPECT_LT(step_saying(tl, "Task 1 (main) starts, creates tasks 2-4 for fetch() at line 7 and then awaits a gather of 3 tasks"), tl.steps.size()) << all;
    // After the three have parked: all three wait for answers, main awaits the gather, nothing is ready.
    const LoopPicture parked = loop_picture(run, tl, sent);
    EXPECT_EQ(parked.task_running, -1);
    EXPECT_TRUE(parked.task_ready.empty());
    int waiting = 0;
    for (const auto& [task, wait] : parked.task_parked) waiting += wait == TaskWait::request;
    EXPECT_EQ(waiting, 3);
    EXPECT_EQ(parked.loop, LoopState::waiting_for_io);
    // The first answer: task 2 is ready; the replay line says what the stepper's picture says, at its instant.
    const size_t answer = step_saying(tl, "Call 1's answer is in: task 2 is ready");
    ASSERT_LT(answer, tl.steps.size()) << all;
    const LoopPicture ready = loop_picture(run, tl, answer);
    EXPECT_EQ(ready.task_ready, (std::vector<int>{2}));
    const std::string words = loop_words(tl, ready, false);
    EXPECT_EQ(words, "takes task 2 from the ready queue next");
    const std::string replay = describe_replay(run, replay_at(run, tl.steps[answer].shown_us()));
    EXPECT_NE(replay.find(words), std::string::npos) << replay;
    EXPECT_NE(replay.find("1 ready"), std::string::npos) << replay;
    EXPECT_EQ(loop_step_at(tl, tl.steps[answer].shown_us()), answer) << "the replay instant a step sets finds that step";
    // The code panel's count: at 100 ms the three tasks wait at line 4, main at line 7.
    const std::vector<ProgramLineCount> lines = program_line_counts(run, 100 * ms);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].line, 4);
    EXPECT_EQ(lines[0].text, "3 waiting for the API");
    EXPECT_EQ(lines[1].text, "1 awaiting a gather");
    EXPECT_EQ(lines[2].text, "1 running the event loop");
}

TEST(ProgramTrace, AnAwaitInALoopSaysNothingElseCanRun) {
    ProgramFixture f;
    ProgramCall c;
    c.line = 6;
    c.task_id = 1;
    std::string why;
    ASSERT_EQ(f.scheduler.program_request("http://x/inpage/api/delay/100?i=0", c, 1 * ms, &why), 0) << why;
    f.advance_to(102 * ms);
    ASSERT_EQ(f.scheduler.program_request("http://x/inpage/api/delay/100?i=1", c, 102 * ms, &why), 1) << why;
    f.advance_to(210 * ms);
    const std::string trace = R"({"tasks": [[1, 0, 8, 0.1, "main", "Task-1"]], "steps": [[0, 0, 0.2, "parked", "loop", 8, 0],
        [1, 0.5, 1.5, "parked", "request", 6, 0], [1, 101.5, 102.5, "parked", "request", 6, 0], [1, 202, 203, "done", "", 0, 0],
        [0, 203.5, 204, "done", "", 0, 0]], "cut": 0})";
    ProgramTrace t;
    ASSERT_TRUE(read_program_trace(trace, 0, &t, &why)) << why;
    f.scheduler.program_end(205 * ms, ProgramReport{}, std::move(t));
    const LoopTimeline tl = event_loop_timeline(f.scheduler.run());
    const size_t second = step_saying(tl, "Task 1 (main) runs again, sends call 2's request (line 6)");
    ASSERT_LT(second, tl.steps.size());
    EXPECT_NE(tl.steps[second].what.find("no other task could run meanwhile"), std::string::npos) << tl.steps[second].what;
}

TEST(ProgramTrace, APlainScriptHasNoLoopAndBlocksInEachCall) {
    ProgramFixture f;
    ProgramCall c;
    c.line = 4;
    c.task_id = 0;
    c.blocking = true;
    std::string why;
    ASSERT_EQ(f.scheduler.program_request("http://x/inpage/api/delay/100?i=0", c, 1 * ms, &why), 0) << why;
    f.advance_to(150 * ms);
    ProgramTrace t;
    ASSERT_TRUE(read_program_trace(R"({"tasks": [], "steps": [[0, 0, 120, "done", "", 0, 0]], "cut": 0})", 0, &t, &why)) << why;
    f.scheduler.program_end(121 * ms, ProgramReport{}, std::move(t));
    const ap::Run& run = f.scheduler.run();
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_FALSE(tl.has_loop);
    const size_t call = step_saying(tl, "makes a blocking call (line 4)");
    ASSERT_LT(call, tl.steps.size());
    const LoopPicture p = loop_picture(run, tl, call);
    EXPECT_EQ(p.loop, LoopState::blocked);
    EXPECT_EQ(p.running, 0);
    EXPECT_LT(step_saying(tl, "the blocking call returns, and the top level goes on"), tl.steps.size());
}

TEST(ProgramTrace, WhatDoesNotFitIsLeftOutAndCounted) {
    ProgramTrace t;
    std::string why;
    // Task 2 before task 1, a step of a task never made, an end and a wait no one knows, time running back.
    ASSERT_TRUE(read_program_trace(R"({"tasks": [[1, 0, 3, 1, "a", "A"], [3, 0, 3, 1, "b", "B"], [2, 0, 3, 1, "c", "C"]],
        "steps": [[1, 1, 2, "parked", "request", 3, 0], [7, 1, 2, "done", "", 0, 0], [1, 3, 4, "exploded", "", 0, 0],
                  [1, 5, 6, "parked", "teleport", 3, 0], [1, 9, 8, "done", "", 0, 0], [1, 1e300, 1e300, "done", "", 0, 0],
                  [1, 10, 11, "failed", "ValueError", 0, 0]], "cut": 2})", 0, &t, &why)) << why;
    EXPECT_EQ(t.tasks.size(), 1u);
    ASSERT_EQ(t.steps.size(), 2u);
    EXPECT_EQ(t.steps[1].error, "ValueError");
    EXPECT_EQ(t.cut, 2 + 2 + 5);
    // A name over 80 bytes is cut at a whole character, once: read back, it stays as it was cut.
    const std::string odd = std::string(79, 'a') + "\xc3\xa9" + std::string(30, '\xff');
    ASSERT_TRUE(read_program_trace(R"({"tasks": [[1, 0, 3, 1, "a", ")" + odd + R"("]], "steps": [], "cut": 0})", 0, &t, &why)) << why;
    ASSERT_EQ(t.tasks.size(), 1u);
    EXPECT_EQ(t.tasks[0].name, std::string(79, 'a'));
    ProgramTrace again;
    ASSERT_TRUE(read_program_trace(program_trace_json(t, 0), 0, &again, &why)) << why;
    EXPECT_EQ(again.tasks[0].name, t.tasks[0].name);
    EXPECT_FALSE(read_program_trace("[1, 2]", 0, &t, &why));
    EXPECT_FALSE(read_program_trace("{\"tasks\": ", 0, &t, &why));
    EXPECT_NE(why.find("damaged"), std::string::npos);
}

// A run written to a run file and read back; and its steps as the stepper tells them, one per line.
bool round_trip(const ap::Run& run, ap::Run* back) {
    std::string error;
    double guess = 0;
    EXPECT_TRUE(run_from_file(run_to_file(run), back, &guess, &error)) << error;
    return back->program.has_value();
}
std::string told(const ap::Run& run) {
    std::string out;
    for (const LoopEvent& e : event_loop_timeline(run).steps) out += e.what + "\n";
    return out;
}

TEST(ProgramTrace, ARunFileKeepsTheTrace) {
    GatherProgram f;
    ap::Run back;
    ASSERT_TRUE(round_trip(f.scheduler.run(), &back));
    EXPECT_EQ(back.program->trace.tasks.size(), 4u);
    EXPECT_EQ(back.program->trace.steps.size(), 10u);
    EXPECT_EQ(back.program->calls[1].task_id, 3);
    EXPECT_EQ(told(back), told(f.scheduler.run()));
}

// A pool of two workers over three blocking calls, the main thread waiting in map(): as the worker traces it.
struct PoolProgram : ProgramFixture {
    PoolProgram() {
        std::string why;
        auto call = [&](int i, int thread, int64_t at) {
            ProgramCall c;
            c.line = 6;
            c.blocking = true;
            c.thread = "ThreadPoolExecutor-0_" + std::to_string(thread - 1);
            c.thread_id = thread;
            advance_to(at);
            EXPECT_EQ(scheduler.program_request("http://x/inpage/api/delay/100?i=" + std::to_string(i), c, at, &why), i) << why;
        };
        call(0, 1, 2 * ms);
        call(1, 2, 3 * ms);
        call(2, 1, 105 * ms);
        advance_to(215 * ms);
        const std::string trace = R"JSON({"tasks": [], "steps": [[0, 0, 211, "done", "", 0, 0]],
            "threads": [[1, 0, 0, 1, "_worker", "ThreadPoolExecutor-0_0", false], [2, 0, 0, 1.5, "_worker", "ThreadPoolExecutor-0_1", false]],
            "threadSteps": [[0, 0, 1, "parked", "map", 9, ""], [1, 1, 2, "parked", "request", 6, ""], [2, 2, 3, "parked", "request", 6, ""],
                            [1, 103, 105, "parked", "request", 6, ""], [2, 104, 105.5, "parked", "idle", 0, ""], [1, 206, 207, "parked", "idle", 0, ""],
                            [0, 207, 208, "parked", "shutdown", 9, ""], [1, 209, 209.5, "done", "", 0, ""], [2, 209.6, 210, "done", "", 0, ""],
                            [0, 210, 211, "done", "", 0, ""]],
            "pools": [[2, false, 4]], "cut": 0})JSON";
        ProgramTrace t;
        EXPECT_TRUE(read_program_trace(trace, 0, &t, &why)) << why;
        scheduler.program_end(212 * ms, ProgramReport{}, std::move(t));
    }
};

TEST(ProgramTrace, ThreadsAreToldByWhatEachWaitsFor) {
    PoolProgram f;
    const ap::Run& run = f.scheduler.run();
    ASSERT_EQ(run.program->trace.threads.size(), 2u);
    ASSERT_EQ(run.program->trace.thread_steps.size(), 10u);
    // The code panel: the workers blocking at line 6, the main thread waiting in map() at line 9.
    std::string lines;
    for (const ProgramLineCount& l : program_line_counts(run, 50 * ms)) lines += std::to_string(l.line) + ": " + l.text + "; ";
    EXPECT_EQ(lines, "6: 2 threads blocking in their requests; 9: the main thread waiting for the results of map(); ");
    // The stepper's picture and the replay line at the same instant.
    const LoopPicture p = program_picture_at(run, 50 * ms);
    ASSERT_EQ(p.threads.size(), 3u);
    EXPECT_EQ(p.main_wait, int(ThreadWait::map));
    EXPECT_EQ(p.threads[1].at, ThreadAt::parked);
    EXPECT_EQ(p.threads[1].wait, ThreadWait::request);
    const std::string replay = describe_program_replay(run, 50 * ms);
    EXPECT_NE(replay.find("2 threads beside the main one (2 blocked in their requests)"), std::string::npos) << replay;
    EXPECT_NE(replay.find("the main thread is waiting for the results of map(), while the other threads go on"), std::string::npos) << replay;
    // At 150 ms one worker is idle: the other's second call is on the wire.
    const LoopPicture later = program_picture_at(run, 150 * ms);
    ASSERT_EQ(later.threads.size(), 3u);
    EXPECT_EQ(later.threads[2].wait, ThreadWait::idle);
    // The stepper: the workers start together and block in their requests, while the others go on.
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_LT(step_saying(tl, "2 threads (_worker) start, send calls 1-2' requests (line 6) and block in them: the other threads go on"), tl.steps.size());
    EXPECT_LT(step_saying(tl, "ThreadPoolExecutor-0_0's blocking call returns"), tl.steps.size());
    EXPECT_LT(step_saying(tl, "threads it starts run Python one at a time"), tl.steps.size());
}

TEST(ProgramTrace, ThreadsKeepInARunFileAndTheirRequestsSayWhichThread) {
    PoolProgram f;
    ap::Run back;
    ASSERT_TRUE(round_trip(f.scheduler.run(), &back));
    EXPECT_EQ(back.program->trace.threads.size(), 2u);
    EXPECT_EQ(back.program->trace.thread_steps.size(), 10u);
    EXPECT_EQ(back.program->trace.pools.size(), 1u);
    EXPECT_EQ(back.program->calls[1].thread, "ThreadPoolExecutor-0_1");
    EXPECT_EQ(back.program->calls[1].thread_id, 2);
    EXPECT_NE(run_requests_csv(back).find(",ThreadPoolExecutor-0_0\r\n"), std::string::npos);
    EXPECT_EQ(told(back), told(f.scheduler.run()));
}

TEST(ProgramTrace, ADefaultPoolSaysItsSizeAndComputingThreadsSayTheyAddUp) {
    ProgramFixture f;
    std::string why;
    ProgramCall c;
    c.line = 5;
    c.blocking = true;
    c.thread = "Thread-2 (fetch)";
    c.thread_id = 2;
    f.advance_to(1 * ms);
    ASSERT_EQ(f.scheduler.program_request("http://x/inpage/api/delay/10?i=0", c, 1 * ms, &why), 0) << why;
    f.advance_to(130 * ms);
    // Thread 1 computes 100 ms without blocking while thread 2's answer comes in (at 11 ms).
    ProgramTrace t;
    ASSERT_TRUE(read_program_trace(R"JSON({"tasks": [], "steps": [[0, 0, 125, "done", "", 0, 0]],
        "threads": [[1, 0, 3, 0.5, "crunch", "Thread-1 (crunch)", false], [2, 0, 4, 0.6, "fetch", "Thread-2 (fetch)", false]],
        "threadSteps": [[0, 0, 0.5, "parked", "join", 7, "Thread-1 (crunch)"], [2, 0.7, 1, "parked", "request", 5, ""],
                        [1, 1, 121, "done", "", 0, ""], [2, 121, 122, "done", "", 0, ""], [0, 122, 125, "done", "", 0, ""],
                        [1, 1, 2, "parked", "teleport", 3, ""], [9, 1, 2, "done", "", 0, ""]],
        "pools": [[6, true, 2], [0, true, 2]], "cut": 0})JSON", 0, &t, &why)) << why;
    EXPECT_EQ(t.cut, 3) << "a wait no one knows, a thread never started, a pool of no workers";
    f.scheduler.program_end(126 * ms, ProgramReport{}, std::move(t));
    const std::vector<std::string> notes = thread_notes(f.scheduler.run());
    std::string all;
    for (const std::string& n : notes) all += n + "\n";
    EXPECT_NE(all.find("ThreadPoolExecutor() made 6 workers: CPython's default, min(32, CPUs + 4), with the 2 CPUs"), std::string::npos) << all;
    EXPECT_NE(all.find("The threads ran Python for 121"), std::string::npos) << all;
    EXPECT_NE(all.find("Thread-1 (crunch) ran Python for 120 ms without blocking while 1 answer of other threads came in"), std::string::npos) << all;
}

}  // namespace
}  // namespace ap

namespace ap {
namespace {

// ---- Exercises: checks read as written, judged on the page's record of a run ----

Check check_of(const std::string& text) {
    Check c;
    std::string why;
    EXPECT_TRUE(parse_check(text, &c, &why)) << text << ": " << why;
    return c;
}

std::string refusal(const std::string& text) {
    Check c;
    std::string why;
    return parse_check(text, &c, &why) ? std::string("(read)") : why;
}

TEST(Exercise, ChecksAreReadAsWritten) {
    EXPECT_EQ(check_of("requests == 12").metric, CheckMetric::requests);
    EXPECT_EQ(check_of(" ok == 12 ").source, "ok == 12");
    const Check wall = check_of("wall < 2 * latency");
    EXPECT_EQ(wall.metric, CheckMetric::wall);
    EXPECT_EQ(wall.op, CheckOp::lt);
    EXPECT_TRUE(wall.per_latency);
    EXPECT_DOUBLE_EQ(wall.number, 2);
    EXPECT_TRUE(check_of("wall <= latency * 1.5").per_latency);
    EXPECT_DOUBLE_EQ(check_of("wall < 1500").number, 1500);
    EXPECT_EQ(check_of("in_flight >= 6").op, CheckOp::ge);
    EXPECT_EQ(check_of("loop_blocked < 50").metric, CheckMetric::loop_blocked);
    const Check line = check_of("line 9 requests >= 1");
    EXPECT_EQ(line.metric, CheckMetric::line_requests);
    EXPECT_EQ(line.line, 9);
    const Check out = check_of("output contains \"12 \\\"results\\\"\"");
    EXPECT_EQ(out.metric, CheckMetric::output_contains);
    EXPECT_EQ(out.text, "12 \"results\"");
    EXPECT_EQ(check_of("no exception").metric, CheckMetric::no_exception);
    // Refused, saying why.
    EXPECT_NE(refusal("speed > 3").find("'speed' is not something a check measures"), std::string::npos);
    EXPECT_NE(refusal("requests = 12").find("expected ==, !=, <, <=, > or >= after 'requests'"), std::string::npos);
    EXPECT_NE(refusal("requests == twelve").find("expected a number after =="), std::string::npos);
    EXPECT_NE(refusal("requests == 2 * latency").find("only times (wall, loop_blocked) compare with latency"), std::string::npos);
    EXPECT_NE(refusal("output contains 12 results").find("double quotes"), std::string::npos);
    EXPECT_NE(refusal("output contains \"\"").find("checks nothing"), std::string::npos);
    EXPECT_NE(refusal("line x requests >= 1").find("a line of the program"), std::string::npos);
    EXPECT_NE(refusal("").find("has nothing after it"), std::string::npos);
    EXPECT_NE(refusal(std::string(400, 'a')).find("at most 300 characters"), std::string::npos);
}

// A program's run: n calls of latency ms, at most k at once, its output and its error.
struct ExerciseRun : ProgramFixture {
    ExerciseRun(int n, int k, int latency, const std::string& output = "", const std::string& error = "") {
        std::string why;
        int made = 0;
        int64_t now = 0;
        while (made < n) {
            for (int j = 0; j < k && made < n; ++j, ++made) {
                ProgramCall c;
                c.line = 9;
                EXPECT_GE(scheduler.program_request("http://x/inpage/api/delay/" + std::to_string(latency) + "?i=" + std::to_string(made), c, now, &why), 0) << why;
            }
            now += int64_t(latency) * 1000 + 1000;
            advance_to(now);
        }
        ProgramReport report;
        report.output = output;
        report.error_message = error;
        report.error_line = error.empty() ? 0 : 7;
        scheduler.program_end(now, report);
    }
};

TEST(Exercise, ChecksMeasureTheRunNotWhatItSays) {
    // The slow loop: 12 calls of 200 ms one at a time (it prints that it is fast).
    ExerciseRun slow(12, 1, 200, "12 results, all at once!\n");
    const ap::Run& run = slow.scheduler.run();
    CheckResult r = evaluate_check(check_of("in_flight >= 6"), run, 200);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.measured, "at most 1 in flight at once");
    EXPECT_EQ(r.hint, "12 requests, but at most 1 in flight at once: your calls still wait for each other.");
    r = evaluate_check(check_of("wall < 2 * latency"), run, 200);
    EXPECT_FALSE(r.passed);
    EXPECT_NE(r.hint.find("(2 x the latency of 200 ms)"), std::string::npos) << r.hint;
    EXPECT_NE(r.hint.find("your calls still wait for each other"), std::string::npos) << r.hint;
    EXPECT_TRUE(evaluate_check(check_of("requests == 12"), run, 200).passed);
    EXPECT_TRUE(evaluate_check(check_of("ok == 12"), run, 200).passed);
    EXPECT_TRUE(evaluate_check(check_of("failed == 0"), run, 200).passed);
    EXPECT_TRUE(evaluate_check(check_of("output contains \"12 results\""), run, 200).passed) << "what it prints, only where a check says so";
    EXPECT_TRUE(evaluate_check(check_of("line 9 requests == 12"), run, 200).passed);
    EXPECT_FALSE(evaluate_check(check_of("line 3 requests >= 1"), run, 200).passed);
    EXPECT_TRUE(evaluate_check(check_of("no exception"), run, 200).passed);

    // The same calls together: every check about time and overlap holds; fewer calls do not pass.
    ExerciseRun together(12, 12, 200);
    EXPECT_TRUE(evaluate_check(check_of("in_flight >= 6"), together.scheduler.run(), 200).passed);
    EXPECT_TRUE(evaluate_check(check_of("wall < 2 * latency"), together.scheduler.run(), 200).passed);
    EXPECT_FALSE(evaluate_check(check_of("in_flight <= 5"), together.scheduler.run(), 200).passed);
    EXPECT_EQ(evaluate_check(check_of("in_flight <= 5"), together.scheduler.run(), 200).hint, "12 requests were in flight at once: the limit of 5 is not kept.");
    ExerciseRun fewer(3, 3, 200);
    EXPECT_FALSE(evaluate_check(check_of("requests == 12"), fewer.scheduler.run(), 200).passed);
    EXPECT_EQ(evaluate_check(check_of("requests == 12"), fewer.scheduler.run(), 200).hint, "Your program made 3 requests; the check wants == 12 requests.");

    // An exception is said with its line.
    ExerciseRun failing(2, 2, 100, "", "ValueError: no");
    const CheckResult e = evaluate_check(check_of("no exception"), failing.scheduler.run(), 100);
    EXPECT_FALSE(e.passed);
    EXPECT_EQ(e.hint, "The program ended with ValueError: no (line 7).");
    // A run that is not a finished program passes nothing.
    test::Player built_in;
    EXPECT_FALSE(evaluate_check(check_of("requests == 3"), built_in.play(test::desc_of(CodePath::concurrent, 3, 100)), 100).passed);
}

TEST(Exercise, TheLoopHeldIsTheLongestStepOfTheTrace) {
    ProgramFixture f;
    std::string why;
    f.advance_to(400 * ms);
    ProgramTrace t;
    ASSERT_TRUE(read_program_trace(R"({"tasks": [[1, 0, 3, 1, "a", "A"]], "steps": [[0, 0, 2, "parked", "loop", 5, 0],
        [1, 2, 302, "parked", "request", 3, 0], [1, 350, 351, "done", "", 0, 0]], "cut": 0})", 0, &t, &why)) << why;
    f.scheduler.program_end(360 * ms, ProgramReport{}, std::move(t));
    EXPECT_DOUBLE_EQ(longest_loop_hold_ms(f.scheduler.run()), 300);
    const CheckResult r = evaluate_check(check_of("loop_blocked < 50"), f.scheduler.run(), 100);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.measured, "the event loop held for 300 ms at most by one step");
}

}  // namespace
}  // namespace ap

namespace ap {
namespace {

// Progress: what a learner did per lesson, kept, saved and read back; a file of progress is data from anywhere.
TEST(Progress, RoundTripsAndReadsTheOldForm) {
    Progress p;
    EXPECT_TRUE(progress_ran(p, "a"));
    EXPECT_FALSE(progress_ran(p, "a")) << "already ran";
    EXPECT_TRUE(progress_judged(p, "b", {{"requests == 2", true, "2 requests"}, {"wall < 2 * latency", false, "it took 1.00 s"}}, false, {}));
    EXPECT_TRUE(progress_judged(p, "c", {{"ok == 1", true, "1 of 1 answered OK"}}, true, {"2026-12-05T07:00:00Z", 123.4, 1, "print('\"é\"')\n"}));
    EXPECT_TRUE(progress_passed(p, "d, \"odd\"", {"t", 5, 3, ""}));
    EXPECT_FALSE(progress_passed(p, "d, \"odd\"", {"t2", 6, 3, ""})) << "passed once is enough: the first passing run stays";
    EXPECT_FALSE(progress_ran(p, std::string(300, 'x'))) << "an id past the bound is not kept";
    p.lesson = "c";
    Progress back;
    std::string error;
    ASSERT_TRUE(progress_from_json(progress_to_json(p), &back, &error)) << error;
    EXPECT_EQ(progress_to_json(back), progress_to_json(p));
    EXPECT_EQ(back.lesson, "c");
    EXPECT_EQ(progress_status(back, "a"), LessonStatus::ran);
    EXPECT_EQ(progress_status(back, "b"), LessonStatus::ran);
    EXPECT_EQ(progress_status(back, "zzz"), LessonStatus::not_tried);
    ASSERT_NE(progress_find(back, "c"), nullptr);
    EXPECT_EQ(progress_find(back, "c")->passing.program, "print('\"é\"')\n");
    EXPECT_EQ(progress_find(back, "d, \"odd\"")->passing.at, "t");
    EXPECT_EQ(progress_passed_ids(back), (std::vector<std::string>{"c", "d, \"odd\""}));
    // What earlier versions of the page kept: the place and the ids passed.
    ASSERT_TRUE(progress_from_json("{\"lesson\":\"limits\",\"done\":[\"limits\",\"the-mistake\"]}", &back, &error)) << error;
    EXPECT_EQ(back.lesson, "limits");
    EXPECT_EQ(progress_passed_ids(back), (std::vector<std::string>{"limits", "the-mistake"}));
    EXPECT_FALSE(progress_find(back, "limits")->has_passing);
}

TEST(Progress, AFileThatIsNotProgressIsRefusedWithTheFieldThatIsWrong) {
    Progress p;
    progress_ran(p, "kept");
    auto refusal = [&](const std::string& text) {
        Progress out = p;
        std::string error;
        EXPECT_FALSE(progress_from_json(text, &out, &error)) << text;
        EXPECT_EQ(progress_to_json(out), progress_to_json(p)) << "untouched";
        return error;
    };
    EXPECT_EQ(refusal("[1,2]"), "it is not an object of progress ({\"version\": 1, \"lessons\": [...]})");
    EXPECT_EQ(refusal("{\"runs\":[]}"), "it has no \"lessons\": not a progress file of this page");
    EXPECT_EQ(refusal("{\"version\":2,\"lessons\":[]}"), "version: this page reads progress of version 1");
    EXPECT_EQ(refusal("{\"version\":1,\"lessons\":[{\"lesson\":\"a\",\"status\":\"done\"}]}"), "lessons[0].status: 'done' is not one of: not tried, ran, passed");
    EXPECT_EQ(refusal("{\"version\":1,\"lessons\":[{\"lesson\":\"a\",\"status\":\"ran\"},{\"lesson\":\"a\",\"status\":\"ran\"}]}"), "lessons[1].lesson: lesson 'a' twice");
    EXPECT_EQ(refusal("{\"version\":1,\"lessons\":[{\"lesson\":3,\"status\":\"ran\"}]}"), "lessons[0].lesson: not a lesson id");
    EXPECT_EQ(refusal("{\"version\":1,\"lessons\":[{\"lesson\":\"a\",\"status\":\"ran\",\"checks\":[{\"text\":\"x\",\"passed\":1}]}]}"),
              "lessons[0].checks[0].passed: not true or false");
    EXPECT_EQ(refusal("{\"version\":1,\"lessons\":[{\"lesson\":\"a\",\"status\":\"passed\",\"passed\":{\"at\":\"t\",\"wallMs\":-1,\"requests\":1}}]}"),
              "lessons[0].passed.wallMs: not a time in ms");
    EXPECT_EQ(refusal("{\"version\":1,\"lessons\":[{\"lesson\":\"a\",\"status\":\"passed\",\"passed\":{\"at\":\"t\",\"wallMs\":1,\"requests\":1.5}}]}"),
              "lessons[0].passed.requests: not a count");
    EXPECT_EQ(refusal("{\"version\":1,\"lessons\":[{\"lesson\":\"a\",\"status\":\"passed\",\"passed\":{\"at\":\"t\",\"wallMs\":1,\"requests\":1,\"program\":\"" +
                      std::string(70000, 'x') + "\"}}]}"),
              "lessons[0].passed.program: 70000 bytes; a kept program is at most 64 KB");
    EXPECT_EQ(refusal("{\"done\":[\"a\",7]}"), "done[1]: not a lesson id");
    EXPECT_EQ(refusal(std::string(max_progress_bytes + 1, ' ')).substr(0, 12), "it has 41943");
    EXPECT_EQ(refusal("{\"version\":1,").substr(0, 18), "it is not JSON: li");
    // Long texts are cut at a whole character, not refused.
    Progress cut;
    std::string error;
    ASSERT_TRUE(progress_from_json("{\"version\":1,\"lessons\":[{\"lesson\":\"a\",\"status\":\"ran\",\"checks\":[{\"text\":\"" + std::string(499, 'x') +
                                       "é\",\"passed\":true,\"measured\":null}]}]}", &cut, &error)) << error;
    EXPECT_EQ(progress_find(cut, "a")->checks[0].text, std::string(499, 'x'));
}

TEST(Progress, MergingKeepsTheFurtherStatusAndCsvListsEveryLesson) {
    Progress mine, theirs;
    progress_ran(mine, "a");
    progress_judged(mine, "b", {{"requests == 2", true, "2 requests"}}, true, {"t1", 100, 2, "mine"});
    progress_judged(theirs, "a", {{"requests == 2", true, "2 requests"}}, true, {"t2", 200, 2, "theirs"});
    progress_ran(theirs, "b");
    progress_ran(theirs, "c");
    EXPECT_EQ(progress_merge(mine, theirs), (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(progress_status(mine, "a"), LessonStatus::passed);
    EXPECT_EQ(progress_find(mine, "a")->passing.program, "theirs");
    EXPECT_EQ(progress_status(mine, "b"), LessonStatus::passed) << "passed stays passed";
    EXPECT_EQ(progress_find(mine, "b")->passing.program, "mine");
    EXPECT_EQ(progress_status(mine, "c"), LessonStatus::ran);
    EXPECT_TRUE(progress_merge(mine, theirs).empty()) << "nothing new the second time";
    std::vector<Lesson> lessons(2);
    lessons[0].id = "b";
    lessons[0].title = "Bee, \"quoted\"";
    lessons[1].id = "z";
    lessons[1].title = "Zed";
    EXPECT_EQ(progress_to_csv(mine, lessons),
              "number,lesson,title,status,checks_passed,checks,checks_failed,passed_at,passed_wall_ms,passed_requests\n"
              "1,b,\"Bee, \"\"quoted\"\"\",passed,1,1,,t1,100,2\n"
              "2,z,Zed,not tried,,,,,,\n"
              ",a,,passed,1,1,,t2,200,2\n"
              ",c,,ran,,,,,,\n");
}

// ---- A run in the formats other tools read ----------------------------------------------------------

// A HAR text as HAR 1.2 asks (the npm validator checks the schema in Chromium's tests): returns its entries.
std::vector<JsonValue> har_entries(const std::string& text) {
    JsonValue v;
    std::string error;
    EXPECT_TRUE(parse_json(text, &v, &error)) << error;
    const JsonValue* log = v.get("log");
    if (!log) return {};
    EXPECT_EQ(log->get("version")->text, "1.2");
    const JsonValue& page = log->get("pages")->items.at(0);
    EXPECT_EQ(page.get("startedDateTime")->text.size(), 24u);
    for (const JsonValue& e : log->get("entries")->items) {
        EXPECT_EQ(e.get("pageref")->text, page.get("id")->text);
        EXPECT_EQ(e.get("startedDateTime")->text.back(), 'Z');
        const JsonValue* t = e.get("timings");
        double sum = 0;
        for (const char* k : {"blocked", "dns", "connect", "ssl", "send", "wait", "receive"}) {
            const double x = t->get(k)->number;
            EXPECT_GE(x, k == std::string("send") || k == std::string("wait") || k == std::string("receive") ? 0 : -1) << k;
            if (x > 0) sum += x;
        }
        EXPECT_NEAR(e.get("time")->number, sum, 0.01) << "time is the sum of the known timings";
        EXPECT_EQ(e.get("request")->get("method")->text, "GET");
        EXPECT_EQ(e.get("request")->get("url")->text.find('#'), std::string::npos) << "no fragment";
    }
    return log->get("entries")->items;
}

// A trace as Perfetto reads it: every event well-formed, each track's complete events nested in time.
void expect_trace(const std::string& text, std::vector<std::string>* track_names = nullptr) {
    JsonValue v;
    std::string error;
    ASSERT_TRUE(parse_json(text, &v, &error)) << error;
    std::map<int64_t, std::vector<std::pair<double, double>>> spans;
    for (const JsonValue& e : v.get("traceEvents")->items) {
        ASSERT_TRUE(e.get("name") && e.get("name")->is_string());
        const std::string ph = e.get("ph")->text;
        ASSERT_TRUE(ph == "X" || ph == "i" || ph == "M") << ph;
        ASSERT_TRUE(e.get("pid")->whole && e.get("tid")->whole);
        if (ph == "M" && e.get("name")->text == "thread_name" && track_names) track_names->push_back(e.get("args")->get("name")->text);
        if (ph == "M") continue;
        EXPECT_GE(e.get("ts")->number, 0);
        if (ph == "X") {
            EXPECT_GE(e.get("dur")->number, 0);
            spans[e.get("tid")->integer].push_back({e.get("ts")->number, e.get("ts")->number + e.get("dur")->number});
        }
    }
    for (auto& [tid, list] : spans) {
        std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : a.second > b.second; });
        std::vector<double> open;
        for (const auto& [from, to] : list) {
            while (!open.empty() && open.back() <= from) open.pop_back();
            if (!open.empty()) EXPECT_LE(to, open.back()) << "track " << tid << ": an event from " << from << " to " << to << " crosses its parent's end";
            open.push_back(to);
        }
    }
}

TEST(Export, EveryCodePathAsHarAndTrace) {
    for (int p = 0; p < code_path_count; ++p) {
        SCOPED_TRACE(code_path_name(CodePath(p)));
        test::Player player;
        RunDesc d = test::desc_of(CodePath(p), 6, 100, 2);
        d.retries = 2, d.timeout_ms = 150, d.spread = Spread::slow_tail, d.slow_every = 3, d.slow_ms = 400, d.cpu_ms = 10;
        if (CodePath(p) == CodePath::retry_backoff) player.transport.answer = test::fail_first_attempt(1);
        clamp_run_desc(&d);
        const ap::Run& run = player.play(d);
        int attempts = 0;
        for (const RequestTrace& r : run.requests) attempts += int(r.attempts.size());
        const std::vector<JsonValue> entries = har_entries(run_to_har(run, {1764921600000.0, "run #1"}));
        EXPECT_EQ(int(entries.size()), attempts) << "one entry per attempt";
        ASSERT_FALSE(entries.empty());
        EXPECT_EQ(entries[0].get("startedDateTime")->text, "2025-12-05T08:00:00.000Z");
        EXPECT_EQ(entries[0].get("request")->get("url")->text, request_url(run.desc, 0));
        EXPECT_EQ(entries[0].get("response")->get("status")->integer, 200);
        expect_trace(run_to_trace(run, "run #1"));
    }
}

TEST(Export, AHarEntrySaysWhatTheRequestWaitedForAndAProgramsLineAndTask) {
    ProgramFixture f;
    f.make("http://x/inpage/api/delay/100?i=0&city=Lyon#ap=7", 12, "Task-2", 0);
    f.make("http://x/inpage/api/delay/300?i=1", 14, "Task-3", 5 * ms, 50);
    f.advance_to(200 * ms);
    // The browser held the first for a connection 20 ms, its first byte came at 110 ms and its last at 130.
    ap::Run run = f.scheduler.run();
    Attempt& a = run.requests[0].attempts[0];
    a.sent_us = 20 * ms, a.first_byte_us = 110 * ms, a.last_byte_us = 130 * ms;
    const std::vector<JsonValue> entries = har_entries(run_to_har(run, {0, "your program"}));
    ASSERT_EQ(entries.size(), 2u);
    const JsonValue& e = entries[0];
    EXPECT_EQ(e.get("request")->get("url")->text, "http://x/inpage/api/delay/100?i=0&city=Lyon");
    EXPECT_EQ(e.get("request")->get("queryString")->items.size(), 2u);
    EXPECT_EQ(e.get("request")->get("queryString")->items[1].get("value")->text, "Lyon");
    EXPECT_DOUBLE_EQ(e.get("timings")->get("blocked")->number, 20);
    EXPECT_DOUBLE_EQ(e.get("timings")->get("wait")->number, 90);
    EXPECT_DOUBLE_EQ(e.get("timings")->get("receive")->number, 20);
    EXPECT_EQ(e.get("_line")->integer, 12);
    EXPECT_EQ(e.get("_task")->text, "Task-2");
    const JsonValue& timed_out = entries[1];
    EXPECT_EQ(timed_out.get("response")->get("status")->integer, 0);
    EXPECT_EQ(timed_out.get("_outcome")->text, "timeout");
    EXPECT_TRUE(timed_out.get("_error") != nullptr);
    std::vector<std::string> tracks;
    expect_trace(run_to_trace(run, "your program"), &tracks);
    EXPECT_NE(std::find(tracks.begin(), tracks.end(), "Task-2"), tracks.end());
    EXPECT_NE(std::find(tracks.begin(), tracks.end(), "event loop"), tracks.end());
}

TEST(Export, IsoTimesAreUtcToTheMillisecond) {
    EXPECT_EQ(iso_time(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(iso_time(951782400000.0 + 123.9), "2000-02-29T00:00:00.123Z");
    EXPECT_EQ(iso_time(1764892800000.0 + 86399999), "2025-12-05T23:59:59.999Z");
    EXPECT_EQ(iso_time(-1), "1969-12-31T23:59:59.999Z");
}

// ---- A HAR read as a recorded run --------------------------------------------------------------------------

// A HAR entry as DevTools writes one.
std::string har_entry(const std::string& when, const std::string& url, int status, double blocked, double wait, double receive, const std::string& extra = "") {
    const double time = std::max(0.0, blocked) + wait + receive;
    return "{\"startedDateTime\":\"" + when + "\",\"time\":" + json_number(time) + ",\"request\":{\"method\":\"GET\",\"url\":\"" + url +
           "\",\"httpVersion\":\"http/1.1\",\"headers\":[],\"queryString\":[],\"cookies\":[],\"headersSize\":-1,\"bodySize\":0},"
           "\"response\":{\"status\":" + std::to_string(status) + ",\"statusText\":\"\",\"httpVersion\":\"http/1.1\",\"headers\":[],\"cookies\":[],"
           "\"content\":{\"size\":42,\"mimeType\":\"application/json\"},\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":42},\"cache\":{},"
           "\"timings\":{\"blocked\":" + json_number(blocked) + ",\"dns\":-1,\"ssl\":-1,\"connect\":-1,\"send\":0,\"wait\":" + json_number(wait) +
           ",\"receive\":" + json_number(receive) + "}" + extra + "}";
}
std::string har_of(const std::vector<std::string>& entries) {
    std::string out = "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\",\"version\":\"537.36\"},\"pages\":[{\"startedDateTime\":"
                      "\"2026-12-05T07:40:00.000Z\",\"id\":\"page_1\",\"title\":\"a course page\",\"pageTimings\":{}}],\"entries\":[";
    for (size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
    return out + "]}}";
}

TEST(Har, ADevToolsHarIsARecordedRunWithItsPhasesAndOutcomes) {
    const std::string text = har_of({
        har_entry("2026-12-05T07:40:00.100Z", "http://h/b", 404, -1, 50, 0),
        har_entry("2026-12-05T07:40:00.000Z", "http://h/a?x=1", 200, 200.25, 100, 4.5),
        har_entry("2026-12-05T08:40:00.050+01:00", "http://h/moved", 301, 0, 20, 0),
        har_entry("2026-12-05T07:40:00.060Z", "http://h/gone", 0, -1, 0, 0, ",\"_error\":\"net::ERR_ABORTED\""),
        har_entry("2026-12-05T07:40:00.070Z", "http://other/x", 0, -1, 0, 0, ",\"_error\":\"net::ERR_CONNECTION_REFUSED\""),
    });
    ASSERT_TRUE(looks_like_har(text));
    ap::Run run;
    std::string error;
    ASSERT_TRUE(run_from_har(text, "page.har", &run, &error)) << error;
    EXPECT_EQ(run.desc.kind, RunKind::recorded);
    EXPECT_STREQ(run_name(run.desc), "recorded");
    ASSERT_EQ(run.requests.size(), 5u);
    ASSERT_TRUE(run.recorded);
    EXPECT_EQ(run.recorded->urls, (std::vector<std::string>{"http://h/a?x=1", "http://h/moved", "http://h/gone", "http://other/x", "http://h/b"})) << "in the order they started";
    EXPECT_EQ(run.recorded->creator, "WebInspector 537.36");
    const RequestTrace& a = run.requests[0];
    EXPECT_EQ(a.started_us, 0);
    EXPECT_EQ(a.attempts[0].sent_us, 200250) << "blocked: stalled for a connection";
    EXPECT_EQ(a.attempts[0].first_byte_us, 300250);
    EXPECT_EQ(a.attempts[0].last_byte_us, 304750);
    EXPECT_EQ(a.finished_us, 304750);
    EXPECT_EQ(a.outcome, Outcome::ok);
    EXPECT_EQ(run.requests[1].started_us, 50000) << "08:40:00.050+01:00 is 07:40:00.050Z";
    EXPECT_EQ(run.requests[1].outcome, Outcome::ok) << "a redirect is an answer";
    EXPECT_EQ(run.requests[2].outcome, Outcome::cancelled);
    EXPECT_EQ(run.requests[3].outcome, Outcome::network_error);
    EXPECT_EQ(run.requests[3].reason, "net::ERR_CONNECTION_REFUSED");
    EXPECT_EQ(run.requests[4].outcome, Outcome::http_error);
    EXPECT_EQ(run.requests[4].reason, "HTTP 404");
    EXPECT_EQ(run.end_us, 304750);
    // Kept as a run file and read back the same; its requests' URLs with it.
    const std::string file = run_to_file(run);
    ap::Run back;
    double guess = -1;
    ASSERT_TRUE(run_from_file(file, &back, &guess, &error)) << error;
    EXPECT_EQ(run_to_file(back), file);
    EXPECT_EQ(back.recorded->urls, run.recorded->urls);
    EXPECT_EQ(back.requests[0].attempts[0].sent_us, 200250);
    EXPECT_TRUE(test::contains(run_requests_csv(run), ",http://h/a?x=1,GET\r\n"));
    EXPECT_EQ(event_loop_timeline(run).steps.size(), 1u) << "no event loop to step";
    EXPECT_TRUE(test::contains(describe_replay(run, replay_at(run, 100000)), "1 held by the browser for a connection"));
}

TEST(Har, AHarThatCannotBeReadIsRefusedWithTheFieldThatIsWrong) {
    auto refusal = [](const std::string& text) {
        ap::Run run;
        std::string error;
        EXPECT_FALSE(run_from_har(text, "x.har", &run, &error));
        return error;
    };
    EXPECT_EQ(refusal("{\"log\":3}"), "log: not an object: not a HAR file");
    EXPECT_EQ(refusal("{\"log\":{\"version\":\"1.2\",\"entries\":[]}}"), "log.entries: empty: the HAR holds no request");
    const std::string good = har_entry("2026-12-05T07:40:00.000Z", "http://h/a", 200, 0, 10, 0);
    EXPECT_EQ(refusal(har_of({good, har_entry("yesterday", "http://h/a", 200, 0, 10, 0)})),
              "log.entries[1].startedDateTime: not a date and time like 2026-12-05T07:40:00.123Z");
    EXPECT_EQ(refusal(har_of({har_entry("2026-12-05T07:40:00.000Z", "http://h/a", 200, 0, -5, 0)})),
              "log.entries[0].timings.wait: not a time in ms (0 or more, or -1 for unknown)");
    EXPECT_EQ(refusal(har_of({har_entry("2026-12-05T07:40:00.000Z", "http://h/a", 700, 0, 5, 0)})),
              "log.entries[0].response.status: not an HTTP status (or 0 for no answer)");
    EXPECT_EQ(refusal(har_of({good, har_entry("2026-12-07T07:40:00.000Z", "http://h/a", 200, 0, 10, 0)})).substr(0, 33), "the requests span more than a day");
    EXPECT_EQ(refusal("{\"log\": {\"version\": \"1.2\", \"entries\": [1,").substr(0, 16), "it is not JSON: ");
    EXPECT_FALSE(looks_like_har("{\"format\":\"asyncplay-run\",\"log\":{}}")) << "a run file is a run file";
}

TEST(Har, ARunSavedAsHarLoadsBackTheSameToTheMillisecond) {
    test::Player player;
    RunDesc d = test::desc_of(CodePath::retry_backoff, 6, 100, 2);
    d.retries = 2, d.timeout_ms = 150, d.spread = Spread::slow_tail, d.slow_every = 3, d.slow_ms = 400;
    clamp_run_desc(&d);
    const ap::Run& run = player.play(d);
    ap::Run back;
    std::string error;
    ASSERT_TRUE(run_from_har(run_to_har(run, {1764921600000.0, "run #1"}), "run.har", &back, &error)) << error;
    size_t attempts = 0;
    for (const RequestTrace& r : run.requests) attempts += r.attempts.size();
    ASSERT_EQ(back.requests.size(), attempts) << "an entry per attempt, each a request of its own";
    // The HAR's entries in the order they started: a first attempt from when its call was asked for (its
    // queued time is the entry's blocked), a retry from its own start.
    std::vector<std::pair<int64_t, const Attempt*>> order;
    for (const RequestTrace& r : run.requests)
        for (size_t a = 0; a < r.attempts.size(); ++a) order.push_back({a == 0 ? std::min(r.scheduled_us, r.attempts[0].started_us) : r.attempts[a].started_us, &r.attempts[a]});
    std::stable_sort(order.begin(), order.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (size_t k = 0; k < order.size(); ++k) {
        const RequestTrace& b = back.requests[k];
        const Attempt& a = *order[k].second;
        EXPECT_NEAR(double(b.started_us), double(order[k].first - run.start_us), 1000.0);
        EXPECT_NEAR(double(b.finished_us), double(a.ended_us - run.start_us), 1000.0);
        EXPECT_EQ(b.status, a.status);
        EXPECT_EQ(b.outcome == Outcome::ok, a.outcome == Outcome::ok);
    }
}

TEST(Har, TheNotesSayWhoWaitedForAConnectionAndWhatItCost) {
    std::vector<std::string> entries;
    for (int i = 0; i < 12; ++i) {
        // Twelve calls of 100 ms to one host at once over 6 connections: the second six wait for the first.
        const int t = i < 6 ? 0 : 0;
        entries.push_back(har_entry("2026-12-05T07:40:00.00" + std::to_string(t) + "Z", "http://h/api/" + std::to_string(i), 200, i < 6 ? 0 : 100, 100, 0));
    }
    ap::Run run;
    std::string error;
    ASSERT_TRUE(run_from_har(har_of(entries), "page.har", &run, &error)) << error;
    const std::vector<std::string> notes = recorded_notes(run);
    ASSERT_GE(notes.size(), 2u);
    EXPECT_TRUE(test::contains(notes[0], "Recorded elsewhere by WebInspector 537.36, on a course page")) << notes[0];
    EXPECT_TRUE(test::contains(notes[1], "The browser held 6 of these 12 requests for one of its 6 connections to a host: http://h (6)")) << notes[1];
    EXPECT_TRUE(test::contains(notes[1], "about 100 ms sooner")) << notes[1];
    EXPECT_EQ(explain_run(run, compute_stats(run)), notes);
    // A recorded run read from a run file may hold a request that never started (no attempt): told, not read past.
    run.requests.push_back(RequestTrace{});
    run.recorded->urls.push_back("http://h/never");
    run.recorded->methods.push_back("GET");
    const std::vector<std::string> with_it = recorded_notes(run);
    ASSERT_GE(with_it.size(), 2u);
    EXPECT_TRUE(test::contains(with_it[1], "The browser held 6 of these 13 requests")) << with_it[1];
}

}  // namespace
}  // namespace ap
