#include "history.h"

#include "fields.h"
#include "json.h"

#include <algorithm>
#include <climits>
#include <cmath>

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

HistoryEntry* History::add(Run run, double guess_ms, std::string source, uint32_t group) {
    if (run.state != RunState::finished && run.state != RunState::cancelled) return nullptr;
    if (entries_.size() == capacity) entries_.pop_front();
    for (HistoryEntry& e : entries_) {
        if (e.run.requests.empty() || std::find(whole_.begin(), whole_.end(), e.number) != whole_.end()) continue;
        std::vector<RequestTrace>().swap(e.run.requests);  // frees the traces (clear() would keep them)
        if (e.run.program) std::vector<ProgramCall>().swap(e.run.program->calls);  // and what a program said of each
        if (e.run.recorded) std::vector<std::string>().swap(e.run.recorded->urls), std::vector<std::string>().swap(e.run.recorded->methods);
    }
    RunStats stats = compute_stats(run);
    std::vector<TimelineBar> timeline = summarize_timeline(run);
    HistoryEntry& e = entries_.emplace_back();
    e.number = next_number_++;
    e.run = std::move(run);
    e.stats = stats;
    e.guess_ms = guess_ms;
    e.timeline = std::move(timeline);
    e.source = std::move(source);
    e.group = group;
    bound_program_texts();
    return &e;
}

static size_t program_bytes(const Run& run) {
    if (!run.program) return 0;
    const ProgramReport& t = run.program->report;
    return t.source.size() + t.output.size() + t.error_message.size() + t.traceback.size();
}

// Programs' texts are the history's big part (up to a megabyte of output each): past program_history_bytes
// in all, the oldest runs not kept whole lose their output, then their traceback, then their program.
void History::bound_program_texts() {
    size_t total = 0;
    for (const HistoryEntry& e : entries_) total += program_bytes(e.run);
    for (auto it = entries_.begin(); it != entries_.end() && total > program_history_bytes; ++it) {
        if (!it->run.program || std::next(it) == entries_.end() || std::find(whole_.begin(), whole_.end(), it->number) != whole_.end()) continue;
        ProgramReport& t = it->run.program->report;
        if (!t.output.empty()) {
            total -= t.output.size();
            t.output_cut_bytes += int64_t(t.output.size());
            t.output_cut_lines += std::count(t.output.begin(), t.output.end(), '\n');
            std::string().swap(t.output);
        }
    }
    for (auto it = entries_.begin(); it != entries_.end() && total > program_history_bytes; ++it) {
        if (!it->run.program || std::next(it) == entries_.end() || std::find(whole_.begin(), whole_.end(), it->number) != whole_.end()) continue;
        ProgramReport& t = it->run.program->report;
        total -= t.traceback.size() + t.source.size();
        std::string().swap(t.traceback);
        std::string().swap(t.source);
    }
}

size_t History::program_text_bytes() const {
    size_t total = 0;
    for (const HistoryEntry& e : entries_) total += program_bytes(e.run);
    return total;
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

namespace ap {

namespace {

// The numbers of RunStats and Expectation, by name, both ways.
struct StatField { const char* key; double RunStats::*d; int RunStats::*i; };
const StatField stat_fields[] = {
    {"count", nullptr, &RunStats::count}, {"started", nullptr, &RunStats::started}, {"ok", nullptr, &RunStats::ok},
    {"http_errors", nullptr, &RunStats::http_errors}, {"network_errors", nullptr, &RunStats::network_errors},
    {"timeouts", nullptr, &RunStats::timeouts}, {"cancelled", nullptr, &RunStats::cancelled},
    {"wall_ms", &RunStats::wall_ms, nullptr}, {"sum_ms", &RunStats::sum_ms, nullptr}, {"slowest_ms", &RunStats::slowest_ms, nullptr},
    {"mean_ms", &RunStats::mean_ms, nullptr}, {"mean_queued_ms", &RunStats::mean_queued_ms, nullptr},
    {"peak_in_flight", nullptr, &RunStats::peak_in_flight}, {"peak_on_wire", nullptr, &RunStats::peak_on_wire},
    {"expected_peak_in_flight", nullptr, &RunStats::expected_peak_in_flight}, {"expected_ms", &RunStats::expected_ms, nullptr},
    {"sequential_estimate_ms", &RunStats::sequential_estimate_ms, nullptr}, {"speedup", &RunStats::speedup, nullptr},
    {"expected_speedup", &RunStats::expected_speedup, nullptr},
};
struct ExpectField { const char* key; double Expectation::*d; int Expectation::*i; };
const ExpectField expect_fields[] = {
    {"wall_ms", &Expectation::wall_ms, nullptr}, {"path_ms", &Expectation::path_ms, nullptr},
    {"cap_ms", &Expectation::cap_ms, nullptr}, {"browser_ms", &Expectation::browser_ms, nullptr},
    {"sequential_ms", &Expectation::sequential_ms, nullptr}, {"peak_in_flight", nullptr, &Expectation::peak_in_flight},
    {"ok", nullptr, &Expectation::ok}, {"failed", nullptr, &Expectation::failed}, {"timeouts", nullptr, &Expectation::timeouts},
};

double number_or(const JsonValue* v, double fallback) { return v && v->is_number() ? v->number : fallback; }

bool entry_from_json(const JsonValue& j, HistoryEntry* e) {
    if (!j.is_object()) return false;
    const JsonValue* desc = j.get("desc");
    const JsonValue* state = j.get("state");
    if (!desc || !desc->is_object() || !state || !state->is_string()) return false;
    // A learner's program ("path":"program", fields.h) is kept like any run, though no setting may name it
    // (and it may have made 0 requests).
    const JsonValue* path = desc->get("path");
    const bool recorded = path && path->is_string() && path->text == run_kind_name(RunKind::recorded);  // (a HAR's: likewise)
    const bool program = recorded || (path && path->is_string() && path->text == run_kind_name(RunKind::program));
    for (const RunField& f : run_fields()) {
        const JsonValue* v = desc->get(f.file_key);
        if (!v) continue;
        if (program && std::string_view(f.member) == "path") continue;
        if (f.kind == FieldKind::choice ? !v->is_string() || !set_field_text(f, &e->run.desc, v->text, nullptr) : !v->is_number()) return false;
        const double low = program && std::string_view(f.member) == "count" ? 0.0 : double(f.min);
        if (f.kind == FieldKind::whole) f.set(e->run.desc, int(std::clamp(v->number, low, double(f.max))));
    }
    if (recorded) {
        e->run.desc.kind = RunKind::recorded;
        e->run.recorded.emplace();  // (nor a HAR's URLs)
    } else if (program) {
        e->run.desc.kind = RunKind::program;
        e->run.program.emplace();  // (the history keeps no program's text across visits)
    }
    if (state->text == run_state_name(RunState::finished)) e->run.state = RunState::finished;
    else if (state->text == run_state_name(RunState::cancelled)) e->run.state = RunState::cancelled;
    else return false;
    e->number = uint32_t(std::max(0.0, number_or(j.get("number"), 0)));
    e->group = uint32_t(std::max(0.0, number_or(j.get("group"), 0)));
    e->guess_ms = number_or(j.get("guess_ms"), -1);
    if (const JsonValue* s = j.get("source"); s && s->is_string()) e->source = s->text;
    e->run.start_us = 0;
    if (const JsonValue* st = j.get("stats"); st && st->is_object()) {
        for (const StatField& f : stat_fields) {
            const double v = number_or(st->get(f.key), 0);
            if (f.d) e->stats.*f.d = v;
            else e->stats.*f.i = int(std::clamp(v, 0.0, double(Limits::max_count)));
        }
    }
    if (const JsonValue* ex = j.get("expected"); ex && ex->is_object()) {
        for (const ExpectField& f : expect_fields) {
            const JsonValue* got = ex->get(f.key);
            if (!got && f.d == &Expectation::path_ms) got = ex->get("program_ms");  // (its name until run files version 3)
            const double v = number_or(got, 0);
            if (f.d) e->run.expected.*f.d = v;
            else e->run.expected.*f.i = int(std::clamp(v, 0.0, double(Limits::max_count)));
        }
    }
    e->run.end_us = int64_t(std::llround(std::clamp(e->stats.wall_ms, 0.0, 1e12) * 1000));
    if (const JsonValue* t = j.get("timeline"); t && t->is_array()) {
        for (const JsonValue& bar : t->items) {
            if (!bar.is_array() || bar.items.size() != 3) continue;
            TimelineBar b;
            b.from_ms = float(number_or(&bar.items[0], -1));
            b.to_ms = float(number_or(&bar.items[1], -1));
            const int o = int(number_or(&bar.items[2], 0));
            b.worst = o >= 0 && o <= int(Outcome::cancelled) ? Outcome(o) : Outcome::ok;
            e->timeline.push_back(b);
            if (e->timeline.size() >= size_t(timeline_rows)) break;
        }
    }
    return e->number > 0;
}

}  // namespace

std::string history_to_json(const History& h, size_t max_entries) {
    JsonWriter w;
    w.begin_array();
    const auto& all = h.entries();
    const size_t first = all.size() > max_entries ? all.size() - max_entries : 0;
    for (size_t k = first; k < all.size(); ++k) {
        const HistoryEntry& e = all[k];
        w.begin_object().key("number").integer(e.number).key("group").integer(e.group).key("guess_ms").number(e.guess_ms, 3);
        w.key("source").string(e.source).key("state").string(run_state_name(e.run.state));
        w.key("desc").begin_object();
        for (const RunField& f : run_fields()) {
            w.key(f.file_key);
            if (f.kind == FieldKind::choice) w.string(field_text(f, e.run.desc));
            else w.integer(f.get(e.run.desc));
        }
        w.end_object();
        w.key("expected").begin_object();
        for (const ExpectField& f : expect_fields) {
            w.key(f.key);
            if (f.d) w.number(e.run.expected.*f.d, 3);
            else w.integer(e.run.expected.*f.i);
        }
        w.end_object();
        w.key("stats").begin_object();
        for (const StatField& f : stat_fields) {
            w.key(f.key);
            if (f.d) w.number(e.stats.*f.d, 3);
            else w.integer(e.stats.*f.i);
        }
        w.end_object();
        w.key("timeline").begin_array();
        for (const TimelineBar& b : e.timeline) w.begin_array().number(b.from_ms, 1).number(b.to_ms, 1).integer(int(b.worst)).end_array();
        w.end_array();
        w.end_object();
    }
    w.end_array();
    return w.take();
}

bool history_from_json(const std::string& text, History* h, std::string* error) {
    JsonValue v;
    JsonLimits limits;
    limits.max_bytes = size_t(8) << 20;
    if (!parse_json(text, &v, error, limits)) return false;
    if (!v.is_array()) {
        if (error) *error = "a saved history is a list of runs";
        return false;
    }
    std::deque<HistoryEntry> restored;
    uint32_t last = 0, last_group = 0;
    for (const JsonValue& item : v.items) {
        HistoryEntry e;
        if (!entry_from_json(item, &e) || e.number <= last) continue;
        last = e.number;
        last_group = std::max(last_group, e.group);
        restored.push_back(std::move(e));
    }
    // Saved runs come first; the current ones are renumbered after them.
    for (HistoryEntry& e : h->entries_) {
        e.number += last;
        if (e.group) e.group += last_group;
        restored.push_back(std::move(e));
    }
    while (restored.size() > History::capacity) restored.pop_front();
    h->entries_ = std::move(restored);
    h->next_number_ = (h->entries_.empty() ? 0 : h->entries_.back().number) + 1;
    h->next_group_ = std::max(h->next_group_ + last_group, last_group + 1);
    return true;
}

}  // namespace ap
