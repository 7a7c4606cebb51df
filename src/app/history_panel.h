// history_panel.h — the history: every run of the store (history.h), newest first, side by side on one
// time axis so a staircase and a block can be compared; Clear, and Save as CSV.
#pragma once

namespace ap {

struct App;

void draw_history_panel(App& app);

}  // namespace ap
