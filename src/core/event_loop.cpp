#include "event_loop.h"

#include <algorithm>

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

LoopTimeline event_loop_timeline(const Run& run) {
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
    for (size_t i = 0; i < tl.steps.size() && tl.steps[i].at_us <= t_rel_us; ++i) at = i;
    return at;
}

size_t next_step_of_call(const LoopTimeline& tl, size_t from, int call) {
    for (size_t i = from + 1; i < tl.steps.size(); ++i)
        if (std::find(tl.steps[i].calls.begin(), tl.steps[i].calls.end(), call) != tl.steps[i].calls.end()) return i;
    return from;
}

std::string loop_words(const LoopTimeline& tl, const LoopPicture& p, bool at_end) {
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
