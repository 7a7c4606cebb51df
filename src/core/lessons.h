// lessons.h — reads lesson files, computes their claims and judges runs against them. The lessons
// themselves are data: a lesson file (src/lessons/lessons.txt is the built-in one; a teacher can add
// another through the page's ?lessons= URL parameter) holds blocks like
//
//   lesson: wait-together
//   title: Wait together
//   paths: concurrent await_in_loop          (the code paths the learner may toggle; the first is shown)
//   preset: n=50 latency=500 api=page        (any RunDesc knob: see apply_preset)
//   view: loop                               (optional: "loop" adds the event-loop stepper)
//   settings: api cpu                        (optional: settings the text asks the learner to change, by
//                                             their preset keys; drawn beside the lesson's Run button)
//   program:                                 (optional: the lesson's own Python program, each line indented
//       import asyncio                        by 4 spaces (or a tab), up to the first line that is not; shown
//       ...                                   in the code panel and run in the page's Python. With a program,
//                                             paths may be left out.)
//   starter:                                 (optional: the program the editor's Edit and run opens with, in
//       import threading                      the same form, when the lesson has no program of its own: the
//       ...                                   learner's version of what the paths show)
//   check: in_flight >= 6                    (optional, any number: the exercise's checks on the learner's run,
//   check: wall < 2 * latency                 as exercise.h reads them; one that cannot be read is refused)
//   hint: Start every call before awaiting any.   (optional, any number: shown one at a time on request)
//   solution:                                (optional: a program that passes, in the same form as program:)
//       import asyncio
//   text:
//   Paragraphs of prose, separated by blank lines, up to the next "lesson:" line.
//
// A paragraph may state the preset's numbers as {n}, {latency}, {slow} (the calls its slow tail makes
// slow), {fails} (the calls whose first attempt the API fails), {expected} (the model's total for the first
// path), filled in when the file is read, so the text says what a run of the preset does. {{ and }} are
// braces themselves; so is any brace around something other than a word ("a dict {}").
//
// Each lesson's claim is computed from the model, never written by hand, and every run gets a verdict:
// measured against expected, with a one-line reason when they differ.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "run.h"
#include "scheduler.h"
#include "exercise.h"
#include "stats.h"

namespace ap {

struct Lesson {
    std::string id;
    std::string title;
    std::vector<CodePath> paths;
    RunDesc preset;                      // the run the lesson starts from
    std::vector<std::string> paragraphs;
    bool loop_view = false;              // shows the event-loop stepper
    std::vector<std::string> settings;   // url keys of the run settings the text asks the learner to change
                                         // ("api", "cpu"): drawn beside the lesson's Run button
    std::string script;                  // the lesson's own Python (its "program:" block), or "" for none: the editor
                                         // opens with it and the learner runs it as their program
    std::string starter;                 // its "starter:" block, or "": what Edit and run opens with (no program of its own)
    // Its exercise: checks on the learner's program run (exercise.h), hints shown one at a time, a solution.
    std::vector<Check> checks;           // "check:" lines, in order
    std::vector<std::string> hints;      // "hint:" lines
    std::string solution;                // its "solution:" block, or ""
    bool has_exercise() const { return !checks.empty(); }
    std::string source;                  // "lessons.txt:12", where it was defined
};

struct LessonFile {
    std::vector<Lesson> lessons;
    std::vector<std::string> errors;     // "extra.txt:7: unknown code path 'paralel'"
};

inline constexpr size_t max_lesson_script_bytes = size_t(64) << 10;

// Parses a lesson file. Lessons with errors are left out; the others are kept.
LessonFile parse_lessons(const std::string& text, const std::string& file_name);

// A lesson file that reads back as these lessons: parse_lessons(lessons_to_text(l)) gives l again, but for
// their sources. The preset as the keys that differ from a default run, each paragraph on a line of its
// own, braces doubled (the placeholders are already filled in).
std::string lessons_to_text(const std::vector<Lesson>& lessons);

// Applies "key=value key=value" to desc. Keys: the url keys of run_fields() (fields.h): path n latency
// limit api status timeout spread slow_every slow_ms cpu retries backoff fail. Returns false with *error
// set on an unknown key, a bad value or one out of range, and leaves desc alone.
bool apply_preset(const std::string& preset, RunDesc* desc, std::string* error);

// URL state. A query string ("?lesson=limits&n=40&api=server") split into decoded key/value pairs.
std::vector<std::pair<std::string, std::string>> parse_query(const std::string& query);
// The query that reproduces `desc` in lesson `lesson_id`: the lesson, then every setting that differs from
// the lesson's preset, in run_fields()' order. Keys are apply_preset's.
// lessons_url: where a teacher's lesson file came from (?lessons=), carried so the link opens it again.
std::string permalink_query(const RunDesc& desc, const Lesson& lesson, const std::string& lessons_url = "");

// The claim, in numbers, for a run of desc with this expectation: the code path's rule ("expected = N x
// latency = 20 x 250 ms = 5.00 s"), then what the browser adds, each part named ("; in this browser + 1.20 s
// for its 6 connections per host + 12 ms to hand the answers over = 1.51 s").
std::string claim_for(const RunDesc& desc, const Expectation& e, const ApiCost& cost);
// The same for the model alone (no measured browser costs).
std::string claim_for(const RunDesc& desc);

// The verdict on a finished run: its wall against Run::expected within `tolerance` (0.15 = 15%, at least
// 25 ms), and its outcome against the model's: a run whose requests all failed, or that failed other
// requests than the model expects, is no ✓ however fast it was.
struct Verdict {
    bool ok = false;
    double measured_ms = 0;
    double expected_ms = 0;
    std::string line;    // "measured 5.08 s, expected 5.00 s ✓"
    std::string reason;  // for ✗: why (the connection cap, failures, a cancel, this machine)
};
Verdict judge_run(const Run& run, const RunStats& stats, double tolerance = 0.15);

// The order in which the run's requests finished (request indices), e.g. for as_completed.
std::vector<int> finishing_order(const Run& run);

}  // namespace ap
