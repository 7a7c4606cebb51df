#include "app/predict.h"

#include <algorithm>

#include "app/app.h"
#include "app/ui_kit.h"
#include "imgui.h"
#include "imgui_internal.h"  // GetItemID: the marker's drag is its own

namespace ap {

double predict_guess_for(const App& app, const RunDesc& asked, const RunDesc& running) {
    // (The API may differ: a page without its in-page API runs the learner's settings simulated.)
    RunDesc a = asked, r = running;
    a.base_url = r.base_url = "";
    a.api = r.api;
    clamp_run_desc(&a);
    return app.predict.on && app.predict.guess_ms >= 0 && a == r ? app.predict.guess_ms : -1;
}

void predict_run_ended(App& app, const HistoryEntry& entry, double guess_ms) {
    if (guess_ms < 0 || entry.run.state != RunState::finished) return;
    app.predict.scored = PredictState::Scored{true, entry.number, guess_ms, entry.stats.wall_ms, score_prediction(guess_ms, entry.stats.wall_ms)};
}

bool prediction_hides_claim(const App& app) {
    if (!app.predict.on) return false;
    const Run& shown = app_shown_run(app);
    const RunDesc& d = app.desc;
    return !(shown.state == RunState::finished && shown.desc.path == d.path && shown.desc.count == d.count &&
             shown.desc.latency_ms == d.latency_ms);
}

// A track from 0 to a bit past the plain loop's time; drag (or tap) the marker to the wall time you
// expect, then Run. The score of the last guessed run stays below the track.
void draw_prediction(App& app) {
    const Palette& pal = palette();
    PredictState& pr = app.predict;
    if (ImGui::Checkbox("Predict first", &pr.on)) app.needs_redraw = true;
    name_item(app, "predict");
    if (!pr.on) return;
    const Expectation& e = app_expectation(app).e;
    const double top = std::max({e.sequential_ms, e.wall_ms, 1.0}) * 1.15;
    const float em = ImGui::GetFontSize();
    const ImVec2 size(std::max(100.0f, ImGui::GetContentRegionAvail().x), em * 2.6f);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("predict-track", size);
    name_item(app, "predict-track");
    own_drag(ImGui::GetItemID());
    const float x0 = p.x + em * 0.6f, w = size.x - em * 1.2f, y = p.y + em * 0.9f;
    if (ImGui::IsItemActive()) {
        pr.guess_ms = std::clamp(double((ImGui::GetIO().MousePos.x - x0) / w) * top, 0.0, top);
        app.needs_redraw = true;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddLine(ImVec2(x0, y), ImVec2(x0 + w, y), pal.axis_text, 2);
    const double step = nice_time_step(top, std::max(2, int(w / (em * 4))));
    for (double t = 0; t <= top + 1e-9; t += step) {
        const float x = x0 + float(t / top) * w;
        dl->AddLine(ImVec2(x, y - 3), ImVec2(x, y + 3), pal.axis_text);
        dl->AddText(ImVec2(x - 2, y + 4), pal.axis_text, tick_label(t, step).c_str());
    }
    if (pr.guess_ms >= 0) {
        const float x = x0 + float(pr.guess_ms / top) * w;
        dl->AddTriangleFilled(ImVec2(x, y + 1), ImVec2(x - em * 0.5f, y - em * 0.8f), ImVec2(x + em * 0.5f, y - em * 0.8f), pal.focus);
        ImGui::TextWrapped("Your guess: %s. Now press Run.", format_duration_ms(pr.guess_ms).c_str());
    } else {
        wrapped_note("Drag the marker to the total time you expect, then press Run.", pal.dim);
    }
    if (pr.scored.valid) {
        const PredictState::Scored& sc = pr.scored;
        ImGui::PushStyleColor(ImGuiCol_Text, sc.score.stars >= 2 ? pal.good : sc.score.stars == 1 ? pal.note : pal.bad);
        ImGui::TextWrapped("Run #%u: you guessed %s, it took %s: %s (%d of 3 stars)", sc.run_number, format_duration_ms(sc.guess_ms).c_str(),
                           format_duration_ms(sc.wall_ms).c_str(), sc.score.words.c_str(), sc.score.stars);
        ImGui::PopStyleColor();
    }
}

}  // namespace ap
