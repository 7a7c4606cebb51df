// layout.h — where each panel goes. A wide page: the lesson, settings and code on the left; This run /
// Race two paths / Scaling as tabs on the right above the history. A narrow one (a phone, a small iframe):
// every part a tab. The header says whether the APIs answer.
//
// When a run starts, its results come into view: This run for the learner's own runs, the race or the
// scaling chart for theirs.
#pragma once
#include <cstdint>

namespace ap {

struct App;
enum class RunPurpose : uint8_t;
enum class RunKind : uint8_t;

struct LayoutState {
    enum class Panel : uint8_t { run, race, scaling };
    Panel panel = Panel::run;         // what the wide layout's right side shows above the history
    enum class Tab : uint8_t { lesson, code, run, race, scaling, history };
    Tab narrow_tab = Tab::lesson;     // what the narrow layout shows
    bool select_panel = false;        // select `panel`'s tab in the next frame (wide layout)
    bool select_narrow = false;       // select `panel`'s tab in the next frame (narrow layout)
    bool show_code = false;           // ... or the Code tab (the program editor was opened from elsewhere)
    bool narrow = false;              // the last frame was laid out in one column
    float action_bar_h = 0;           // the narrow layout's bar of Run, Cancel and links, as last drawn
};

// Brings a results panel into view in both layouts.
void layout_show(App& app, LayoutState::Panel panel);
// Brings the code panel into view (the narrow layout's Code tab; the wide layout always shows it).
void layout_show_code(App& app);
void layout_run_started(App& app, RunPurpose purpose, RunKind kind);

}  // namespace ap
