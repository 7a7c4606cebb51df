// Tests of analysis.h and runfile.h in virtual time: phase spans, queue reasons, scaling sweeps, replay
// states, prediction scores, the history as CSV, and run files (round trips, rejections, fuzzed input).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "core/analysis.h"
#include "core/runfile.h"
#include "core/virtual_transport.h"
#include "fixtures.h"

using namespace ap;

using namespace ap::test;

// ---- Phase spans ------------------------------------------------------------------------------------------

TEST(Phases, ARequestBehindASemaphoreIsQueuedThenWaits) {
    Player p;
    const ap::Run& run = p.play(desc_of(CodePath::bounded, 4, 100, 2));
    const RequestTrace& r = run.requests[3];
    EXPECT_EQ(request_phase(r, 50 * ms), Phase::queued);
    const std::vector<PhaseSpan> spans = request_phases(r, run.end_us);
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0].phase, Phase::queued);
    EXPECT_EQ(spans[0].from_us, 0);
    EXPECT_EQ(spans[0].to_us, 100 * ms);
    EXPECT_EQ(spans[1].phase, Phase::waiting);
    EXPECT_EQ(spans[1].from_us, 100 * ms);
    EXPECT_EQ(spans[1].to_us, 200 * ms);
}

TEST(Phases, CpuWorkIsHandlingAndAnAnswerWaitsForTheBusyLoop) {
    Player p;
    RunDesc d = desc_of(CodePath::concurrent, 3, 100);
    d.cpu_ms = 50;
    const ap::Run& run = p.play(d);
    const std::vector<PhaseSpan> first = request_phases(run.requests[0], run.end_us);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[1].phase, Phase::handling);
    EXPECT_EQ(first[1].from_us, 100 * ms);
    EXPECT_EQ(first[1].to_us, 150 * ms);
    // The last answer came at 100 ms but the loop was busy with the two before it until 200 ms: it waits.
    const RequestTrace& last = run.requests[2];
    EXPECT_EQ(last.answered_us, 100 * ms);
    EXPECT_EQ(request_phase(last, 150 * ms), Phase::waiting);
    const std::vector<PhaseSpan> spans = request_phases(last, run.end_us);
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0].phase, Phase::waiting);
    EXPECT_EQ(spans[0].to_us, 200 * ms) << "the attempt and the wait for the loop read as one wait";
    EXPECT_EQ(spans[1].phase, Phase::handling);
    EXPECT_EQ(spans[1].from_us, 200 * ms);
    EXPECT_EQ(spans[1].to_us, 250 * ms);
}

TEST(Phases, BackOffBetweenAttempts) {
    Player p;
    RunDesc d = desc_of(CodePath::retry_backoff, 2, 100);
    d.retries = 1;
    p.transport.answer = fail_first_attempt(1);
    const ap::Run& run = p.play(d);
    const int64_t b = backoff_us(d, 1, 1);
    const std::vector<PhaseSpan> spans = request_phases(run.requests[1], run.end_us);
    ASSERT_EQ(spans.size(), 3u);
    EXPECT_EQ(spans[0].phase, Phase::waiting);
    EXPECT_EQ(spans[0].to_us, 100 * ms);
    EXPECT_EQ(spans[1].phase, Phase::backing_off);
    EXPECT_EQ(spans[1].from_us, 100 * ms);
    EXPECT_EQ(spans[1].to_us, 100 * ms + b);
    EXPECT_EQ(spans[2].phase, Phase::waiting);
    EXPECT_EQ(spans[2].to_us, 200 * ms + b);
    EXPECT_EQ(request_phase(run.requests[1], 100 * ms + b / 2), Phase::backing_off);
}

TEST(Phases, OpenPhasesCloseAtTheGivenEnd) {
    // Still running at 50 ms: the in-flight request waits until "now", the fourth is queued until now.
    Player p;
    const ap::Run& running = p.snapshot(desc_of(CodePath::bounded, 4, 100, 2), 50 * ms);
    ASSERT_EQ(running.state, RunState::running);
    std::vector<PhaseSpan> s = request_phases(running.requests[0], 50 * ms);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].phase, Phase::waiting);
    EXPECT_EQ(s[0].to_us, 50 * ms);
    s = request_phases(running.requests[3], 50 * ms);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].phase, Phase::queued);
    EXPECT_EQ(s[0].to_us, 50 * ms);

    // Sleeping before a retry at 160 ms: the back-off is open.
    Player q;
    RunDesc d = desc_of(CodePath::retry_backoff, 1, 100);
    d.retries = 1;
    d.timeout_ms = 150;
    q.transport.answer = [](RequestId id, const RequestSpec& spec) {
        VirtualAnswer a = VirtualTransport::default_answer(spec);
        a.never = request_attempt(id) == 0;
        return a;
    };
    const ap::Run& sleeping = q.snapshot(d, 160 * ms);
    ASSERT_GE(sleeping.requests[0].retry_at_us, 0);
    s = request_phases(sleeping.requests[0], 160 * ms);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[1].phase, Phase::backing_off);
    EXPECT_EQ(s[1].from_us, 150 * ms);
    EXPECT_EQ(s[1].to_us, 160 * ms);

    // Cancelled at 150 ms: the request that never started was queued until the cancel.
    Player c;
    const ap::Run& cancelled = c.play_and_cancel(desc_of(CodePath::bounded, 10, 100, 4), 150 * ms);
    s = request_phases(cancelled.requests[9], cancelled.end_us);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].phase, Phase::queued);
    EXPECT_EQ(s[0].to_us, 150 * ms);
    s = request_phases(cancelled.requests[5], cancelled.end_us);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[1].phase, Phase::waiting);
    EXPECT_EQ(s[1].from_us, 100 * ms);
    EXPECT_EQ(s[1].to_us, 150 * ms);

    // A loop's later calls are not scheduled yet: no spans at all.
    Player l;
    const ap::Run& loop = l.snapshot(desc_of(CodePath::sequential, 3, 100), 50 * ms);
    EXPECT_TRUE(request_phases(loop.requests[2], 50 * ms).empty());
}

TEST(Phases, EverySpanAgreesWithRequestPhase) {
    std::vector<RunDesc> descs;
    for (int p = 0; p < code_path_count; ++p) {
        RunDesc plain = desc_of(CodePath(p), 7, 100, 3);
        descs.push_back(plain);
        RunDesc busy = plain;
        busy.cpu_ms = 20;
        busy.spread = Spread::uneven;
        descs.push_back(busy);
        RunDesc flaky = plain;
        flaky.fail_pct = 40;
        flaky.retries = 2;
        flaky.backoff_ms = 30;
        flaky.timeout_ms = 400;
        flaky.spread = Spread::slow_tail;
        flaky.slow_every = 3;
        flaky.slow_ms = 900;
        flaky.cpu_ms = 10;
        descs.push_back(flaky);
    }
    int spans_checked = 0;
    for (const RunDesc& d : descs) {
        for (int mode = 0; mode < 3; ++mode) {
            Player p;
            const ap::Run& run = mode == 0 ? p.play(d) : mode == 1 ? p.play_and_cancel(d, 230 * ms) : p.snapshot(d, 230 * ms);
            const int64_t end = run.state == RunState::running ? 230 * ms : run.end_us;
            for (const RequestTrace& r : run.requests) {
                const std::vector<PhaseSpan> spans = request_phases(r, end);
                for (size_t i = 0; i < spans.size(); ++i) {
                    const PhaseSpan& s = spans[i];
                    ASSERT_NE(s.phase, Phase::none);
                    ASSERT_LT(s.from_us, s.to_us) << "no empty spans";
                    if (i > 0) {
                        ASSERT_LE(spans[i - 1].to_us, s.from_us) << "ordered, not overlapping";
                        ASSERT_FALSE(spans[i - 1].to_us == s.from_us && spans[i - 1].phase == s.phase) << "merged";
                    }
                    ASSERT_EQ(request_phase(r, (s.from_us + s.to_us) / 2), s.phase) << code_path_name(d.path) << " mode " << mode;
                    ++spans_checked;
                }
                // Every instant up to the end: inside a span exactly when request_phase says a phase.
                for (int64_t t = -10 * ms; t < end; t += 7 * ms) {
                    Phase in = Phase::none;
                    for (const PhaseSpan& s : spans) {
                        if (s.from_us <= t && t < s.to_us) in = s.phase;
                    }
                    ASSERT_EQ(in, request_phase(r, t)) << code_path_name(d.path) << " mode " << mode << " t " << t;
                }
            }
        }
    }
    EXPECT_GT(spans_checked, 500);
}

// ---- Why requests queue -----------------------------------------------------------------------------------

TEST(QueueReason, NamesWhatEachCodePathWaitsFor) {
    EXPECT_STREQ(queue_reason(desc_of(CodePath::bounded, 10, 100)), "waiting for a semaphore slot");
    EXPECT_TRUE(contains(queue_reason(desc_of(CodePath::pool_limit, 10, 100)), "free connection in the pool"));
    EXPECT_TRUE(contains(queue_reason(desc_of(CodePath::thread_pool, 10, 100)), "worker thread"));
    EXPECT_TRUE(contains(queue_reason(desc_of(CodePath::sequential, 10, 100)), "previous call"));
    EXPECT_TRUE(contains(queue_reason(desc_of(CodePath::blocking_in_async, 10, 100)), "the event loop, blocked"));
    EXPECT_TRUE(contains(queue_reason(desc_of(CodePath::concurrent, 10, 100)), "not waiting"));
    for (int p = 0; p < code_path_count; ++p) {
        const std::string cause = code_path_info(CodePath(p)).queue_cause;
        if (!cause.empty()) EXPECT_EQ(queue_reason(desc_of(CodePath(p), 10, 100)), "waiting for " + cause) << "wraps, never restates";
    }
}

TEST(QueueReason, TheDevServerNamesTheBrowsersSixConnections) {
    RunDesc d = desc_of(CodePath::concurrent, 20, 100);
    d.api = Api::server;
    EXPECT_TRUE(contains(queue_reason(d), "browser's 6 connections")) << queue_reason(d);
    d.count = 4;  // never more than 6 at once: the cap does not matter
    EXPECT_FALSE(contains(queue_reason(d), "browser"));
    RunDesc k = desc_of(CodePath::bounded, 20, 100, 10);
    k.api = Api::server;
    EXPECT_TRUE(contains(queue_reason(k), "semaphore slot"));
    EXPECT_TRUE(contains(queue_reason(k), "6 connections"));
    k.limit = 5;
    EXPECT_STREQ(queue_reason(k), "waiting for a semaphore slot");
    k.api = Api::page;
    k.limit = 10;
    EXPECT_FALSE(contains(queue_reason(k), "browser")) << "the in-page API has no connection cap";
}

// ---- Sweeps -----------------------------------------------------------------------------------------------

TEST(Sweep, CountsAndShares) {
    EXPECT_EQ(sweep_counts(100), (std::vector<int>{1, 2, 3, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100}));
    EXPECT_EQ(sweep_counts(7), (std::vector<int>{1, 2, 3, 5, 7}));
    EXPECT_EQ(sweep_counts(250), (std::vector<int>{1, 2, 3, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, 200, 250}));
    EXPECT_EQ(sweep_counts(0), (std::vector<int>{1}));
    EXPECT_EQ(sweep_counts(1), (std::vector<int>{1}));
    const std::vector<int> all = sweep_counts(50000);
    EXPECT_EQ(all.back(), Limits::max_count);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1], all[i]);
    const std::vector<double> shares = sweep_shares();
    ASSERT_EQ(shares.size(), 11u);
    EXPECT_DOUBLE_EQ(shares.front(), 0.0);
    EXPECT_DOUBLE_EQ(shares[3], 0.3);
    EXPECT_DOUBLE_EQ(shares.back(), 1.0);
}

TEST(Sweep, SequentialGrowsLinearlyConcurrentStaysBoundedClimbsInSteps) {
    const RunDesc base = desc_of(CodePath::sequential, 10, 200);
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<int> counts = sweep_counts(100);
    const SweepSeries seq = sweep_by_count(base, CodePath::sequential, counts);
    const SweepSeries con = sweep_by_count(base, CodePath::concurrent, counts);
    const SweepSeries bnd = sweep_by_count(base, CodePath::bounded, counts);
    const double took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ timing   ] 3 sweeps of %zu counts up to 100: %.2f ms\n", counts.size(), took_ms);

    ASSERT_EQ(seq.points.size(), counts.size());
    EXPECT_EQ(seq.path, CodePath::sequential);
    for (size_t i = 0; i < counts.size(); ++i) {
        EXPECT_DOUBLE_EQ(seq.points[i].x, counts[i]);
        EXPECT_DOUBLE_EQ(seq.points[i].wall_ms, counts[i] * 200.0);
        EXPECT_DOUBLE_EQ(seq.points[i].speedup, 1.0);
        EXPECT_DOUBLE_EQ(con.points[i].wall_ms, 200.0);
        EXPECT_DOUBLE_EQ(con.points[i].speedup, double(counts[i]));
        EXPECT_DOUBLE_EQ(bnd.points[i].wall_ms, double((counts[i] + 4) / 5) * 200.0) << "N=" << counts[i];
    }
    EXPECT_DOUBLE_EQ(seq.points.back().wall_ms / seq.points[4].wall_ms, 10.0) << "wall(100) / wall(10)";

    const SweepSeries steps = sweep_by_count(base, CodePath::bounded, {5, 6, 7, 8, 9, 10, 11});
    EXPECT_DOUBLE_EQ(steps.points[0].wall_ms, 200.0);
    for (int i = 1; i <= 5; ++i) EXPECT_DOUBLE_EQ(steps.points[size_t(i)].wall_ms, 400.0) << "N=6..10 is two waves";
    EXPECT_DOUBLE_EQ(steps.points[6].wall_ms, 600.0);

    // Clamped like any desc: N = 20000 is modelled (and reported) as 10,000.
    const SweepSeries big = sweep_by_count(base, CodePath::concurrent, {20000});
    EXPECT_DOUBLE_EQ(big.points[0].x, Limits::max_count);
    EXPECT_DOUBLE_EQ(big.points[0].wall_ms, 200.0);
}

TEST(Sweep, TheDevServerIsHeldToSixConnections) {
    RunDesc base = desc_of(CodePath::concurrent, 10, 200);
    base.api = Api::server;
    const SweepSeries s = sweep_by_count(base, CodePath::concurrent, {6, 7, 12, 13});
    EXPECT_DOUBLE_EQ(s.points[0].wall_ms, 200.0);
    EXPECT_DOUBLE_EQ(s.points[1].wall_ms, 400.0);
    EXPECT_DOUBLE_EQ(s.points[2].wall_ms, 400.0);
    EXPECT_DOUBLE_EQ(s.points[3].wall_ms, 600.0);
}

TEST(Sweep, CpuShareTakesTheGainAway) {
    const RunDesc base = desc_of(CodePath::sequential, 10, 200);
    const SweepSeries con = sweep_by_cpu_share(base, CodePath::concurrent, sweep_shares());
    ASSERT_EQ(con.points.size(), 11u);
    EXPECT_DOUBLE_EQ(con.points.front().x, 0.0);
    EXPECT_DOUBLE_EQ(con.points.front().speedup, 10.0) << "pure waiting: N at once";
    EXPECT_DOUBLE_EQ(con.points.back().x, 1.0);
    EXPECT_DOUBLE_EQ(con.points.back().speedup, 1.0) << "pure CPU: one thread does it all";
    EXPECT_DOUBLE_EQ(con.points.back().wall_ms, 10 * 200.0);
    // share 0.5: 100 ms waits overlap, 10 x 100 ms of CPU do not.
    EXPECT_DOUBLE_EQ(con.points[5].wall_ms, 100.0 + 10 * 100.0);
    for (size_t i = 1; i < con.points.size(); ++i) EXPECT_LE(con.points[i].speedup, con.points[i - 1].speedup + 1e-9);

    const SweepSeries bnd = sweep_by_cpu_share(base, CodePath::bounded, sweep_shares());
    EXPECT_DOUBLE_EQ(bnd.points.front().speedup, 5.0);
    EXPECT_DOUBLE_EQ(bnd.points.back().speedup, 1.0);
    for (size_t i = 1; i < bnd.points.size(); ++i) EXPECT_LE(bnd.points[i].speedup, bnd.points[i - 1].speedup + 1e-9);

    // The work per request is capped at 2 s of CPU so that share 1.0 stays a valid desc.
    RunDesc slow = base;
    slow.latency_ms = 5000;
    const SweepSeries capped = sweep_by_cpu_share(slow, CodePath::concurrent, {0.0, 1.0});
    EXPECT_DOUBLE_EQ(capped.points[0].wall_ms, 2000.0);
    EXPECT_DOUBLE_EQ(capped.points[1].wall_ms, 10 * 2000.0);
    // No work at all: 100 ms each.
    RunDesc none = base;
    none.latency_ms = 0;
    EXPECT_DOUBLE_EQ(sweep_by_cpu_share(none, CodePath::sequential, {0.0}).points[0].wall_ms, 10 * 100.0);
}

// ---- Replay -----------------------------------------------------------------------------------------------

TEST(Replay, ABoundedRunInstantByInstant) {
    Player p;
    const ap::Run& run = p.play(desc_of(CodePath::bounded, 10, 200, 5));
    ReplayState s = replay_at(run, 100 * ms);
    EXPECT_EQ(s.per_phase[int(Phase::waiting)], 5);
    EXPECT_EQ(s.per_phase[int(Phase::queued)], 5);
    EXPECT_EQ(s.done, 0);
    EXPECT_EQ(s.not_yet_scheduled, 0);
    EXPECT_EQ(s.loop, LoopState::waiting_for_io);
    EXPECT_EQ(s.loop_request, -1);
    EXPECT_EQ(describe_replay(run, s),
              "at 100 ms: 5 waiting for the API, 5 queued (waiting for a semaphore slot), 0 done; the event loop waits for answers");
    s = replay_at(run, 200 * ms);
    EXPECT_EQ(s.done, 5);
    EXPECT_EQ(s.per_phase[int(Phase::waiting)], 5);
    EXPECT_EQ(s.per_phase[int(Phase::queued)], 0);
    s = replay_at(run, 400 * ms);
    EXPECT_EQ(s.done, 10);
    EXPECT_EQ(s.per_phase[int(Phase::none)], 10);
    EXPECT_EQ(s.loop, LoopState::idle);
    EXPECT_EQ(describe_replay(run, s), "at 400 ms: 10 done; the event loop is idle");
}

TEST(Replay, TimesAreRelativeToTheRunsStart) {
    Player a, b;
    const ap::Run& early = a.play(desc_of(CodePath::bounded, 10, 200, 5), 0);
    const ap::Run& late = b.play(desc_of(CodePath::bounded, 10, 200, 5), 7777 * ms);
    for (int64_t t : {0LL, 150LL * ms, 250LL * ms}) {
        const ReplayState x = replay_at(early, t), y = replay_at(late, t);
        EXPECT_EQ(describe_replay(early, x), describe_replay(late, y));
        EXPECT_EQ(y.t_us, t);
    }
}

TEST(Replay, ABlockingLoopIsBlockedAnAsyncLoopWaits) {
    Player p;
    const ap::Run& loop = p.play(desc_of(CodePath::sequential, 3, 100));
    ReplayState s = replay_at(loop, 150 * ms);
    EXPECT_EQ(s.per_phase[int(Phase::waiting)], 1);
    EXPECT_EQ(s.not_yet_scheduled, 1);
    EXPECT_EQ(s.done, 1);
    EXPECT_EQ(s.loop, LoopState::blocked);
    EXPECT_EQ(s.loop_request, 1);
    EXPECT_EQ(describe_replay(loop, s),
              "at 150 ms: 1 waiting for the API, 1 not reached yet, 1 done; the program's thread is blocked in request 2's call");

    Player q;
    const ap::Run& awaiting = q.play(desc_of(CodePath::await_in_loop, 3, 100));
    s = replay_at(awaiting, 50 * ms);
    EXPECT_EQ(s.loop, LoopState::waiting_for_io) << "await gives the loop back";
    EXPECT_EQ(s.not_yet_scheduled, 2);

    Player r;
    const ap::Run& blocking = r.play(desc_of(CodePath::blocking_in_async, 3, 100));
    s = replay_at(blocking, 50 * ms);
    EXPECT_EQ(s.per_phase[int(Phase::queued)], 2);
    EXPECT_EQ(s.loop, LoopState::blocked);
    EXPECT_EQ(s.loop_request, 0);
    const std::string text = describe_replay(blocking, s);
    EXPECT_TRUE(contains(text, "2 queued (waiting for the event loop, blocked by the call before)")) << text;
    EXPECT_TRUE(contains(text, "the event loop is blocked in request 1's call")) << text;
}

TEST(Replay, ComputingAndBackingOff) {
    Player p;
    RunDesc d = desc_of(CodePath::concurrent, 3, 100);
    d.cpu_ms = 50;
    const ap::Run& run = p.play(d);
    ReplayState s = replay_at(run, 120 * ms);
    EXPECT_EQ(s.per_phase[int(Phase::handling)], 1);
    EXPECT_EQ(s.per_phase[int(Phase::waiting)], 2) << "two answers wait for the busy loop";
    EXPECT_EQ(s.loop, LoopState::computing);
    EXPECT_EQ(s.loop_request, 0);
    EXPECT_EQ(s.ready, 2);
    EXPECT_TRUE(contains(describe_replay(run, s), "the event loop is running request 1's CPU work"));
    EXPECT_TRUE(contains(describe_replay(run, s), "2 ready (the answer is in, the loop is busy)")) << describe_replay(run, s);
    EXPECT_FALSE(contains(describe_replay(run, s), "waiting for the API")) << "their answers are in";
    s = replay_at(run, 210 * ms);
    EXPECT_EQ(s.loop_request, 2);
    EXPECT_EQ(s.done, 2);

    Player q;
    RunDesc r = desc_of(CodePath::retry_backoff, 2, 100);
    r.retries = 1;
    q.transport.answer = fail_first_attempt(1);
    const ap::Run& retried = q.play(r);
    s = replay_at(retried, 100 * ms + backoff_us(r, 1, 1) / 2);
    EXPECT_EQ(s.per_phase[int(Phase::backing_off)], 1);
    EXPECT_EQ(s.done, 1);
    EXPECT_EQ(s.loop, LoopState::waiting_for_io) << "asyncio.sleep is a timer the loop waits for";
    EXPECT_TRUE(contains(describe_replay(retried, s), "1 sleeping before a retry"));
}

TEST(Replay, ACancelledRunEndsEveryRequestAtTheCancel) {
    Player p;
    const ap::Run& run = p.play_and_cancel(desc_of(CodePath::bounded, 10, 100, 4), 150 * ms);
    ReplayState s = replay_at(run, 120 * ms);
    EXPECT_EQ(s.done, 4);
    EXPECT_EQ(s.per_phase[int(Phase::waiting)], 4);
    EXPECT_EQ(s.per_phase[int(Phase::queued)], 2);
    s = replay_at(run, 150 * ms);
    EXPECT_EQ(s.done, 10) << "the two that never started ended with the run";
    EXPECT_EQ(s.per_phase[int(Phase::queued)], 0);
    EXPECT_EQ(s.loop, LoopState::idle);
}

TEST(Replay, LoopStateLabels) {
    EXPECT_STREQ(loop_state_label(LoopState::idle), "idle");
    EXPECT_STREQ(loop_state_label(LoopState::waiting_for_io), "waiting for answers (select)");
    EXPECT_STREQ(loop_state_label(LoopState::computing), "computing");
    EXPECT_TRUE(contains(loop_state_label(LoopState::blocked), "blocked"));
}

// ---- Predictions ------------------------------------------------------------------------------------------

TEST(Prediction, StarsByHowCloseTheGuessWas) {
    PredictionScore s = score_prediction(920, 1000);
    EXPECT_EQ(s.stars, 3);
    EXPECT_NEAR(s.error_pct, 8.0, 1e-9);
    EXPECT_NEAR(s.ratio, 0.92, 1e-12);
    EXPECT_EQ(s.words, "within 8%: spot on");
    EXPECT_EQ(score_prediction(1000, 1000).stars, 3);
    EXPECT_EQ(score_prediction(1100, 1000).stars, 3) << "10 % is still within 10 %";
    EXPECT_EQ(score_prediction(1101, 1000).stars, 2);
    EXPECT_EQ(score_prediction(750, 1000).stars, 2);
    EXPECT_EQ(score_prediction(749, 1000).stars, 1);
    EXPECT_EQ(score_prediction(1500, 1000).stars, 1);
    EXPECT_TRUE(contains(score_prediction(1400, 1000).words, "within 40%"));
    s = score_prediction(2400, 1000);
    EXPECT_EQ(s.stars, 0);
    EXPECT_EQ(s.words, "2.4x too slow a guess");
    s = score_prediction(400, 1000);
    EXPECT_EQ(s.stars, 0);
    EXPECT_EQ(s.words, "2.5x too fast a guess");
    s = score_prediction(0, 1000);
    EXPECT_EQ(s.stars, 0);
    EXPECT_TRUE(contains(s.words, "a guess of 0 ms"));
}

TEST(Prediction, NothingToScoreIsSaidAndNeverCrashes) {
    for (auto [guess, actual] : {std::pair{-1.0, 1000.0}, {500.0, 0.0}, {500.0, -3.0}, {-1.0, 0.0}, {std::nan(""), 100.0},
                                 {100.0, std::nan("")}, {1e300, 1e-300}}) {
        const PredictionScore s = score_prediction(guess, actual);
        EXPECT_FALSE(s.words.empty());
        if (!(guess >= 0) || !(actual > 0)) {
            EXPECT_EQ(s.stars, 0);
            EXPECT_TRUE(contains(s.words, "nothing to score")) << s.words;
        }
    }
}

// ---- CSV --------------------------------------------------------------------------------------------------

TEST(Csv, FieldsAreQuotedOnlyWhenTheyMustBe) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
}

TEST(Csv, TheHistoryAsASpreadsheet) {
    History h;
    Player a, b, c;
    RunDesc bounded = desc_of(CodePath::bounded, 10, 200, 5);
    const HistoryEntry* e = h.add(a.play(bounded), 500);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->guess_ms, 500);
    h.add(b.play(desc_of(CodePath::sequential, 3, 100)));
    h.add(c.play_and_cancel(desc_of(CodePath::concurrent, 4, 100), 50 * ms));
    const std::string csv = history_to_csv(h);
    const std::string header =
        "run,path,api,requests,latency_ms,limit,cpu_ms,spread,wall_ms,expected_ms,sum_ms,slowest_ms,ok,http_errors,"
        "network_errors,timeouts,cancelled,speedup,guess_ms,guess_error_pct\r\n";
    ASSERT_EQ(csv.substr(0, header.size()), header);
    std::vector<std::string> rows;
    for (size_t pos = header.size(); pos < csv.size();) {
        const size_t end = csv.find("\r\n", pos);
        ASSERT_NE(end, std::string::npos) << "every row ends with CRLF";
        rows.push_back(csv.substr(pos, end - pos));
        pos = end + 2;
    }
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0], "1,bounded,simulated,10,200,5,0,even,400.0,400.0,2000.0,200.0,10,0,0,0,0,5.00,500.0,25.0");
    EXPECT_EQ(rows[1], "2,sequential,simulated,3,100,,0,even,300.0,300.0,300.0,100.0,3,0,0,0,0,1.00,,");
    EXPECT_EQ(rows[2], "3,concurrent,simulated,4,100,,0,even,50.0,100.0,200.0,50.0,0,0,0,0,4,8.00,,");
    for (const std::string& r : rows) EXPECT_EQ(std::count(r.begin(), r.end(), ','), 19);
    EXPECT_EQ(history_to_csv(History{}), header);
}

// ---- Run files --------------------------------------------------------------------------------------------

namespace {

void expect_same_stats(const RunStats& a, const RunStats& b) {
    EXPECT_EQ(a.count, b.count);
    EXPECT_EQ(a.started, b.started);
    EXPECT_EQ(a.ok, b.ok);
    EXPECT_EQ(a.http_errors, b.http_errors);
    EXPECT_EQ(a.network_errors, b.network_errors);
    EXPECT_EQ(a.timeouts, b.timeouts);
    EXPECT_EQ(a.cancelled, b.cancelled);
    EXPECT_DOUBLE_EQ(a.wall_ms, b.wall_ms);
    EXPECT_DOUBLE_EQ(a.sum_ms, b.sum_ms);
    EXPECT_DOUBLE_EQ(a.slowest_ms, b.slowest_ms);
    EXPECT_DOUBLE_EQ(a.mean_ms, b.mean_ms);
    EXPECT_DOUBLE_EQ(a.mean_queued_ms, b.mean_queued_ms);
    EXPECT_EQ(a.peak_in_flight, b.peak_in_flight);
    EXPECT_DOUBLE_EQ(a.expected_ms, b.expected_ms);
    EXPECT_DOUBLE_EQ(a.sequential_estimate_ms, b.sequential_estimate_ms);
    EXPECT_DOUBLE_EQ(a.speedup, b.speedup);
    EXPECT_DOUBLE_EQ(a.expected_speedup, b.expected_speedup);
}

// A file to break in the rejection tests: 3 requests, one retried after a 503.
std::string sample_file() {
    static const std::string text = [] {
        Player p;
        RunDesc d = desc_of(CodePath::retry_backoff, 3, 100);
        d.retries = 2;
        d.cpu_ms = 5;
        p.transport.answer = fail_first_attempt(1);
        return run_to_file(p.play(d), 250);
    }();
    return text;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

std::string load_error(const std::string& text) {
    ap::Run run;
    std::string error;
    EXPECT_FALSE(run_from_file(text, &run, nullptr, &error));
    return error;
}

}  // namespace

TEST(RunFile, RoundTripsRunsExactly) {
    struct Case {
        const char* name;
        RunDesc desc;
        int64_t start_us;
        int64_t cancel_at_us;  // -1: play to the end
        double guess;
    };
    RunDesc bounded = desc_of(CodePath::bounded, 12, 100, 4);
    bounded.cpu_ms = 15;
    bounded.fail_pct = 25;
    bounded.spread = Spread::uneven;
    RunDesc retries = desc_of(CodePath::retry_backoff, 10, 100);
    retries.retries = 3;
    retries.fail_pct = 40;
    retries.cpu_ms = 10;
    retries.timeout_ms = 400;
    retries.backoff_ms = 50;
    retries.spread = Spread::slow_tail;
    retries.slow_every = 4;
    retries.slow_ms = 1000;
    RunDesc server = desc_of(CodePath::concurrent, 8, 300);
    server.api = Api::server;
    server.base_url = "http://localhost:8000/\"odd\" \\ caf\xc3\xa9\n";
    RunDesc cpu_cancel = desc_of(CodePath::bounded, 10, 100, 4);
    cpu_cancel.cpu_ms = 30;
    const Case cases[] = {
        {"sequential", desc_of(CodePath::sequential, 5, 120), 7 * ms, -1, -1},
        {"bounded, failures, CPU work, uneven", bounded, 123456, -1, 812.5},
        {"retries, timeouts, back-off", retries, 0, -1, 0},
        {"cancelled mid-way", desc_of(CodePath::bounded, 10, 100, 4), 5 * ms, 150 * ms, 1234},
        {"cancelled during CPU work", cpu_cancel, 0, 150 * ms, -1},
        {"server API with an odd base URL", server, 42, -1, 0.1},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        Player p;
        ap::Run original;
        if (c.cancel_at_us < 0) {
            original = p.play(c.desc, c.start_us);
        } else {
            p.scheduler.begin(c.desc, c.start_us);
            p.advance_to(c.start_us + c.cancel_at_us);
            p.scheduler.cancel(c.start_us + c.cancel_at_us);
            original = p.scheduler.run();
        }
        const std::string text = run_to_file(original, c.guess);
        ap::Run loaded;
        double guess = 99;
        std::string error;
        ASSERT_TRUE(run_from_file(text, &loaded, &guess, &error)) << error << "\n" << text;
        EXPECT_TRUE(error.empty());
        EXPECT_EQ(run_to_file(loaded, guess), text) << "save, load, save: the same text";
        EXPECT_EQ(guess, c.guess);
        EXPECT_EQ(loaded.desc, original.desc);
        EXPECT_EQ(loaded.state, original.state);
        EXPECT_EQ(loaded.start_us, 0);
        EXPECT_EQ(loaded.end_us, original.end_us - original.start_us);
        EXPECT_EQ(loaded.generation, 0);
        EXPECT_EQ(loaded.ended, c.desc.count);
        EXPECT_EQ(loaded.in_flight, 0);
        EXPECT_EQ(loaded.next_index, c.desc.count);
        expect_same_stats(compute_stats(loaded), compute_stats(original));
        for (size_t i = 0; i < original.requests.size(); ++i) {
            const std::vector<PhaseSpan> a = request_phases(original.requests[i], original.end_us);
            const std::vector<PhaseSpan> b = request_phases(loaded.requests[i], loaded.end_us);
            ASSERT_EQ(a.size(), b.size());
            for (size_t s = 0; s < a.size(); ++s) {
                EXPECT_EQ(a[s].phase, b[s].phase);
                EXPECT_EQ(a[s].from_us - original.start_us, b[s].from_us);
            }
            EXPECT_EQ(loaded.requests[i].reason, original.requests[i].reason);
            EXPECT_EQ(loaded.requests[i].attempts.size(), original.requests[i].attempts.size());
        }
    }
}

TEST(RunFile, TheFormatIsReadable) {
    const std::string text = sample_file();
    EXPECT_EQ(text.rfind("{\"format\":\"asyncplay-run\",\"version\":3,\n\"desc\":{\"path\":\"retry_backoff\"", 0), 0u) << text;
    EXPECT_TRUE(contains(text, "\"state\":\"finished\""));
    EXPECT_TRUE(contains(text, "\"guess_ms\":250"));
    EXPECT_TRUE(contains(text, "\n{\"scheduled\":0,\"started\":0,\"answered\":100000,\"handled\":100000,\"finished\":105000,"
                               "\"outcome\":\"ok\",\"status\":200"));
    ap::Run idle;
    EXPECT_EQ(run_to_file(idle), "") << "nothing to save before a run ended";
}

TEST(RunFile, ReadsEscapesAndIgnoresUnknownKeys) {
    std::string text = replaced(sample_file(), "\"base_url\":\"\"", "\"base_url\":\"\\u00e9\\ud83d\\ude00\\t\\/\"");
    text = replaced(text, "\"format\":\"asyncplay-run\",", "\"format\":\"asyncplay-run\",\"note\":[1,true,null,{\"x\":-0.5e+3}],");
    ap::Run run;
    std::string error;
    ASSERT_TRUE(run_from_file(text, &run, nullptr, &error)) << error;
    EXPECT_EQ(run.desc.base_url, "\xc3\xa9\xf0\x9f\x98\x80\t/");
}

TEST(RunFile, RejectsWithOneClearSentence) {
    const std::string good = sample_file();
    std::string e = load_error(replaced(good, "\"version\":3,", "\"version\":3 \"x\":2,"));
    EXPECT_TRUE(contains(e, "line 1, column 39: expected ',' or '}'")) << e;
    e = load_error(replaced(good, "\"wall_us\"", "\n  \"wall_us\" 5,"));
    EXPECT_TRUE(contains(e, "line 4, column 13: expected ':'")) << e;
    e = load_error("{\"hello\":1}");
    EXPECT_EQ(e, "this is not an asyncplay run file (no \"format\": \"asyncplay-run\")");
    EXPECT_TRUE(contains(load_error("[1,2]"), "not an asyncplay run file"));
    EXPECT_EQ(load_error(replaced(good, "\"version\":3", "\"version\":7")), "version 7 is newer than this page understands (3)");
    // Version 2 called the code path's own time program_ms: such a file still loads, and only with that name.
    const std::string v2 = replaced(replaced(good, "\"version\":3", "\"version\":2"), "\"path_ms\"", "\"program_ms\"");
    ap::Run old;
    ASSERT_TRUE(run_from_file(v2, &old, nullptr, &e)) << e;
    EXPECT_DOUBLE_EQ(old.expected.path_ms, 115);
    EXPECT_TRUE(contains(load_error(replaced(good, "\"version\":3", "\"version\":2")), "program_ms")) << "a version 2 file names it program_ms";
    e = load_error(replaced(good, "\"count\":3", "\"count\":20000"));
    EXPECT_TRUE(contains(e, "desc.count = 20000 is out of range")) << e;
    EXPECT_TRUE(contains(e, "10,000")) << "quotes clamp_run_desc's note: " << e;
    e = load_error(replaced(good, "\"cpu_ms\":5", "\"cpu_ms\":-5"));
    EXPECT_TRUE(contains(e, "desc.cpu_ms = -5 is out of range")) << e;
    e = load_error(replaced(good, "\"count\":3", "\"count\":10"));
    EXPECT_EQ(e, "requests has 3 entries but desc.count is 10");
    e = load_error(replaced(good, "\"path\":\"retry_backoff\"", "\"path\":\"telepathy\""));
    EXPECT_TRUE(contains(e, "desc.path \"telepathy\" is not a code path")) << e;
    EXPECT_TRUE(contains(e, "sequential, concurrent")) << e;
    e = load_error(replaced(good, "\"finished\":105000", "\"finished\":-1"));
    EXPECT_TRUE(contains(e, "request 1: started but never finished")) << e;
    e = load_error(replaced(good, "\"state\":\"finished\"", "\"state\":\"running\""));
    EXPECT_TRUE(contains(e, "finished or cancelled")) << e;
    e = load_error(replaced(good, "\"outcome\":\"ok\"", "\"outcome\":\"great\""));
    EXPECT_TRUE(contains(e, "request 1: outcome \"great\" is not one this page knows")) << e;
    e = load_error(replaced(good, "\"outcome\":\"ok\"", "\"outcome\":\"in_flight\""));
    EXPECT_TRUE(contains(e, "not final")) << e;
    e = load_error(replaced(good, "\"scheduled\":0", "\"scheduled\":-5"));
    EXPECT_TRUE(contains(e, "request 1: scheduled = -5 is not a time")) << e;
    e = load_error(replaced(good, "\"started\":0,", "\"started\":1.5,"));
    EXPECT_TRUE(contains(e, "should be a whole number")) << e;
    e = load_error(replaced(good, "\"wall_us\":", "\"wall_us\":99999999999999999999"));
    EXPECT_TRUE(contains(e, "wall_us = 1e+") && contains(e, "is too large")) << e;
    e = load_error(replaced(good, "\"reason\":\"\"", "\"reason\":7"));
    EXPECT_TRUE(contains(e, "reason should be a string")) << e;
    e = load_error(replaced(good, "\"guess_ms\":250", "\"guess_ms\":-7"));
    EXPECT_TRUE(contains(e, "guess_ms")) << e;
    e = load_error(replaced(good, "\n\"requests\"", "\"wall_us\":1,\n\"requests\""));
    EXPECT_TRUE(contains(e, "\"wall_us\" appears twice")) << e;
    e = load_error(replaced(good, "\"wall_us\":", "\"wall_us\":0"));
    EXPECT_TRUE(contains(e, "cannot start with 0")) << e;
    e = load_error(replaced(good, "\"reason\":\"\"", "\"reason\":\"\\q\""));
    EXPECT_TRUE(contains(e, "unknown escape \\q")) << e;
    e = load_error(replaced(good, "\"reason\":\"\"", "\"reason\":\"\\ud83d\""));
    EXPECT_TRUE(contains(e, "UTF-16")) << e;
    e = load_error(replaced(good, "\"reason\":\"\"", "\"reason\":\"a\tb\""));
    EXPECT_TRUE(contains(e, "control character")) << e;
    e = load_error(good + "x");
    EXPECT_TRUE(contains(e, "after the end")) << e;
    EXPECT_EQ(load_error(""), "the file is empty");
    EXPECT_EQ(load_error(" \n "), "the file is empty");
    e = load_error(std::string(40, '[') + std::string(40, ']'));
    EXPECT_TRUE(contains(e, "nested deeper than 32 levels")) << e;
    e = load_error(std::string(run_file_max_bytes + 1, ' '));
    EXPECT_TRUE(contains(e, "at most 16 MB")) << e;

    // The order of a request's instants.
    std::string swapped = replaced(good, "\"finished\":105000", "\"finished\":0");
    EXPECT_TRUE(contains(load_error(swapped), "request 1: finished before its answer was handled"));
    const std::string second = good.substr(good.find("\n{\"scheduled\"", good.find("\n{\"scheduled\"") + 1));
    std::string late = second;
    late = replaced(late, "\"started\":0,\"answered\"", "\"started\":999999999,\"answered\"");
    e = load_error(replaced(good, second, late));
    EXPECT_EQ(e, "request 2: finished before it started");
    // Attempts: no more than the run allows, and in order.
    const std::string one_attempt = "{\"started\":0,\"ended\":100000,\"outcome\":\"ok\",\"status\":200}";
    e = load_error(replaced(good, one_attempt, one_attempt + "," + one_attempt + "," + one_attempt + "," + one_attempt));
    EXPECT_TRUE(contains(e, "request 1 has 4 attempts; this run allows at most 3")) << e;
    e = load_error(replaced(good, one_attempt, "{\"started\":0,\"ended\":200000,\"outcome\":\"ok\",\"status\":200}"));
    EXPECT_TRUE(contains(e, "request 1, attempt 1: ended after its request finished")) << e;

    // A failed load leaves the caller's run alone.
    ap::Run untouched;
    untouched.desc.count = 77;
    std::string error;
    EXPECT_FALSE(run_from_file("{", &untouched, nullptr, &error));
    EXPECT_EQ(untouched.desc.count, 77);
    EXPECT_TRUE(contains(error, "the file ends")) << error;
}

namespace {

// Never crashes; either loads (and then saving and loading again is a fixed point) or says why.
void expect_loads_or_explains(const std::string& text) {
    ap::Run run;
    double guess = -1;
    std::string error;
    if (run_from_file(text, &run, &guess, &error)) {
        EXPECT_TRUE(error.empty());
        const std::string again = run_to_file(run, guess);
        ap::Run reloaded;
        double guess2 = -1;
        ASSERT_TRUE(run_from_file(again, &reloaded, &guess2, &error)) << error << "\n" << again;
        EXPECT_EQ(run_to_file(reloaded, guess2), again);
    } else {
        EXPECT_FALSE(error.empty());
    }
}

}  // namespace

TEST(RunFile, StatusAndOutcomeMustAgreeAndTimesStayWithinADay) {
    const std::string good = sample_file();
    std::string e = load_error(replaced(good, "\"outcome\":\"ok\",\"status\":200", "\"outcome\":\"ok\",\"status\":404"));
    EXPECT_TRUE(contains(e, "outcome \"ok\" cannot have status 404 (ok is a 2xx answer)")) << e;
    e = load_error(replaced(good, "\"outcome\":\"http_error\",\"status\":503", "\"outcome\":\"http_error\",\"status\":200"));
    EXPECT_TRUE(contains(e, "outcome \"http_error\" cannot have status 200")) << e;
    e = load_error(replaced(good, "\"wall_us\":", "\"wall_us\":1e300,\"x\":"));
    EXPECT_TRUE(contains(e, "wall_us = 1e+300 is too large")) << e;
    e = load_error(replaced(good, "\"wall_us\":", "\"wall_us\":86400000001,\"x\":"));
    EXPECT_TRUE(contains(e, "is more than a day after the run's start")) << e;
}

TEST(RunFile, EveryTruncationFailsCleanly) {
    const std::string good = sample_file();
    int loaded = 0;
    for (size_t n = 0; n <= good.size(); ++n) {
        const std::string prefix = good.substr(0, n);
        ap::Run run;
        std::string error;
        if (run_from_file(prefix, &run, nullptr, &error)) ++loaded;
        else EXPECT_FALSE(error.empty()) << n;
        expect_loads_or_explains(prefix);
    }
    EXPECT_EQ(loaded, 2) << "only the whole file, with or without its last line break";
}

TEST(RunFile, RandomDamageNeverCrashes) {
    std::mt19937 rng(20240607);
    const std::string good = sample_file();
    const char interesting[] = "{}[]\",:\\-+.0123456789eEtfnu \n\x01\x7f\xc3\xff";
    int loaded = 0;
    for (int round = 0; round < 4000; ++round) {
        std::string text = good;
        const int flips = 1 + int(rng() % 3);
        for (int f = 0; f < flips; ++f) {
            const size_t at = rng() % text.size();
            switch (rng() % 4) {
                case 0: text[at] = char(rng() & 0xff); break;
                case 1: text[at] = interesting[rng() % (sizeof interesting - 1)]; break;
                case 2: text.erase(at, 1 + rng() % 8); break;
                default: text.insert(at, 1, interesting[rng() % (sizeof interesting - 1)]); break;
            }
            if (text.empty()) text = "{";
        }
        ap::Run run;
        std::string error;
        if (run_from_file(text, &run, nullptr, &error)) ++loaded;
        expect_loads_or_explains(text);
    }
    std::printf("[ fuzz     ] 4000 damaged files, %d still loaded\n", loaded);
    for (int round = 0; round < 500; ++round) {
        std::string noise(rng() % 200, ' ');
        for (char& c : noise) c = interesting[rng() % (sizeof interesting - 1)];
        expect_loads_or_explains(noise);
    }
}
