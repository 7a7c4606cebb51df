// program_trace.h — what a learner's program's asyncio tasks did, as its interpreter reported it: each task
// the program created (by which task, at which line, running which coroutine) and each step the event loop
// gave a task (when it began and ended, and how it ended: parked on what, at which line, or done). The
// worker writes it (web/python-worker.js, trace_json); the program can write there too, so it is read like
// a run file, as untrusted data: whatever does not fit its shape is left out, and its size is bounded.
//
//   ap::ProgramTrace trace;  std::string why;
//   if (ap::read_program_trace(text, shift_us, &trace, &why)) run.program->trace = std::move(trace);
//
// Tasks are numbered as the program created them, from 1; 0 is the program's top level (the code outside
// any task it made, which asyncio.run or a top-level await runs in a task of the page's own).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ap {

// What a parked task waits for.
enum class TaskWait : uint8_t {
    ready,       // nothing: it yielded (asyncio.sleep(0)) and is back in the ready queue
    request,     // the answer to its HTTP request
    connection,  // a free connection of its httpx client (httpx.Limits)
    semaphore,   // an asyncio.Semaphore
    lock,        // an asyncio.Lock
    event,       // an asyncio.Event or Condition
    sleep,       // asyncio.sleep(x)
    task,        // another task (await task, wait_for)
    gather,      // asyncio.gather's tasks
    future,      // another future (asyncio.wait, as_completed, a queue)
    loop,        // it runs the event loop itself (asyncio.run, run_until_complete) until that is done
};
inline constexpr int task_wait_count = 11;
const char* task_wait_name(TaskWait w);  // "request", "connection", ... (as the worker writes them)

enum class StepEnd : uint8_t { parked, done, failed, cancelled };

struct ProgramTask {
    int parent = 0;          // the task that created it (0: the top level)
    int line = 0;            // the program line that created it, or 0
    int64_t created_us = -1;
    std::string coroutine;   // its coroutine's function: "fetch_city"
    std::string name;        // asyncio's name for it: "Task-12", or the program's own
};

struct TaskStep {
    int task = 0;
    int64_t began_us = 0, ended_us = 0;
    StepEnd end = StepEnd::parked;
    TaskWait wait = TaskWait::ready;  // parked: on what
    int line = 0;                     // parked: the program line it awaits at
    int arg = 0;  // sleep: ms; task: the task awaited; gather: how many; connection: the client's limit
    std::string error;                // failed: the exception's type
};

// What a parked thread waits for (threading, queue, concurrent.futures; the worker's words in comments).
enum class ThreadWait : uint8_t {
    request,       // "request": blocked in its HTTP call (requests, httpx.Client)
    sleep,         // "sleep": time.sleep(x)
    lock,          // "lock": a Lock or RLock
    condition,     // "condition": Condition.wait
    event,         // "event": Event.wait
    semaphore,     // "semaphore"
    barrier,       // "barrier"
    join,          // "join": another thread's end (arg: its name)
    queue_get,     // "queue-get": an item of a Queue
    queue_put,     // "queue-put": room in a full Queue
    queue_join,    // "queue-join": Queue.join
    future,        // "future": Future.result / exception
    map,           // "map": the results of Executor.map
    as_completed,  // "as_completed"
    wait,          // "wait": concurrent.futures.wait
    idle,          // "idle": a pool's worker with no work
    shutdown,      // "shutdown": a pool's shutdown (the end of `with`)
    exit,          // "exit": the program's end, waiting for its threads
};
inline constexpr int thread_wait_count = 18;
const char* thread_wait_name(ThreadWait w);
// "blocked in its request", "waiting for a lock", "waiting to join Thread-1", "idle (no work)", ...
std::string thread_wait_words(ThreadWait w, const std::string& arg);

// A thread the program started (thread 0, the main thread, has none: it is the program's own).
struct ProgramThread {
    int parent = 0;          // the thread that started it
    int line = 0;            // the program line that started it (0: in a pool's own code)
    int64_t started_us = -1;
    std::string target;      // its function: "fetch", "_worker" for a pool's
    std::string name;        // as Python names it: "Thread-1 (fetch)", "ThreadPoolExecutor-0_2"
    bool daemon = false;
};

// One stretch a thread ran Python, and how it ended: parked (on what, at which line) or done or failed.
struct ThreadStep {
    int thread = 0;  // 0: the main thread
    int64_t began_us = 0, ended_us = 0;
    StepEnd end = StepEnd::parked;
    ThreadWait wait = ThreadWait::request;
    int line = 0;
    std::string arg;  // join: the thread waited for
};

// A ThreadPoolExecutor the program made: its size, and whether that was the default (CPython's
// min(32, CPUs + 4), with the CPUs the browser reports).
struct ThreadPoolMade {
    int workers = 0;
    bool by_default = false;
    int cpus = 0;
};

struct ProgramTrace {
    std::vector<ProgramTask> tasks;  // task n is tasks[n - 1]
    std::vector<TaskStep> steps;     // in the order they began
    std::vector<ProgramThread> threads;      // thread n is threads[n - 1]
    std::vector<ThreadStep> thread_steps;    // in the order they began
    std::vector<ThreadPoolMade> pools;
    int64_t cut = 0;                 // tasks and steps past the limit: not kept, counted
    bool empty() const { return tasks.empty() && steps.empty() && threads.empty() && thread_steps.empty(); }
};

// Where a thread stands at instant t (absolute).
enum class ThreadAt : uint8_t { unborn, running, parked, done };
struct ThreadState {
    ThreadAt at = ThreadAt::unborn;
    ThreadWait wait = ThreadWait::request;
    int line = 0;
    const ThreadStep* step = nullptr;  // parked or done: the step that ended so; running: the one running
};
// Every thread's state at t (index: the thread, 0 the main one), in one pass over the steps.
std::vector<ThreadState> threads_at(const ProgramTrace& trace, int64_t t_us);
// "MainThread", or the thread's name ("thread 3" when it has none).
std::string thread_title(const ProgramTrace& trace, int thread);

inline constexpr size_t max_trace_tasks = 20000;
inline constexpr size_t max_trace_steps = 20000;
inline constexpr size_t max_trace_bytes = size_t(4) << 20;

// Reads a trace ({"tasks": [[n, parent, line, at, coroutine, name]...], "steps": [[n, began, ended, how,
// wait, line, arg]...], "cut": k}, times in ms); shift_us is added to every time. A task or step that does
// not fit (a number out of range, a task not numbered in order, a step of a task never created, an unknown
// word) is left out and counted in cut; false with *why only when the text is no trace at all.
bool read_program_trace(const std::string& text, int64_t shift_us, ProgramTrace* out, std::string* why);
struct JsonValue;
bool read_program_trace(const JsonValue& trace, int64_t shift_us, ProgramTrace* out, std::string* why);
// The trace in the same shape, times in ms from origin_us (a run file keeps it relative to its run).
std::string program_trace_json(const ProgramTrace& trace, int64_t origin_us);

// "task 3", or "the top level" for 0.
std::string task_name(int task);
// "task 3 (fetch_city)", or "the program's top level".
std::string task_title(const ProgramTrace& trace, int task);

}  // namespace ap
