// analysis.h — what a run means, beyond its totals: each request's life as phase spans, why a queued
// request waits, how the wall time scales with N or with the share of CPU work (from the model), the
// state of every request and of the loop at any instant (for a replay slider), how good a learner's
// prediction was, and the history as a CSV file for a spreadsheet.
//
//   const ap::Run& run = scheduler.run();
//   for (const ap::PhaseSpan& s : ap::request_phases(run.requests[3], run.end_us)) draw(s.phase, s.from_us, s.to_us);
//   ap::ReplayState st = ap::replay_at(run, 250 * 1000);       // 250 ms into the run
//   std::string line = ap::describe_replay(run, st);           // "at 250 ms: 5 waiting for the API, ..."
//   ap::SweepSeries s = ap::sweep_by_count(run.desc, ap::CodePath::bounded, ap::sweep_counts(100));
//   ap::PredictionScore p = ap::score_prediction(/*guess*/ 900, /*actual*/ 1000);  // 2 stars
//
// Pure functions of their arguments: no clock is read. Times are int64 microseconds unless a name says
// _ms. Request numbers in sentences are 1-based, as the page shows them ("request 7" is index 6).
// Sentences are plain ASCII: the page's font has no other glyphs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "code_view.h"
#include "history.h"
#include "run.h"
#include "scheduler.h"

namespace ap {

// ---- A learner's program: where its requests are, by program line ----------------------------------------

// The requests of a program run at instant t (absolute, like the trace's) that the program made at one line:
// how many are in each phase, the phase most of them are in, and the words for it ("2 waiting for the API,
// 1 queued"; a blocking call "1 blocking the thread").
struct ProgramLineCount {
    int line = 0;  // 1-based, the program's own
    int count = 0;
    Phase phase = Phase::none;
    std::string text;
};
// Lines in order; lines with no request at t are left out. Empty for a run of a built-in code path.
std::vector<ProgramLineCount> program_line_counts(const Run& run, int64_t t_us);

// ---- Phases of one request ------------------------------------------------------------------------------

// One stretch of a request's life in one phase, [from_us, to_us), absolute times like the trace's.
struct PhaseSpan {
    Phase phase;
    int64_t from_us, to_us;
};

// A request's life as spans, in time order, non-overlapping, never empty or Phase::none:
//   queued       scheduled -> its first attempt starts
//   waiting      each attempt, start -> end; and answered -> handled (the answer waits for a busy loop)
//   backing_off  an attempt's end -> the next attempt's start (or -> end_us while it is still sleeping)
//   handling     handled -> finished, when there is CPU work
// The classification is request_phase()'s (code_view.h), evaluated between the trace's own instants,
// so request_phase(r, t) == span.phase for every t inside a span. end_us closes the phases that are
// still open (a request still queued or in flight when the run was cancelled, or "now" for a running
// run); phases the trace closes itself keep their recorded ends. Adjacent spans of one phase read as one
// (two attempts back to back with no back-off make one wait); RequestTrace::attempts has the boundaries.
std::vector<PhaseSpan> request_phases(const RequestTrace& r, int64_t end_us);

// Why a queued request of this code path waits, in words: "waiting for a semaphore slot", "waiting for
// the previous call to return", ... (CodePathInfo::queue_cause). For the dev-server API, when the code
// path lets more than the browser's 6 connections per host be in flight, it names that limit too.
// Paths that start every call at once queue nothing: "not waiting: every call starts at once".
// The text lives as long as the program.
const char* queue_reason(const RunDesc& d);

// ---- Scaling sweeps from the model --------------------------------------------------------------------

// The N values of a sweep: 1, 2, 3, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, ... up to max_count,
// which is always the last one (max_count is clamped into [1, Limits::max_count]).
std::vector<int> sweep_counts(int max_count);
// The CPU shares of a sweep: 0, 0.1, ..., 1.0.
std::vector<double> sweep_shares();

struct SweepPoint {
    double x;        // N, or the CPU share
    double wall_ms;  // what the model says this run takes
    double speedup;  // the same calls on the sequential path, divided by wall_ms (1 when both are 0)
};
struct SweepSeries {
    CodePath path;
    std::vector<SweepPoint> points;
};

// base with path and count = each N. Every desc goes through clamp_run_desc. Each point is what a run's
// expectation would be (expect_run): dev-server runs held to the browser's 6 connections per host, and the
// API's measured costs (cost) added, because that is what the page measures.
SweepSeries sweep_by_count(const RunDesc& base, CodePath path, const std::vector<int>& counts, const ApiCost& cost = {});
// base with path and, for each share s, a fixed amount of work T per request split into CPU work
// round(s * T) and latency T - round(s * T). T is base.latency_ms + base.cpu_ms, capped at
// Limits::max_cpu_ms so that every share (1.0 included) is a valid desc; 100 ms when both are 0.
// At share 0 concurrency gains about N (or k); at share 1 the one thread does everything: about 1.
SweepSeries sweep_by_cpu_share(const RunDesc& base, CodePath path, const std::vector<double>& shares, const ApiCost& cost = {});

// ---- Replay: the run at any instant -------------------------------------------------------------------

// What the program's one thread (the event loop, for the async paths) is doing.
enum class LoopState : uint8_t {
    idle,            // nothing to wait for, nothing to compute
    waiting_for_io,  // the event loop sleeps in select() until an answer or a timer is due
    computing,       // it runs a request's CPU work
    blocked,         // it is stuck inside a synchronous call (requests.get, httpx.Client.get)
};
const char* loop_state_label(LoopState s);  // "idle", "waiting for answers (select)", ...

struct ReplayState {
    int64_t t_us = 0;                // relative to run.start_us
    int per_phase[phase_count] = {};  // requests in each Phase; [Phase::none]: not yet scheduled, or done
    int ready = 0;                   // of per_phase[waiting]: the answer is in, the request waits for the busy loop
    int done = 0;                    // requests that have ended (any outcome, cancelled included)
    int not_yet_scheduled = 0;       // requests the code path has not reached yet (a loop's later calls)
    LoopState loop = LoopState::idle;
    int loop_request = -1;           // index of the request the thread computes or is blocked on, or -1
};

// The run at t_rel_us after its start. Phases are request_phase()'s. The thread computes when some
// request is handling; it is blocked when the code path's calls block it (the requests loop, the
// httpx.Client loop, requests inside async def) and a request waits for the API; it waits for I/O when
// requests wait or back off otherwise; else it is idle. After a cancel, requests that never started
// count as done (cancelled).
ReplayState replay_at(const Run& run, int64_t t_rel_us);
// One sentence: "at 250 ms: 5 waiting for the API, 5 queued (waiting for a semaphore slot), 0 done;
// the event loop waits for answers".
std::string describe_replay(const Run& run, const ReplayState& state);

// ---- Predictions ----------------------------------------------------------------------------------------

struct PredictionScore {
    double ratio = 0;      // guess / actual
    double error_pct = 0;  // |guess - actual| / actual x 100
    int stars = 0;         // 3: within 10 %, 2: within 25 %, 1: within 50 %, else 0
    std::string words;     // "within 8%: spot on", "2.4x too slow a guess", ...
};
// A guess below 0 means no guess; an actual of 0 or less cannot be scored: both give 0 stars and words
// that say there is nothing to score.
PredictionScore score_prediction(double guess_ms, double actual_ms);

// ---- The history as CSV ---------------------------------------------------------------------------------

// RFC 4180: CRLF line ends, a header row, fields with commas, quotes or line breaks quoted (quotes doubled).
// Columns: run,path,api,requests,latency_ms,limit,cpu_ms,spread,wall_ms,expected_ms,sum_ms,slowest_ms,ok,
// http_errors,network_errors,timeouts,cancelled,speedup,guess_ms,guess_error_pct.
// Settings are whole numbers as set; measured ms have 1 decimal, the speedup 2. limit is empty for code
// paths without a k; guess_ms is empty without a guess, guess_error_pct also for a cancelled run.
std::string history_to_csv(const History& h);
// One run, one row per request: request (1-based), scheduled/started/answered/handled/finished_ms (from the
// run's start, 3 decimals; empty for never), outcome, status, attempts, bytes, stalled_ms (Resource Timing,
// real sockets only), reason.
std::string run_requests_csv(const Run& run);
// One CSV field, quoted when it has to be.
std::string csv_field(const std::string& s);

}  // namespace ap
