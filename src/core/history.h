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
    uint32_t group = 0;    // runs made together (a live sweep) share a group number; 0: a run of its own
    std::vector<std::string> edits;  // a loaded file's contradictions (runfile.h), shown as an "edited" mark
    bool full() const { return run.requests.size() == size_t(stats.count); }
};

class History {
public:
    // Every run of a session, up to this many (then the oldest go); all but the newest and the ones kept
    // whole are summaries (numbers and timeline), about 2 KB each.
    static constexpr size_t capacity = 1000;
    // The programs' texts (source, output, error) kept in all, at most: the newest run's and the ones kept
    // whole are never cut; the oldest of the others lose theirs first.
    static constexpr size_t program_history_bytes = 16 << 20;

    // Takes a finished or cancelled run, with the learner's guess of its wall time (or -1), the file it
    // came from (or "") and its group (or 0); ignores idle or running ones (nullptr). Compacts the older
    // entries except the ones kept whole.
    HistoryEntry* add(Run run, double guess_ms = -1, std::string source = "", uint32_t group = 0);
    void clear() { entries_.clear(); }
    // A new group number for runs made together.
    uint32_t new_group() { return next_group_++; }
    // Entries with these numbers keep their requests (0 = none); takes effect at the next add.
    void keep_whole(std::vector<uint32_t> numbers) { whole_ = std::move(numbers); }
    // The entry with this number, or nullptr (never added, or dropped).
    const HistoryEntry* find(uint32_t number) const;
    const std::deque<HistoryEntry>& entries() const { return entries_; }
    // The entry of the run with this generation (the newest such), to annotate after the fact; or nullptr.
    HistoryEntry* find_generation(uint16_t generation);
    // The longest wall time among the kept runs: the shared time axis of the history view.
    double longest_wall_ms() const;
    // The bytes of programs' texts held now (bounded by program_history_bytes, but for the newest run and
    // those kept whole).
    size_t program_text_bytes() const;

private:
    void bound_program_texts();
    std::deque<HistoryEntry> entries_;
    uint32_t next_number_ = 1;
    std::vector<uint32_t> whole_;
    uint32_t next_group_ = 1;
    friend bool history_from_json(const std::string&, History*, std::string*);
};

// The history as JSON, to keep across a reload: every entry's summary (settings, expectation, numbers,
// timeline, guess, file name, group), newest `max_entries` at most, no traces.
std::string history_to_json(const History& h, size_t max_entries = 300);
// Puts entries saved by history_to_json before the current ones (numbering goes on after the last saved
// one). Entries that do not read as one are skipped. Returns false, with why, when the text is not such a
// list at all.
bool history_from_json(const std::string& text, History* h, std::string* error);

}  // namespace ap
