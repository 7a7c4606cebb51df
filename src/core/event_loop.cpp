#include "event_loop.h"

#include <algorithm>

#include "stats.h"

namespace ap {

const char* call_state_name(CallState s) {
    switch (s) {
        case CallState::not_reached: return "not reached";
        case CallState::queued: return "queued";
        case CallState::on_network: return "on the network";
        case CallState::ready: return "ready";
        case CallState::running: return "running";
        case CallState::backing_off: return "backing off";
        case CallState::done: return "done";
    }
    return "?";
}

namespace {

bool blocks_the_thread(std::optional<CodePath> p) { return p == CodePath::sequential || p == CodePath::sync_client || p == CodePath::blocking_in_async; }
bool no_event_loop(std::optional<CodePath> p) { return p == CodePath::sequential || p == CodePath::sync_client; }

// One call's event, before same-instant events of one kind are grouped into a step.
struct Atomic {
    int64_t at;
    int order;  // at one instant: answers land, calls end, new calls queue, requests go out, the loop resumes one
    LoopEventKind kind;
    int call;
    int attempt;
    std::string detail;  // finished: the outcome's words; retry_wait: why it failed
};

int order_of(LoopEventKind k) {
    switch (k) {
        case LoopEventKind::start: return -1;
        case LoopEventKind::answered: return 0;
        case LoopEventKind::finished: return 1;
        case LoopEventKind::retry_wait: return 1;
        case LoopEventKind::reached: return 2;
        case LoopEventKind::sent: return 3;
        case LoopEventKind::resumed: return 4;
    }
    return 5;
}

// "call 3", "calls 1-50", "calls 2, 5 and 7", "12 calls".
std::string name_calls(const std::vector<int>& calls) {
    if (calls.size() == 1) return "call " + std::to_string(calls[0] + 1);
    bool contiguous = true;
    for (size_t i = 1; i < calls.size(); ++i) contiguous &= calls[i] == calls[i - 1] + 1;
    if (contiguous) return "calls " + std::to_string(calls.front() + 1) + "-" + std::to_string(calls.back() + 1);
    if (calls.size() > 4) return std::to_string(calls.size()) + " calls";
    std::string out = "calls ";
    for (size_t i = 0; i < calls.size(); ++i)
        out += (i == 0 ? "" : i + 1 == calls.size() ? " and " : ", ") + std::to_string(calls[i] + 1);
    return out;
}

// The state machine both the timeline and the pictures run: each step moves its calls on.
struct Machine {
    std::vector<CallState> calls;
    std::vector<int> ready;  // the ready queue, in order
    explicit Machine(size_t n) : calls(n, CallState::not_reached) {}
    int running() const {
        for (size_t i = 0; i < calls.size(); ++i)
            if (calls[i] == CallState::running) return int(i);
        return -1;
    }
    void apply(LoopEventKind kind, int c) {
        auto unready = [&] { ready.erase(std::remove(ready.begin(), ready.end(), c), ready.end()); };
        switch (kind) {
            case LoopEventKind::start: break;
            case LoopEventKind::reached: calls[size_t(c)] = CallState::queued; break;
            case LoopEventKind::sent: calls[size_t(c)] = CallState::on_network; break;
            case LoopEventKind::answered:
                calls[size_t(c)] = CallState::ready;
                ready.push_back(c);
                break;
            case LoopEventKind::resumed:
                calls[size_t(c)] = CallState::running;
                unready();
                break;
            case LoopEventKind::retry_wait: calls[size_t(c)] = CallState::backing_off; break;
            case LoopEventKind::finished:
                calls[size_t(c)] = CallState::done;
                unready();
                break;
        }
    }
};

std::string sentence(const Run& run, const Machine& before, LoopEventKind kind, const std::vector<int>& calls, const Atomic& first) {
    const std::optional<CodePath> p = code_path_of(run.desc);
    const std::string who = name_calls(calls);
    const bool many = calls.size() > 1;
    switch (kind) {
        case LoopEventKind::start: return "";
        case LoopEventKind::reached:
            return who + (many ? " are" : " is") + " created and queued, " + queue_reason(run.desc) + ".";
        case LoopEventKind::sent:
            if (run.program && size_t(first.call) < run.program->calls.size() && run.program->calls[size_t(first.call)].blocking)
                return who + (many ? " make blocking calls" : " makes a blocking call") +
                       " (requests or httpx.Client): the thread, event loop included, waits in it until the answer is in.";
            if (first.attempt > 0) return who + (many ? " try" : " tries") + " again: " + (many ? "their requests go" : "its request goes") + " out.";
            if (no_event_loop(p))
                return who + (many ? " send" : " sends") + " a request, and the program's one thread blocks until the answer is in: the call does not return before.";
            if (p == CodePath::blocking_in_async)
                return who + (many ? " make" : " makes") + " a blocking call inside async def: the whole event loop stops until the answer is in.";
            if (p == CodePath::thread_pool)
                return "a worker thread takes " + who + " and blocks on " + (many ? "their requests" : "its request") + "; the event loop stays free.";
            return who + (many ? " send their requests and park" : " sends its request and parks") + " on await; the event loop is free to run something else.";
        case LoopEventKind::answered: {
            const int busy = before.running();
            const std::string in = many ? "the answers of " + who + " arrived" : who + "'s answer arrived";
            if (busy >= 0)
                return in + "; the loop is busy with call " + std::to_string(busy + 1) + "'s CPU work, so " + who +
                       (many ? " wait" : " waits") + " in the ready queue.";
            return in + "; " + (many ? "they are" : "it is") + " ready to run.";
        }
        case LoopEventKind::resumed:
            return "the loop takes " + who + " from the ready queue and runs " + (many ? "their" : "its") +
                   " CPU work on the answer; nothing else runs meanwhile.";
        case LoopEventKind::retry_wait:
            return who + " failed (" + first.detail + "): " + (many ? "they sleep" : "it sleeps") + " before trying again" +
                   (no_event_loop(p) ? ", and the thread sleeps with " + std::string(many ? "them" : "it") + "." : "; the loop is free.");
        case LoopEventKind::finished: {
            if (!first.detail.empty()) return who + (many ? " end: " : " ends: ") + first.detail + ".";
            const std::string done = who + (many ? " are done" : " is done");
            size_t queued = 0, unreached = 0;
            for (size_t i = 0; i < before.calls.size(); ++i) {
                const bool these = std::find(calls.begin(), calls.end(), int(i)) != calls.end();
                if (!these && before.calls[i] == CallState::queued) ++queued;
                if (before.calls[i] == CallState::not_reached) ++unreached;
            }
            const bool slots = p == CodePath::bounded || p == CodePath::pool_limit || p == CodePath::thread_pool;
            if (queued > 0 && slots) return done + ", and " + (many ? "their slots free" : "its slot frees") + " up for the next queued call.";
            if (queued > 0 && p == CodePath::blocking_in_async) return done + "; the loop can start the next task, which blocks it again.";
            if (unreached > 0 && (no_event_loop(p) || p == CodePath::await_in_loop || p == CodePath::blocking_in_async))
                return done + "; only now does the program reach the next call.";
            return done + ".";
        }
    }
    return "";
}

std::string ending(const RequestTrace& r) {
    switch (r.outcome) {
        case Outcome::ok: return "";
        case Outcome::timeout: return "timed out, and the request is cancelled";
        case Outcome::cancelled: return "cancelled with the run";
        default: return r.reason.empty() ? outcome_name(r.outcome) : r.reason;
    }
}

}  // namespace

// ---- A learner's program, told by its own trace ---------------------------------------------------------

namespace {

bool has_trace(const Run& run) { return run.program && (!run.program->trace.steps.empty() || !run.program->trace.thread_steps.empty()); }

// "task 3", "tasks 2-11", "tasks 2, 5 and 7", "12 tasks".
std::string name_tasks(const std::vector<int>& tasks) {
    if (tasks.size() == 1) return task_name(tasks[0]);
    bool contiguous = true;
    for (size_t i = 1; i < tasks.size(); ++i) contiguous &= tasks[i] == tasks[i - 1] + 1;
    if (contiguous) return "tasks " + std::to_string(tasks.front()) + "-" + std::to_string(tasks.back());
    if (tasks.size() > 4) return std::to_string(tasks.size()) + " tasks";
    std::string out = "tasks ";
    for (size_t i = 0; i < tasks.size(); ++i)
        out += (i == 0 ? "" : i + 1 == tasks.size() ? " and " : ", ") + std::to_string(tasks[i]);
    return out;
}

std::string at_line(int line) { return line > 0 ? " (line " + std::to_string(line) + ")" : ""; }

std::string capital(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = char(s[0] - 'a' + 'A');
    return s;
}

// Each task's steps, in order, and the requests it made.
struct TaskIndex {
    std::vector<std::vector<size_t>> steps;     // by task: indices into trace.steps
    std::vector<std::vector<int>> requests;     // by task: request indices, in the order they were made
    explicit TaskIndex(const Run& run) {
        const ProgramTrace& tr = run.program->trace;
        steps.resize(tr.tasks.size() + 1);
        requests.resize(tr.tasks.size() + 1);
        for (size_t i = 0; i < tr.steps.size(); ++i) steps[size_t(tr.steps[i].task)].push_back(i);
        const std::vector<ProgramCall>& calls = run.program->calls;
        for (size_t i = 0; i < calls.size() && i < run.requests.size(); ++i)
            if (calls[i].task_id >= 0 && size_t(calls[i].task_id) < requests.size()) requests[size_t(calls[i].task_id)].push_back(int(i));
    }
};

int64_t made_at(const RequestTrace& r) { return r.scheduled_us >= 0 ? r.scheduled_us : r.started_us; }

// The requests a step made: those of its task that the page was handed from the step's start until the
// task's next step (the worker's message reaches the page a little after the step that sent it).
std::vector<int> requests_of_step(const Run& run, const TaskIndex& ix, const TaskStep& s) {
    const ProgramTrace& tr = run.program->trace;
    int64_t next = INT64_MAX;
    for (size_t i : ix.steps[size_t(s.task)])
        if (tr.steps[i].began_us > s.began_us) {
            next = tr.steps[i].began_us;
            break;
        }
    std::vector<int> out;
    for (int c : ix.requests[size_t(s.task)]) {
        const int64_t made = made_at(run.requests[size_t(c)]);
        if (made >= s.began_us && made < next) out.push_back(c);
    }
    return out;
}

// The request a step parked on: the last one it made.
int request_of_step(const Run& run, const TaskIndex& ix, const TaskStep& s) {
    const std::vector<int> made = requests_of_step(run, ix, s);
    return made.empty() ? -1 : made.back();
}

bool blocking_call(const Run& run, int c) { return run.program && size_t(c) < run.program->calls.size() && run.program->calls[size_t(c)].blocking; }

// Where a task stands at instant t.
enum class TaskAt : uint8_t { unborn, ready, running, blocked, parked, done };
struct TaskState {
    TaskAt at = TaskAt::unborn;
    TaskWait wait = TaskWait::ready;
    int arg = 0, line = 0, call = -1;
    int64_t since = 0;  // ready: since when (the ready queue's order)
};

TaskState task_at(const Run& run, const TaskIndex& ix, int task, int64_t t) {
    const ProgramTrace& tr = run.program->trace;
    TaskState st;
    const int64_t born = task == 0 ? run.start_us : tr.tasks[size_t(task) - 1].created_us;
    if (t < born) return st;
    const TaskStep* last = nullptr;
    for (size_t i : ix.steps[size_t(task)]) {
        if (tr.steps[i].began_us > t) break;
        last = &tr.steps[i];
    }
    if (!last) {
        st.at = TaskAt::ready;  // created: its first step is due
        st.since = born;
        return st;
    }
    st.line = last->line;
    if (t < last->ended_us) {
        st.at = TaskAt::running;
        for (int c : ix.requests[size_t(task)]) {
            const RequestTrace& r = run.requests[size_t(c)];
            if (blocking_call(run, c) && r.started_us >= last->began_us && r.started_us <= t && (r.finished_us < 0 || t < r.finished_us)) {
                st.at = TaskAt::blocked;
                st.call = c;
                st.line = run.program->calls[size_t(c)].line;
            }
        }
        return st;
    }
    if (last->end != StepEnd::parked) {
        st.at = TaskAt::done;
        return st;
    }
    st.at = TaskAt::parked;
    st.wait = last->wait;
    st.arg = last->arg;
    if (last->wait == TaskWait::ready) {
        st.at = TaskAt::ready;
        st.since = last->ended_us;
    } else if (last->wait == TaskWait::request) {
        st.call = request_of_step(run, ix, *last);
        const RequestTrace* r = st.call >= 0 ? &run.requests[size_t(st.call)] : nullptr;
        const int64_t in = r ? (r->answered_us >= 0 ? r->answered_us : r->finished_us) : -1;
        if (in >= 0 && in <= t) st.at = TaskAt::ready, st.since = in;
    } else if (last->wait == TaskWait::sleep && last->ended_us + int64_t(last->arg) * 1000 <= t) {
        st.at = TaskAt::ready;
        st.since = last->ended_us + int64_t(last->arg) * 1000;
    }
    return st;
}

LoopPicture picture_of(const Run& run, const TaskIndex& ix, int64_t t) {
    const ProgramTrace& tr = run.program->trace;
    LoopPicture pic;
    pic.at_us = t - run.start_us;
    std::vector<std::pair<int64_t, int>> ready;
    bool io = false;
    for (int task = 0; task <= int(tr.tasks.size()); ++task) {
        const TaskState st = task_at(run, ix, task, t);
        if (st.at == TaskAt::unborn) continue;
        if (task > 0) ++pic.tasks_made;
        switch (st.at) {
            case TaskAt::unborn: break;
            case TaskAt::ready: ready.push_back({st.since, task}); break;
            case TaskAt::running:
                pic.task_running = task;
                pic.loop = LoopState::computing;
                break;
            case TaskAt::blocked:
                pic.task_running = task;
                pic.running = st.call;
                pic.loop = LoopState::blocked;
                break;
            case TaskAt::parked:
                pic.task_parked.push_back({task, st.wait});
                io |= st.wait == TaskWait::request || st.wait == TaskWait::sleep;
                break;
            case TaskAt::done: pic.tasks_done += task > 0; break;
        }
    }
    std::stable_sort(ready.begin(), ready.end());
    for (const auto& [since, task] : ready) pic.task_ready.push_back(task);
    if (pic.task_running < 0 && io) pic.loop = LoopState::waiting_for_io;
    // Threads: the main thread first, then the others started and not ended.
    if (!tr.thread_steps.empty()) {
        const std::vector<ThreadState> states = threads_at(tr, t);
        for (int th = 0; th < int(states.size()); ++th) {
            const ThreadState& st = states[size_t(th)];
            if (st.at == ThreadAt::unborn || st.at == ThreadAt::done) continue;
            pic.threads.push_back({th, st.at, st.wait, st.line});
            // The main thread parked in a lock, a join, a pool's results: its task does not run meanwhile.
            if (th == 0 && st.at == ThreadAt::parked && st.wait != ThreadWait::request) {
                pic.main_wait = int(st.wait);
                if (pic.loop == LoopState::computing) pic.loop = LoopState::blocked;
            }
        }
    }
    // The calls too, for the views that count them.
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        const Phase p = request_phase(r, t);
        if (p == Phase::waiting) pic.network.push_back(int(i));
        else if (p == Phase::queued) pic.queued.push_back(int(i));
        if (r.finished_us >= 0 && t >= r.finished_us) ++pic.done;
    }
    return pic;
}

// What one step of a task did, after "task 3 ...": "starts, sends its request (line 9) and parks on await".
std::string step_words(const Run& run, const TaskIndex& ix, const TaskStep& s, bool first, bool many) {
    const ProgramTrace& tr = run.program->trace;
    std::vector<std::string> parts;
    parts.push_back(first ? (many ? "start" : "starts") : (many ? "run again" : "runs again"));
    std::vector<int> made;
    int made_line = 0;
    for (size_t i = 0; i < tr.tasks.size(); ++i)
        if (tr.tasks[i].parent == s.task && tr.tasks[i].created_us >= s.began_us && tr.tasks[i].created_us <= s.ended_us) {
            made.push_back(int(i) + 1);
            made_line = made_line ? made_line : tr.tasks[i].line;
        }
    if (!made.empty()) {
        const std::string co = tr.tasks[size_t(made.front()) - 1].coroutine;
        parts.push_back(std::string(many ? "create " : "creates ") + name_tasks(made) + (co.empty() ? "" : " for " + co + "()") +
                        (made_line > 0 ? " at line " + std::to_string(made_line) : ""));
    }
    std::vector<int> sent;
    for (int c : requests_of_step(run, ix, s))
        if (!blocking_call(run, c)) sent.push_back(c);
    if (!sent.empty()) {
        const int line = run.program->calls[size_t(sent.front())].line;
        parts.push_back(many ? "send their requests" + at_line(line)
                             : "sends " + (sent.size() == 1 ? name_calls(sent) + "'s request" : name_calls(sent)) + at_line(line));
    }
    // (On the main thread, the time it was parked in a lock, a join or a pool's results is not Python's.)
    int64_t parked_us = 0;
    for (size_t i = 0; i < tr.thread_steps.size(); ++i) {
        const ThreadStep& a = tr.thread_steps[i];
        if (a.thread != 0 || a.end != StepEnd::parked || a.wait == ThreadWait::request) continue;
        int64_t resumed = s.ended_us;
        for (size_t k = i + 1; k < tr.thread_steps.size(); ++k)
            if (tr.thread_steps[k].thread == 0) {
                resumed = tr.thread_steps[k].began_us;
                break;
            }
        parked_us += std::max<int64_t>(0, std::min(resumed, s.ended_us) - std::max(a.ended_us, s.began_us));
    }
    const double ms = double(s.ended_us - s.began_us - parked_us) / 1000.0;
    if (!many && ms >= 1.0) parts.push_back("spends " + format_duration_ms(ms) + " running Python");
    if (!many && parked_us >= 1000) parts.push_back("waits " + format_duration_ms(double(parked_us) / 1000.0) + " for its threads");
    std::string end;
    switch (s.end) {
        case StepEnd::parked:
            if (s.wait == TaskWait::request) end = many ? "park on await" : "parks on await";
            else end = "then " + task_wait_words(s.wait, s.arg);
            // (The line of the request it sent is said already.)
            if (!(s.wait == TaskWait::request && !sent.empty() && run.program->calls[size_t(sent.front())].line == s.line)) end += at_line(s.line);
            break;
        case StepEnd::done: end = many ? "return: they are done" : "returns: it is done"; break;
        case StepEnd::failed: end = std::string(many ? "fail with " : "fails with ") + (s.error.empty() ? "an exception" : s.error); break;
        case StepEnd::cancelled: end = many ? "are cancelled" : "is cancelled"; break;
    }
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : ", ") + parts[i];
    return out + " and " + end;
}

}  // namespace

std::vector<std::string> thread_notes(const Run& run) {
    std::vector<std::string> notes;
    if (!run.program) return notes;
    const ProgramTrace& tr = run.program->trace;
    for (const ThreadPoolMade& p : tr.pools)
        if (p.by_default) {
            notes.push_back("ThreadPoolExecutor() made " + std::to_string(p.workers) + " workers: CPython's default, min(32, CPUs + 4), with the " +
                            std::to_string(p.cpus) + (p.cpus == 1 ? " CPU" : " CPUs") + " this browser reports (python3 on this machine counts the same).");
            break;
        }
    if (tr.threads.empty()) return notes;
    int64_t python_us = 0, longest_us = 0;
    const ThreadStep* longest = nullptr;
    for (const ThreadStep& s : tr.thread_steps) {
        if (s.thread == 0) continue;
        python_us += s.ended_us - s.began_us;
        if (s.ended_us - s.began_us > longest_us) longest_us = s.ended_us - s.began_us, longest = &s;
    }
    if (python_us >= 50000)
        notes.push_back("The threads ran Python for " + format_duration_ms(double(python_us) / 1000.0) +
                        " in all, one at a time, as under CPython's GIL: their computing adds up, only their waits overlap.");
    // A thread that ran long without blocking while answers of other threads were in: CPython would have
    // let those threads run every 5 ms; the page lets them run only when it blocks.
    if (longest && longest_us >= 20000) {
        int held = 0;
        for (size_t c = 0; c < run.program->calls.size() && c < run.requests.size(); ++c) {
            const ProgramCall& pc = run.program->calls[c];
            const RequestTrace& r = run.requests[c];
            const int64_t in = r.answered_us >= 0 ? r.answered_us : r.finished_us;
            held += pc.thread_id >= 0 && pc.thread_id != longest->thread && pc.blocking && in >= longest->began_us && in + 5000 < longest->ended_us;
        }
        if (held > 0)
            notes.push_back(thread_title(tr, longest->thread) + " ran Python for " + format_duration_ms(double(longest_us) / 1000.0) +
                            " without blocking while " + std::to_string(held) + (held == 1 ? " answer" : " answers") +
                            " of other threads came in: CPython would have let those threads go on every 5 ms (its switch interval); "
                            "the page switches threads only when one blocks, so they waited until it did.");
    }
    return notes;
}

std::string task_wait_words(TaskWait wait, int arg) {
    switch (wait) {
        case TaskWait::ready: return "yields to the loop (it is ready again)";
        case TaskWait::request: return "waits for its request's answer";
        case TaskWait::connection:
            return "waits for a free connection of its client" + (arg > 0 ? " (at most " + std::to_string(arg) + " at once)" : std::string());
        case TaskWait::semaphore: return "waits at a semaphore";
        case TaskWait::lock: return "waits for a lock";
        case TaskWait::event: return "waits for an event";
        case TaskWait::sleep: return "sleeps " + format_duration_ms(double(arg));
        case TaskWait::task: return arg > 0 ? "awaits task " + std::to_string(arg) : "awaits a task";
        case TaskWait::gather: return "awaits a gather of " + std::to_string(arg) + (arg == 1 ? " task" : " tasks");
        case TaskWait::future: return "awaits a future";
        case TaskWait::loop: return "runs the event loop (asyncio.run) until its task is done";
    }
    return "";
}

// Short steps of like tasks, one after the other, are told as one step.
constexpr int64_t group_step_us = 20000;

static LoopTimeline program_timeline(const Run& run) {
    LoopTimeline tl;
    tl.by_task = true;
    const ProgramTrace& tr = run.program->trace;
    const TaskIndex ix(run);
    const int64_t t0 = run.start_us;
    // Without a task of its own (no asyncio), the program is one thread making calls one after another.
    bool asyncio = !tr.tasks.empty();
    for (const TaskStep& s : tr.steps) asyncio |= s.end == StepEnd::parked;
    tl.has_loop = asyncio;
    LoopEvent start;
    start.kind = LoopEventKind::start;
    start.what = asyncio ? "The program starts; its top level runs first, and the event loop runs its tasks as they become ready."
                         : "The program starts on its one thread: no asyncio task, so each call runs to its end before the next line.";
    if (!tr.threads.empty())
        start.what = std::string(asyncio ? "The program starts; the event loop runs on its main thread. " : "The program starts on its main thread. ") +
                     "The threads it starts run Python one at a time (as under CPython's GIL); a thread that blocks lets the others run.";
    tl.steps.push_back(start);

    // Entries: task steps (split at their blocking calls) and answers, in time order.
    struct Entry {
        int64_t at, until;
        int kind;  // 0: a step (or its part up to a blocking call), 1: an answer in, 2: a blocking call made
        int task;
        size_t step;
        int call;
    };
    std::vector<Entry> entries;
    std::vector<bool> first(tr.tasks.size() + 1, true);
    for (size_t i = 0; i < tr.steps.size(); ++i) {
        const TaskStep& s = tr.steps[i];
        for (int c : ix.requests[size_t(s.task)]) {
            const RequestTrace& r = run.requests[size_t(c)];
            if (blocking_call(run, c) && r.started_us >= s.began_us && r.started_us <= s.ended_us)
                entries.push_back({r.started_us, r.started_us, 2, s.task, i, c});
        }
        entries.push_back({s.began_us, s.ended_us, 0, s.task, i, -1});
    }
    for (size_t c = 0; c < run.requests.size(); ++c) {
        const RequestTrace& r = run.requests[c];
        const int64_t in = r.answered_us >= 0 ? r.answered_us : r.finished_us;
        const int task = c < run.program->calls.size() ? run.program->calls[c].task_id : -1;
        if (in >= 0) entries.push_back({in, in, 1, task, 0, int(c)});
    }
    // The threads' stretches of Python (not the main thread's: its task's steps tell it).
    for (size_t i = 0; i < tr.thread_steps.size(); ++i)
        if (tr.thread_steps[i].thread > 0) entries.push_back({tr.thread_steps[i].began_us, tr.thread_steps[i].ended_us, 3, -1, i, -1});
    // Each thread's requests, in the order made.
    std::vector<std::vector<int>> thread_calls(tr.threads.size() + 1);
    for (size_t c = 0; c < run.program->calls.size() && c < run.requests.size(); ++c) {
        const int th = run.program->calls[c].thread_id;
        if (th > 0 && size_t(th) < thread_calls.size()) thread_calls[size_t(th)].push_back(int(c));
    }
    std::vector<bool> thread_first(tr.threads.size() + 1, true);
    // A thread's k-th stretch that ends blocked in a request sent its k-th request (a blocking call: one each).
    std::vector<int> call_of_thread_step(tr.thread_steps.size(), -1);
    {
        std::vector<size_t> next(tr.threads.size() + 1, 0);
        for (size_t i = 0; i < tr.thread_steps.size(); ++i) {
            const ThreadStep& s = tr.thread_steps[i];
            if (s.thread <= 0 || s.end != StepEnd::parked || s.wait != ThreadWait::request) continue;
            std::vector<int>& calls = thread_calls[size_t(s.thread)];
            if (next[size_t(s.thread)] < calls.size()) call_of_thread_step[i] = calls[next[size_t(s.thread)]++];
        }
    }
    auto calls_of_thread_step = [&](size_t i) { return call_of_thread_step[i] >= 0 ? std::vector<int>{call_of_thread_step[i]} : std::vector<int>{}; };
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        if (a.at != b.at) return a.at < b.at;
        return a.kind < b.kind;
    });

    for (size_t i = 0; i < entries.size();) {
        const Entry& e = entries[i];
        LoopEvent ev;
        ev.at_us = std::max<int64_t>(0, e.at - t0);  // (the top level's first step begins as the run does)
        size_t j = i + 1;
        if (e.kind == 0) {
            const TaskStep& s = tr.steps[e.step];
            const bool is_first = first[size_t(s.task)];
            const std::string co = s.task > 0 ? tr.tasks[size_t(s.task) - 1].coroutine : std::string();
            // Steps of like tasks that follow each other, each short and ending alike, make one step.
            std::vector<size_t> group{e.step};
            ev.tasks.push_back(s.task);
            int64_t until = s.ended_us;
            bool has_blocking = false;
            for (int c : ix.requests[size_t(s.task)])
                has_blocking |= blocking_call(run, c) && run.requests[size_t(c)].started_us >= s.began_us && run.requests[size_t(c)].started_us <= s.ended_us;
            while (!has_blocking && j < entries.size() && entries[j].kind == 0 && s.task > 0) {
                const TaskStep& n = tr.steps[entries[j].step];
                // (Python in the page is slower than CPython: a step of httpx's own work takes milliseconds.)
                const bool alike = n.task > 0 && n.end == s.end && n.wait == s.wait && n.line == s.line && first[size_t(n.task)] == is_first &&
                                   tr.tasks[size_t(n.task) - 1].coroutine == co && n.ended_us - n.began_us < group_step_us &&
                                   s.ended_us - s.began_us < group_step_us && std::find(ev.tasks.begin(), ev.tasks.end(), n.task) == ev.tasks.end() &&
                                   requests_of_step(run, ix, n).size() == requests_of_step(run, ix, s).size();
                if (!alike) break;
                group.push_back(entries[j].step);
                ev.tasks.push_back(n.task);
                until = std::max(until, n.ended_us);
                ++j;
            }
            const bool many = group.size() > 1;
            std::string who = many ? name_tasks(ev.tasks) + (co.empty() ? "" : " (" + co + ")") : task_title(tr, s.task);
            if (!many && is_first && s.task > 0) who = task_title(tr, s.task);
            if (has_blocking) {
                // Up to its first blocking call; the rest of the step is told at its answers and its end.
                ev.what = capital(who) + (is_first ? " starts." : " runs again.");
                ev.until_us = ev.at_us;
            } else {
                ev.what = capital(who) + " " + step_words(run, ix, s, is_first, many);
                if (s.end == StepEnd::parked && s.wait == TaskWait::request) {
                    // Does anything else remain to run while it waits?
                    // (Tasks that await this one, or run the loop for it, cannot run before it does.)
                    const LoopPicture after = picture_of(run, ix, until);
                    size_t others = after.task_ready.size();
                    for (const auto& [task, wait] : after.task_parked)
                        others += std::find(ev.tasks.begin(), ev.tasks.end(), task) == ev.tasks.end() && wait != TaskWait::task &&
                                  wait != TaskWait::gather && wait != TaskWait::loop && wait != TaskWait::future;
                    ev.what += others == 0 && !many ? ": no other task could run meanwhile, so nothing else happens until this answer is in."
                                                    : ": the event loop is free to run something else.";
                } else {
                    ev.what += ".";
                }
                ev.until_us = std::max(ev.at_us, until - t0);
            }
            for (size_t g : group) first[size_t(tr.steps[g].task)] = false;
            ev.kind = LoopEventKind::resumed;
        } else if (e.kind == 3) {
            // A thread runs: like stretches of like threads that follow each other make one step.
            const ThreadStep& s = tr.thread_steps[e.step];
            const std::string target = tr.threads[size_t(s.thread) - 1].target;
            const bool is_first = thread_first[size_t(s.thread)];
            std::vector<size_t> group{e.step};
            std::vector<int> who{s.thread};
            int64_t until = s.ended_us;
            while (j < entries.size() && entries[j].kind == 3) {
                const ThreadStep& n = tr.thread_steps[entries[j].step];
                const bool alike = n.end == s.end && n.wait == s.wait && n.line == s.line && thread_first[size_t(n.thread)] == is_first &&
                                   tr.threads[size_t(n.thread) - 1].target == target && n.ended_us - n.began_us < group_step_us &&
                                   s.ended_us - s.began_us < group_step_us && std::find(who.begin(), who.end(), n.thread) == who.end();
                if (!alike) break;
                group.push_back(entries[j].step);
                who.push_back(n.thread);
                until = std::max(until, n.ended_us);
                ++j;
            }
            const bool many = who.size() > 1;
            std::vector<int> sent;
            for (size_t g : group)
                for (int c : calls_of_thread_step(g)) sent.push_back(c);
            std::sort(sent.begin(), sent.end());
            std::string name = many ? std::to_string(who.size()) + " threads" + (target.empty() ? "" : " (" + target + ")") : thread_title(tr, s.thread);
            std::string what = capital(name) + (is_first ? (many ? " start" : " starts") : (many ? " run again" : " runs again"));
            const double ms = double(s.ended_us - s.began_us) / 1000.0;
            if (!many && ms >= 1.0) what += ", " + std::string("runs Python for ") + format_duration_ms(ms);
            switch (s.end) {
                case StepEnd::parked:
                    if (s.wait == ThreadWait::request && !sent.empty())
                        what += ", " + std::string(many ? "send " : "sends ") + name_calls(sent) + (sent.size() == 1 ? "'s request" : "' requests") +
                                at_line(s.line) + std::string(many ? " and block in them" : " and blocks in it") + ": the other threads go on";
                    else
                        what += std::string(many ? " and are now " : " and is now ") + thread_wait_words(s.wait, s.arg) + at_line(s.line);
                    break;
                case StepEnd::done: what += many ? " and end" : " and ends"; break;
                case StepEnd::failed: what += many ? " and fail with an exception" : " and fails with an exception (printed, as threading's excepthook does)"; break;
                case StepEnd::cancelled: break;
            }
            ev.what = what + ".";
            ev.calls = sent;
            ev.kind = LoopEventKind::resumed;
            ev.until_us = std::max(ev.at_us, until - t0);
            for (int th : who) thread_first[size_t(th)] = false;
        } else if (e.kind == 2) {
            const ProgramCall& pc = run.program->calls[size_t(e.call)];
            ev.kind = LoopEventKind::sent;
            ev.calls = {e.call};
            ev.tasks = {e.task};
            ev.what = capital(task_title(tr, e.task)) + " makes a blocking call" + at_line(pc.line) + ": " + name_calls({e.call}) +
                      "'s request goes out, and the thread" + (tl.has_loop ? ", event loop included," : "") + " waits in it until the answer is in.";
            ev.until_us = ev.at_us;
        } else {
            // Answers in at one instant.
            ev.kind = LoopEventKind::answered;
            ev.calls = {e.call};
            while (j < entries.size() && entries[j].kind == 1 && entries[j].at == e.at) ev.calls.push_back(entries[j++].call);
            std::vector<int> tasks;
            bool blocking = false;
            for (int c : ev.calls) {
                blocking |= blocking_call(run, c);
                const int t = run.program->calls[size_t(c)].task_id;
                if (t >= 0 && std::find(tasks.begin(), tasks.end(), t) == tasks.end()) tasks.push_back(t);
            }
            ev.tasks = tasks;
            const bool many = ev.calls.size() > 1;
            const std::string in = many ? "The answers of " + name_calls(ev.calls) + " are in" : capital(name_calls(ev.calls)) + "'s answer is in";
            const RequestTrace& r = run.requests[size_t(e.call)];
            const std::string how = r.outcome == Outcome::ok || r.outcome == Outcome::http_error ? "" : std::string(" (") + outcome_name(r.outcome) + ")";
            std::vector<int> threads;
            for (int c : ev.calls) {
                const int th = run.program->calls[size_t(c)].thread_id;
                if (th > 0 && std::find(threads.begin(), threads.end(), th) == threads.end()) threads.push_back(th);
            }
            if (blocking && tasks.size() == 1) ev.what = in + how + ": the blocking call returns, and " + task_name(tasks[0]) + " goes on.";
            else if (tasks.empty() && threads.size() == 1) ev.what = in + how + ": " + thread_title(tr, threads[0]) + "'s blocking call returns.";
            else if (tasks.empty() && !threads.empty()) ev.what = in + how + ": " + std::to_string(threads.size()) + " threads' blocking calls return.";
            else if (tasks.empty()) ev.what = in + how + ".";
            else ev.what = in + how + ": " + name_tasks(tasks) + (tasks.size() > 1 ? " are" : " is") + " ready, and waits for the loop.";
            ev.until_us = ev.at_us;
        }
        tl.steps.push_back(std::move(ev));
        i = j;
    }
    if (tr.cut > 0) {
        LoopEvent note;
        note.kind = LoopEventKind::finished;
        note.at_us = tl.steps.back().shown_us();
        note.what = "The trace stops here: the program made more tasks and steps than the page keeps (" + std::to_string(tr.cut) + " more).";
        tl.steps.push_back(std::move(note));
    }
    return tl;
}

Phase phase_of_call(CallState s) {
    switch (s) {
        case CallState::queued: return Phase::queued;
        case CallState::on_network:
        case CallState::ready: return Phase::waiting;
        case CallState::running: return Phase::handling;
        case CallState::backing_off: return Phase::backing_off;
        case CallState::not_reached:
        case CallState::done: break;
    }
    return Phase::none;
}

ReplayState replay_from_picture(const LoopPicture& p) {
    ReplayState st;
    st.t_us = p.at_us;
    for (CallState c : p.calls) {
        ++st.per_phase[int(phase_of_call(c))];
        st.ready += c == CallState::ready;
        st.done += c == CallState::done;
        st.not_yet_scheduled += c == CallState::not_reached;
    }
    st.loop = p.loop;
    st.loop_request = p.running >= 0 ? p.running : p.ready.empty() ? -1 : p.ready.front();
    return st;
}

LoopPicture program_picture_at(const Run& run, int64_t t_us) {
    if (!has_trace(run)) return LoopPicture{};
    return picture_of(run, TaskIndex(run), t_us);
}

std::string describe_program_replay(const Run& run, int64_t t_rel_us) {
    const LoopPicture p = program_picture_at(run, run.start_us + t_rel_us);
    const ProgramTrace& tr = run.program->trace;
    std::string text = "at " + format_duration_ms(double(t_rel_us) / 1000.0) + ": ";
    std::vector<std::string> parts;
    int on_request = 0;
    for (const auto& [task, wait] : p.task_parked) on_request += wait == TaskWait::request;
    if (p.task_running >= 0 && p.main_wait >= 0)
        parts.push_back(task_title(tr, p.task_running) + " is blocked, the main thread " + thread_wait_words(ThreadWait(p.main_wait), ""));
    else if (p.task_running >= 0)
        parts.push_back(task_title(tr, p.task_running) + (p.loop == LoopState::blocked ? " is blocked in " + name_calls({p.running}) + "'s call" : " runs"));
    if (on_request) parts.push_back(std::to_string(on_request) + (on_request == 1 ? " task waits" : " tasks wait") + " for an answer");
    if (!p.task_ready.empty()) parts.push_back(std::to_string(p.task_ready.size()) + " ready");
    int by_wait[task_wait_count] = {};
    for (const auto& [task, wait] : p.task_parked) ++by_wait[int(wait)];
    static const char* words[task_wait_count] = {"", "", "waiting for a connection", "at a semaphore", "waiting for a lock", "waiting for an event",
                                                 "sleeping", "awaiting a task", "awaiting a gather", "awaiting a future", "in asyncio.run"};
    for (int w = 2; w < task_wait_count; ++w)
        if (by_wait[w]) parts.push_back(std::to_string(by_wait[w]) + " " + words[w]);
    if (p.tasks_made > 0 || p.threads.empty())
        parts.push_back(std::to_string(p.tasks_done) + " of " + std::to_string(p.tasks_made) + (p.tasks_made == 1 ? " task" : " tasks") + " done");
    // Threads beside the main one, by what they do.
    int by_thread[thread_wait_count] = {}, running = 0, others = 0;
    for (const LoopPicture::Thread& th : p.threads) {
        if (th.thread == 0) continue;
        ++others;
        if (th.at == ThreadAt::running) ++running;
        else ++by_thread[int(th.wait)];
    }
    if (others) {
        std::string t = std::to_string(others) + (others == 1 ? " thread" : " threads") + " beside the main one (";
        std::vector<std::string> what;
        if (running) what.push_back(std::to_string(running) + " running");
        for (int w = 0; w < thread_wait_count; ++w)
            if (by_thread[w])
                what.push_back(std::to_string(by_thread[w]) + " " +
                               (w == int(ThreadWait::request) && by_thread[w] > 1 ? std::string("blocked in their requests") : thread_wait_words(ThreadWait(w), "")));
        for (size_t i = 0; i < what.size(); ++i) t += (i ? ", " : "") + what[i];
        parts.push_back(t + ")");
    }
    for (size_t i = 0; i < parts.size(); ++i) text += (i ? ", " : "") + parts[i];
    // (The words the stepper's picture uses for the same instant.)
    LoopTimeline tl;
    tl.by_task = true;
    tl.has_loop = p.tasks_made > 0;
    const bool over = p.task_parked.empty() && p.task_ready.empty() && p.task_running < 0;
    return text + "; " + (tl.has_loop ? "the event loop " : p.threads.empty() ? "the program's thread " : "the main thread ") + loop_words(tl, p, over);
}

std::vector<ProgramLineCount> trace_line_counts(const Run& run, int64_t t_us) {
    std::vector<ProgramLineCount> out;
    if (!has_trace(run)) return out;
    const TaskIndex ix(run);
    // By line: running, blocking, ready, then parked by what they wait for.
    struct Tally { int running = 0, blocked = 0, ready = 0; int parked[task_wait_count] = {}; };
    std::vector<std::pair<int, Tally>> lines;
    for (int task = 0; task <= int(run.program->trace.tasks.size()); ++task) {
        const TaskState st = task_at(run, ix, task, t_us);
        if (st.at == TaskAt::unborn || st.at == TaskAt::done || st.line <= 0) continue;
        auto at = std::lower_bound(lines.begin(), lines.end(), st.line, [](const auto& e, int l) { return e.first < l; });
        if (at == lines.end() || at->first != st.line) at = lines.insert(at, {st.line, Tally{}});
        Tally& t = at->second;
        if (st.at == TaskAt::blocked) ++t.blocked;
        else if (st.at == TaskAt::running) ++t.running;
        else if (st.at == TaskAt::ready) ++t.ready;
        else ++t.parked[int(st.wait)];
    }
    // A thread's line: "4 threads blocking in requests" (a blocking call), "2 threads waiting for a lock".
    const ProgramTrace& tr = run.program->trace;
    std::vector<std::pair<int, std::vector<int>>> thread_lines;  // line -> count by ThreadWait (+1 slot: running)
    int main_parked = -1;
    if (!tr.thread_steps.empty()) {
        const std::vector<ThreadState> states = threads_at(tr, t_us);
        for (int th = 0; th < int(states.size()); ++th) {
            const ThreadState& st = states[size_t(th)];
            if (st.at == ThreadAt::unborn || st.at == ThreadAt::done) continue;
            // (The main thread's line is its task's, unless it is parked in a lock, a join, a pool's results.)
            if (th == 0 && !(st.at == ThreadAt::parked && st.wait != ThreadWait::request)) continue;
            if (th == 0) main_parked = int(st.wait);
            if (st.line <= 0) continue;
            auto at = std::lower_bound(thread_lines.begin(), thread_lines.end(), st.line, [](const auto& e, int l) { return e.first < l; });
            if (at == thread_lines.end() || at->first != st.line) at = thread_lines.insert(at, {st.line, std::vector<int>(thread_wait_count + 2, 0)});
            ++at->second[th == 0 ? thread_wait_count + 1 : st.at == ThreadAt::running ? thread_wait_count : int(st.wait)];
        }
        for (const auto& [line, n] : thread_lines) {
            auto at = std::lower_bound(lines.begin(), lines.end(), line, [](const auto& e, int l) { return e.first < l; });
            if (at == lines.end() || at->first != line) lines.insert(at, {line, Tally{}});
        }
    }
    static const char* waits[task_wait_count] = {"ready", "waiting for the API", "waiting for a connection", "waiting at a semaphore",
                                                 "waiting for a lock", "waiting for an event", "sleeping", "awaiting a task",
                                                 "awaiting a gather", "awaiting a future", "running the event loop"};
    for (const auto& [line, t] : lines) {
        ProgramLineCount c;
        c.line = line;
        auto add = [&](int n, const char* words, Phase ph) {
            if (!n) return;
            c.count += n;
            c.text += (c.text.empty() ? "" : ", ") + std::to_string(n) + " " + words;
            if (c.phase == Phase::none) c.phase = ph;
        };
        // (The main thread parked in a lock, a join, a pool's results: its task does not run; said below.)
        if (main_parked < 0) add(t.running, "running", Phase::handling);
        add(t.blocked, "blocking the thread", Phase::waiting);
        add(t.parked[int(TaskWait::request)], waits[int(TaskWait::request)], Phase::waiting);
        add(t.ready + t.parked[int(TaskWait::ready)], "ready", Phase::waiting);
        for (int w = 2; w < task_wait_count; ++w)
            add(t.parked[w], waits[w], w == int(TaskWait::sleep) ? Phase::backing_off : Phase::queued);
        auto th = std::lower_bound(thread_lines.begin(), thread_lines.end(), line, [](const auto& e, int l) { return e.first < l; });
        if (th != thread_lines.end() && th->first == line) {
            const std::vector<int>& n = th->second;
            if (n[thread_wait_count + 1]) {
                c.count += 1;
                c.text += (c.text.empty() ? "" : ", ") + std::string("the main thread ") + thread_wait_words(ThreadWait(main_parked), "");
                if (c.phase == Phase::none) c.phase = Phase::queued;
            }
            auto threads = [](int k) { return std::to_string(k) + (k == 1 ? " thread " : " threads "); };
            auto add_threads = [&](int k, const std::string& words, Phase ph) {
                if (!k) return;
                c.count += k;
                c.text += (c.text.empty() ? "" : ", ") + threads(k) + words;
                if (c.phase == Phase::none) c.phase = ph;
            };
            add_threads(n[thread_wait_count], "running", Phase::handling);
            add_threads(n[int(ThreadWait::request)], "blocking in their requests", Phase::waiting);
            add_threads(n[int(ThreadWait::sleep)], "asleep", Phase::backing_off);
            for (int w = int(ThreadWait::lock); w < thread_wait_count; ++w) add_threads(n[w], thread_wait_words(ThreadWait(w), ""), Phase::queued);
        }
        out.push_back(std::move(c));
    }
    return out;
}

LoopTimeline event_loop_timeline(const Run& run) {
    if (run.recorded) {  // the browser's requests from a HAR: no program made them, no event loop ran them
        LoopTimeline tl;
        tl.has_loop = false;
        LoopEvent start;
        start.kind = LoopEventKind::start;
        start.what = "A recorded run: the browser's " + std::to_string(run.requests.size()) + " requests as the HAR gives them. No Python program made them, so there is no event loop to step.";
        tl.steps.push_back(start);
        return tl;
    }
    if (has_trace(run) && (run.state == RunState::finished || run.state == RunState::cancelled)) {
        if (run.requests.size() > size_t(max_stepper_calls) || run.program->trace.steps.size() > size_t(4 * max_stepper_calls) ||
            run.program->trace.thread_steps.size() > size_t(4 * max_stepper_calls)) {
            LoopTimeline big;
            big.by_task = true;
            big.too_big = true;
            big.steps.push_back(LoopEvent{});
            return big;
        }
        return program_timeline(run);
    }
    LoopTimeline tl;
    const std::optional<CodePath> p = code_path_of(run.desc);
    tl.has_loop = !no_event_loop(p);
    tl.has_workers = p == CodePath::thread_pool;
    tl.workers = tl.has_workers ? run.desc.limit : 0;
    const size_t n = run.requests.size();
    LoopEvent start;
    start.kind = LoopEventKind::start;
    start.what = tl.has_loop ? "asyncio.run starts the event loop: " + std::to_string(n) + " calls to make."
                             : "The program starts: " + std::to_string(n) + " calls to make, one after another on its one thread.";
    tl.steps.push_back(start);
    if (n > size_t(max_stepper_calls)) {
        tl.too_big = true;
        return tl;
    }
    if (run.state != RunState::finished && run.state != RunState::cancelled) return tl;

    const int64_t t0 = run.start_us;
    std::vector<Atomic> events;
    for (size_t i = 0; i < n; ++i) {
        const RequestTrace& r = run.requests[i];
        const int c = int(i);
        if (r.scheduled_us >= 0 && (r.started_us < 0 || r.scheduled_us < r.started_us))
            events.push_back({r.scheduled_us, 0, LoopEventKind::reached, c, 0, ""});
        for (size_t a = 0; a < r.attempts.size(); ++a) {
            const Attempt& at = r.attempts[a];
            if (at.started_us >= 0) events.push_back({at.started_us, 0, LoopEventKind::sent, c, int(a), ""});
            if (at.ended_us >= 0 && a + 1 < r.attempts.size()) {
                const std::string why = at.status > 0 ? "HTTP " + std::to_string(at.status) : outcome_name(at.outcome);
                events.push_back({at.ended_us, 0, LoopEventKind::retry_wait, c, int(a), why});
            }
        }
        if (r.answered_us >= 0 && r.finished_us > r.answered_us) {
            events.push_back({r.answered_us, 0, LoopEventKind::answered, c, 0, ""});
            if (r.finished_us > r.handled_us && r.handled_us >= 0) events.push_back({r.handled_us, 0, LoopEventKind::resumed, c, 0, ""});
        }
        // A call cancelled before it was sent has no end of its own: it ends with the run.
        const int64_t end = r.finished_us >= 0 ? r.finished_us : (outcome_is_final(r.outcome) ? run.end_us : -1);
        if (end >= 0) events.push_back({end, 0, LoopEventKind::finished, c, 0, ending(r)});
    }
    for (Atomic& e : events) e.order = order_of(e.kind);
    std::stable_sort(events.begin(), events.end(), [](const Atomic& a, const Atomic& b) {
        if (a.at != b.at) return a.at < b.at;
        if (a.order != b.order) return a.order < b.order;
        return a.call < b.call;
    });

    Machine m(n);
    for (size_t i = 0; i < events.size();) {
        const Atomic& first = events[i];
        size_t j = i;
        std::vector<int> calls;
        while (j < events.size() && events[j].at == first.at && events[j].kind == first.kind && events[j].detail == first.detail &&
               (events[j].attempt > 0) == (first.attempt > 0)) {
            calls.push_back(events[j].call);
            ++j;
        }
        LoopEvent step;
        step.at_us = first.at - t0;
        step.kind = first.kind;
        step.calls = calls;
        step.what = sentence(run, m, first.kind, calls, first);
        for (int c : calls) m.apply(first.kind, c);
        tl.steps.push_back(std::move(step));
        i = j;
    }
    return tl;
}

// A learner's program: the first of these calls made by a blocking client, or -1.
static int blocking_call_out(const Run& run, const std::vector<int>& network) {
    if (!run.program) return -1;
    for (int c : network)
        if (size_t(c) < run.program->calls.size() && run.program->calls[size_t(c)].blocking) return c;
    return -1;
}

LoopPicture loop_picture(const Run& run, const LoopTimeline& tl, size_t index) {
    if (tl.by_task && !tl.too_big && has_trace(run)) {
        const size_t at = tl.steps.empty() ? 0 : std::min(index, tl.steps.size() - 1);
        LoopPicture pic = program_picture_at(run, run.start_us + (tl.steps.empty() ? 0 : tl.steps[at].shown_us()));
        if (!tl.steps.empty()) pic.at_us = tl.steps[at].shown_us();
        return pic;
    }
    const size_t n = tl.too_big ? 0 : run.requests.size();
    Machine m(n);
    LoopPicture pic;
    const size_t last = std::min(index, tl.steps.empty() ? 0 : tl.steps.size() - 1);
    for (size_t s = 0; s <= last && s < tl.steps.size(); ++s)
        for (int c : tl.steps[s].calls) m.apply(tl.steps[s].kind, c);
    pic.at_us = tl.steps.empty() ? 0 : tl.steps[last].at_us;
    pic.calls = m.calls;
    pic.ready = m.ready;
    bool io = false;
    for (size_t i = 0; i < n; ++i) {
        const int c = int(i);
        switch (m.calls[i]) {
            case CallState::not_reached: ++pic.not_reached; break;
            case CallState::queued: pic.queued.push_back(c); break;
            case CallState::on_network:
                io = true;
                if (tl.has_workers) pic.workers.push_back(c);
                else pic.network.push_back(c);
                break;
            case CallState::ready: break;
            case CallState::running: pic.running = c; break;
            case CallState::backing_off:
                io = true;
                pic.backing_off.push_back(c);
                break;
            case CallState::done: ++pic.done; break;
        }
    }
    if (pic.running >= 0) {
        pic.loop = LoopState::computing;
    } else if (blocks_the_thread(code_path_of(run.desc)) && !pic.network.empty()) {
        pic.loop = LoopState::blocked;
        pic.running = pic.network.front();
    } else if (const int held = blocking_call_out(run, pic.network); held >= 0) {
        pic.loop = LoopState::blocked;  // a learner's program inside requests.get or httpx.Client
        pic.running = held;
    } else if (io) {
        pic.loop = LoopState::waiting_for_io;
    }
    return pic;
}

size_t loop_step_at(const LoopTimeline& tl, int64_t t_rel_us) {
    size_t at = 0;
    for (size_t i = 0; i < tl.steps.size() && tl.steps[i].shown_us() <= t_rel_us; ++i) at = i;
    return at;
}

size_t next_step_of_call(const LoopTimeline& tl, size_t from, int call) {
    for (size_t i = from + 1; i < tl.steps.size(); ++i)
        if (std::find(tl.steps[i].calls.begin(), tl.steps[i].calls.end(), call) != tl.steps[i].calls.end()) return i;
    return from;
}

std::string loop_words(const LoopTimeline& tl, const LoopPicture& p, bool at_end) {
    if (tl.by_task) {
        if (p.main_wait >= 0)
            return std::string(tl.has_loop ? "is held: the main thread is " : "is ") + thread_wait_words(ThreadWait(p.main_wait), "") +
                   (p.threads.size() > 1 ? ", while the other threads go on" : "");
        if (p.loop == LoopState::blocked) return "is blocked inside " + name_calls({p.running}) + "'s request (" + task_name(p.task_running) + "): nothing else runs until it returns";
        if (p.task_running >= 0) return "runs " + task_name(p.task_running) + "; nothing else runs until it parks or ends";
        if (!p.task_ready.empty()) return "takes " + task_name(p.task_ready.front()) + " from the ready queue next";
        if (p.loop == LoopState::waiting_for_io) return tl.has_loop ? "waits in select() for the next answer or timer" : "waits for the answer";
        return at_end ? "has nothing left to do" : "waits";
    }
    const std::string call = "call " + std::to_string(p.running + 1);
    if (p.running < 0 && !p.ready.empty())
        return "takes call " + std::to_string(p.ready.front() + 1) + " from the ready queue next";
    switch (p.loop) {
        case LoopState::computing: return "runs " + call + "'s CPU work on its answer; nothing else runs";
        case LoopState::blocked: return "is blocked inside " + call + "'s request: nothing else runs until it returns";
        case LoopState::waiting_for_io: return tl.has_loop ? "waits in select() for the next answer or timer" : "sleeps until the next try";
        case LoopState::idle: return at_end ? "has nothing left to do" : "is about to start the calls";
    }
    return "";
}

}  // namespace ap
