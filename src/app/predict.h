// predict.h — "Predict first": the learner drags a marker to the total they expect before pressing Run;
// the claim stays hidden until the run; the guess is scored (3 stars within 10 %, 2 within 25 %, 1 within
// 50 %) and kept in the history and its CSV.
//
// When a run starts, the guess goes with it if it is the learner's own run of the settings the guess was
// made for; when it ends, the guess is scored.
#pragma once
#include <cstdint>

#include "core/analysis.h"

namespace ap {

struct App;
struct HistoryEntry;

struct PredictState {
    bool on = false;          // the guess track is shown and the claim hidden until the run (?predict=1)
    double guess_ms = -1;     // where the marker is, or -1
    struct Scored { bool valid = false; uint32_t run_number = 0; double guess_ms = 0, wall_ms = 0; PredictionScore score; };
    Scored scored;            // the last finished run that had a guess
};

// The guess a learner's run of `desc` (clamped) takes along, or -1.
double predict_guess_for(const App& app, const RunDesc& asked, const RunDesc& running);
void predict_run_ended(App& app, const HistoryEntry& entry, double guess_ms);
// Whether the claim must stay hidden: predicting, and these numbers have not been run yet.
bool prediction_hides_claim(const App& app);

void draw_prediction(App& app);

}  // namespace ap
