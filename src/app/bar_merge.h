// bar_merge.h — the waterfall's bars as few shapes as the picture allows. Rows of a pixel or two (a run of
// hundreds or thousands of requests) whose bars line up are drawn as one shape: bars covering the same
// pixels (a gather's block) make a rectangle, bars that shift by about the same step row after row (a loop's
// staircase, even one of a fraction of a pixel per row) make a parallelogram whose edges pass within half a
// device pixel of every bar's edges at the middle of its row. A software rasteriser pays per triangle far
// more than per pixel: 440 one-pixel rows cost ~10 ms a frame, one shape nothing.
// Pure geometry in CSS pixels: no ImGui, no GL, tested natively (tests/ui_test.cpp). A bar narrower than a
// device pixel is widened to one, so that the rasteriser never drops it.
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
    // A band's edges are lines through its first row's edges (at the middle of that row); each row that
    // joins narrows the range of slopes that keep every row's edges within the tolerance.
    struct Band {
        uint32_t color;
        size_t at;               // its shape in the output
        float y_mid;             // the middle of its first row
        float x0, x1;            // its first row's edges
        float lo0, hi0, lo1, hi1;  // the slopes (x per pixel of height) its left and right edges may take
    };
    void open_band(uint32_t color, float x0, float x1, float y0, float y1);
    void place(const Band& b);  // writes the band's shape with the middle of its slope ranges
    float px_;
    std::vector<float>* shapes_ = nullptr;
    std::vector<uint32_t>* colors_ = nullptr;
    std::vector<Band> open_;  // per colour: the shape a next bar may join
};

}  // namespace ap
