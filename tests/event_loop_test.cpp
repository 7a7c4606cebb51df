// The event loop, step by step, for every code path in virtual time: the order of events, the ready queue
// at chosen steps, what the thread runs (or is blocked in), the workers of a thread pool, retries and a
// cancel. The expected sequences are worked out by hand from the code path's program.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/event_loop.h"
#include "fixtures.h"

namespace ap {
namespace {

using test::desc_of;
using test::ms;
using Fixture = test::Player;

std::vector<int> calls(std::initializer_list<int> one_based) {
    std::vector<int> out;
    for (int c : one_based) out.push_back(c - 1);
    return out;
}

// The index of the first step of this kind about this call (1-based), or -1.
int step_of(const LoopTimeline& tl, LoopEventKind kind, int call) {
    for (size_t i = 0; i < tl.steps.size(); ++i)
        if (tl.steps[i].kind == kind && std::count(tl.steps[i].calls.begin(), tl.steps[i].calls.end(), call - 1)) return int(i);
    return -1;
}

// Lesson 3's run: a gather of 3 x 300 ms with 40 ms of CPU work on each answer.
const ap::Run& gather_with_cpu(Fixture& f) {
    RunDesc d = desc_of(CodePath::concurrent, 3, 300);
    d.cpu_ms = 40;
    return f.play(d);
}

TEST(EventLoop, GatherWithCpuWorkQueuesAnswersBehindTheBusyLoop) {
    Fixture f;
    const ap::Run& run = gather_with_cpu(f);
    const LoopTimeline tl = event_loop_timeline(run);
    ASSERT_FALSE(tl.too_big);
    // start; the three send at once; their answers land together at 300 ms; the loop resumes call 1; ...
    ASSERT_GE(tl.steps.size(), 8u);
    EXPECT_EQ(tl.steps[1].kind, LoopEventKind::sent);
    EXPECT_EQ(tl.steps[1].calls, calls({1, 2, 3}));
    EXPECT_EQ(tl.steps[1].what, "calls 1-3 send their requests and park on await; the event loop is free to run something else.");
    const LoopPicture parked = loop_picture(run, tl, 1);
    EXPECT_EQ(parked.network, calls({1, 2, 3}));
    EXPECT_EQ(parked.loop, LoopState::waiting_for_io);
    EXPECT_EQ(tl.steps[2].kind, LoopEventKind::answered);
    EXPECT_EQ(tl.steps[2].at_us, 300 * ms);
    EXPECT_EQ(loop_picture(run, tl, 2).ready, calls({1, 2, 3}));
    EXPECT_EQ(tl.steps[3].kind, LoopEventKind::resumed);
    const LoopPicture busy = loop_picture(run, tl, 3);
    EXPECT_EQ(busy.running, 0);
    EXPECT_EQ(busy.loop, LoopState::computing);
    EXPECT_EQ(busy.ready, calls({2, 3})) << "the others wait in the ready queue, in order";
    // At 340 ms call 1 is done and the loop takes call 2, the first in the queue.
    EXPECT_EQ(tl.steps[4].kind, LoopEventKind::finished);
    EXPECT_EQ(tl.steps[4].at_us, 340 * ms);
    EXPECT_EQ(tl.steps[5].kind, LoopEventKind::resumed);
    EXPECT_EQ(tl.steps[5].calls, calls({2}));
    EXPECT_EQ(loop_picture(run, tl, 5).ready, calls({3}));
    EXPECT_EQ(loop_words(tl, busy, false), "runs call 1's CPU work on its answer; nothing else runs");
    const LoopPicture between = loop_picture(run, tl, 4);  // call 1 done, call 2 not yet taken
    EXPECT_EQ(between.running, -1);
    EXPECT_EQ(loop_words(tl, between, false), "takes call 2 from the ready queue next");
    const LoopPicture end = loop_picture(run, tl, tl.steps.size() - 1);
    EXPECT_EQ(end.done, 3);
    EXPECT_EQ(end.loop, LoopState::idle);
    EXPECT_EQ(loop_words(tl, end, true), "has nothing left to do");
}

TEST(EventLoop, AtEveryStepTheReplayLineSaysWhatThePictureShows) {
    // Lesson 3's run: at 340 ms call 1 ends and the loop takes call 2, two steps at one instant. The replay
    // line at a step is told from the step's picture, not from the phases at that instant (which show only
    // the last of the two).
    Fixture f;
    const ap::Run& run = gather_with_cpu(f);
    const LoopTimeline tl = event_loop_timeline(run);
    for (size_t i = 1; i < tl.steps.size(); ++i) {
        const LoopPicture p = loop_picture(run, tl, i);
        const ReplayState st = replay_from_picture(p);
        const std::string line = describe_replay(run, st);
        EXPECT_EQ(st.ready, int(p.ready.size())) << line;
        EXPECT_EQ(st.done, p.done) << line;
        EXPECT_EQ(st.per_phase[int(Phase::handling)], p.running >= 0 && p.loop == LoopState::computing ? 1 : 0) << line;
        if (p.running < 0 && !p.ready.empty())
            EXPECT_NE(line.find("takes request " + std::to_string(p.ready.front() + 1) + " from the ready queue next"), std::string::npos)
                << "step " << i << ": " << line << " / " << loop_words(tl, p, false);
    }
    // The step "call 1 is done": two ready, none computing, one done.
    size_t done1 = 0;
    for (size_t i = 0; i < tl.steps.size(); ++i)
        if (tl.steps[i].what == "call 1 is done.") done1 = i;
    ASSERT_GT(done1, 0u);
    EXPECT_EQ(describe_replay(run, replay_from_picture(loop_picture(run, tl, done1))),
              "at 340 ms: 2 ready (the answer is in, the loop is busy), 1 done; the event loop takes request 2 from the ready queue next");
}

TEST(EventLoop, AnAnswerArrivingWhileTheLoopComputesSaysWhoHoldsIt) {
    Fixture f;
    RunDesc d = desc_of(CodePath::concurrent, 2, 300);
    d.cpu_ms = 100;
    d.spread = Spread::uneven;  // the two answers come apart
    const ap::Run& run = f.play(d);
    const LoopTimeline tl = event_loop_timeline(run);
    bool said = false;
    for (const LoopEvent& e : tl.steps)
        said |= e.kind == LoopEventKind::answered && e.what.find("the loop is busy with call") != std::string::npos &&
                e.what.find("waits in the ready queue") != std::string::npos;
    // Uneven latencies: whether the second answer lands inside the first's 100 ms of work depends on the
    // spread; the sentence must say so exactly when it does.
    const RequestTrace& a = run.requests[0];
    const RequestTrace& b = run.requests[1];
    const RequestTrace& first = a.answered_us < b.answered_us ? a : b;
    const RequestTrace& second = a.answered_us < b.answered_us ? b : a;
    EXPECT_EQ(said, second.answered_us < first.finished_us && second.answered_us >= first.handled_us);
}

TEST(EventLoop, ASemaphoreQueuesTheRestAndLetsOneInAsEachEnds) {
    Fixture f;
    const ap::Run& run = f.play(desc_of(CodePath::bounded, 5, 100, 2));
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_EQ(tl.steps[1].kind, LoopEventKind::reached);
    EXPECT_EQ(tl.steps[1].calls, calls({3, 4, 5}));
    EXPECT_NE(tl.steps[1].what.find("semaphore"), std::string::npos) << tl.steps[1].what;
    EXPECT_EQ(tl.steps[2].kind, LoopEventKind::sent);
    EXPECT_EQ(tl.steps[2].calls, calls({1, 2}));
    const LoopPicture p = loop_picture(run, tl, 2);
    EXPECT_EQ(p.queued, calls({3, 4, 5}));
    EXPECT_EQ(p.network, calls({1, 2}));
    // At 100 ms: 1 and 2 end, then 3 and 4 go out, in that order.
    EXPECT_EQ(tl.steps[3].kind, LoopEventKind::finished);
    EXPECT_EQ(tl.steps[3].at_us, 100 * ms);
    EXPECT_EQ(tl.steps[4].kind, LoopEventKind::sent);
    EXPECT_EQ(tl.steps[4].calls, calls({3, 4}));
    EXPECT_EQ(loop_picture(run, tl, 4).queued, calls({5}));
    EXPECT_EQ(tl.steps[3].what, "calls 1-2 are done, and their slots free up for the next queued call.");
    EXPECT_EQ(tl.steps.back().what, "call 5 is done.") << "nothing is left to let in";
}

TEST(EventLoop, ThePlainLoopHasNoEventLoopAndBlocksItsThread) {
    Fixture f;
    const ap::Run& run = f.play(desc_of(CodePath::sequential, 3, 200));
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_FALSE(tl.has_loop);
    EXPECT_NE(tl.steps[0].what.find("one thread"), std::string::npos);
    // sent 1, done 1, sent 2, ...: each call is sent the instant the previous one ends.
    ASSERT_EQ(tl.steps.size(), 7u);
    for (int c = 1; c <= 3; ++c) {
        EXPECT_EQ(step_of(tl, LoopEventKind::sent, c), 2 * c - 1);
        EXPECT_EQ(step_of(tl, LoopEventKind::finished, c), 2 * c);
        const LoopPicture p = loop_picture(run, tl, size_t(2 * c - 1));
        EXPECT_EQ(p.loop, LoopState::blocked);
        EXPECT_EQ(p.running, c - 1) << "the thread is stuck inside the call";
        EXPECT_EQ(p.not_reached, 3 - c);
    }
    EXPECT_NE(tl.steps[1].what.find("blocks until the answer is in"), std::string::npos);
    EXPECT_EQ(tl.steps[2].what, "call 1 is done; only now does the program reach the next call.");
    EXPECT_EQ(tl.steps[6].what, "call 3 is done.");
}

TEST(EventLoop, ABlockingCallInsideAsyncDefStopsTheWholeLoop) {
    Fixture f;
    const ap::Run& run = f.play(desc_of(CodePath::blocking_in_async, 3, 200));
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_TRUE(tl.has_loop);
    const int sent = step_of(tl, LoopEventKind::sent, 2);
    ASSERT_GE(sent, 0);
    EXPECT_NE(tl.steps[size_t(sent)].what.find("the whole event loop stops"), std::string::npos);
    const LoopPicture p = loop_picture(run, tl, size_t(sent));
    EXPECT_EQ(p.loop, LoopState::blocked);
    EXPECT_EQ(p.running, 1);
}

TEST(EventLoop, AThreadPoolRunsKBlockingCallsInItsWorkers) {
    Fixture f;
    const ap::Run& run = f.play(desc_of(CodePath::thread_pool, 4, 100, 2));
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_TRUE(tl.has_workers);
    EXPECT_EQ(tl.workers, 2);
    const int sent = step_of(tl, LoopEventKind::sent, 1);
    const LoopPicture p = loop_picture(run, tl, size_t(sent));
    EXPECT_EQ(p.workers, calls({1, 2}));
    EXPECT_EQ(p.queued, calls({3, 4}));
    EXPECT_TRUE(p.network.empty());
    EXPECT_EQ(p.loop, LoopState::waiting_for_io) << "the loop itself stays free";
    EXPECT_NE(tl.steps[size_t(sent)].what.find("worker thread"), std::string::npos);
}

TEST(EventLoop, AFailedAttemptSleepsThenTriesAgain) {
    Fixture f;
    RunDesc d = desc_of(CodePath::retry_backoff, 20, 100);
    d.fail_pct = 30;
    d.retries = 2;
    d.backoff_ms = 200;
    const ap::Run& run = f.play(d);
    const LoopTimeline tl = event_loop_timeline(run);
    int failing = -1;
    for (size_t i = 0; i < run.requests.size() && failing < 0; ++i)
        if (run.requests[i].attempts.size() > 1) failing = int(i);
    ASSERT_GE(failing, 0) << "30% of first tries fail";
    const int wait = step_of(tl, LoopEventKind::retry_wait, failing + 1);
    ASSERT_GE(wait, 0);
    EXPECT_NE(tl.steps[size_t(wait)].what.find("HTTP 503"), std::string::npos) << tl.steps[size_t(wait)].what;
    EXPECT_EQ(loop_picture(run, tl, size_t(wait)).calls[size_t(failing)], CallState::backing_off);
    // The retry is a second "sent" step of that call, later.
    int sends = 0;
    for (const LoopEvent& e : tl.steps)
        if (e.kind == LoopEventKind::sent && std::count(e.calls.begin(), e.calls.end(), failing)) ++sends;
    EXPECT_EQ(sends, int(run.requests[size_t(failing)].attempts.size()));
    EXPECT_EQ(next_step_of_call(tl, size_t(wait), failing) > size_t(wait), true);
}

TEST(EventLoop, ACancelledRunEndsTheCallsItNeverSent) {
    Fixture f;
    const ap::Run& run = f.play_and_cancel(desc_of(CodePath::await_in_loop, 5, 100), 250 * ms);
    const LoopTimeline tl = event_loop_timeline(run);
    const LoopEvent& last = tl.steps.back();
    EXPECT_EQ(last.kind, LoopEventKind::finished);
    EXPECT_EQ(last.at_us, 250 * ms);
    EXPECT_NE(last.what.find("cancelled with the run"), std::string::npos) << last.what;
    EXPECT_EQ(loop_picture(run, tl, tl.steps.size() - 1).done, 5);
}

TEST(EventLoop, EveryCodePathKeepsTheRulesOfOneThread) {
    for (int p = 0; p < code_path_count; ++p) {
        for (int cpu : {0, 30}) {
            Fixture f;
            RunDesc d = desc_of(CodePath(p), 6, 120, 2);
            d.cpu_ms = cpu;
            const ap::Run& run = f.play(d);
            const LoopTimeline tl = event_loop_timeline(run);
            const std::string what = std::string(code_path_name(CodePath(p))) + " cpu " + std::to_string(cpu);
            ASSERT_GE(tl.steps.size(), 3u) << what;  // (a gather without CPU work: start, all sent, all done)
            for (size_t i = 1; i < tl.steps.size(); ++i) {
                EXPECT_LE(tl.steps[i - 1].at_us, tl.steps[i].at_us) << what;
                EXPECT_FALSE(tl.steps[i].calls.empty()) << what;
                EXPECT_FALSE(tl.steps[i].what.empty()) << what;
                const LoopPicture pic = loop_picture(run, tl, i);
                const int running = int(std::count(pic.calls.begin(), pic.calls.end(), CallState::running));
                EXPECT_LE(running, 1) << what << ": one thread runs one thing";
                for (int c : pic.ready) EXPECT_EQ(pic.calls[size_t(c)], CallState::ready) << what;
                if (tl.has_workers) EXPECT_LE(int(pic.workers.size()), tl.workers) << what;
            }
            EXPECT_EQ(loop_picture(run, tl, tl.steps.size() - 1).done, 6) << what;
            // Every call is sent at least once and ends once.
            for (int c = 1; c <= 6; ++c) {
                EXPECT_GE(step_of(tl, LoopEventKind::sent, c), 0) << what << " call " << c;
                EXPECT_GE(step_of(tl, LoopEventKind::finished, c), 0) << what << " call " << c;
            }
        }
    }
}

TEST(EventLoop, BigRunsHaveNoSteps) {
    Fixture f;
    const ap::Run& run = f.play(desc_of(CodePath::concurrent, max_stepper_calls + 1, 10));
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_TRUE(tl.too_big);
    EXPECT_EQ(tl.steps.size(), 1u);
}

TEST(EventLoop, TheStepAtAnInstantIsTheLastOneBeforeIt) {
    Fixture f;
    const ap::Run& run = f.play(desc_of(CodePath::await_in_loop, 3, 100));
    const LoopTimeline tl = event_loop_timeline(run);
    EXPECT_EQ(loop_step_at(tl, 50 * ms), size_t(1));
    EXPECT_EQ(tl.steps[loop_step_at(tl, 150 * ms)].kind, LoopEventKind::sent);
    EXPECT_EQ(loop_step_at(tl, 10000 * ms), tl.steps.size() - 1);
}

}  // namespace
}  // namespace ap
