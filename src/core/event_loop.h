// event_loop.h — the run as the program's one thread lived it, one step at a time: every event of the
// trace (a call reached, its request sent, its answer in, the loop resuming it, a retry's sleep, its end)
// in the order the thread sees them, with a sentence that says what happened and why, and the picture of
// the event loop after it: what it runs now, the ready queue in order, what waits on the network, on a
// semaphore or pool slot, on a back-off timer, and the thread pool's workers. The stepper, its autoplay and
// the code panel's lit lines all read this; it is built from the same trace the waterfall draws, so it
// works for a run file as for a live run.
//
//   ap::LoopTimeline tl = ap::event_loop_timeline(run);
//   for (size_t i = 0; i < tl.steps.size(); ++i) {
//       const ap::LoopPicture p = ap::loop_picture(run, tl, i);   // after step i
//       show(tl.steps[i].what, p.ready, p.running);
//   }
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis.h"
#include "run.h"

namespace ap {

// Where one call is, as the stepper draws it.
enum class CallState : uint8_t {
    not_reached,  // the program has not come to it yet (a loop's later calls)
    queued,       // created, waiting for a semaphore slot, a pool connection, a worker or the browser
    on_network,   // its request is out; its coroutine is parked on await (or a thread is blocked on it)
    ready,        // its answer is in; it waits in the ready queue for the loop
    running,      // the thread runs it now (its CPU work on the answer)
    backing_off,  // it failed and sleeps before trying again
    done,         // ended: ok or not
};
const char* call_state_name(CallState s);  // "not reached", "queued", "on the network", ...

enum class LoopEventKind : uint8_t { start, reached, sent, answered, resumed, retry_wait, finished };

// One step: calls that had the same kind of event at the same instant make one step ("calls 1-50 send
// their requests and park on await").
struct LoopEvent {
    int64_t at_us = 0;       // relative to the run's start
    LoopEventKind kind = LoopEventKind::start;
    std::vector<int> calls;  // the calls it is about (request indices); empty for the start
    std::string what;        // what happened and why, in one or two sentences
    int64_t until_us = -1;   // a program's step: its picture is the loop at this instant (relative); -1: at_us
    std::vector<int> tasks;  // a program's step: the tasks it is about
    int64_t shown_us() const { return until_us >= 0 ? until_us : at_us; }
};

struct LoopTimeline {
    std::vector<LoopEvent> steps;
    bool has_loop = true;       // false for the requests and httpx.Client loops: one thread, no event loop
    bool has_workers = false;   // thread_pool: the blocking calls run in worker threads
    int workers = 0;            // how many (the run's limit)
    bool too_big = false;       // more calls than max_stepper_calls: no steps
    bool by_task = false;       // a learner's program told from its own trace (program_trace.h): tasks, not calls
};

inline constexpr int max_stepper_calls = 200;

// The steps of a finished or cancelled run (an idle or running run has none but the start). A learner's
// program with a trace is told by its tasks, from that trace and its requests.
LoopTimeline event_loop_timeline(const Run& run);


struct LoopPicture {
    int64_t at_us = 0;
    LoopState loop = LoopState::idle;  // what the thread does (analysis.h)
    int running = -1;                  // the call it computes on or is blocked in, or -1
    std::vector<int> ready;            // the ready queue, first to run first
    std::vector<int> network;          // requests out, answers not in
    std::vector<int> queued;           // waiting for a slot, a connection or a worker
    std::vector<int> backing_off;      // sleeping before a retry
    std::vector<int> workers;          // thread_pool: the call each busy worker is blocked in
    int done = 0, not_reached = 0;
    std::vector<CallState> calls;      // every call's state
    // A learner's program told by its tasks (LoopTimeline::by_task): the task the thread runs (or is blocked
    // in, with `running` its call), the ready queue of tasks, and every parked task with what it waits for.
    int task_running = -1;
    std::vector<int> task_ready;
    std::vector<std::pair<int, TaskWait>> task_parked;
    int tasks_done = 0, tasks_made = 0;
    // Its threads (program_trace.h), the main thread first: each running or parked on what.
    struct Thread {
        int thread = 0;
        ThreadAt at = ThreadAt::running;
        ThreadWait wait = ThreadWait::request;
        int line = 0;
    };
    std::vector<Thread> threads;
    int main_wait = -1;  // the main thread parked on something not a request (a ThreadWait), or -1
};

// The event loop after step `index` of the timeline (index past the end: after the last).
LoopPicture loop_picture(const Run& run, const LoopTimeline& timeline, size_t index);

// The replay's state as the stepper's picture tells it (ready, computing, done, what the thread does), so
// that at a step the replay line and the code panel say what the picture shows: at one instant several
// steps may follow each other (call 1 ends, then the loop takes call 2), and request phases at that
// instant would show only the last.
ReplayState replay_from_picture(const LoopPicture& picture);
// The phase a call in this state is drawn in (the code panel's lit lines).
Phase phase_of_call(CallState s);

// A learner's program, by its trace, at instant t_us (absolute): what the replay line and the code panel say.
LoopPicture program_picture_at(const Run& run, int64_t t_us);
// "at 250 ms: task 1 (main) awaits a gather of 10 tasks; 10 tasks wait for their answers, ...".
std::string describe_program_replay(const Run& run, int64_t t_rel_us);
// The program's tasks at t_us by the line they stand at ("3 waiting for the API").
std::vector<ProgramLineCount> trace_line_counts(const Run& run, int64_t t_us);
// The notes a program's threads need: a pool's default size, the Python its threads ran one at a time (as
// under CPython's GIL), and a thread that ran long without blocking while answers of others were in
// (CPython switches threads every 5 ms; the page switches only when one blocks).
std::vector<std::string> thread_notes(const Run& run);
// How a task waits, as the end of "task 3 ...": "waits for its request's answer".
std::string task_wait_words(TaskWait wait, int arg);

// What the thread does in the picture, as the end of a sentence that starts "The event loop ..." (or "The
// thread ..." without a loop): "takes call 3 from the ready queue next", "waits in select() ...".
std::string loop_words(const LoopTimeline& timeline, const LoopPicture& picture, bool at_end);

// The step at or before the instant t_rel_us (the last step whose shown time is <= it), for a replay slider.
size_t loop_step_at(const LoopTimeline& timeline, int64_t t_rel_us);
// The next step after `from` that is about call `call`, or `from` when there is none.
size_t next_step_of_call(const LoopTimeline& timeline, size_t from, int call);

}  // namespace ap
