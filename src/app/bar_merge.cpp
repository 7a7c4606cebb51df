#include "app/bar_merge.h"

#include <algorithm>
#include <cmath>

namespace ap {

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

void BarMerger::add(float ax, float ay, float bx, float by, uint32_t color) {
    // Edges on device pixels, at least one device pixel wide.
    const float x0 = std::round(ax * px_) / px_, x1 = std::max(std::round(bx * px_) / px_, x0 + 1 / px_);
    const float tolerance = 0.5f / px_;
    for (Band& o : open_) {
        if (o.color != color) continue;
        float* r = &(*shapes_)[o.at * 6];  // top x0, top x1, bottom x0, bottom x1, y0, y1
        // The next thin row right below the band's last one.
        const bool below = ay <= r[5] + 0.01f && by >= r[5] && ay > o.last_y + 0.01f && by - ay <= 2.5f;
        if (below && o.rows == 1 && std::fabs((x1 - x0) - (o.last_x1 - o.last_x0)) <= tolerance && std::fabs(x0 - o.last_x0) <= 4 / px_) {
            o.step0 = (x0 - o.last_x0) / (ay - o.last_y);  // the second row sets the slope
            o.step1 = (x1 - o.last_x1) / (ay - o.last_y);
        } else if (!below || o.rows == 1 || std::fabs(o.last_x0 + o.step0 * (ay - o.last_y) - x0) > tolerance ||
                   std::fabs(o.last_x1 + o.step1 * (ay - o.last_y) - x1) > tolerance) {
            o = Band{color, colors_->size(), 1, x0, x1, ay, 0, 0};  // a new shape for this colour
            open_band(color, x0, x1, ay, by);
            return;
        }
        ++o.rows;
        o.last_x0 = x0, o.last_x1 = x1, o.last_y = ay;
        r[2] = x0 + o.step0 * (by - ay);  // the bottom edge, where the band's slope takes it
        r[3] = x1 + o.step1 * (by - ay);
        r[5] = by;
        return;
    }
    open_.push_back(Band{color, colors_->size(), 1, x0, x1, ay, 0, 0});
    open_band(color, x0, x1, ay, by);
}

}  // namespace ap
