// lessons_panel.h — the lessons: the built-in file plus any a teacher added, the one open, the learner's
// ✓ marks, the verdict on the last run, and "Run each path". Its panel shows the
// lesson's text, its code paths and numbers, the claim, Run / Cancel and the verdict.
//
// When a run starts, the lesson expects a verdict on it; when it ends, the
// run is judged against the lesson's claim and a ✓ is kept if it held for one of the lesson's own paths.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/lessons.h"

namespace ap {

struct App;
struct HistoryEntry;

struct LessonsState {
    std::vector<Lesson> all;               // the built-in file plus any a teacher added
    std::vector<std::string> errors;       // from lesson files that did not parse, shown in the panel
    std::string file_url;                  // where a teacher's lesson file came from (?lessons=): links carry it
    int index = 0;                         // the lesson open
    std::vector<std::string> done;         // ids of lessons whose claim the learner has seen hold
    struct LessonVerdict { bool valid = false; uint16_t generation = 0; Verdict verdict; std::string path; };
    LessonVerdict verdict;                 // of the last run started while this lesson was open
    // The open lesson's exercise: its checks on the learner's last program run, the hints shown so far.
    struct ExerciseState {
        std::string lesson;                // the lesson these results are about ("" : none yet)
        std::vector<CheckResult> results;  // one per check, in order
        bool passed = false;
        uint16_t generation = 0;           // the run judged
    };
    ExerciseState exercise;
    int hints_shown = 0;
};

// The open lesson's exercise after its last program run: "not tried", "ran" (a check failed) or "passed".
const char* exercise_status(const App& app);

// The lesson open, or nullptr when there are none.
const Lesson* current_lesson(const App& app);
// Opens lesson `index`: cancels a run in flight, loads the lesson's preset. Out of range: ignored.
void lessons_select(App& app, int index, int64_t now_us);
// Opens a lesson by id or 1-based number; returns its index, or -1 when there is none (nothing changes).
int lessons_select_named(App& app, const std::string& which, int64_t now_us);
inline constexpr size_t max_lesson_file_bytes = size_t(1) << 20;
// Adds the lessons of a teacher's file (at most 1 MB); errors are kept for the panel, five at most and then
// how many more. A lesson whose id is already a lesson's is refused. Returns how many were added.
int lessons_add_file(App& app, const std::string& text, const std::string& file_name);
// Restores the place and the ✓ marks the platform saved.
void lessons_restore_progress(App& app, const std::string& lesson_id, const std::vector<std::string>& done, int64_t now_us);
// Runs each of the lesson's code paths in turn with the same numbers, so they sit side by side.
void lessons_run_each(App& app, int64_t now_us);

void lessons_run_started(App& app, uint16_t generation);
void lessons_run_ended(App& app, const HistoryEntry& entry);

// The lesson's exercise: its checks (✓/✗ with what was measured after a program run), the hint that fits,
// hints one at a time, the solution on request. `prefix` names its controls ("exercise:hint").
void draw_exercise(App& app, const Lesson& l, const std::string& prefix);
// Run, "Run each path" (when the lesson offers several), Cancel.
void draw_run_buttons(App& app, int64_t now_us, const std::vector<CodePath>& paths);
void draw_lesson_panel(App& app, int64_t now_us);

}  // namespace ap
