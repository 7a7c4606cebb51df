// waterfall.h — one bar per request on a shared time axis, with its phases (queued, in flight, stalled in
// the browser, waiting for a busy loop, CPU work, back-off), zoom, hover and selection; the legend; and
// the squeezed row a history entry shows. Used by the results, race and history panels.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "core/history.h"
#include "core/scheduler.h"

struct ImDrawList;
struct ImDrawCmd;
struct ImVec2;

namespace ap {

struct App;

// Waterfall bars as plain data, for the platform's instanced WebGL2 pass (src/web/bar_layer.cpp and
// shaders/): per shape, in CSS pixels, its top edge's x0 x1, its bottom edge's x0 x1, then y0 y1 (a
// rectangle, or a parallelogram for a staircase of bars: bar_merge.h), and an opaque ImGui colour
// (already blended against the page's background).
struct BarBatch {
    std::vector<float> rects;
    std::vector<uint32_t> colors;
};
using BarPass = void (*)(const ImDrawList*, const ImDrawCmd*);

// This frame's batches (a deque: the draw list's callbacks keep pointers to them).
struct WaterfallFrame {
    std::deque<BarBatch> batches;
    size_t used = 0;
};

// The waterfall of `run` on an axis from 0 to span_ms. `id` names the panel (several share the zoom);
// `interactive`: a click selects a request and lights its code line, the replay instant is marked.
void draw_waterfall(App& app, const Run& run, double span_ms, int64_t now_us, float height, const char* id = "waterfall",
                    bool interactive = true);
// The waterfall's colours, as swatches that wrap onto a new line when the panel is narrow.
void draw_legend(const Run& run);
// − / + / fit for the timeline's zoom (Ctrl+wheel and a pinch also zoom).
void draw_zoom_buttons(App& app);
// A run's requests squeezed into one row: the shape tells sequential (a staircase) from concurrent (a block).
void draw_mini_waterfall(App& app, const std::vector<TimelineBar>& timeline, double span_ms, const ImVec2& size);

}  // namespace ap
