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
#include "core/progress.h"

namespace ap {

struct App;
struct HistoryEntry;

struct LessonsState {
    std::vector<Lesson> all;               // the built-in file plus any a teacher added
    std::vector<std::string> errors;       // from lesson files that did not parse, shown in the panel
    std::string file_url;                  // where a teacher's lesson file came from (?lessons=): links carry it
    int index = 0;                         // the lesson open
    // Per lesson: not tried / ran / passed, the last checks, the passing run. A lesson with an exercise is
    // passed by its checks only; one without, by a run of its own code path whose claim held.
    Progress progress;
    std::string progress_note;             // what the last Save / Load of progress did, or why it could not
    bool progress_open = false;            // the progress panel is unfolded
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
// Restores the place and the progress the platform kept (it opens the lesson the learner was in).
void lessons_restore_progress(App& app, Progress progress, int64_t now_us);
// A progress file chosen by the learner (*Load progress*), or why it could not be read: joined into what is
// here, the further status winning per lesson; said in the progress panel.
void lessons_load_progress(App& app, const std::string& file_name, const std::string& text, const std::string& why);
// What the open lesson is, as the host page hears it: a lesson of a program (its own, or one with no code
// paths) is "program", with its exercise's checks or the word that the page measures it as its claim; a
// lesson of code paths is the path shown and the model's claim for its numbers.
std::string lesson_path_said(const App& app);
std::string lesson_claim_said(App& app);
// The ids of the lessons passed (the ✓ marks).
std::vector<std::string> lessons_passed_ids(const App& app);
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
// Every lesson's status (a row each, a click opens it), Save progress (JSON, CSV) and Load progress.
void draw_progress_panel(App& app, int64_t now_us);

}  // namespace ap
