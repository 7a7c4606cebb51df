// exercise.h — the checks a lesson's exercise makes on a learner's program run, read from the page's own
// record of the run (its requests, their times, the program's trace and report), never from what the
// program says about itself unless the check says so ("output contains").
//
//   check: requests == 12            the requests the program made
//   check: ok == 12                  answered 2xx-3xx / failed (an HTTP error, the network, a timeout)
//   check: failed == 0
//   check: wall < 2 * latency        the program's wall, in ms; `latency` is the lesson preset's
//   check: in_flight >= 6            the most requests in flight at once
//   check: in_flight <= 5            (a limit kept)
//   check: loop_blocked < 50         the event loop never held longer than 50 ms by one step
//   check: line 9 requests >= 1      requests made by that line of the program
//   check: output contains "12 results"
//   check: no exception
//
//   ap::Check c;  std::string why;
//   if (!ap::parse_check("wall < 2 * latency", &c, &why)) refuse(why);
//   const ap::CheckResult r = ap::evaluate_check(c, run, preset.latency_ms);   // r.passed, r.measured, r.hint
#pragma once
#include <string>
#include <vector>

#include "scheduler.h"

namespace ap {

enum class CheckMetric : uint8_t { requests, ok, failed, wall, in_flight, loop_blocked, line_requests, output_contains, no_exception };
enum class CheckOp : uint8_t { eq, ne, lt, le, gt, ge };

struct Check {
    CheckMetric metric = CheckMetric::requests;
    CheckOp op = CheckOp::eq;
    double number = 0;          // the bound, in ms for times; times `latency` when per_latency
    bool per_latency = false;   // "2 * latency": number is the factor
    int line = 0;               // line_requests: the program line
    std::string text;           // output_contains: the text looked for
    std::string source;         // the check as written (trimmed): what the learner reads
};

// Whitespace-separated words (a lesson file's lists, a check's terms).
std::vector<std::string> split_words(const std::string& s);

// Reads one check as written after "check:". False with *why saying what is wrong and what is read.
bool parse_check(const std::string& text, Check* out, std::string* why);

struct CheckResult {
    bool passed = false;
    std::string measured;  // "12 requests", "at most 1 in flight at once", "wall 4.08 s"
    std::string hint;      // for a check not passed: what the figure says about the program
};

// The check against a finished program run (latency_ms: the lesson preset's). A run that is not a
// program's, or has not ended, passes nothing.
CheckResult evaluate_check(const Check& check, const Run& run, int latency_ms);

// The longest the event loop was held by one step of the program (its trace): running Python or blocked
// in a call. 0 without a trace.
double longest_loop_hold_ms(const Run& run);

}  // namespace ap
