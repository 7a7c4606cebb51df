#include "history.h"

#include <algorithm>
#include <climits>

namespace ap {

std::vector<TimelineBar> summarize_timeline(const Run& run, int rows) {
    const int n = int(run.requests.size());
    const int groups = std::min(n, std::max(1, rows));
    std::vector<TimelineBar> bars(size_t(std::max(0, groups)));
    int i = 0;
    for (int g = 0; g < groups; ++g) {
        const int last = int(int64_t(g + 1) * n / groups);
        int64_t from = INT64_MAX, to = INT64_MIN;
        Outcome worst = Outcome::ok;
        for (; i < last; ++i) {
            const RequestTrace& r = run.requests[size_t(i)];
            if (r.started_us < 0 || r.finished_us < 0) continue;
            from = std::min(from, r.started_us);
            to = std::max(to, r.finished_us);
            if (r.outcome != Outcome::ok && (worst == Outcome::ok || worst == Outcome::cancelled)) worst = r.outcome;
        }
        if (from > to) continue;
        bars[size_t(g)] = TimelineBar{float(double(from - run.start_us) / 1000.0), float(double(to - run.start_us) / 1000.0), worst};
    }
    return bars;
}

const HistoryEntry* History::add(Run run, double guess_ms, std::string source) {
    if (run.state != RunState::finished && run.state != RunState::cancelled) return nullptr;
    if (entries_.size() == capacity) entries_.pop_front();
    for (HistoryEntry& e : entries_) {
        if (e.run.requests.empty() || std::find(whole_.begin(), whole_.end(), e.number) != whole_.end()) continue;
        std::vector<RequestTrace>().swap(e.run.requests);  // frees the traces (clear() would keep them)
    }
    RunStats stats = compute_stats(run);
    std::vector<TimelineBar> timeline = summarize_timeline(run);
    entries_.push_back(HistoryEntry{next_number_++, std::move(run), stats, guess_ms, std::move(timeline), std::move(source)});
    return &entries_.back();
}

const HistoryEntry* History::find(uint32_t number) const {
    for (const HistoryEntry& e : entries_) {
        if (e.number == number) return &e;
    }
    return nullptr;
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
