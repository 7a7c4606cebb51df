// history.h — the runs a learner has finished, newest last, so that a sequential run and a concurrent
// one can be drawn side by side on one time axis. Holds a bounded number of runs (oldest dropped).
#pragma once
#include <cstdint>
#include <deque>

#include "stats.h"

namespace ap {

struct HistoryEntry {
    uint32_t number = 0;  // 1, 2, 3, ... as the learner sees it ("run #3")
    Run run;
    RunStats stats;
    double guess_ms = -1;  // the learner's prediction before the run, or -1
};

class History {
public:
    static constexpr size_t capacity = 12;

    // Keeps a copy of a finished or cancelled run, with the learner's guess of its wall time (or -1);
    // ignores idle or running ones.
    const HistoryEntry* add(const Run& run, double guess_ms = -1);
    void clear() { entries_.clear(); }
    const std::deque<HistoryEntry>& entries() const { return entries_; }
    // The entry of the run with this generation (the newest such), to annotate after the fact; or nullptr.
    HistoryEntry* find_generation(uint16_t generation);
    // The longest wall time among the kept runs: the shared time axis of the history view.
    double longest_wall_ms() const;

private:
    std::deque<HistoryEntry> entries_;
    uint32_t next_number_ = 1;
};

}  // namespace ap
