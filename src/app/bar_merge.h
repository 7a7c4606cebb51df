// bar_merge.h — the waterfall's bars as few shapes as the picture allows. Rows of a pixel or two (a run of
// hundreds or thousands of requests) whose bars line up are drawn as one shape: bars covering the same
// pixels (a gather's block) make a rectangle, bars that shift by the same step row after row (a loop's
// staircase) make a parallelogram, within half a device pixel of every bar. A software rasteriser pays per
// triangle far more than per pixel: 440 one-pixel rows cost ~10 ms a frame, one shape nothing.
// Pure geometry in CSS pixels: no ImGui, no GL, tested natively (tests/ui_test.cpp).
//
//   ap::BarMerger m(/*device_pixel_ratio*/ 2);
//   for (...) m.add(x0, y0, x1, y1, color);
//   draw(m.shapes(), m.colors());   // per shape: top x0 x1, bottom x0 x1, y0 y1
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ap {

class BarMerger {
public:
    explicit BarMerger(float device_pixel_ratio = 1) : px_(device_pixel_ratio > 0 ? device_pixel_ratio : 1) {}
    // Starts over with new output arrays (reusing their memory).
    void reset(std::vector<float>* shapes, std::vector<uint32_t>* colors);
    // A bar from (x0, y0) to (x1, y1), in an opaque colour. Bars come row by row, top to bottom.
    void add(float x0, float y0, float x1, float y1, uint32_t color);
    size_t shape_count() const { return colors_ ? colors_->size() : 0; }

private:
    struct Band {
        uint32_t color;
        size_t at;                       // its shape in the output
        int rows;
        float last_x0, last_x1, last_y;  // the last bar that joined it
        float step0, step1;              // how far its edges move per pixel of height
    };
    void open_band(uint32_t color, float x0, float x1, float y0, float y1);
    float px_;
    std::vector<float>* shapes_ = nullptr;
    std::vector<uint32_t>* colors_ = nullptr;
    std::vector<Band> open_;  // per colour: the shape a next bar may join
};

}  // namespace ap
