#include "app/bar_merge.h"

#include <algorithm>
#include <cmath>

namespace ap {

namespace {
// A row taller than this is a bar of its own (a run of few requests has rows of many pixels).
constexpr float max_merged_row_h = 2.5f;
// Steeper than this many device pixels per row and a merged row would lean visibly off its bar.
constexpr float max_device_px_per_row = 4.0f;
}  // namespace

void BarMerger::reset(std::vector<float>* shapes, std::vector<uint32_t>* colors) {
    shapes_ = shapes;
    colors_ = colors;
    shapes_->clear();
    colors_->clear();
    open_.clear();
}

void BarMerger::open_band(uint32_t color, float x0, float x1, float y0, float y1) {
    shapes_->insert(shapes_->end(), {x0, x1, x0, x1, y0, y1});
    colors_->push_back(color);
}

void BarMerger::place(const Band& b) {
    float* r = &(*shapes_)[b.at * 6];  // top x0, top x1, bottom x0, bottom x1, y0, y1
    const float s0 = (b.lo0 + b.hi0) / 2, s1 = (b.lo1 + b.hi1) / 2;
    r[0] = b.x0 + s0 * (r[4] - b.y_mid);
    r[1] = b.x1 + s1 * (r[4] - b.y_mid);
    r[2] = b.x0 + s0 * (r[5] - b.y_mid);
    r[3] = b.x1 + s1 * (r[5] - b.y_mid);
}

void BarMerger::add(float ax, float ay, float bx, float by, uint32_t color) {
    // At least one device pixel wide, or a bar could fall between the rasteriser's pixel centres.
    const float x0 = ax, x1 = std::max(bx, ax + 1 / px_);
    const float tolerance = 0.5f / px_;
    const float h = by - ay, mid = (ay + by) / 2;
    const float steepest = max_device_px_per_row / px_ / std::max(h, 0.01f);
    for (Band& o : open_) {
        if (o.color != color) continue;
        float* r = &(*shapes_)[o.at * 6];
        // The next thin row right below the band's last one: does a line through the first row's edges
        // still pass within the tolerance of every row's edges, this one's included?
        const bool below = std::fabs(ay - r[5]) <= 0.01f && h <= max_merged_row_h && mid > o.y_mid + 0.01f;
        if (below) {
            const float dy = mid - o.y_mid;
            const float lo0 = std::max({o.lo0, (x0 - tolerance - o.x0) / dy, -steepest});
            const float hi0 = std::min({o.hi0, (x0 + tolerance - o.x0) / dy, steepest});
            const float lo1 = std::max({o.lo1, (x1 - tolerance - o.x1) / dy, -steepest});
            const float hi1 = std::min({o.hi1, (x1 + tolerance - o.x1) / dy, steepest});
            if (lo0 <= hi0 && lo1 <= hi1) {
                o.lo0 = lo0, o.hi0 = hi0, o.lo1 = lo1, o.hi1 = hi1;
                r[5] = by;
                place(o);
                return;
            }
        }
        o = Band{color, colors_->size(), mid, x0, x1, -steepest, steepest, -steepest, steepest};  // a new shape for this colour
        open_band(color, x0, x1, ay, by);
        return;
    }
    open_.push_back(Band{color, colors_->size(), mid, x0, x1, -steepest, steepest, -steepest, steepest});
    open_band(color, x0, x1, ay, by);
}

}  // namespace ap
