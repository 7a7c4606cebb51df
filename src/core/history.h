// history.h — the runs a learner has finished, newest last, so that a sequential run and a concurrent
// one can be drawn side by side on one time axis. Holds a bounded number of runs (oldest dropped).
// Only the newest run and the ones kept whole (the one on screen, a race's two) keep every request's trace; the others keep
// their numbers and a timeline of at most `timeline_rows` bars, so twelve runs of 10,000 requests cost
// kilobytes, not megabytes.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "stats.h"

namespace ap {

// One bar of a history row: a group of consecutive requests, from the earliest start to the latest
// end (ms from the run's start; from_ms < 0 when none of them started), in its worst outcome.
struct TimelineBar {
    float from_ms = -1;
    float to_ms = -1;
    Outcome worst = Outcome::ok;
};

inline constexpr int timeline_rows = 128;

// The run as at most `rows` bars: one per request when it has that few, else consecutive groups of
// n/rows requests. The worst outcome of a group is its first failure; cancelled only when nothing
// else failed.
std::vector<TimelineBar> summarize_timeline(const Run& run, int rows = timeline_rows);

struct HistoryEntry {
    uint32_t number = 0;  // 1, 2, 3, ... as the learner sees it ("run #3")
    Run run;              // run.requests is empty once the entry is compacted (see full())
    RunStats stats;
    double guess_ms = -1;  // the learner's prediction before the run, or -1
    std::vector<TimelineBar> timeline;  // summarize_timeline(run), kept when the requests go
    std::string source;    // the run file it was loaded from, or "" for a run of this page
    bool full() const { return run.requests.size() == size_t(stats.count); }
};

class History {
public:
    static constexpr size_t capacity = 12;

    // Takes a finished or cancelled run, with the learner's guess of its wall time (or -1) and the file it
    // came from (or ""); ignores idle or running ones (nullptr). Compacts the older entries except the
    // ones kept whole.
    const HistoryEntry* add(Run run, double guess_ms = -1, std::string source = "");
    void clear() { entries_.clear(); }
    // Entries with these numbers keep their requests (0 = none); takes effect at the next add.
    void keep_whole(std::vector<uint32_t> numbers) { whole_ = std::move(numbers); }
    // The entry with this number, or nullptr (never added, or dropped).
    const HistoryEntry* find(uint32_t number) const;
    const std::deque<HistoryEntry>& entries() const { return entries_; }
    // The entry of the run with this generation (the newest such), to annotate after the fact; or nullptr.
    HistoryEntry* find_generation(uint16_t generation);
    // The longest wall time among the kept runs: the shared time axis of the history view.
    double longest_wall_ms() const;

private:
    std::deque<HistoryEntry> entries_;
    uint32_t next_number_ = 1;
    std::vector<uint32_t> whole_;
};

}  // namespace ap
