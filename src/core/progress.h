// progress.h — the learner's progress through the lessons: per lesson, not tried / ran / passed, the checks
// of the last run judged, and the run that passed (when, how long, how many requests, the program itself).
// Kept across visits (the platform stores progress_to_json), saved and loaded as a file (JSON), and saved
// as CSV for a teacher's spreadsheet.
//
//   Progress p;
//   progress_ran(p, "limits");                          // a run while the lesson was open
//   progress_passed(p, "limits", {"2026-12-05T07:40:00Z", 1904, 30, program});
//   std::string json = progress_to_json(p);
//   Progress back;  std::string error;
//   if (!progress_from_json(json, &back, &error)) show(error);  // "lessons[2].status: ..."
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/lessons.h"

namespace ap {

class JsonWriter;

enum class LessonStatus : uint8_t { not_tried, ran, passed };
// "not tried", "ran", "passed".
const char* lesson_status_name(LessonStatus s);

// One check of the last run judged: its text as the lesson wrote it, whether it held, what was measured.
struct CheckRecord {
    std::string text;
    bool passed = false;
    std::string measured;
};

// The run that passed a lesson, kept: when (ISO 8601, from the platform's clock of day), its wall time, its
// requests, and the learner's program (empty for a code path's run).
struct PassingRun {
    std::string at;
    double wall_ms = 0;
    int requests = 0;
    std::string program;
};

struct LessonRecord {
    std::string lesson;                 // the lesson's id
    LessonStatus status = LessonStatus::not_tried;
    std::vector<CheckRecord> checks;    // of the last run judged (empty: none, or a lesson without checks)
    bool has_passing = false;
    PassingRun passing;                 // the run that passed, when has_passing
};

struct Progress {
    std::string lesson;                 // the lesson open (where the learner was)
    std::vector<LessonRecord> lessons;  // in the order first met
};

// Bounds on what progress keeps and reads: a file of progress is data from anywhere.
inline constexpr size_t max_progress_bytes = size_t(4) << 20;
inline constexpr size_t max_progress_lessons = 1000;
inline constexpr size_t max_progress_checks = 50;
inline constexpr size_t max_progress_text = 500;                 // a check's text, what it measured, a date
inline constexpr size_t max_progress_program = size_t(64) << 10;  // the passing program
inline constexpr size_t max_lesson_id_bytes = 200;

// The lesson's record, or nullptr.
const LessonRecord* progress_find(const Progress& p, const std::string& lesson);
LessonStatus progress_status(const Progress& p, const std::string& lesson);
// The ids of the lessons passed, in the order met.
std::vector<std::string> progress_passed_ids(const Progress& p);

// A run while the lesson was open: not tried becomes ran (a passed lesson stays passed). Returns whether the
// record changed.
bool progress_ran(Progress& p, const std::string& lesson);
// A run of the learner's program judged on the lesson's checks: they are kept; all holding passes the lesson
// and keeps `run` as the passing one (a later failed try keeps the lesson passed, and its passing run).
bool progress_judged(Progress& p, const std::string& lesson, const std::vector<CheckRecord>& checks, bool all_hold, const PassingRun& run);
// The lesson passed without checks (a code path's claim seen to hold): its run kept.
bool progress_passed(Progress& p, const std::string& lesson, const PassingRun& run);

// {"version":1,"lesson":..,"lessons":[{"lesson","status","checks":[{"text","passed","measured"}],
//  "passed":{"at","wallMs","requests","program"}|null}]}
std::string progress_to_json(const Progress& p);
// A record's parts as every JSON of progress writes them (the file, the JS API, the host page's events): its
// checks, [{"text","passed","measured"}], and its passing run, {"at","wallMs","requests","program"} or null.
void write_checks_json(JsonWriter& w, const std::vector<CheckRecord>& checks);
void write_passing_json(JsonWriter& w, const LessonRecord& r);
// Reads progress_to_json's text (or the {lesson, done: [ids]} kept by earlier versions of the page). Strict:
// false with one sentence naming the field that is wrong ("lessons[2].status: 'done' is not one of: not
// tried, ran, passed"), and *out untouched. Texts are cut to their bounds.
bool progress_from_json(const std::string& text, Progress* out, std::string* error);
// Another machine's or an earlier save's progress joined into this one: per lesson the further status wins;
// a passing run is kept when this one has none. Returns the lessons that moved on.
std::vector<std::string> progress_merge(Progress& into, const Progress& from);
// One row per lesson, the page's lessons first in their order (number, id, title), then any other lessons
// the progress knows: number,lesson,title,status,checks_passed,checks,checks_failed,passed_at,passed_wall_ms,
// passed_requests. checks_failed names the checks that did not hold, separated by "; ".
std::string progress_to_csv(const Progress& p, const std::vector<Lesson>& lessons);

}  // namespace ap
