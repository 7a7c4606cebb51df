// results.h — "This run": the shown run (the run in flight, or a history entry: the last run or a loaded
// run file), its totals, waterfall, legend, replay slider, and the buttons that save it (a run file, a
// PNG) or load one.
//
// When a run starts, the panel follows it live (selection and replay start over); when it ends, the panel
// shows its history entry.
#pragma once
#include <cstdint>
#include <string>

#include "core/stats.h"

namespace ap {

struct App;
struct HistoryEntry;

struct ResultsState {
    uint32_t shown = 0;            // the history entry shown (its number), or 0: the run in flight
    float zoom = 1;                // the waterfall's horizontal zoom (buttons, Ctrl+wheel, a pinch)
    float zoom_shown = 1;          // the zoom the last frame drew (to keep the view's centre when it changes)
    double replay_ms = -1;         // the instant the replay slider is at (ms from the run's start), or -1
    int selected_request = -1;     // waterfall row under the learner's pointer or last clicked
    std::string file_error;        // why the last run file could not be loaded, shown in the run view
    bool png_caption = false;      // Save as PNG was pressed: the next frame draws the caption and is saved
    bool png_requested = false;    // the platform saves the results panel as a PNG after this frame
    std::string pinned_total;      // the totals cell whose meaning stays spelled out under them (clicked), or ""
    bool output_tall = false;      // a program's output box shows 30 lines, not 8
    size_t output_drawn = 0;       // the output's size the box last drew (it follows the end as more comes)
    // The stats of the run in flight, recomputed when it changed (an answer, the end), not every frame.
    struct LiveStats { bool valid = false; uint16_t generation = 0; int ended = -1; int in_flight = -1; RunStats stats; };
    LiveStats live;
};

void results_run_started(App& app);
void results_run_ended(App& app, const HistoryEntry& entry);

// A run file (core/runfile.h): added to the history and shown; a bad file leaves everything as it was and
// says why (ResultsState::file_error). Returns whether it loaded.
bool results_load_file(App& app, const std::string& text, const std::string& file_name);
// A file the platform could not read at all.
void results_file_unreadable(App& app, const std::string& file_name, const std::string& why);
// The shown run as a run file, with the guess it was started with.
std::string results_run_file(const App& app);
// The shown run in another format: "json" (its run file), "csv" (its requests), "har" (HAR 1.2) or "trace"
// (Chrome's trace-event JSON); "" for a format not one of these. *file_name: what to save it as.
std::string results_export(const App& app, const std::string& format, std::string* file_name = nullptr);

// The shown run's totals, waterfall and replay.
void draw_run_view(App& app, int64_t now_us);

}  // namespace ap
