// stats.h — numbers derived from a run's trace: wall time, sum of durations, slowest, mean, peak in
// flight, the code path's expected time and the speedup against the one-at-a-time estimate; plus the
// notes that explain a gap between measured and expected (the browser's connection cap, errors).
// Everything here is a pure function of a Run.
#pragma once
#include <string>
#include <vector>

#include "scheduler.h"

namespace ap {


// The textbook formula, for runs with even latencies and no CPU work, failures or retries (the page's
// expectations come from model_wall_ms, which also covers those):
// sequential N×L, concurrent L, bounded ⌈N/k⌉×L.
double expected_wall_ms(const RunDesc& desc);
// N×L: what the plain loop would take; the yardstick for every speedup.
double sequential_estimate_ms(const RunDesc& desc);
// How many requests the code path lets be in flight at once (N, 1 or k).
int intended_concurrency(const RunDesc& desc);

struct RunStats {
    int count = 0;           // requests in the run
    int started = 0;         // requests that reached the transport
    int ok = 0, http_errors = 0, network_errors = 0, timeouts = 0, cancelled = 0;
    double wall_ms = 0;      // run start to the last request's end (or to the cancel)
    double sum_ms = 0;       // Σ (end − start) over requests that started and ended
    double slowest_ms = 0;
    double mean_ms = 0;
    double mean_queued_ms = 0;  // scheduled → started, over started requests (semaphore/loop waiting)
    int peak_in_flight = 0;          // most requests the page had handed to the API at once
    int peak_on_wire = 0;            // most really sent at once, from Resource Timing (real sockets), or 0
    // The peak the page shows: on the wire when Resource Timing said, else as handed to the API.
    int peak() const { return peak_on_wire > 0 ? peak_on_wire : peak_in_flight; }
    int expected_peak_in_flight = 0; // what the model expects on the wire
    double expected_ms = 0;
    double sequential_estimate_ms = 0;
    double speedup = 0;           // sequential estimate ÷ wall (measured)
    double expected_speedup = 0;  // sequential estimate ÷ expected
};

RunStats compute_stats(const Run& run);

// One-line explanations of what the run shows that the code path alone does not: a connection cap, the
// browser's own costs, failed requests, a cancel. Empty for a clean simulated run.
std::vector<std::string> explain_run(const Run& run, const RunStats& stats);

// The result object of window.playground.run(): {wallMs, sumMs, slowestMs, expectedMs, peakInFlight,
// requests: [{startMs, endMs, outcome, status}], ...}. Times in ms relative to the run's start.
// number: the run's number in the history (0: none).
// extra_notes: more notes, before explain_run's (why the run is simulated, say).
std::string run_to_json(const Run& run, const RunStats& stats, uint32_t number = 0, const std::vector<std::string>& extra_notes = {});

// The browser's part of the expectation, in words: "38 ms the browser takes to hand 50 requests to the
// in-page API (measured in this page: ...)".
std::string browser_cost_words(const Run& run);

// One sentence for a screen reader: "10 requests, concurrent, in-page API: 213 ms, expected 200 ms."
std::string summarize_run(const Run& run, const RunStats& stats);

// Milliseconds to hours, the way a person reads them: "480 ms", "1.20 s", "25.3 s", "4 min 10 s", "83 h 20 min".
std::string format_duration_ms(double ms);

}  // namespace ap

namespace ap {
// When the page should not start drawing a frame, because the frame would compete for the CPU exactly
// when an answer's callback needs it (see src/web/main.cpp for the figures that set these).
struct QuietRule {
    int64_t before_us = 0;     // hold frames this long before an answer is expected (start + latency)
    int64_t after_us = 0;      // ... and this long after it was expected (then it is simply late)
    int64_t burst_gap_us = 0;  // hold frames while answers keep arriving less than this apart
};
// True while a real-API run is in one of the rule's quiet windows. Simulated runs never are: their
// clock is virtual, so drawing cannot distort them.
bool drawing_would_disturb(const Run& run, int64_t now_us, const QuietRule& rule);
}  // namespace ap
