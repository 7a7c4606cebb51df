// scheduler.h — runs one RunDesc through a Transport and records a RequestTrace per request.
//
//   ap::Scheduler s(&transport);
//   s.begin(desc, now_us);                 // starts what the code path allows at once
//   s.complete(id, completion, now_us);    // an answer came; starts whatever may start next
//   s.advance(now_us);                     // timeouts and retries that are due
//   s.cancel(now_us);                      // aborts everything in flight
//
// Times come from the caller's monotonic clock. Starting a run while one is running cancels the old one
// first; its late answers carry an old generation and are dropped.
//
// The scheduler also plays the event loop's part: a request is "in flight" for the code path (it holds
// its semaphore slot, its place in the loop) from its first attempt until it is handled, including
// back-off between retries; and answers are handled one at a time, each taking desc.cpu_ms of the one
// thread. In virtual time the scheduler models that thread; in the page the CPU is really spent, and
// complete() is told when.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "run.h"
#include "program_trace.h"
#include "transport.h"

namespace ap {

enum class RunState : uint8_t { idle, running, finished, cancelled };
struct ModelRun;
const char* run_state_name(RunState s);

// What the page expects a run to take: computed once, by the model, when the run starts (expect_run), and
// shown the same way everywhere (the claim, the totals, the history, the notes, the verdict, the scaling
// chart, the JS result, the host page's event).
struct Expectation {
    double wall_ms = 0;        // the whole expectation: path_ms + cap_ms + browser_ms
    double path_ms = 0;        // the code path's own time: what its Python script takes (retries, CPU work, failures)
    double cap_ms = 0;         // what the browser's 6 connections per host add (the dev server's real sockets)
    double browser_ms = 0;     // what the browser's measured costs add (ApiCost: round trips, hand-over)
    double sequential_ms = 0;  // the same calls one at a time through the same API: the speedup's yardstick
    int peak_in_flight = 0;    // most requests on the wire at once
    int ok = 0, failed = 0, timeouts = 0;  // how the requests end (failed: an HTTP error or no answer)
    bool operator==(const Expectation&) const = default;
};

// ---- The learner's program ------------------------------------------------------------------------
// Three things are called a program on this page, and the code keeps them apart by name:
//   - the learner's program: Python typed or pasted into the editor and run in the page; a run of it is a
//     run of kind RunKind::program, and its own data is Run::program (ProgramRun, below);
//   - a code path's Python: the script a built-in path mirrors (CodePathInfo::python_file), whose time the
//     model computes (Expectation::path_ms);
//   - a lesson's script: the Python a lesson file gives in its "program:" block (Lesson::script), which the
//     editor opens with and the learner runs as their program.

// What the learner's program said about each request it made: the program line that made it, the asyncio
// task it ran in, the timeout its client set (0: none), and, until the program has been handed it, the
// answer's body.
struct ProgramCall {
    std::string url;
    // Where the page sent it, when not to `url` as asked: the same path on a sibling port of the dev server
    // (each port the browser's own 6 connections; app_program_request spreads a program's requests so).
    std::string wire_url;
    double queued_ms = 0;  // how long it waited for a free connection of its client (httpx.Limits) before it was sent
    int line = 0;
    std::string task;
    int task_id = -1;        // its task in the program's trace (0: the top level; -1: not known)
    std::string thread;      // the thread that made it, as Python names it ("MainThread", "ThreadPoolExecutor-0_2"; "": not known)
    int thread_id = -1;      // that thread in the program's trace (0: the main thread; -1: not known)
    int timeout_ms = 0;
    bool blocking = false;  // made by a blocking client (requests, httpx.Client): the thread waits in it
    int asked_latency_ms = 0;  // what its URL asks the API for (program_spec), read once when it is made
    std::string body;
};
inline constexpr int max_program_requests = 10000;

// What the program's interpreter reports when the program is over: the program it ran, what it printed,
// and how it ended (error_message empty: it returned; stopped: the learner pressed Stop).
struct ProgramReport {
    std::string source;
    std::string output;
    std::string error_message;  // "ZeroDivisionError: division by zero"
    std::string traceback;      // the program's own frames
    int error_line = 0;         // the program's line the error points at, or 0
    bool stopped = false;       // the learner pressed Stop
    int64_t output_cut_bytes = 0;  // printed past program_output_limit: not kept, counted
    int64_t output_cut_lines = 0;
};

// A program run's own data, present only on runs of RunKind::program: its report (once it ended) and one
// call per request, in the order of Run::requests.
struct ProgramRun {
    ProgramReport report;
    std::vector<ProgramCall> calls;
    ProgramTrace trace;  // what its tasks did (program_trace.h); empty when the interpreter gave none (Stop)
};

// A run recorded elsewhere (RunKind::recorded): where it came from, and each request's URL and method, which
// no code path's rule gives (core/har.h reads them from a HAR file).
struct RecordedRun {
    std::string file;     // the file it was read from
    std::string creator;  // the tool that wrote it, with its version ("WebInspector 537.36")
    std::string title;    // its first page's title, or ""
    std::vector<std::string> urls, methods;  // one each per request
};

// Every text of a program run is bounded, wherever it comes from (the worker, a run file): a program that
// prints 140 MB or raises an error of megabytes costs the page at most these, and says what it cut.
inline constexpr size_t program_source_limit = 1 << 20;
inline constexpr size_t program_output_limit = 1 << 20;
inline constexpr size_t program_message_limit = 4096;
inline constexpr size_t program_traceback_limit = 32768;
// s cut to at most `limit` bytes at a whole UTF-8 character (a text that fits is kept as it is).
std::string cut_at_character(const std::string& s, size_t limit);
// Cuts the texts to their limits: the output at a whole character, counting what it drops in
// output_cut_bytes and output_cut_lines; the others with a word saying how much was cut.
void bound_program_report(ProgramReport* r);
// "Output cut at 1 MB: 139.0 MB more (12 lines) not shown.", or "" when nothing was cut.
std::string program_output_cut_note(const ProgramReport& r);

struct Run {
    uint16_t generation = 0;
    RunDesc desc;
    RunState state = RunState::idle;
    int64_t start_us = -1;
    int64_t end_us = -1;       // when the last request ended or the run was cancelled
    Expectation expected;      // what the page expects of it (expect_run at begin)
    ApiCost cost;              // the API's measured costs the expectation includes
    std::vector<RequestTrace> requests;
    std::optional<ProgramRun> program;  // present exactly when desc.kind == RunKind::program
    std::optional<RecordedRun> recorded;  // present exactly when desc.kind == RunKind::recorded
    int next_index = 0;        // first request not yet started
    int in_flight = 0;         // requests started and not yet done (attempts, back-off, handling)
    int ended = 0;             // requests with a final outcome
    int64_t cpu_free_us = -1;  // when the event loop's thread is free again (virtual time)
};

class Scheduler {
public:
    // with_expectation: compute Run::expected at begin() by playing the run in virtual time (the model
    // itself runs without, or it would recurse).
    explicit Scheduler(Transport* transport, bool with_expectation = true)
        : transport_(transport), with_expectation_(with_expectation) {}

    // Clamps nothing: pass a desc that went through clamp_run_desc. cost: the API's measured costs, which
    // the expectation includes (zero for the simulated API).
    void begin(const RunDesc& desc, int64_t now_us, const ApiCost& cost = {});
    // An answer to an attempt, arrived at now_us. handled_us: when the page finished the CPU work on it
    // (it spends desc.cpu_ms for real before calling), or -1 to have the scheduler model that work.
    // Returns false when the completion was dropped (stale generation or attempt, unknown id, ended).
    bool complete(RequestId id, const Completion& completion, int64_t now_us, int64_t handled_us = -1);
    void advance(int64_t now_us);
    void cancel(int64_t now_us);

    // The learner's program (a run begun with desc.kind == RunKind::program): begin() starts nothing, there
    // is no model to expect anything of it, and each request starts the moment the program makes it.
    // Returns the request's index, or -1 with *why when no program runs or it made max_program_requests.
    int program_request(const std::string& url, const ProgramCall& call, int64_t now_us, std::string* why);
    // The program stopped waiting for request `index` (its task was cancelled: asyncio.wait_for, a TaskGroup
    // that failed): it is aborted on the wire and ends cancelled, with `reason`. A request already ended, or
    // another run's, is left alone.
    void program_cancel(int index, int64_t now_us, const std::string& reason);
    // The program began to run at at_us (its interpreter had it compiled): the run's start moves there, so
    // its wall is the program's own, without the hand-over to the interpreter. Only before its first request.
    void program_started(int64_t at_us);
    // The program is over (returned, raised, or stopped): the run ends now, with the program's report, and
    // the requests it never waited for are cancelled. Stopped (report.stopped), the run ends cancelled.
    void program_end(int64_t now_us, ProgramReport report, ProgramTrace trace = {});
    // What the program printed since the last call, while it runs (shown as it comes; the end's report
    // replaces it): kept up to program_output_limit, the rest counted; cut_*: what its interpreter cut.
    void program_output(const std::string& text, int64_t cut_bytes, int64_t cut_lines);
    // Called as each request ends (any run), with its index: a program's request answers its program.
    std::function<void(int index)> on_request_end;
    // A program request's answer body, handed over once (the run keeps its size, not its text).
    std::string take_body(int index) {
        if (!run_.program || index < 0 || index >= int(run_.program->calls.size())) return std::string();
        return std::exchange(run_.program->calls[size_t(index)].body, std::string());
    }

    // Hands over the ended run (finished or cancelled) and keeps only its generation, state and times: an
    // ended run has one home, the run store (history.h). Returns an idle Run when none has ended.
    Run take_run();
    // Earliest instant at which advance() has something to do (a timeout or a retry), or -1.
    int64_t next_deadline_us() const;
    bool running() const { return run_.state == RunState::running; }
    const Run& run() const { return run_; }

private:
    bool can_start_next() const;
    void start_next(int64_t now_us);
    void start_attempt(int index, int64_t now_us);
    // Returns when the request's slot is free again: after its handling, or at once for a failure.
    int64_t record(RequestId id, const Completion& c, int64_t now_us, int64_t handled_us);
    void attempt_failed(int index, Outcome outcome, int status, const std::string& reason, int64_t now_us);
    void pump(int64_t now_us);
    void end_request(int index, Outcome outcome, int64_t now_us);
    bool accepts(RequestId id) const;
    int attempt_timeout_ms(int index) const;  // 0: none
    void abort_attempt(int index, int64_t now_us);  // its attempt on the wire, if any: aborted, cancelled

    void activate(int index);
    void deactivate(int index);

    struct Deferred { RequestId id; Completion completion; int64_t now_us; int64_t handled_us; };

    Transport* transport_;
    bool with_expectation_;
    Run run_;
    uint16_t last_generation_ = 0;
    bool pumping_ = false;
    std::deque<Deferred> deferred_;  // completions reported from inside Transport::start()
    // The requests in flight, so that timeouts and retries cost O(in flight), not O(N), per event: a loop
    // of 10,000 calls would otherwise scan 10,000 traces 10,000 times.
    std::vector<int> active_;
    std::vector<int> active_pos_;    // index -> position in active_, or -1
};

// What the transport is asked for a request a program makes: its URL, with its body wanted; for the simulated
// API, the delay and status the URL asks the real APIs for (/api/delay/<ms>?status=<code>).
RequestSpec program_spec(const std::string& url);

// What a program's request that got no answer adds to its reason when it was not aimed at the page's API
// (desc.base_url): how to aim it there (BASE); "" when it was.
std::string program_reach_hint(const RunDesc& desc, const std::string& url);

// Adds what the browser's Resource Timing says about attempt `attempt` of request `index` of an ended run
// (see Attempt::sent_us), kept inside the attempt. Returns false when there is no such attempt.
bool annotate_attempt(Run* run, int index, int attempt, int64_t sent_us, int64_t first_byte_us, int64_t last_byte_us = -1);

// What the model says a run takes: the run played in virtual time with every API answer exactly as the
// desc asks (latencies, failures, timeouts, retries, CPU work). Exact for the simulated API; the yardstick
// for the real ones. wire_cap > 0 also holds it to that many requests on the wire at once (the browser's
// per-host cap); cost plays a real API's measured costs.
struct ModelRun {
    double wall_ms = 0;
    int peak_in_flight = 0;
    int ok = 0, failed = 0, timeouts = 0;
};
ModelRun model_run(const RunDesc& desc, int wire_cap = 0, const ApiCost& cost = {});
double model_wall_ms(const RunDesc& desc, int wire_cap = 0, const ApiCost& cost = {});
// The browser's cap for the desc's API: 6 for the dev server, none (0) for the others.
int wire_cap_for(const RunDesc& desc);
// The expectation of a run of desc through its API with these measured costs (the simulated API has none).
Expectation expect_run(const RunDesc& desc, const ApiCost& cost = {});
// The browser's part of an expectation is doubtful when it is over a quarter of the whole: on a machine
// that was busy while the costs were measured, a hand-over of 500 ms would let a slow run pass. The page
// measures again before such a run is judged.
inline bool browser_cost_doubtful(const Expectation& e) { return e.browser_ms > 0.25 * e.wall_ms; }

}  // namespace ap
