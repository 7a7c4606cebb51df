// race.h — "Race two paths": two code paths run one after the other with the same numbers, then drawn on
// one time axis from zero, with both totals and the ratio. The lesson's first two paths are the default
// pair. The race's runs leave the learner's settings and the lesson's verdict alone. A lane may also hold
// the learner's own program (RunKind::program) or a recorded run (a HAR loaded, RunKind::recorded): its last
// run, from the history, raced against a path.
//
// When a race run ends, its history entry becomes lane A or B; a cancelled one ends the race. The history
// keeps both lanes whole (every request) while they are shown.
#pragma once
#include <cstdint>

#include "core/run.h"

namespace ap {

struct App;
struct HistoryEntry;
struct Lesson;

// What a lane races: a code path, or the learner's program or a recorded run (its last one; path unused).
struct Racer {
    RunKind kind = RunKind::path;
    CodePath path = CodePath::sequential;
    bool operator==(const Racer&) const = default;
};
const char* racer_label(const Racer& r);  // "requests loop", "your program (its last run)"

struct RaceState {
    Racer a{RunKind::path, CodePath::sequential}, b{RunKind::path, CodePath::concurrent};
    uint32_t run_a = 0, run_b = 0;          // their history numbers, once finished
    bool pending = false;                   // started, not both finished
    double expected_a = 0, expected_b = 0;  // the model's walls, for the shared axis while they run
    bool no_program = false;                // a lane asked for the learner's program, which has not run yet
};

// Runs race.a then race.b with the current numbers (cancels a run in flight); a lane of the learner's
// program takes its last run instead (none yet: the race does not start, and the panel says why).
void race_start(App& app, int64_t now_us);
// The history entries of the race's two runs, or nullptr while one is missing (not run, or dropped).
const HistoryEntry* race_entry(const App& app, bool second);
void race_lesson_opened(App& app, const Lesson& lesson);
void race_run_ended(App& app, const HistoryEntry& entry, bool raced);
// The race's queue was dropped (a cancel, a learner's own run): a race in progress is over.
void race_interrupted(App& app);

void draw_race_panel(App& app, int64_t now_us);
// A lane's picker: the learner's program once it has run, then the lesson's paths, then every other one.
void racer_combo(App& app, const char* label, const char* name, Racer* racer);
// The learner's program's last run that the history keeps whole, or nullptr.
const HistoryEntry* last_program_run(const App& app);
// The last run of that kind (program: the learner's; recorded: a HAR loaded) the history keeps whole.
const HistoryEntry* last_run_of(const App& app, RunKind kind);

}  // namespace ap
