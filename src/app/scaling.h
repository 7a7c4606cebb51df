// scaling.h — "Scaling": wall time against N for each of the lesson's code paths (and the plain loop and
// gather as yardsticks), from the model for every N up to 100, and the speedup against the share of each
// call that is CPU work. "Measure live" runs each path at N = 1, 5, 10, 20, 50 through the chosen API and
// puts the measured walls on the lines as dots.
//
// When a sweep run ends, its wall becomes a dot; a cancelled one ends the sweep. The sweep's runs leave the
// learner's settings and the lesson's verdict alone, and sit in the history as one group.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "core/analysis.h"

namespace ap {

struct App;
struct HistoryEntry;

struct ScalingState {
    // The model's sweeps, cached per settings.
    struct Model {
        RunDesc desc;  // what the cached sweeps are for
        ApiCost cost;  // ... through an API with these measured costs
        std::vector<CodePath> paths;
        std::vector<SweepSeries> by_count, by_share;
        bool valid = false;
    };
    Model model;
    struct LivePoint { CodePath path; int n; double wall_ms; bool finished; };
    struct LiveSweep {
        bool active = false;
        RunDesc base;              // the settings it measured (path and N vary)
        int planned = 0;           // runs queued when it started
        std::vector<LivePoint> points;
        int skipped = 0;           // combinations left out because the model says they are long
        uint32_t group = 0;        // its runs' group in the history
    };
    LiveSweep live;
    int dots_drawn = 0;           // measured dots the last frame put on the wall-time chart
    float axis_max[2] = {0, 0};   // the last frame's y-axis tops: wall time (ms), speedup (x)
};

// The code paths the charts compare: the lesson's, plus the plain loop and gather as yardsticks.
std::vector<CodePath> scaling_paths(const App& app);
// The model's sweeps for the current settings (recomputed only when they change).
const ScalingState::Model& scaling_model(App& app);
// Measures the scaling for real: each path at N = 1, 5, 10, 20, 50 through the current API, one run after
// the other; skips runs the model says take over 10 s.
void scaling_start_live(App& app, int64_t now_us);
void scaling_run_ended(App& app, const HistoryEntry& entry, bool swept);
// The sweep's queue was dropped (a cancel, a learner's own run): the sweep is over.
void scaling_interrupted(App& app);

void draw_scaling_panel(App& app, int64_t now_us);

}  // namespace ap
