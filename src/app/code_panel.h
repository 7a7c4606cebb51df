// code_panel.h — the Python beside the waterfall: the program of the chosen code path with the learner's
// numbers, coloured; during a run (or at the replay instant) each marked line shows how many requests are
// at it; a clicked line outlines its stretches in the waterfall, a clicked bar lights its line.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/code_view.h"
#include "core/run.h"

namespace ap {

struct App;

struct CodePanelState {
    int selected_phase = -1;  // a code line clicked (or a bar): its Phase's bars are outlined; -1: none
    int scrolled_to_step = -1;  // the stepper's step the panel last scrolled to (its running line in view)
    // The program for the settings, split and coloured (redone only when the settings change).
    struct Cache {
        bool valid = false;
        RunDesc desc;
        std::string base;  // the API base the program is aimed at ("" for the simulated API)
        std::vector<CodeLine> lines;
        std::vector<std::vector<Span>> spans;
        std::vector<std::string> gaps;
    };
    Cache cache;
    // The program editor (a DOM element of the platform's over this panel): open, and where the panel last
    // told the platform to put it (w == 0: hidden, as when the narrow layout shows another tab).
    bool editing = false;
    bool reveal = false;  // just opened: its column scrolls when too little of the editor would be in view ...
    bool tall = false;    // ... and then the editor takes the column's whole height
    bool drawn = false;  // the panel was drawn this frame
    float editor_rect[4] = {0, 0, 0, 0};
    int editor_line = 0;  // the program line lit in the editor (the clicked bar's request's)
    std::string editor_counts;  // what the editor was last told of the per-line counts (JSON)
    // The panel shows the open lesson's own program (its lesson file's "program:" block) rather than a code
    // path's: set when such a lesson opens, cleared when the learner picks a code path.
    bool lesson_script = false;
};

// The open lesson's own program, when the panel shows it; nullptr when it shows a code path's program.
const std::string* code_panel_lesson_script(const App& app);
// Shows the lesson's own program (true) or the chosen code path's (false).
void code_panel_show_lesson_script(App& app, bool show);
// Runs the program the panel shows in the page's Python: the editor opens with it (or keeps the learner's
// edits, when it is open) and runs it.
void code_panel_run_program(App& app);

// Called at the start and end of every frame: the editor follows the panel, and hides when it is not drawn.
void code_panel_begin_frame(App& app);
void code_panel_end_frame(App& app);
// The platform closed the editor, or opened it itself (a link that carries a program).
void code_panel_editor_closed(App& app);
void code_panel_editor_opened(App& app);

void draw_code_panel(App& app, int64_t now_us);
// The program the panel shows (as last drawn), with the learner's numbers: what Copy program copies.
std::string code_panel_program(const App& app);
// What Edit and run opens: the lesson's starter while its paths are shown, else the panel's program.
std::string code_panel_editor_program(const App& app);

}  // namespace ap
