// export.h — a run in the formats other tools read: HAR 1.2, as Chrome DevTools writes it (its Network
// panel and HAR viewers open it), and Chrome's trace-event JSON (Perfetto and chrome://tracing open it).
//
//   std::string har = run_to_har(run, {epoch_ms_at_zero, "run #3"});   // one entry per attempt
//   std::string trace = run_to_trace(run, "run #3");                    // a track per task, the loop on its own
#pragma once
#include <string>

#include "core/scheduler.h"

namespace ap {

struct ExportNames {
    double epoch_ms_at_zero = 0;  // Unix time in ms of the run clock's 0 (in the page: performance.timeOrigin)
    std::string title;            // what the page calls the run: "run #3: asyncio.gather, 10 x 300 ms"
};

// "2026-12-05T07:40:00.123Z".
std::string iso_time(double epoch_ms);

// HAR 1.2: one page for the run (pageref), one entry per attempt of each request, in the order they started:
// method, URL (the one on the wire), status (0 without an answer, with _error saying why), startedDateTime,
// time, and timings: blocked (the time queued by the code path, or stalled by the browser for a connection),
// send 0, wait (to the first byte, or the end), receive (the first byte to the last, when the browser said),
// dns, connect and ssl -1 (unknown). Custom fields: _call, _attempt, _outcome, and for a program's requests
// _line, _task and _thread.
std::string run_to_har(const Run& run, const ExportNames& names);

// Chrome trace-event JSON: the run's process; a track per asyncio task (a program's, from its trace; a code
// path's: its one coroutine when calls go one at a time, else a task per call) and per thread, holding each
// request's phases as complete events (queued, stalled, waiting for the API, receiving, backing off,
// handling); the event loop's busy time on its own track (the tasks' steps, or the CPU work on answers) with
// an instant event for each of its steps as the stepper tells them. Times in µs from the run's start.
std::string run_to_trace(const Run& run, const std::string& title);

}  // namespace ap
