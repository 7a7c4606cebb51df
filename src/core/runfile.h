// runfile.h — a finished run saved as a JSON file, and loaded back: to keep, to share with a teacher, to
// replay and compare later.
//
//   std::string text = ap::run_to_file(scheduler.run(), /*guess_ms*/ 900);
//   ap::Run run;  double guess = -1;  std::string error;
//   if (!ap::run_from_file(text, &run, &guess, &error)) show(error);  // "line 3, column 14: expected ',' or '}'"
//
// The format, one request per line:
//   {"format":"asyncplay-run","version":3,
//   "desc":{"path":"bounded","api":"simulated","count":10,"latency_ms":200,...,"base_url":""},
//   "cost":{"round_trip_ms":0,"handover_ms":0},"expected":{"wall_ms":400,"path_ms":400,"cap_ms":0,"browser_ms":0,
//    "sequential_ms":2000,"peak_in_flight":5,"ok":10,"failed":0,"timeouts":0},"state":"finished","wall_us":400000,"guess_ms":-1,
//   "requests":[
//   {"scheduled":0,"started":0,"answered":200000,"handled":200000,"finished":200000,"outcome":"ok","status":200,
//    "bytes":26,"reason":"","attempts":[{"started":0,"ended":200000,"outcome":"ok","status":200}]},
//   ...]}
// A learner's program (RunKind::program, written as desc.path "program"; count 0 or more) also has
//   "program":{"source":"...","output":"...","error":"","traceback":"","error_line":0,"stopped":false},
// and each request its "url", "line", "task", "queued_ms", "timeout_ms" and "blocking" (ProgramCall); its
// wall may end after its last request, and the requests it never awaited are cancelled in a finished run.
// Times are whole microseconds relative to the run's start; -1 means "never". desc carries every
// RunDesc field by name (path, api and spread as their names); on loading, a missing desc field other
// than path and count takes RunDesc's default. Keys the loader does not know are ignored.
#pragma once
#include <string>
#include <vector>

#include "scheduler.h"

namespace ap {

// The run as the text of a run file. guess_ms: the learner's prediction, or -1 for none.
// Only finished and cancelled runs have a file: for an idle or running run the result is empty.
std::string run_to_file(const Run& run, double guess_ms = -1);

// What a file says that its own numbers or the model contradict: an expectation these settings do not give,
// answers sooner than the latency they asked for. One sentence each; empty for a file as the page saved it.
// A page shows such a run with an "edited" mark, and the model's expectation instead of the file's.
std::vector<std::string> run_file_inconsistencies(const Run& run);

// Reads a run file. On success fills *out (start_us = 0, end_us = wall_us, generation 0, every request
// ended) and *guess_ms (-1 when the file has none) and returns true. On failure leaves *out alone, puts
// one sentence naming what is wrong and where into *error, and returns false. guess_ms and error may be
// null. Any input is safe: files over 16 MB or nested deeper than 32 levels are refused.
bool run_from_file(const std::string& text, Run* out, double* guess_ms, std::string* error);

// Version 3 has "cost" and "expected" (the run's whole expectation, scheduler.h); version 2 (which called
// expected.path_ms program_ms) and version 1 files (with expected_ms, sequential_ms and capped_ms) still load.
inline constexpr int run_file_version = 3;
inline constexpr size_t run_file_max_bytes = size_t(16) << 20;
inline constexpr int run_file_max_depth = 32;

}  // namespace ap
