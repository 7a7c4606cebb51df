// Core tests in virtual time: no clock, no network. Every expectation is exact because the virtual
// transport answers each request exactly latency_ms after it starts.
#include <gtest/gtest.h>

#include <set>

#include "core/capped_transport.h"
#include "core/code_view.h"
#include "core/embedded_text.h"
#include "core/fields.h"
#include "core/history.h"
#include "core/lessons.h"
#include "core/scheduler.h"
#include "core/stats.h"
#include "core/virtual_transport.h"
#include "fixtures.h"

using namespace ap;

using namespace ap::test;
using Fixture = Player;  // plays a run to its end in virtual time: f.run(desc) gives its stats

TEST(Scheduler, SequentialWallIsNTimesLatency) {
    for (int n : {1, 2, 10, 50}) {
        Fixture f;
        const RunStats s = f.run(desc_of(CodePath::sequential, n, 500));
        EXPECT_DOUBLE_EQ(s.wall_ms, n * 500.0) << "n=" << n;
        EXPECT_EQ(s.peak_in_flight, 1);
        EXPECT_DOUBLE_EQ(s.expected_ms, n * 500.0);
    }
}

TEST(Scheduler, SequentialStartsEachRequestWhenThePreviousEnds) {
    Fixture f;
    f.run(desc_of(CodePath::sequential, 4, 300), 7 * ms);
    const auto& r = f.scheduler.run().requests;
    for (size_t i = 1; i < r.size(); ++i) {
        EXPECT_EQ(r[i].started_us, r[i - 1].finished_us);
        EXPECT_EQ(r[i].scheduled_us, r[i].started_us) << "a loop reaches a call only when it starts it";
    }
    EXPECT_EQ(r[0].started_us, 7 * ms);
}

TEST(Scheduler, ConcurrentWallIsOneLatency) {
    for (int n : {1, 10, 50, 10000}) {
        Fixture f;
        const RunStats s = f.run(desc_of(CodePath::concurrent, n, 500));
        EXPECT_DOUBLE_EQ(s.wall_ms, 500.0) << "n=" << n;
        EXPECT_EQ(s.peak_in_flight, n);
        EXPECT_DOUBLE_EQ(s.sum_ms, n * 500.0);
        EXPECT_DOUBLE_EQ(s.speedup, double(n));
    }
}

TEST(Scheduler, BoundedWallIsCeilNOverKTimesLatency) {
    struct Case { int n, k; };
    for (Case c : {Case{50, 5}, Case{10, 3}, Case{7, 7}, Case{3, 10}, Case{1, 1}, Case{200, 20}}) {
        Fixture f;
        const RunStats s = f.run(desc_of(CodePath::bounded, c.n, 200, c.k));
        const int waves = (c.n + c.k - 1) / c.k;
        EXPECT_DOUBLE_EQ(s.wall_ms, waves * 200.0) << c.n << "/" << c.k;
        EXPECT_DOUBLE_EQ(s.expected_ms, waves * 200.0);
        EXPECT_EQ(s.peak_in_flight, std::min(c.n, c.k));
    }
}

TEST(Scheduler, BoundedRequestsAreScheduledAtOnceAndQueue) {
    Fixture f;
    const RunStats s = f.run(desc_of(CodePath::bounded, 6, 100, 2));
    const auto& r = f.scheduler.run().requests;
    for (const auto& t : r) EXPECT_EQ(t.scheduled_us, 0);
    EXPECT_EQ(r[5].started_us, 200 * ms);  // third wave
    EXPECT_DOUBLE_EQ(s.mean_queued_ms, (0 + 0 + 100 + 100 + 200 + 200) / 6.0);
}

TEST(Scheduler, ZeroLatencyRunsFinishAtOnce) {
    Fixture f;
    const RunStats s = f.run(desc_of(CodePath::sequential, 100, 0));
    EXPECT_DOUBLE_EQ(s.wall_ms, 0.0);
    EXPECT_EQ(s.ok, 100);
}

TEST(Scheduler, CancelMidRunLeavesNothingRunningAndDropsLateAnswers) {
    Fixture f;
    f.scheduler.begin(desc_of(CodePath::bounded, 10, 100, 4), 0);
    f.transport.deliver_due(&f.scheduler, 100 * ms);  // first wave of 4 done, second wave in flight
    ASSERT_EQ(f.scheduler.run().in_flight, 4);
    const uint16_t gen = f.scheduler.run().generation;

    f.scheduler.cancel(150 * ms);
    EXPECT_EQ(f.scheduler.run().state, RunState::cancelled);
    EXPECT_EQ(f.scheduler.run().in_flight, 0);
    EXPECT_EQ(f.transport.pending(), 0u) << "every in-flight request was aborted";

    // An answer to the cancelled run that arrives late is recognised by its id and dropped.
    Completion late;
    late.status = 200;
    EXPECT_FALSE(f.scheduler.complete(make_request_id(gen, 5), late, 160 * ms));
    const RunStats s = compute_stats(f.scheduler.run());
    EXPECT_EQ(s.ok, 4);
    EXPECT_EQ(s.cancelled, 6);
    EXPECT_DOUBLE_EQ(s.wall_ms, 150.0);
    for (const auto& r : f.scheduler.run().requests) EXPECT_TRUE(outcome_is_final(r.outcome));
}

TEST(Scheduler, NewRunCancelsTheOldOneAndIgnoresItsAnswers) {
    Fixture f;
    f.scheduler.begin(desc_of(CodePath::concurrent, 5, 1000), 0);
    const uint16_t old_gen = f.scheduler.run().generation;
    f.scheduler.begin(desc_of(CodePath::concurrent, 3, 100), 10 * ms);
    EXPECT_NE(f.scheduler.run().generation, old_gen);
    EXPECT_EQ(f.transport.pending(), 3u) << "the old run's 5 requests were aborted";
    Completion c;
    c.status = 200;
    EXPECT_FALSE(f.scheduler.complete(make_request_id(old_gen, 0), c, 20 * ms));
    run_virtual(&f.scheduler, &f.transport, 10 * ms);
    EXPECT_EQ(f.scheduler.run().state, RunState::finished);
    EXPECT_DOUBLE_EQ(compute_stats(f.scheduler.run()).wall_ms, 100.0);
}

TEST(Scheduler, DuplicateAndUnknownAnswersAreDropped) {
    Fixture f;
    f.scheduler.begin(desc_of(CodePath::concurrent, 2, 100), 0);
    const uint16_t gen = f.scheduler.run().generation;
    Completion c;
    c.status = 200;
    EXPECT_TRUE(f.scheduler.complete(make_request_id(gen, 0), c, 50 * ms));
    EXPECT_FALSE(f.scheduler.complete(make_request_id(gen, 0), c, 60 * ms)) << "answered twice";
    EXPECT_FALSE(f.scheduler.complete(make_request_id(gen, 9), c, 60 * ms)) << "no such request";
    EXPECT_FALSE(f.scheduler.complete(RequestId{}, c, 60 * ms)) << "id 0 is never valid";
}

TEST(Scheduler, RecordsEachErrorOutcomeWithAReason) {
    Fixture f;
    f.transport.answer = [](RequestId id, const RequestSpec& spec) {
        VirtualAnswer a = VirtualTransport::default_answer(spec);
        switch (request_index(id)) {
            case 1: a.completion.status = 503; break;                          // HTTP error
            case 2: a.completion.status = 0; a.completion.reason = ""; break;  // network error
            case 3: a.never = true; break;                                     // only a timeout ends it
            default: break;
        }
        return a;
    };
    RunDesc d = desc_of(CodePath::retry_backoff, 4, 100);  // the one program with its own timeout
    d.timeout_ms = 300;
    f.scheduler.begin(d, 0);
    const int64_t end = run_virtual(&f.scheduler, &f.transport, 0);
    EXPECT_EQ(end, 300 * ms);
    const auto& r = f.scheduler.run().requests;
    EXPECT_EQ(r[0].outcome, Outcome::ok);
    EXPECT_EQ(r[1].outcome, Outcome::http_error);
    EXPECT_EQ(r[1].status, 503);
    EXPECT_EQ(r[1].reason, "HTTP 503");
    EXPECT_EQ(r[2].outcome, Outcome::network_error);
    EXPECT_NE(r[2].reason.find("CORS"), std::string::npos);
    EXPECT_EQ(r[3].outcome, Outcome::timeout);
    EXPECT_EQ(r[3].finished_us, 300 * ms);
    EXPECT_NE(r[3].reason.find("300 ms timeout"), std::string::npos);
    const RunStats s = compute_stats(f.scheduler.run());
    EXPECT_EQ(s.ok, 1);
    EXPECT_EQ(s.http_errors, 1);
    EXPECT_EQ(s.network_errors, 1);
    EXPECT_EQ(s.timeouts, 1);
    EXPECT_EQ(explain_run(f.scheduler.run(), s).size(), 1u);
}

TEST(Scheduler, SequentialLoopGoesOnAfterAFailure) {
    Fixture f;
    f.transport.answer = [](RequestId id, const RequestSpec& spec) {
        VirtualAnswer a = VirtualTransport::default_answer(spec);
        if (request_index(id) == 0) a.never = true;
        return a;
    };
    RunDesc d = desc_of(CodePath::sequential, 3, 100);
    d.timeout_ms = 250;  // not requests_loop.py's: it keeps its 20 s
    f.scheduler.begin(d, 0);
    EXPECT_EQ(run_virtual(&f.scheduler, &f.transport, 0), int64_t(program_timeout_ms) * ms + 200 * ms);
}

// A transport that reports some failures from inside start(), as the browser may on a bad URL.
struct SynchronousFailer : Transport {
    Scheduler* scheduler = nullptr;
    int started = 0;
    void start(RequestId id, const RequestSpec&, int64_t now_us) override {
        ++started;
        Completion c;
        c.status = 0;
        c.reason = "refused at once";
        scheduler->complete(id, c, now_us);
    }
    void abort(RequestId, int64_t) override {}
};

TEST(Scheduler, SynchronousFailuresDoNotRecurse) {
    SynchronousFailer t;
    Scheduler s(&t);
    t.scheduler = &s;
    s.begin(desc_of(CodePath::sequential, 10000, 100), 0);  // would overflow the stack if re-entered
    EXPECT_EQ(s.run().state, RunState::finished);
    EXPECT_EQ(t.started, 10000);
    EXPECT_EQ(compute_stats(s.run()).network_errors, 10000);
}

TEST(Stats, ExpectedTimesAndSpeedups) {
    RunDesc d = desc_of(CodePath::sequential, 50, 500);
    EXPECT_DOUBLE_EQ(expected_wall_ms(d), 25000);
    d.path = CodePath::concurrent;
    EXPECT_DOUBLE_EQ(expected_wall_ms(d), 500);
    d.path = CodePath::bounded;
    d.limit = 5;
    EXPECT_DOUBLE_EQ(expected_wall_ms(d), 5000);
    d.limit = 7;
    EXPECT_DOUBLE_EQ(expected_wall_ms(d), 8 * 500);
    EXPECT_DOUBLE_EQ(sequential_estimate_ms(d), 25000);
    Fixture f;
    const RunStats s = f.run(d);
    EXPECT_DOUBLE_EQ(s.expected_speedup, 25000.0 / 4000.0);
    EXPECT_DOUBLE_EQ(s.mean_ms, 500);
    EXPECT_DOUBLE_EQ(s.slowest_ms, 500);
}

TEST(Stats, UnevenLatenciesGiveSlowestAndMean) {
    Fixture f;
    f.transport.answer = [](RequestId id, const RequestSpec& spec) {
        VirtualAnswer a = VirtualTransport::default_answer(spec);
        a.delay_us = (request_index(id) + 1) * 100 * ms;  // 100, 200, 300, 400
        return a;
    };
    const RunStats s = f.run(desc_of(CodePath::concurrent, 4, 100));
    EXPECT_DOUBLE_EQ(s.wall_ms, 400);
    EXPECT_DOUBLE_EQ(s.slowest_ms, 400);
    EXPECT_DOUBLE_EQ(s.sum_ms, 1000);
    EXPECT_DOUBLE_EQ(s.mean_ms, 250);
}

TEST(Stats, ConnectionCapIsExplainedForServerRuns) {
    // 20 concurrent 300 ms requests through a 6-connection browser: 4 waves, 1.2 s.
    ap::Run run;
    run.desc = desc_of(CodePath::concurrent, 20, 300);
    run.desc.api = Api::server;
    run.state = RunState::finished;
    run.start_us = 0;
    for (int i = 0; i < 20; ++i) {
        RequestTrace r;
        r.scheduled_us = r.started_us = 0;  // the page hands all 20 to the browser at once
        r.finished_us = (i / 6 + 1) * 300 * ms;
        r.outcome = Outcome::ok;
        r.status = 200;
        run.requests.push_back(r);
    }
    run.end_us = 1200 * ms;
    run.expected.path_ms = 300;
    run.expected.cap_ms = 4 * 300 - 300;  // what the model says with 6 connections: 4 waves
    run.expected.wall_ms = 4 * 300;
    run.expected.sequential_ms = 20 * 300;
    const RunStats s = compute_stats(run);
    const auto notes = explain_run(run, s);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("6 connections"), std::string::npos) << notes[0];
    EXPECT_NE(notes[0].find("1.20 s"), std::string::npos) << notes[0];

    run.desc.api = Api::page;  // the same timing through the in-page API is not blamed on the cap
    EXPECT_TRUE(explain_run(run, s).empty());
}

TEST(RunDesc, ClampsOutOfRangeInputWithNotes) {
    RunDesc d;
    d.count = 20000;
    d.latency_ms = -5;
    d.limit = 0;
    d.status = 42;
    const auto notes = clamp_run_desc(&d);
    EXPECT_EQ(d.count, 10000);
    EXPECT_EQ(d.latency_ms, 0);
    EXPECT_EQ(d.limit, 1);
    EXPECT_EQ(d.status, 200);
    ASSERT_EQ(notes.size(), 4u);
    EXPECT_EQ(notes[0], "N = 20,000 is above 10,000: using 10,000.");
    RunDesc ok;
    EXPECT_TRUE(clamp_run_desc(&ok).empty());
}

TEST(RunDesc, NamesRoundTrip) {
    for (int i = 0; i < code_path_count; ++i) {
        CodePath p;
        ASSERT_TRUE(parse_code_path(code_path_name(CodePath(i)), &p));
        EXPECT_EQ(int(p), i);
    }
    Api a;
    EXPECT_TRUE(parse_api("server", &a));
    EXPECT_EQ(a, Api::server);
    EXPECT_FALSE(parse_api("ftp", &a));
    CodePath p;
    EXPECT_FALSE(parse_code_path("parallel", &p));
}

TEST(RunDesc, RequestUrls) {
    RunDesc d;
    d.base_url = "http://127.0.0.1:8000/";
    d.latency_ms = 250;
    EXPECT_EQ(request_url(d, 3), "http://127.0.0.1:8000/api/delay/250?i=3");
    d.status = 503;
    d.base_url = "inpage";
    EXPECT_EQ(request_url(d, 0), "inpage/api/delay/250?i=0&status=503");
}

TEST(Report, JsonCarriesTheTotalsAndEveryRequest) {
    Fixture f;
    const RunStats s = f.run(desc_of(CodePath::sequential, 2, 100));
    const std::string json = run_to_json(f.scheduler.run(), s);
    EXPECT_NE(json.find("\"wallMs\":200.000"), std::string::npos) << json;
    EXPECT_NE(json.find("\"expectedMs\":200.000"), std::string::npos);
    EXPECT_NE(json.find("\"peakInFlight\":1"), std::string::npos);
    EXPECT_NE(json.find("{\"startMs\":100.000,\"endMs\":200.000,\"outcome\":\"ok\",\"status\":200"), std::string::npos) << json;
    EXPECT_EQ(json.front(), '{');
    EXPECT_EQ(json.back(), '}');
}

TEST(Report, ASentenceForScreenReaders) {
    Fixture f;
    RunDesc d = desc_of(CodePath::concurrent, 10, 200);
    const RunStats s = f.run(d);
    EXPECT_EQ(summarize_run(f.scheduler.run(), s), "10 requests, concurrent, simulated: 200 ms, expected 200 ms.");
    EXPECT_NE(run_to_json(f.scheduler.run(), s).find("\"summary\":\"10 requests"), std::string::npos);
}

TEST(Report, DurationsReadLikeAPersonWouldWriteThem) {
    EXPECT_EQ(format_duration_ms(480), "480 ms");
    EXPECT_EQ(format_duration_ms(1200), "1.20 s");
    EXPECT_EQ(format_duration_ms(25300), "25.3 s");
    EXPECT_EQ(format_duration_ms(999.7), "1.00 s") << "no \"1000 ms\"";
    EXPECT_EQ(format_duration_ms(59990), "1 min 0 s") << "no \"60.0 s\"";
    EXPECT_EQ(format_duration_ms(250000), "4 min 10 s");
    EXPECT_EQ(format_duration_ms(3599000), "59 min 59 s");
    EXPECT_EQ(format_duration_ms(3600000), "1 h 0 min");
    EXPECT_EQ(format_duration_ms(10000.0 * 30000), "83 h 20 min") << "10,000 calls of 30 s, one at a time";
    EXPECT_EQ(format_duration_ms(1e300), "forever");
}

TEST(History, KeepsFinishedRunsUpToCapacity) {
    Fixture f;
    History h;
    f.scheduler.begin(desc_of(CodePath::concurrent, 2, 100), 0);
    EXPECT_EQ(h.add(f.scheduler.run()), nullptr) << "a running run is not history yet";
    for (size_t i = 0; i < History::capacity + 3; ++i) {
        f.run(desc_of(CodePath::sequential, 2, 100 + int(i)));
        ASSERT_NE(h.add(f.scheduler.run()), nullptr);
    }
    EXPECT_EQ(h.entries().size(), History::capacity);
    EXPECT_EQ(h.entries().front().number, 4u);
    EXPECT_DOUBLE_EQ(h.longest_wall_ms(), 2 * (100.0 + History::capacity + 2));
}

TEST(History, OlderRunsKeepATimelineNotEveryTrace) {
    Fixture f;
    History h;
    f.run(desc_of(CodePath::sequential, 4, 100));
    const HistoryEntry* first = h.add(f.scheduler.run());
    ASSERT_NE(first, nullptr);
    EXPECT_TRUE(first->full());
    // One bar per request when there are few: the loop's staircase, 100 ms a step.
    ASSERT_EQ(first->timeline.size(), 4u);
    for (int i = 0; i < 4; ++i) {
        EXPECT_FLOAT_EQ(first->timeline[size_t(i)].from_ms, 100.0f * float(i));
        EXPECT_FLOAT_EQ(first->timeline[size_t(i)].to_ms, 100.0f * float(i + 1));
        EXPECT_EQ(first->timeline[size_t(i)].worst, Outcome::ok);
    }
    f.run(desc_of(CodePath::sequential, 1000, 1));
    h.keep_whole({});
    h.add(f.scheduler.run());
    f.run(desc_of(CodePath::concurrent, 3, 50));
    h.keep_whole({2});  // the 1,000-call run stays whole, the first run goes
    h.add(f.scheduler.run());
    const auto& e = h.entries();
    ASSERT_EQ(e.size(), 3u);
    EXPECT_FALSE(e[0].full());
    EXPECT_TRUE(e[0].run.requests.empty());
    EXPECT_EQ(e[0].stats.count, 4) << "its numbers stay";
    EXPECT_EQ(e[0].timeline.size(), 4u) << "and so does its timeline";
    EXPECT_TRUE(e[1].full()) << "pinned";
    EXPECT_TRUE(e[2].full()) << "the newest";
    // Many requests: at most timeline_rows bars, each a group from its first start to its last end.
    ASSERT_EQ(e[1].timeline.size(), size_t(timeline_rows));
    const int per = 1000 / timeline_rows;  // 7 or 8 requests of 1 ms each
    EXPECT_FLOAT_EQ(e[1].timeline[0].from_ms, 0.0f);
    EXPECT_NEAR(e[1].timeline[0].to_ms, float(per), 1.0f);
    EXPECT_FLOAT_EQ(e[1].timeline.back().to_ms, 1000.0f);
    EXPECT_NEAR(e[1].timeline.back().from_ms, float(1000 - per), 1.0f);
}

TEST(History, TimelineShowsTheWorstOutcomeOfAGroupAndSkipsWhatNeverStarted) {
    ap::Run run;
    run.start_us = 1000;
    run.state = RunState::cancelled;
    run.requests.resize(4);
    const Outcome outcomes[] = {Outcome::ok, Outcome::cancelled, Outcome::timeout, Outcome::pending};
    for (int i = 0; i < 4; ++i) {
        RequestTrace& r = run.requests[size_t(i)];
        r.outcome = outcomes[i];
        if (r.outcome == Outcome::pending) continue;  // never started
        r.started_us = 1000 + i * 10000;
        r.finished_us = r.started_us + 5000;
    }
    const std::vector<TimelineBar> two = summarize_timeline(run, 2);
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0].worst, Outcome::cancelled);
    EXPECT_FLOAT_EQ(two[0].from_ms, 0);
    EXPECT_FLOAT_EQ(two[0].to_ms, 15);
    EXPECT_EQ(two[1].worst, Outcome::timeout) << "the timed-out one; the other never started";
    EXPECT_FLOAT_EQ(two[1].from_ms, 20);
    EXPECT_FLOAT_EQ(two[1].to_ms, 25);
    const std::vector<TimelineBar> each = summarize_timeline(run);
    ASSERT_EQ(each.size(), 4u);
    EXPECT_LT(each[3].from_ms, 0) << "nothing to draw";
}

TEST(Snippets, EveryCodePathHasItsPythonAndTakesTheRunsNumbers) {
    for (int i = 0; i < code_path_count; ++i) {
        const std::string text = python_for(CodePath(i));
        EXPECT_NE(text.find("DELAY_MS = 500"), std::string::npos) << code_path_name(CodePath(i));
    }
    RunDesc d;
    d.path = CodePath::bounded;
    d.count = 12;
    d.latency_ms = 250;
    d.limit = 3;
    const std::string shown = render_snippet(python_for(d.path), d);
    EXPECT_NE(shown.find("\nN = 12\n"), std::string::npos) << shown;
    EXPECT_NE(shown.find("\nDELAY_MS = 250\n"), std::string::npos);
    EXPECT_NE(shown.find("\nLIMIT = 3\n"), std::string::npos);
    EXPECT_NE(shown.find("asyncio.Semaphore(LIMIT)"), std::string::npos);
    EXPECT_EQ(render_snippet("x = 1\nN = 5", d), "x = 1\nN = 12");
}

// The knobs the page applies to a code path are exactly the constants its program has, so a run never does
// what the program beside it does not.
TEST(Snippets, EachCodePathsKnobsAreItsProgramsConstants) {
    const struct { Knob knob; const char* constant; } knobs[] = {
        {knob_cpu, "CPU_MS"}, {knob_uneven, "UNEVEN"}, {knob_slow_tail, "SLOW_EVERY"}, {knob_failures, "FAIL_PCT"}, {knob_retries, "RETRIES"}};
    for (int i = 0; i < code_path_count; ++i) {
        const CodePath p = CodePath(i);
        const std::string text = python_for(p);
        auto has = [&](const char* constant) { return contains(text, std::string("\n") + constant + " = "); };
        for (const char* always : {"BASE", "N", "DELAY_MS", "STATUS"}) EXPECT_TRUE(has(always)) << code_path_name(p) << " " << always;
        EXPECT_EQ(has("LIMIT"), code_path_info(p).schedule == Schedule::k_at_a_time) << code_path_name(p);
        for (const auto& k : knobs) EXPECT_EQ(has(k.constant), path_has(p, k.knob)) << code_path_name(p) << " " << k.constant;
        if (path_has(p, knob_slow_tail)) EXPECT_TRUE(has("SLOW_MS")) << code_path_name(p);
        if (path_has(p, knob_retries)) EXPECT_TRUE(has("TIMEOUT_MS") && has("BACKOFF_MS")) << code_path_name(p);
    }
    // What a program lacks, the run leaves out, and the code panel says so.
    RunDesc d = desc_of(CodePath::task_group, 4, 100);
    d.cpu_ms = 50;
    d.spread = Spread::slow_tail;
    d.fail_pct = 20;
    const RunDesc ran = effective_desc(d);
    EXPECT_EQ(ran.cpu_ms, 50) << "every program does CPU work on its answers";
    EXPECT_EQ(ran.spread, Spread::even) << "task_group.py has no slow tail";
    EXPECT_EQ(ran.fail_pct, 0) << "task_group.py asks for no failures";
    EXPECT_EQ(snippet_gaps(python_for(d.path), d).size(), 2u);
    Fixture f;
    EXPECT_DOUBLE_EQ(f.run(d).wall_ms, 100 + 4 * 50) << "even latencies, no failures: one latency and the four answers' CPU work";
    EXPECT_EQ(f.scheduler.run().desc.spread, Spread::even) << "the run records what ran";
}

TEST(Stats, DrawingWaitsForTheMomentsAnswersArrive) {
    Fixture f;
    RunDesc d = desc_of(CodePath::concurrent, 3, 200);
    d.api = Api::page;
    f.scheduler.begin(d, 0);
    const ap::Run& run = f.scheduler.run();
    const QuietRule rule{30 * ms, 20 * ms, 40 * ms};
    EXPECT_FALSE(drawing_would_disturb(run, 100 * ms, rule)) << "mid-flight: free to draw";
    EXPECT_TRUE(drawing_would_disturb(run, 175 * ms, rule)) << "a frame now would delay the answers";
    EXPECT_TRUE(drawing_would_disturb(run, 215 * ms, rule)) << "answers are due right now";
    EXPECT_FALSE(drawing_would_disturb(run, 260 * ms, rule)) << "late answers: stop waiting for them";

    Completion c;
    c.status = 200;
    f.scheduler.complete(make_request_id(run.generation, 0), c, 250 * ms);
    EXPECT_TRUE(drawing_would_disturb(run, 270 * ms, rule)) << "an answer just came: its siblings follow";
    EXPECT_FALSE(drawing_would_disturb(run, 295 * ms, rule)) << "the burst is over";

    d.api = Api::simulated;
    f.scheduler.begin(d, 0);
    EXPECT_FALSE(drawing_would_disturb(f.scheduler.run(), 190 * ms, rule)) << "virtual time cannot be distorted";
}

TEST(Scheduler, EveryCodePathTakesWhatItsScheduleSays) {
    for (int i = 0; i < code_path_count; ++i) {
        const CodePath p = CodePath(i);
        Fixture f;
        const RunStats s = f.run(desc_of(p, 10, 200, 3));
        const CodePathInfo& info = code_path_info(p);
        const double want = info.schedule == Schedule::one_at_a_time ? 2000 : info.schedule == Schedule::all_at_once ? 200 : 800;
        EXPECT_DOUBLE_EQ(s.wall_ms, want) << info.name;
        EXPECT_DOUBLE_EQ(s.expected_ms, want) << info.name;
        // Calls created up front wait in a queue (semaphore, pool, threads, a blocked loop); a loop's
        // calls do not exist until the loop reaches them.
        const auto& last = f.scheduler.run().requests.back();
        if (info.created_up_front) EXPECT_EQ(last.scheduled_us, 0) << info.name;
        else EXPECT_EQ(last.scheduled_us, last.started_us) << info.name;
        CodePath parsed;
        ASSERT_TRUE(parse_code_path(info.name, &parsed));
        EXPECT_EQ(parsed, p);
        EXPECT_NE(python_for(p).find("DELAY_MS = 500"), std::string::npos) << info.python_file;
    }
}

TEST(Latency, SpreadsFollowTheirIntegerRules) {
    RunDesc d = desc_of(CodePath::concurrent, 12, 400);
    d.spread = Spread::uneven;
    EXPECT_EQ(request_latency_ms(d, 0), 200);   // 400 * 50 / 100
    EXPECT_EQ(request_latency_ms(d, 1), 348);   // 400 * 87 / 100
    EXPECT_EQ(request_latency_ms(d, 3), 240);   // 400 * (50 + 111 % 101) / 100
    d.spread = Spread::slow_tail;
    d.slow_every = 5;
    d.slow_ms = 3000;
    EXPECT_EQ(request_latency_ms(d, 3), 400);
    EXPECT_EQ(request_latency_ms(d, 4), 3000);
    EXPECT_EQ(request_latency_ms(d, 9), 3000);
}

TEST(Scheduler, GatherTakesAsLongAsItsSlowestCall) {
    Fixture f;
    RunDesc d = desc_of(CodePath::concurrent, 20, 500);
    d.spread = Spread::slow_tail;
    d.slow_every = 10;
    d.slow_ms = 4000;
    const RunStats s = f.run(d);
    EXPECT_DOUBLE_EQ(s.wall_ms, 4000);
    EXPECT_DOUBLE_EQ(s.expected_ms, 4000) << "the model knows the tail";
    d.path = CodePath::retry_backoff;  // a per-request timeout caps it
    d.timeout_ms = 1000;
    Fixture g;
    const RunStats t = g.run(d);
    EXPECT_DOUBLE_EQ(t.wall_ms, 1000);
    EXPECT_EQ(t.timeouts, 2);
    EXPECT_EQ(t.ok, 18);
}

TEST(Scheduler, AsCompletedFinishesInLatencyOrder) {
    // Uneven latencies, 400 x (50 + (i x 37) % 101) / 100 ms, worked out by hand: 200 348 496 240 388 536 280 428.
    Fixture f;
    RunDesc d = desc_of(CodePath::as_completed, 8, 400);
    d.spread = Spread::uneven;
    EXPECT_DOUBLE_EQ(f.run(d).wall_ms, 536);
    const int64_t latency_ms[] = {200, 348, 496, 240, 388, 536, 280, 428};
    const auto& r = f.scheduler.run().requests;
    for (size_t i = 0; i < r.size(); ++i) EXPECT_EQ(r[i].finished_us - r[i].started_us, latency_ms[i] * ms) << i;
    // as_completed hands them over fastest first.
    EXPECT_EQ(finishing_order(f.scheduler.run()), (std::vector<int>{0, 3, 6, 1, 4, 7, 2, 5}));
}

TEST(Scheduler, CpuWorkIsNotOverlapped) {
    // The loop: every call waits, then computes: N x (L + c).
    Fixture f;
    RunDesc d = desc_of(CodePath::sequential, 10, 500);
    d.cpu_ms = 50;
    EXPECT_DOUBLE_EQ(f.run(d).wall_ms, 10 * 550);
    // gather: the waits overlap, the computing does not: L + N x c.
    Fixture g;
    d.path = CodePath::concurrent;
    const RunStats s = g.run(d);
    EXPECT_DOUBLE_EQ(s.wall_ms, 500 + 10 * 50);
    EXPECT_DOUBLE_EQ(s.expected_ms, 1000);
    const auto& last = g.scheduler.run().requests.back();
    EXPECT_EQ(last.answered_us, 500 * ms);
    EXPECT_EQ(last.handled_us, 950 * ms) << "its answer waited for the loop to finish the others";
    EXPECT_EQ(last.finished_us, 1000 * ms);
}

TEST(Scheduler, PageSpentCpuIsTakenAsReported) {
    Fixture f;
    RunDesc d = desc_of(CodePath::sequential, 2, 100);
    d.cpu_ms = 30;
    f.scheduler.begin(d, 0);
    const uint16_t gen = f.scheduler.run().generation;
    Completion ok;
    ok.status = 200;
    ASSERT_TRUE(f.scheduler.complete(make_request_id(gen, 0), ok, 100 * ms, 131 * ms));
    const auto& r = f.scheduler.run().requests;
    EXPECT_EQ(r[0].answered_us, 100 * ms);
    EXPECT_EQ(r[0].handled_us, 101 * ms);
    EXPECT_EQ(r[0].finished_us, 131 * ms);
    EXPECT_EQ(r[1].started_us, 131 * ms) << "the loop goes on once the work is done";
}

TEST(Scheduler, RetriesTimeoutsAnd5xxWithBackoffButNot4xx) {
    Fixture f;
    RunDesc d = desc_of(CodePath::retry_backoff, 3, 100);
    d.retries = 3;
    d.backoff_ms = 100;
    d.timeout_ms = 250;
    int calls = 0;
    f.transport.answer = [&](RequestId id, const RequestSpec& spec) {
        ++calls;
        VirtualAnswer a = VirtualTransport::default_answer(spec);
        const int i = request_index(id), attempt = request_attempt(id);
        if (i == 0 && attempt == 0) a.completion.status = 503;       // retried
        if (i == 1 && attempt < 2) a.never = true;                   // times out twice, then answers
        if (i == 2) a.completion.status = 404;                       // never retried
        return a;
    };
    f.scheduler.begin(d, 0);
    run_virtual(&f.scheduler, &f.transport, 0);
    const auto& r = f.scheduler.run().requests;
    ASSERT_EQ(r[0].attempts.size(), 2u);
    EXPECT_EQ(r[0].attempts[0].outcome, Outcome::http_error);
    EXPECT_EQ(r[0].attempts[1].started_us - r[0].attempts[0].ended_us, backoff_us(d, 0, 1));
    EXPECT_EQ(r[0].outcome, Outcome::ok);
    ASSERT_EQ(r[1].attempts.size(), 3u);
    EXPECT_EQ(r[1].attempts[0].outcome, Outcome::timeout);
    EXPECT_EQ(r[1].attempts[0].ended_us, 250 * ms);
    EXPECT_EQ(r[1].attempts[1].outcome, Outcome::timeout);
    EXPECT_EQ(r[1].outcome, Outcome::ok);
    const int64_t b1 = backoff_us(d, 1, 1), b2 = backoff_us(d, 1, 2);
    EXPECT_GE(b2, 2 * 100 * ms) << "exponential";
    EXPECT_LT(b2, 4 * 100 * ms) << "jitter below one base";
    EXPECT_EQ(r[1].finished_us, 250 * ms + b1 + 250 * ms + b2 + 100 * ms);
    EXPECT_EQ(r[2].attempts.size(), 1u) << "4xx is the caller's fault: retrying cannot help";
    EXPECT_EQ(r[2].outcome, Outcome::http_error);
    EXPECT_EQ(calls, 6);
}

TEST(Scheduler, AnAnswerToATimedOutAttemptIsDropped) {
    Fixture f;
    RunDesc d = desc_of(CodePath::retry_backoff, 1, 100);
    d.retries = 1;
    d.timeout_ms = 150;
    f.scheduler.begin(d, 0);
    const uint16_t gen = f.scheduler.run().generation;
    f.scheduler.advance(150 * ms);  // attempt 0 times out; backing off
    Completion late;
    late.status = 200;
    EXPECT_FALSE(f.scheduler.complete(make_request_id(gen, 0, 0), late, 160 * ms)) << "attempt 0 is over";
    EXPECT_TRUE(f.scheduler.running());
}

TEST(Scheduler, FailureRateIsDecidedByTheSharedHash) {
    RunDesc d = desc_of(CodePath::concurrent, 200, 100);
    d.fail_pct = 20;
    int failing = 0;
    for (int i = 0; i < 200; ++i) failing += attempt_fails(d, i, 0);
    EXPECT_GT(failing, 20);
    EXPECT_LT(failing, 60);
    EXPECT_EQ(fnv1a("0-0"), 1468200994u) << "the JS implementations test against the same value";
    d.retries = 3;
    d.path = CodePath::retry_backoff;
    Fixture f;
    const RunStats s = f.run(d);
    EXPECT_GT(s.ok, 190) << "retries recover almost every call";
    EXPECT_DOUBLE_EQ(s.wall_ms, s.expected_ms);
}

TEST(Scheduler, ATimeoutCutsAHiccupShortAndTheRetryComesAfterItsBackOff) {
    // retry_backoff, 4 calls of 100 ms; calls 2 and 4 are slow (1 s) on their first attempt, which the 300 ms
    // timeout cuts short. Each retries after 50 ms of back-off plus its jitter, fnv1a("backoff-<i>-1") % 1000
    // thousandths of it (403 for call 2, 277 for call 4: worked out in Python, as retries.py does), then
    // takes 100 ms: 300 + 70.15 + 100 and 300 + 63.85 + 100 ms.
    RunDesc d = desc_of(CodePath::retry_backoff, 4, 100);
    d.spread = Spread::slow_tail;
    d.slow_every = 2;
    d.slow_ms = 1000;
    d.timeout_ms = 300;
    d.retries = 1;
    d.backoff_ms = 50;
    Fixture f;
    EXPECT_DOUBLE_EQ(f.run(d).wall_ms, 470.15);
    EXPECT_DOUBLE_EQ(model_wall_ms(d), 470.15);
    const auto& r = f.scheduler.run().requests;
    const int64_t ends_us[] = {100000, 470150, 100000, 463850};
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(r[i].finished_us, ends_us[i]) << i;
        EXPECT_EQ(r[i].attempts.size(), i % 2 ? 2u : 1u) << i;
    }
    EXPECT_EQ(r[1].attempts[0].outcome, Outcome::timeout);
    EXPECT_EQ(r[1].attempts[1].started_us, 370150);
}

// The textbook rule for an even run without retries or failures, written out by hand: a loop takes
// N x (L + c); gather L + N x c (the waits overlap, the computing does not); k at a time ceil(N / k) x L.
static double textbook_ms(const RunDesc& d) {
    const double n = d.count, l = d.latency_ms, c = d.cpu_ms;
    switch (code_path_info(d.path).schedule) {
        case Schedule::one_at_a_time: return n * (l + c);
        case Schedule::all_at_once: return l + n * c;
        case Schedule::k_at_a_time: return c > 0 ? -1 : double((d.count + d.limit - 1) / d.limit) * l;
    }
    return -1;
}

TEST(Lessons, TheBuiltInLessonsTakeWhatTheirRulesSay) {
    const char* text = find_embedded_text("lessons.txt");
    ASSERT_NE(text, nullptr);
    const LessonFile file = parse_lessons(text, "lessons.txt");
    EXPECT_TRUE(file.errors.empty()) << file.errors.front();
    ASSERT_EQ(file.lessons.size(), 10u);
    // Each lesson's preset on each of its paths, worked out by hand (uneven latencies: the slowest of 12 is
    // 400 x 144 / 100; the retries lesson from its rules in Python, as retries.py plays them).
    const struct { const char* lesson; CodePath path; double ms; } expected[] = {
        {"one-call-at-a-time", CodePath::sequential, 20 * 250},
        {"same-interface", CodePath::sync_client, 20 * 250},
        {"same-interface", CodePath::sequential, 20 * 250},
        {"just-enough-asyncio", CodePath::concurrent, 300 + 3 * 40},
        {"just-enough-asyncio", CodePath::await_in_loop, 3 * (300 + 40)},
        {"wait-together", CodePath::concurrent, 500},
        {"the-mistake", CodePath::await_in_loop, 10 * 300},
        {"the-mistake", CodePath::concurrent, 300},
        {"other-ways", CodePath::as_completed, 576},
        {"other-ways", CodePath::task_group, 576},
        {"other-ways", CodePath::concurrent, 576},
        {"limits", CodePath::bounded, 6 * 300},
        {"limits", CodePath::pool_limit, 6 * 300},
        {"limits", CodePath::concurrent, 300},
        {"when-not-worth-it", CodePath::concurrent, 300 + 20 * 50},
        {"when-not-worth-it", CodePath::sequential, 20 * (300 + 50)},
        {"blocking-the-loop", CodePath::blocking_in_async, 12 * 300},
        {"blocking-the-loop", CodePath::thread_pool, 3 * 300},
        {"timeouts-retries", CodePath::retry_backoff, 2515},
        {"timeouts-retries", CodePath::concurrent, 4000},
    };
    int checked = 0;
    for (const Lesson& l : file.lessons) {
        EXPECT_FALSE(l.paragraphs.empty()) << l.id;
        for (CodePath p : l.paths) {
            RunDesc d = l.preset;
            d.path = p;
            d.api = Api::simulated;
            double want = -1;
            for (const auto& e : expected) if (l.id == e.lesson && p == e.path) want = e.ms;
            ASSERT_GE(want, 0) << l.id << " / " << code_path_name(p) << " has no hand-worked figure here";
            ++checked;
            Fixture f;
            EXPECT_DOUBLE_EQ(f.run(d).wall_ms, want) << l.id << " / " << code_path_name(p);
            EXPECT_DOUBLE_EQ(model_wall_ms(d), want) << l.id << " / " << code_path_name(p);
            EXPECT_TRUE(contains(claim_for(d), format_duration_ms(want))) << claim_for(d);
            // Fewer and slower calls, then more and faster ones, where the textbook rule applies.
            for (double scale : {2.0, 0.5}) {
                RunDesc s = d;
                s.count = std::max(1, int(d.count / scale));
                s.latency_ms = int(d.latency_ms * scale);
                const bool textbook = s.spread == Spread::even && effective_retries(s) == 0 && s.fail_pct == 0;
                if (!textbook || textbook_ms(s) < 0) continue;
                Fixture g;
                EXPECT_DOUBLE_EQ(g.run(s).wall_ms, textbook_ms(s)) << l.id << " / " << code_path_name(p) << " x" << scale;
            }
        }
    }
    EXPECT_EQ(checked, int(sizeof expected / sizeof expected[0]));
    EXPECT_EQ(file.lessons[0].preset.path, CodePath::sequential);
    EXPECT_EQ(claim_for(file.lessons[0].preset), "expected = N x latency = 20 x 250 ms = 5.00 s");
    EXPECT_TRUE(file.lessons[2].loop_view);
}

TEST(Lessons, ALessonNamesTheSettingsItAsksFor) {
    const LessonFile file = parse_lessons(find_embedded_text("lessons.txt"), "lessons.txt");
    for (const Lesson& l : file.lessons) {
        // Lessons whose text says "switch the API" or changes the CPU work put that setting in reach.
        if (l.id == "limits") EXPECT_EQ(l.settings, std::vector<std::string>{"api"});
        if (l.id == "when-not-worth-it") EXPECT_EQ(l.settings, std::vector<std::string>{"cpu"});
    }
    const LessonFile ok = parse_lessons("lesson: s\ntitle: S\npaths: concurrent\nsettings: cpu api cpu spread\ntext:\nHi.\n", "t.txt");
    ASSERT_TRUE(ok.errors.empty()) << ok.errors[0];
    EXPECT_EQ(ok.lessons[0].settings, (std::vector<std::string>{"cpu", "api", "spread"})) << "in order, once each";
    const LessonFile bad = parse_lessons("lesson: s\ntitle: S\npaths: concurrent\nsettings: api speed\ntext:\nHi.\n", "t.txt");
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_EQ(bad.errors[0].rfind("t.txt:4: unknown setting 'speed' (api, n, latency, ", 0), 0u) << bad.errors[0];
    EXPECT_TRUE(parse_lessons("lesson: s\ntitle: S\npaths: concurrent\nsettings: path\ntext:\nHi.\n", "t.txt").errors.size() == 1)
        << "the code paths are the lesson's paths: line";
}

TEST(Lessons, TheTextStatesWhatTheirPresetDoes) {
    const LessonFile file = parse_lessons(find_embedded_text("lessons.txt"), "lessons.txt");
    for (const Lesson& l : file.lessons) {
        for (const std::string& p : l.paragraphs) EXPECT_EQ(p.find('{'), std::string::npos) << l.id << ": " << p;
    }
    // The retries lesson counts its hiccups and its 503s; a plain gather of its preset ends with exactly those.
    const Lesson& retries = file.lessons.back();
    ASSERT_EQ(retries.id, "timeouts-retries");
    RunDesc gather = retries.preset;
    gather.path = CodePath::concurrent;
    const Expectation e = expect_run(gather);
    EXPECT_EQ(e.failed, 4);
    EXPECT_TRUE(contains(retries.paragraphs[0], "Here 2 of the 20 calls hit a 4-second hiccup, and the API answers the first try of 4 calls with a 503"))
        << retries.paragraphs[0];
    Fixture f;
    const RunStats s = f.run(gather);
    EXPECT_EQ(s.http_errors, 4);
    // An unknown placeholder is an error on the lesson's line.
    const LessonFile bad = parse_lessons("lesson: x\ntitle: X\npaths: concurrent\ntext:\nIt takes {forever}.\n", "t.txt");
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_EQ(bad.errors[0], "t.txt:1: lesson 'x' has {forever} in its text, which is not one of {n} {latency} {slow} {fails} {expected} "
                             "(write {{forever}} for the braces themselves)");
}

TEST(Lessons, BracesAroundAnythingButAWordAreText) {
    const LessonFile file = parse_lessons(
        "lesson: braces\ntitle: Braces\npaths: concurrent\npreset: n=7\ntext:\n"
        "An empty dict {} and f'{{BASE}}/api' with {n} calls; {not a word} stays, {{n}} too, and a lone { or }.\n", "t.txt");
    ASSERT_TRUE(file.errors.empty()) << file.errors[0];
    EXPECT_EQ(file.lessons[0].paragraphs[0],
              "An empty dict {} and f'{BASE}/api' with 7 calls; {not a word} stays, {n} too, and a lone { or }.");
}

TEST(Lessons, WrittenBackTheyReadTheSame) {
    std::string text = find_embedded_text("lessons.txt");
    text += "lesson: tricky\ntitle: Tricky { title }\npaths: bounded concurrent\npreset: n=3 limit=2 cpu=5 fail=10\n"
            "text: lesson: this line is text, {{literally}} {n}\n\n  lesson: indented, text too\n";
    const LessonFile first = parse_lessons(text, "a.txt");
    ASSERT_TRUE(first.errors.empty()) << first.errors[0];
    const std::string written = lessons_to_text(first.lessons);
    const LessonFile again = parse_lessons(written, "b.txt");
    ASSERT_TRUE(again.errors.empty()) << again.errors[0] << "\n" << written;
    ASSERT_EQ(again.lessons.size(), first.lessons.size());
    for (size_t i = 0; i < first.lessons.size(); ++i) {
        const Lesson &a = first.lessons[i], &b = again.lessons[i];
        EXPECT_EQ(a.id, b.id);
        EXPECT_EQ(a.title, b.title);
        EXPECT_EQ(a.paths, b.paths);
        EXPECT_EQ(a.paragraphs, b.paragraphs) << a.id;
        EXPECT_EQ(a.loop_view, b.loop_view);
        EXPECT_EQ(a.settings, b.settings) << a.id;
        for (const RunField& f : run_fields()) EXPECT_EQ(f.get(a.preset), f.get(b.preset)) << a.id << " " << f.url_key;
    }
    EXPECT_EQ(first.lessons.back().paragraphs[0], "lesson: this line is text, {literally} 3");
    EXPECT_EQ(lessons_to_text(again.lessons), written) << "a fixed point";
}

TEST(Lessons, ALessonMayHaveItsOwnProgram) {
    const std::string text =
        "lesson: half\ntitle: Half a semaphore\npreset: n=6 latency=200\nprogram:\n\n    import asyncio\n\n"
        "    async def main():\n\t    await asyncio.sleep(0)\n    \n    asyncio.run(main())  \n\n"
        "text:\nRun it.\n"
        "lesson: both\ntitle: Both\npaths: concurrent\nprogram:\n    print(1)\nview: loop\ntext:\nx\n";
    const LessonFile f = parse_lessons(text, "t.txt");
    ASSERT_TRUE(f.errors.empty()) << f.errors[0];
    ASSERT_EQ(f.lessons.size(), 2u);
    EXPECT_TRUE(f.lessons[0].paths.empty()) << "with a program, paths may be left out";
    EXPECT_EQ(f.lessons[0].script, "import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n\nasyncio.run(main())  \n")
        << "one indent off each line (4 spaces or a tab), blank lines around it dropped, inside kept empty";
    EXPECT_EQ(f.lessons[0].preset.count, 6);
    EXPECT_EQ(f.lessons[0].paragraphs, std::vector<std::string>{"Run it."});
    EXPECT_EQ(f.lessons[1].script, "print(1)\n");
    EXPECT_TRUE(f.lessons[1].loop_view) << "the block ends at the first line that is not indented";
    EXPECT_EQ(f.lessons[1].preset.path, CodePath::concurrent);
    const LessonFile again = parse_lessons(lessons_to_text(f.lessons), "u.txt");
    ASSERT_TRUE(again.errors.empty()) << again.errors[0];
    EXPECT_EQ(again.lessons[0].script, f.lessons[0].script);
    EXPECT_EQ(again.lessons[1].script, f.lessons[1].script);
    EXPECT_EQ(lessons_to_text(again.lessons), lessons_to_text(f.lessons));

    auto first_error = [](const std::string& t) {
        const LessonFile bad = parse_lessons(t, "b.txt");
        return bad.errors.empty() ? std::string("(none)") : bad.errors[0];
    };
    EXPECT_EQ(first_error("lesson: a\ntitle: A\nprogram:\ntext:\nx\n"), "b.txt:3: 'program:' has no program under it (each line indented by 4 spaces)");
    EXPECT_EQ(first_error("lesson: a\ntitle: A\nprogram: print(1)\ntext:\nx\n"), "b.txt:3: write the program on the lines under 'program:', each indented by 4 spaces");
    EXPECT_EQ(first_error("lesson: a\ntitle: A\nprogram:\n    x\nprogram:\n    y\n"), "b.txt:5: a lesson has one program");
    EXPECT_EQ(first_error("lesson: a\ntitle: A\ntext:\nx\n"), "b.txt:1: lesson 'a' has no paths (and no program)");
    std::string huge = "lesson: a\ntitle: A\nprogram:\n";
    for (int i = 0; i < 3000; ++i) huge += "    print('a line of the program')\n";
    EXPECT_EQ(first_error(huge), "b.txt:3: the program has 93000 bytes; a lesson's program is at most 64 KB");
}

TEST(Lessons, AStarterIsWhatEditAndRunOpensWith) {
    const std::string text = "lesson: pool\ntitle: Pool\npaths: blocking_in_async thread_pool\nstarter:\n    import threading\n\n    print(2)\ntext:\nGo.\n";
    const LessonFile f = parse_lessons(text, "t.txt");
    ASSERT_TRUE(f.errors.empty()) << f.errors[0];
    ASSERT_EQ(f.lessons.size(), 1u);
    EXPECT_TRUE(f.lessons[0].script.empty()) << "a starter is not the lesson's own program: Run runs its paths";
    EXPECT_EQ(f.lessons[0].starter, "import threading\n\nprint(2)\n");
    const LessonFile again = parse_lessons(lessons_to_text(f.lessons), "u.txt");
    ASSERT_TRUE(again.errors.empty()) << again.errors[0];
    EXPECT_EQ(again.lessons[0].starter, f.lessons[0].starter);
    auto first_error = [](const std::string& t) {
        const LessonFile bad = parse_lessons(t, "b.txt");
        return bad.errors.empty() ? std::string("(none)") : bad.errors[0];
    };
    EXPECT_EQ(first_error("lesson: a\ntitle: A\npaths: concurrent\nstarter:\ntext:\nx\n"), "b.txt:4: 'starter:' has no program under it (each line indented by 4 spaces)");
    EXPECT_EQ(first_error("lesson: a\ntitle: A\npaths: concurrent\nstarter:\n    x\nstarter:\n    y\n"), "b.txt:6: a lesson has one starter");
}

// Every built-in lesson ends with an exercise in the learner's own code: a starter, a solution, hints, and
// checks that printing or making fewer calls cannot pass (a fixed count of requests, and one check on time
// or overlap). That the starter fails and the solution passes is run in Chromium (tests/program.test.mjs).
TEST(Lessons, EveryBuiltInLessonEndsWithAnExerciseNoPrintCanPass) {
    const LessonFile built_in = parse_lessons(find_embedded_text("lessons.txt"), "lessons.txt");
    ASSERT_TRUE(built_in.errors.empty()) << built_in.errors[0];
    ASSERT_EQ(built_in.lessons.size(), 10u);
    for (const Lesson& l : built_in.lessons) {
        SCOPED_TRACE(l.id);
        EXPECT_TRUE(l.has_exercise());
        EXPECT_FALSE(l.starter.empty());
        EXPECT_FALSE(l.solution.empty());
        EXPECT_GE(l.hints.size(), 2u);
        bool counted = false, timed = false;
        for (const Check& c : l.checks) {
            counted |= c.metric == CheckMetric::requests && c.op == CheckOp::eq;
            timed |= c.metric == CheckMetric::wall || c.metric == CheckMetric::in_flight || c.metric == CheckMetric::loop_blocked;
        }
        EXPECT_TRUE(counted) << "a fixed number of requests";
        EXPECT_TRUE(timed) << "a check on time or overlap";
    }
}

TEST(Lessons, AnExerciseHasChecksHintsAndASolution) {
    const std::string text =
        "lesson: overlap\ntitle: Make it overlap\npaths: sequential concurrent\npreset: n=12 latency=200\n"
        "starter:\n    import requests\n    print(1)\ncheck: requests == 12\ncheck: in_flight >= 6\ncheck: wall < 2 * latency\n"
        "check: output contains \"12 results: done\"\nhint: Start every call before you wait for any.\nhint: asyncio.gather takes them all.\n"
        "solution:\n    import asyncio\n    print(2)\ntext:\nGo.\n";
    const LessonFile f = parse_lessons(text, "t.txt");
    ASSERT_TRUE(f.errors.empty()) << f.errors[0];
    ASSERT_EQ(f.lessons.size(), 1u);
    const Lesson& l = f.lessons[0];
    EXPECT_TRUE(l.has_exercise());
    ASSERT_EQ(l.checks.size(), 4u);
    EXPECT_EQ(l.checks[1].metric, CheckMetric::in_flight);
    EXPECT_EQ(l.checks[3].text, "12 results: done");
    EXPECT_EQ(l.hints, (std::vector<std::string>{"Start every call before you wait for any.", "asyncio.gather takes them all."}));
    EXPECT_EQ(l.solution, "import asyncio\nprint(2)\n");
    const LessonFile again = parse_lessons(lessons_to_text(f.lessons), "u.txt");
    ASSERT_TRUE(again.errors.empty()) << again.errors[0];
    EXPECT_EQ(lessons_to_text(again.lessons), lessons_to_text(f.lessons));
    ASSERT_EQ(again.lessons[0].checks.size(), 4u);
    EXPECT_EQ(again.lessons[0].checks[2].source, "wall < 2 * latency");
    auto first_error = [](const std::string& t) {
        const LessonFile bad = parse_lessons(t, "b.txt");
        return bad.errors.empty() ? std::string("(none)") : bad.errors[0];
    };
    EXPECT_EQ(first_error("lesson: a\ntitle: A\npaths: concurrent\ncheck: speed > 3\ntext:\nx\n").substr(0, 54),
              "b.txt:4: check: 'speed' is not something a check measu");
    EXPECT_EQ(first_error("lesson: a\ntitle: A\npaths: concurrent\nhint:\ntext:\nx\n"), "b.txt:4: 'hint:' has no text after it");
    EXPECT_EQ(first_error("lesson: a\ntitle: A\npaths: concurrent\nsolution:\n    x\nsolution:\n    y\n"), "b.txt:6: a lesson has one solution");
}

TEST(Lessons, ClaimsTeachTheirNumbers) {
    const LessonFile file = parse_lessons(find_embedded_text("lessons.txt"), "lessons.txt");
    auto lesson = [&](const std::string& id) {
        for (const Lesson& l : file.lessons) if (l.id == id) return l;
        ADD_FAILURE() << id;
        return Lesson{};
    };
    EXPECT_DOUBLE_EQ(model_wall_ms(lesson("wait-together").preset), 500);
    RunDesc cpu = lesson("when-not-worth-it").preset;
    EXPECT_DOUBLE_EQ(model_wall_ms(cpu), 300 + 20 * 50);
    cpu.path = CodePath::sequential;
    EXPECT_DOUBLE_EQ(model_wall_ms(cpu), 20 * 350);
    RunDesc tail = lesson("timeouts-retries").preset;
    const double with_retries = model_wall_ms(tail);
    tail.path = CodePath::concurrent;
    EXPECT_DOUBLE_EQ(model_wall_ms(tail), 4000) << "plain gather waits for the hiccup";
    EXPECT_LT(with_retries, 3000) << "the timeout cuts it short";
    RunDesc blocking = lesson("blocking-the-loop").preset;
    EXPECT_DOUBLE_EQ(model_wall_ms(blocking), 12 * 300);
    blocking.path = CodePath::thread_pool;
    EXPECT_DOUBLE_EQ(model_wall_ms(blocking), 3 * 300);
}

TEST(Lessons, BadFilesGetLineNumberedErrorsAndGoodLessonsSurvive) {
    const std::string text =
        "lesson: good\ntitle: Good\npaths: concurrent\npreset: n=5\ntext:\nHello.\n"
        "lesson: bad-path\ntitle: Bad\npaths: paralel\n"
        "lesson: bad-preset\ntitle: Bad\npaths: sequential\npreset: n=abc\n"
        "lesson: out-of-range\ntitle: Bad\npaths: sequential\npreset: n=99999\n"
        "lesson: no-title\npaths: sequential\n"
        "lesson: unknown-key\ntitle: X\npaths: sequential\ncolour: red\n";
    const LessonFile f = parse_lessons(text, "extra.txt");
    ASSERT_EQ(f.lessons.size(), 1u);
    EXPECT_EQ(f.lessons[0].id, "good");
    EXPECT_EQ(f.lessons[0].preset.count, 5);
    ASSERT_EQ(f.errors.size(), 5u);
    EXPECT_EQ(f.errors[0], "extra.txt:9: unknown code path 'paralel'");
    EXPECT_EQ(f.errors[1], "extra.txt:13: n must be a whole number, got 'abc'");
    EXPECT_EQ(f.errors[2], "extra.txt:17: N = 99,999 is above 10,000: using 10,000.");
    EXPECT_EQ(f.errors[3], "extra.txt:18: lesson 'no-title' has no title");
    EXPECT_EQ(f.errors[4], "extra.txt:23: unknown key 'colour'");
    EXPECT_TRUE(parse_lessons("", "empty.txt").lessons.empty());
    EXPECT_EQ(parse_lessons("<html>not a lesson file</html>", "page.html").errors.size(), 1u);
}

TEST(Lessons, NumericAndRepeatedIdsAreRefusedWithTheirLine) {
    const LessonFile f = parse_lessons(
        "lesson: 3\ntitle: T\npaths: concurrent\n"
        "lesson: mine\ntitle: T\npaths: concurrent\n"
        "lesson: mine\ntitle: T\npaths: concurrent\n", "t.txt");
    ASSERT_EQ(f.lessons.size(), 1u);
    ASSERT_EQ(f.errors.size(), 2u);
    EXPECT_EQ(f.errors[0], "t.txt:1: a lesson id cannot be a number ('3'): ?lesson=3 opens the lesson in that place");
    EXPECT_EQ(f.errors[1], "t.txt:7: the id 'mine' is already a lesson's in this file");
}

TEST(Lessons, VerdictsSayWhyWhenTheyFail) {
    Fixture f;
    RunDesc d = desc_of(CodePath::concurrent, 4, 100);
    f.scheduler.begin(d, 0);
    run_virtual(&f.scheduler, &f.transport, 0);
    ap::Run late = f.scheduler.run();
    for (RequestTrace& r : late.requests) r.finished_us += 200 * ms;
    late.end_us += 200 * ms;
    const Verdict v = judge_run(late, compute_stats(late));
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.line, "measured 300 ms, expected 100 ms  \xe2\x9c\x97");
    EXPECT_EQ(v.reason, "slower than the model: this machine or network adds 200 ms");
}

TEST(Lessons, AsCompletedOrder) {
    Fixture f;
    RunDesc d = desc_of(CodePath::as_completed, 5, 400);
    d.spread = Spread::uneven;
    f.run(d);
    const std::vector<int> order = finishing_order(f.scheduler.run());
    ASSERT_EQ(order.size(), 5u);
    for (size_t i = 1; i < order.size(); ++i) EXPECT_LE(request_latency_ms(d, order[i - 1]), request_latency_ms(d, order[i]));
}

TEST(CodeView, EveryProgramMarksWhereItsCallsWaitAndShowsNoTags) {
    for (int i = 0; i < code_path_count; ++i) {
        const CodePath p = CodePath(i);
        RunDesc d;
        d.path = p;
        const std::vector<CodeLine> lines = code_lines(render_tagged_snippet(python_for(p), d));
        int waits = 0;
        for (const CodeLine& l : lines) {
            waits += (l.phases & phase_bit(Phase::waiting)) != 0;
            EXPECT_EQ(l.text.find("#@"), std::string::npos) << code_path_name(p);
            EXPECT_LE(l.text.size(), 62u) << code_path_name(p) << ": " << l.text;
        }
        EXPECT_EQ(waits, 1) << code_path_name(p);
        EXPECT_EQ(render_snippet(python_for(p), d).find("#@"), std::string::npos);
        const bool queues = code_path_info(p).schedule == Schedule::k_at_a_time || p == CodePath::blocking_in_async;
        bool has_queue = false;
        for (const CodeLine& l : lines) has_queue |= (l.phases & phase_bit(Phase::queued)) != 0;
        EXPECT_EQ(has_queue, queues) << code_path_name(p);
    }
    const std::vector<CodeLine> l = code_lines("a = 1\n    x = await get()  #@queue,wait\n");
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[1].text, "    x = await get()");
    EXPECT_EQ(l[1].phases, phase_bit(Phase::queued) | phase_bit(Phase::waiting));
}

TEST(CodeView, RequestPhasesFollowTheTrace) {
    Fixture f;
    RunDesc d = desc_of(CodePath::retry_backoff, 2, 100);
    d.cpu_ms = 30;
    d.retries = 1;
    f.transport.answer = fail_first_attempt(1);
    f.run(d);
    const auto& r = f.scheduler.run().requests;
    EXPECT_EQ(request_phase(r[0], 50 * ms), Phase::waiting);
    EXPECT_EQ(request_phase(r[0], 110 * ms), Phase::handling);
    EXPECT_EQ(request_phase(r[1], 110 * ms), Phase::backing_off);
    EXPECT_EQ(request_phase(r[1], r[1].attempts[1].started_us + 10 * ms), Phase::waiting);
    EXPECT_EQ(request_phase(r[0], r[0].finished_us), Phase::none);
    Fixture g;
    g.run(desc_of(CodePath::bounded, 4, 100, 2));
    EXPECT_EQ(request_phase(g.scheduler.run().requests[3], 50 * ms), Phase::queued);
}

TEST(CodeView, PythonIsColouredByKind) {
    const std::string line = "    reply = await client.get(f\"{BASE}/x\", timeout=20)  # wait";
    const std::vector<Span> spans = python_spans(line);
    auto kind_of = [&](const std::string& word) {
        const size_t at = line.find(word);
        for (const Span& s : spans) if (s.begin <= at && at < s.end) return s.kind;
        return SpanKind::plain;
    };
    EXPECT_EQ(kind_of("await"), SpanKind::keyword);
    EXPECT_EQ(kind_of("f\"{BASE}"), SpanKind::string);
    EXPECT_EQ(kind_of("20"), SpanKind::number);
    EXPECT_EQ(kind_of("# wait"), SpanKind::comment);
    EXPECT_EQ(kind_of("client"), SpanKind::plain);
    size_t covered = 0;
    for (const Span& s : spans) covered += s.end - s.begin;
    EXPECT_EQ(covered, line.size()) << "spans tile the line";
}

TEST(Lessons, PermalinksRoundTrip) {
    const LessonFile file = parse_lessons(find_embedded_text("lessons.txt"), "lessons.txt");
    const Lesson& limits = file.lessons[6];
    RunDesc d = limits.preset;
    EXPECT_EQ(permalink_query(d, limits), "lesson=limits");
    d.count = 40;
    d.api = Api::server;
    d.path = CodePath::pool_limit;
    const std::string q = permalink_query(d, limits);
    EXPECT_EQ(q, "lesson=limits&path=pool_limit&api=server&n=40");
    RunDesc back = limits.preset;
    std::string error;
    for (const auto& [k, v] : parse_query("?" + q)) {
        if (k != "lesson") ASSERT_TRUE(apply_preset(k + "=" + v, &back, &error)) << error;
    }
    EXPECT_TRUE(back == d);
    // A teacher's lesson file goes with the link, so that the link opens that lesson again.
    const std::string teacher = permalink_query(limits.preset, limits, "https://course.example/week 3/lessons.txt?v=2&x=1");
    EXPECT_EQ(teacher, "lesson=limits&lessons=https%3A%2F%2Fcourse.example%2Fweek%203%2Flessons.txt%3Fv%3D2%26x%3D1");
    bool found = false;
    for (const auto& [k, v] : parse_query("?" + teacher)) found |= k == "lessons" && v == "https://course.example/week 3/lessons.txt?v=2&x=1";
    EXPECT_TRUE(found);
    const auto pairs = parse_query("?a=1&b=x%20y&c&d=%zz+w");
    ASSERT_EQ(pairs.size(), 4u);
    EXPECT_EQ(pairs[1].second, "x y");
    EXPECT_EQ(pairs[2].first, "c");
    EXPECT_EQ(pairs[3].second, "%zz w");
}

// The model books an answer's CPU work up to its end and starts the next request then; a cancel before
// that instant must leave no trace of what had not happened yet.
TEST(Scheduler, CancelDuringModelledCpuWorkLeavesNoFutureInTheTrace) {
    Fixture f;
    RunDesc d = desc_of(CodePath::bounded, 10, 100, 4);
    d.cpu_ms = 30;
    f.scheduler.begin(d, 0);
    for (int64_t t = 0; t <= 150 * ms; t += 10 * ms) {
        f.transport.deliver_due(&f.scheduler, t);
        f.scheduler.advance(t);
    }
    f.scheduler.cancel(150 * ms);
    const ap::Run& run = f.scheduler.run();
    ASSERT_EQ(run.state, RunState::cancelled);
    EXPECT_EQ(run.end_us, 150 * ms);
    int ok = 0;
    for (const RequestTrace& r : run.requests) {
        EXPECT_LE(r.scheduled_us, 150 * ms);
        EXPECT_LE(r.started_us, 150 * ms);
        EXPECT_LE(r.finished_us, 150 * ms);
        if (r.started_us >= 0) EXPECT_GE(r.finished_us, r.started_us);
        else EXPECT_EQ(r.finished_us, -1);
        for (const Attempt& a : r.attempts) {
            EXPECT_LE(a.started_us, 150 * ms);
            EXPECT_GE(a.ended_us, a.started_us);
        }
        ok += r.outcome == Outcome::ok;
    }
    // Answers at 100 ms, handled one at a time from 100 ms: 30 ms each, so only one is done by 150 ms.
    EXPECT_EQ(ok, 1);
    const RunStats s = compute_stats(run);
    EXPECT_GE(s.sum_ms, 0);
    EXPECT_EQ(s.ok, 1);
}

// ---- CappedTransport: the page holds what the browser would refuse ----

// Records what reaches it; the test answers by hand. `fail_inside_start` reports a failure from inside
// start(), as a browser may.
struct ManualTransport : Transport {
    std::vector<uint32_t> started, aborted;
    std::function<void(RequestId)> fail_inside_start;
    void start(RequestId id, const RequestSpec&, int64_t) override {
        started.push_back(id.value);
        if (fail_inside_start) fail_inside_start(id);
    }
    void abort(RequestId id, int64_t) override { aborted.push_back(id.value); }
};

struct CappedFixture {
    ManualTransport below;
    CappedTransport capped;
    Scheduler scheduler{&capped};
    CappedFixture(int cap) {
        capped.below = &below;
        capped.cap = cap;
    }
    // The owner's part: the transport below answered id.
    void answer(uint32_t id, int64_t now_us, int status = 200) {
        Completion c;
        c.status = status;
        capped.finished(RequestId{id}, now_us);
        scheduler.complete(RequestId{id}, c, now_us);
    }
};

TEST(CappedTransport, HoldsBeyondTheCapAndStartsTheLongestHeldWhenOneEnds) {
    CappedFixture f(64);
    f.scheduler.begin(desc_of(CodePath::concurrent, 200, 100), 0);
    ASSERT_EQ(f.below.started.size(), 64u);
    EXPECT_EQ(f.capped.held(), 136u);
    EXPECT_EQ(f.scheduler.run().in_flight, 200) << "to the program every call is sent: the page holds them, as the browser would";
    for (size_t i = 0; i < 64; ++i) EXPECT_EQ(request_index(RequestId{f.below.started[i]}), int(i));
    f.answer(f.below.started[10], 100 * ms);
    ASSERT_EQ(f.below.started.size(), 65u);
    EXPECT_EQ(request_index(RequestId{f.below.started[64]}), 64) << "first come, first served";
    // Answer everything in the order it reached the transport below: the run ends with every call ok.
    for (size_t i = 0; i < f.below.started.size() && i < 1000; ++i)
        if (i != 10) f.answer(f.below.started[i], int64_t(200 + i) * ms);
    EXPECT_EQ(f.scheduler.run().state, RunState::finished);
    EXPECT_EQ(compute_stats(f.scheduler.run()).ok, 200);
    EXPECT_EQ(f.capped.most_open(), 64u);
    EXPECT_EQ(f.capped.open(), 0u);
    EXPECT_EQ(f.capped.held(), 0u);
}

TEST(CappedTransport, CancelAbortsOnlyWhatReachedTheTransportBelow) {
    CappedFixture f(8);
    f.scheduler.begin(desc_of(CodePath::concurrent, 30, 100), 0);
    f.scheduler.cancel(50 * ms);
    EXPECT_EQ(f.below.aborted.size(), 8u);
    EXPECT_EQ(f.below.started.size(), 8u) << "a cancel never sends a held request on its way out";
    EXPECT_EQ(f.capped.open() + f.capped.held(), 0u);
    EXPECT_EQ(compute_stats(f.scheduler.run()).cancelled, 30);
}

TEST(CappedTransport, AHeldRequestThatTimesOutIsNeverSent) {
    CappedFixture f(2);
    f.scheduler.begin(desc_of(CodePath::concurrent, 5, 100), 0);
    ASSERT_EQ(f.below.started.size(), 2u);
    f.scheduler.advance(program_timeout_ms * ms);  // nothing answered: all five time out, the two open ones are aborted
    f.capped.settle(program_timeout_ms * ms);
    EXPECT_EQ(f.below.started.size(), 2u) << "held ones are dropped, not started and aborted";
    EXPECT_EQ(f.below.aborted.size(), 2u);
    EXPECT_EQ(f.capped.held(), 0u);
    EXPECT_EQ(compute_stats(f.scheduler.run()).timeouts, 5);
}

TEST(CappedTransport, AFailureReportedFromInsideStartFreesItsPlace) {
    CappedFixture f(3);
    std::set<uint32_t> answered;
    f.below.fail_inside_start = [&](RequestId id) {
        if (request_index(id) % 2 == 0) {  // every even request is refused at once
            answered.insert(id.value);
            f.answer(id.value, 0, 0);
        }
    };
    f.scheduler.begin(desc_of(CodePath::concurrent, 12, 100), 0);
    EXPECT_LE(f.capped.most_open(), 3u);
    // The odd ones are open or held: answer the open ones, oldest first, until the run ends.
    for (int guard = 0; f.scheduler.running() && guard < 100; ++guard) {
        for (uint32_t id : f.below.started) {
            if (answered.count(id)) continue;
            answered.insert(id);
            f.answer(id, 100 * ms);
            break;
        }
    }
    EXPECT_EQ(f.scheduler.run().state, RunState::finished);
    EXPECT_EQ(f.below.started.size(), 12u);
    const RunStats s = compute_stats(f.scheduler.run());
    EXPECT_EQ(s.ok, 6);
    EXPECT_EQ(s.network_errors, 6);
    EXPECT_LE(f.capped.most_open(), 3u);
}

TEST(CappedTransport, AnAbortedPlaceGoesToTheLongestHeldOnSettle) {
    // (A timeout aborts one request; the owner settles after the scheduler's call.)
    ManualTransport below;
    CappedTransport capped;
    capped.below = &below;
    capped.cap = 2;
    const RequestSpec spec;
    for (int i = 0; i < 4; ++i) capped.start(make_request_id(1, i), spec, 0);
    ASSERT_EQ(below.started.size(), 2u);
    capped.abort(make_request_id(1, 1), 300 * ms);
    EXPECT_EQ(below.started.size(), 2u) << "not at once: a cancel aborts everything in turn";
    capped.settle(300 * ms);
    ASSERT_EQ(below.started.size(), 3u);
    EXPECT_EQ(request_index(RequestId{below.started[2]}), 2);
    capped.abort(make_request_id(1, 3), 310 * ms);  // held: dropped, never sent
    capped.settle(310 * ms);
    EXPECT_EQ(below.started.size(), 3u);
    EXPECT_EQ(below.aborted.size(), 1u);
    EXPECT_EQ(capped.open(), 2u);
    EXPECT_EQ(capped.held(), 0u);
}

TEST(CappedTransport, NoCapPassesEverythingStraightThrough) {
    CappedFixture f(0);
    f.scheduler.begin(desc_of(CodePath::concurrent, 500, 100), 0);
    EXPECT_EQ(f.below.started.size(), 500u);
    EXPECT_EQ(f.capped.held(), 0u);
}

TEST(CappedTransport, ANoAnswerAmongTooManyOpenNamesTheBrowsersRefusal) {
    EXPECT_EQ(no_answer_reason(5).find("refused it"), std::string::npos);
    EXPECT_NE(no_answer_reason(5).find("connection refused"), std::string::npos);
    const std::string many = no_answer_reason(1400);
    EXPECT_NE(many.find("the browser refused it"), std::string::npos) << many;
    EXPECT_NE(many.find("1400 requests open"), std::string::npos) << many;
    EXPECT_LT(page_open_requests_per_server, browser_refuses_beyond) << "the page never gives a server more than the browser holds";
}
