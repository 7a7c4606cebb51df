#include "history.h"

#include <algorithm>

namespace ap {

const HistoryEntry* History::add(const Run& run, double guess_ms) {
    if (run.state != RunState::finished && run.state != RunState::cancelled) return nullptr;
    if (entries_.size() == capacity) entries_.pop_front();
    entries_.push_back(HistoryEntry{next_number_++, run, compute_stats(run), guess_ms});
    return &entries_.back();
}

HistoryEntry* History::find_generation(uint16_t generation) {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
        if (it->run.generation == generation) return &*it;
    }
    return nullptr;
}

double History::longest_wall_ms() const {
    double longest = 0;
    for (const HistoryEntry& e : entries_) longest = std::max(longest, e.stats.wall_ms);
    return longest;
}

}  // namespace ap
