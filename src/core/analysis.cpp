#include "analysis.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "event_loop.h"
#include "stats.h"

namespace ap {

// ---- Phases -----------------------------------------------------------------------------------------------

std::vector<PhaseSpan> request_phases(const RequestTrace& r, int64_t end_us) {
    std::vector<PhaseSpan> spans;
    if (r.scheduled_us < 0) return spans;
    // request_phase() compares t only with these instants (t < x or t >= x), so it is constant between
    // two neighbouring ones: evaluating it once per stretch gives exactly its classification.
    std::vector<int64_t> cuts;
    cuts.reserve(6 + 2 * r.attempts.size());
    auto cut = [&](int64_t t) {
        if (t >= r.scheduled_us) cuts.push_back(t);
    };
    cut(r.scheduled_us);
    cut(r.started_us);
    cut(r.answered_us);
    cut(r.handled_us);
    cut(r.finished_us);
    for (const Attempt& a : r.attempts) {
        cut(a.started_us);
        cut(a.ended_us);
    }
    cut(end_us);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
        const Phase p = request_phase(r, cuts[i]);
        if (p == Phase::none) continue;
        if (!spans.empty() && spans.back().phase == p && spans.back().to_us == cuts[i]) spans.back().to_us = cuts[i + 1];
        else spans.push_back(PhaseSpan{p, cuts[i], cuts[i + 1]});
    }
    return spans;
}

const char* queue_reason(const RunDesc& d) {
    // Built once: [path * 2 + capped], a learner's program last. The CodePathInfo cause is the one source of
    // the words for the paths; a program's requests wait only in its client's pool (httpx.Limits).
    static const std::array<std::string, (code_path_count + 1) * 2> reasons = [] {
        std::array<std::string, (code_path_count + 1) * 2> out;
        const std::string browser = "one of the browser's " + std::to_string(browser_connections_per_host) +
                                    " connections to this host";
        for (int p = 0; p <= code_path_count; ++p) {
            const std::string cause = p < code_path_count ? code_path_info(CodePath(p)).queue_cause : "a free connection of its client (httpx.Limits)";
            out[size_t(p * 2)] = cause.empty() ? "not waiting: every call starts at once" : "waiting for " + cause;
            out[size_t(p * 2 + 1)] = cause.empty() ? "waiting for " + browser : "waiting for " + cause + ", then for " + browser;
        }
        return out;
    }();
    const std::optional<CodePath> path = code_path_of(d);
    const int p = !path ? code_path_count : int(*path) < code_path_count ? int(*path) : 0;
    const bool capped = d.api == Api::server && intended_concurrency(d) > browser_connections_per_host;
    return reasons[size_t(p * 2 + (capped ? 1 : 0))].c_str();
}

// ---- Sweeps -----------------------------------------------------------------------------------------------

std::vector<int> sweep_counts(int max_count) {
    max_count = std::clamp(max_count, Limits::min_count, Limits::max_count);
    std::vector<int> counts;
    auto add = [&](int n) {
        if (n < max_count) counts.push_back(n);
    };
    for (int n : {1, 2, 3, 5}) add(n);
    for (int decade = 1; decade * 10 < Limits::max_count; decade *= 10) {
        for (int n : {10, 15, 20, 30, 40, 50, 60, 80}) add(n * decade);
    }
    counts.push_back(max_count);
    return counts;
}

std::vector<double> sweep_shares() {
    std::vector<double> shares;
    for (int i = 0; i <= 10; ++i) shares.push_back(i / 10.0);
    return shares;
}

// The same two figures expect_run gives a run (its wall and its sequential yardstick), for less work.
static SweepPoint sweep_point(RunDesc d, double x, const ApiCost& cost) {
    clamp_run_desc(&d);
    const ApiCost used = d.api == Api::simulated ? ApiCost{} : cost;
    const double wall = model_wall_ms(d, wire_cap_for(d), used);
    RunDesc one_at_a_time = d;
    one_at_a_time.path = CodePath::sequential;
    const double sequential = d.path == CodePath::sequential ? wall : model_wall_ms(one_at_a_time, wire_cap_for(d), used);
    return SweepPoint{x, wall, wall > 0 ? sequential / wall : 1.0};
}

SweepSeries sweep_by_count(const RunDesc& base, CodePath path, const std::vector<int>& counts, const ApiCost& cost) {
    SweepSeries series{path, {}};
    series.points.reserve(counts.size());
    for (int n : counts) {
        RunDesc d = base;
        d.path = path;
        d.count = n;
        clamp_run_desc(&d);  // x is the N that was modelled
        series.points.push_back(sweep_point(d, double(d.count), cost));
    }
    return series;
}

SweepSeries sweep_by_cpu_share(const RunDesc& base, CodePath path, const std::vector<double>& shares, const ApiCost& cost) {
    SweepSeries series{path, {}};
    series.points.reserve(shares.size());
    int total = std::max(0, base.latency_ms) + std::max(0, base.cpu_ms);
    total = std::min(total, Limits::max_cpu_ms);
    if (total <= 0) total = 100;
    for (double share : shares) {
        const double s = std::isfinite(share) ? std::clamp(share, 0.0, 1.0) : 0.0;
        RunDesc d = base;
        d.path = path;
        d.cpu_ms = int(std::lround(s * total));
        d.latency_ms = total - d.cpu_ms;
        series.points.push_back(sweep_point(d, s, cost));
    }
    return series;
}

// ---- Replay -----------------------------------------------------------------------------------------------

const char* loop_state_label(LoopState s) {
    switch (s) {
        case LoopState::idle: return "idle";
        case LoopState::waiting_for_io: return "waiting for answers (select)";
        case LoopState::computing: return "computing";
        case LoopState::blocked: return "blocked in a synchronous call";
    }
    return "?";
}

// Whether a call holds the program's one thread until its answer: the blocking clients, called directly
// or (the mistake blocking_in_async shows) from inside a coroutine. await_in_loop is one at a time too,
// but it awaits: the loop is free meanwhile. thread_pool blocks worker threads, not the loop.
static bool calls_block_the_thread(std::optional<CodePath> p) {
    return p == CodePath::sequential || p == CodePath::sync_client || p == CodePath::blocking_in_async;
}

// The requests loop and the httpx.Client loop are plain scripts: one thread, no event loop.
static bool has_event_loop(std::optional<CodePath> p) { return p != CodePath::sequential && p != CodePath::sync_client; }

ReplayState replay_at(const Run& run, int64_t t_rel_us) {
    ReplayState st;
    st.t_us = t_rel_us;
    const int64_t t = std::max<int64_t>(0, run.start_us) + t_rel_us;
    const bool cancelled_by_now = run.state == RunState::cancelled && run.end_us >= 0 && t >= run.end_us;
    int handling = -1, waiting = -1;
    bool io = false;
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        // A request cancelled before it started has no end time of its own: it ends with the run.
        const bool ended_by_cancel = cancelled_by_now && r.started_us < 0 && outcome_is_final(r.outcome);
        const Phase p = ended_by_cancel ? Phase::none : request_phase(r, t);
        ++st.per_phase[int(p)];
        if (p == Phase::waiting && r.answered_us >= 0 && t >= r.answered_us) ++st.ready;
        if (ended_by_cancel || (r.finished_us >= 0 && t >= r.finished_us)) ++st.done;
        else if (p == Phase::none && (r.scheduled_us < 0 || t < r.scheduled_us)) ++st.not_yet_scheduled;
        if (p == Phase::handling && handling < 0) handling = int(i);
        if (p == Phase::waiting && waiting < 0) waiting = int(i);
        if (p == Phase::waiting || p == Phase::backing_off) io = true;
    }
    if (handling >= 0) {
        st.loop = LoopState::computing;
        st.loop_request = handling;
    } else if (waiting >= 0 && calls_block_the_thread(code_path_of(run.desc))) {
        st.loop = LoopState::blocked;
        st.loop_request = waiting;
    } else if (io) {
        st.loop = LoopState::waiting_for_io;
    }
    return st;
}

std::string describe_replay(const Run& run, const ReplayState& st) {
    if (run.program && !run.program->trace.steps.empty()) return describe_program_replay(run, st.t_us);
    if (run.recorded) {  // the browser's requests: on the wire, held for a connection, done
        const int64_t t = std::max<int64_t>(0, run.start_us) + st.t_us;
        int wire = 0, held = 0, done = 0, later = 0;
        for (const RequestTrace& r : run.requests) {
            if (r.attempts.empty() || t < r.attempts[0].started_us) ++later;
            else if (t >= r.finished_us) ++done;
            else if (r.attempts[0].sent_us > t) ++held;
            else ++wire;
        }
        return "at " + format_duration_ms(double(st.t_us) / 1000.0) + ": " + std::to_string(wire) + " on the wire, " + std::to_string(held) +
               " held by the browser for a connection, " + std::to_string(done) + " done, " + std::to_string(later) + " not yet asked for.";
    }
    std::string text = "at " + format_duration_ms(double(st.t_us) / 1000.0) + ": ";
    std::vector<std::string> parts;
    auto count = [&](Phase p) { return st.per_phase[int(p)]; };
    if (count(Phase::waiting) > st.ready) parts.push_back(std::to_string(count(Phase::waiting) - st.ready) + " " + phase_label(Phase::waiting));
    if (st.ready) parts.push_back(std::to_string(st.ready) + " ready (the answer is in, the loop is busy)");
    if (count(Phase::queued))
        parts.push_back(std::to_string(count(Phase::queued)) + " queued (" + queue_reason(run.desc) + ")");
    if (count(Phase::handling)) parts.push_back(std::to_string(count(Phase::handling)) + " " + phase_label(Phase::handling));
    if (count(Phase::backing_off))
        parts.push_back(std::to_string(count(Phase::backing_off)) + " " + phase_label(Phase::backing_off));
    if (st.not_yet_scheduled) parts.push_back(std::to_string(st.not_yet_scheduled) + " not reached yet");
    parts.push_back(std::to_string(st.done) + " done");
    for (size_t i = 0; i < parts.size(); ++i) text += (i ? ", " : "") + parts[i];

    const bool loop = has_event_loop(code_path_of(run.desc));
    const std::string thread = loop ? "the event loop" : "the program's thread";
    const std::string which = "request " + std::to_string(st.loop_request + 1);
    switch (st.loop) {
        case LoopState::idle:
        case LoopState::waiting_for_io:
            if (st.ready > 0)  // (between two calls of CPU work: the next is taken at once, as the stepper says)
                text += "; " + thread + " takes " + (st.loop_request >= 0 ? which : std::string("the next ready request")) + " from the ready queue next";
            else
                text += st.loop == LoopState::idle ? "; " + thread + " is idle" : "; " + thread + " waits for answers";
            break;
        case LoopState::computing: text += "; " + thread + " is running " + which + "'s CPU work"; break;
        case LoopState::blocked: text += "; " + thread + " is blocked in " + which + "'s call"; break;
    }
    return text;
}

// ---- Predictions ------------------------------------------------------------------------------------------

PredictionScore score_prediction(double guess_ms, double actual_ms) {
    PredictionScore s;
    if (!(actual_ms > 0) || !std::isfinite(actual_ms)) {
        s.words = "nothing to score: the run took no measurable time";
        return s;
    }
    if (!(guess_ms >= 0) || !std::isfinite(guess_ms)) {
        s.words = "nothing to score: there was no guess";
        return s;
    }
    s.ratio = guess_ms / actual_ms;
    s.error_pct = std::fabs(guess_ms - actual_ms) / actual_ms * 100.0;
    const double e = s.error_pct - 1e-9;  // 1100 for 1000 is within 10 %, whatever the last bit says
    s.stars = e <= 10 ? 3 : e <= 25 ? 2 : e <= 50 ? 1 : 0;
    char buf[96];
    if (s.stars > 0) {
        static const char* verdicts[] = {"", "in the right range", "close", "spot on"};
        std::snprintf(buf, sizeof buf, "within %.0f%%: %s", std::max(1.0, std::ceil(e)), verdicts[s.stars]);
    } else if (guess_ms <= 0) {
        std::snprintf(buf, sizeof buf, "a guess of 0 ms: the run took %s", format_duration_ms(actual_ms).c_str());
    } else {
        const double factor = s.ratio > 1 ? s.ratio : 1.0 / s.ratio;
        const char* way = s.ratio > 1 ? "slow" : "fast";
        if (factor < 1000) std::snprintf(buf, sizeof buf, "%.1fx too %s a guess", factor, way);
        else std::snprintf(buf, sizeof buf, "over 1000x too %s a guess", way);
    }
    s.words = buf;
    return s;
}

// ---- CSV --------------------------------------------------------------------------------------------------

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

static std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string history_to_csv(const History& h) {
    std::string out =
        "run,path,api,requests,latency_ms,limit,cpu_ms,spread,wall_ms,expected_ms,sum_ms,slowest_ms,ok,"
        "http_errors,network_errors,timeouts,cancelled,speedup,guess_ms,guess_error_pct\r\n";
    for (const HistoryEntry& e : h.entries()) {
        const RunDesc& d = e.run.desc;
        const RunStats& s = e.stats;
        // A learner's program has no settings but its API and no model: those columns stay empty.
        const bool path = d.kind == RunKind::path;
        const bool has_k = path && code_path_info(d.path).schedule == Schedule::k_at_a_time;
        const bool has_guess = e.guess_ms >= 0;
        const PredictionScore score = score_prediction(e.guess_ms, s.wall_ms);
        const bool scored = has_guess && e.run.state == RunState::finished && s.wall_ms > 0;
        const std::string fields[] = {
            std::to_string(e.number),
            csv_field(run_name(d)),
            csv_field(api_name(d.api)),
            std::to_string(d.count),
            path ? std::to_string(d.latency_ms) : "",
            has_k ? std::to_string(d.limit) : "",
            path ? std::to_string(d.cpu_ms) : "",
            path ? csv_field(spread_name(d.spread)) : "",
            fixed(s.wall_ms, 1),
            path ? fixed(s.expected_ms, 1) : "",
            fixed(s.sum_ms, 1),
            fixed(s.slowest_ms, 1),
            std::to_string(s.ok),
            std::to_string(s.http_errors),
            std::to_string(s.network_errors),
            std::to_string(s.timeouts),
            std::to_string(s.cancelled),
            path ? fixed(s.speedup, 2) : "",
            has_guess ? fixed(e.guess_ms, 1) : "",
            scored ? fixed(score.error_pct, 1) : "",
        };
        bool first = true;
        for (const std::string& f : fields) {
            if (!first) out += ',';
            out += f;
            first = false;
        }
        out += "\r\n";
    }
    return out;
}

std::vector<ProgramLineCount> program_line_counts(const Run& run, int64_t t) {
    if (run.program && !run.program->trace.steps.empty()) return trace_line_counts(run, t);
    std::vector<ProgramLineCount> out;
    if (!run.program) return out;
    const std::vector<ProgramCall>& calls = run.program->calls;
    struct Tally { int by_phase[phase_count] = {}; int blocking = 0; };
    std::vector<std::pair<int, Tally>> lines;  // by line, in order
    for (size_t i = 0; i < run.requests.size() && i < calls.size(); ++i) {
        const Phase ph = request_phase(run.requests[i], t);
        const int line = calls[i].line;
        if (ph == Phase::none || line <= 0) continue;
        auto at = std::lower_bound(lines.begin(), lines.end(), line, [](const auto& e, int l) { return e.first < l; });
        if (at == lines.end() || at->first != line) at = lines.insert(at, {line, Tally{}});
        ++at->second.by_phase[int(ph)];
        at->second.blocking += calls[i].blocking && ph == Phase::waiting;
    }
    for (const auto& [line, tally] : lines) {
        ProgramLineCount c;
        c.line = line;
        int most = 0;
        for (int ph = 1; ph < phase_count; ++ph) {
            const int n = tally.by_phase[ph];
            if (!n) continue;
            c.count += n;
            if (n > most) most = n, c.phase = Phase(ph);
            const int blocking = ph == int(Phase::waiting) ? tally.blocking : 0;
            if (n - blocking > 0) c.text += (c.text.empty() ? "" : ", ") + std::to_string(n - blocking) + " " + phase_label(Phase(ph));
            if (blocking > 0) c.text += (c.text.empty() ? "" : ", ") + std::to_string(blocking) + " blocking the thread";
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::string run_requests_csv(const Run& run) {
    // A learner's program's requests also say where they came from: the URL, the program line, the task.
    const ProgramRun* program = run.program ? &*run.program : nullptr;
    std::string out = "request,scheduled_ms,started_ms,answered_ms,handled_ms,finished_ms,outcome,status,attempts,bytes,stalled_ms,reason";
    out += program ? ",url,line,task,thread\r\n" : run.recorded ? ",url,method\r\n" : "\r\n";
    auto rel = [&](int64_t us) { return us >= 0 ? fixed(double(us - run.start_us) / 1000.0, 3) : std::string(); };
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        const bool stalled = !r.attempts.empty() && r.attempts[0].sent_us >= 0;
        const std::string fields[] = {
            std::to_string(i + 1), rel(r.scheduled_us), rel(r.started_us), rel(r.answered_us), rel(r.handled_us), rel(r.finished_us),
            csv_field(outcome_name(r.outcome)), r.status ? std::to_string(r.status) : "", std::to_string(r.attempts.size()),
            std::to_string(r.bytes), stalled ? fixed(double(r.attempts[0].sent_us - r.attempts[0].started_us) / 1000.0, 3) : "",
            csv_field(r.reason),
        };
        bool first = true;
        for (const std::string& f : fields) {
            if (!first) out += ',';
            out += f;
            first = false;
        }
        if (program && i < program->calls.size()) {
            const ProgramCall& c = program->calls[i];
            out += "," + csv_field(c.url) + "," + std::to_string(c.line) + "," + csv_field(c.task) + "," + csv_field(c.thread);
        }
        if (run.recorded && i < run.recorded->urls.size()) out += "," + csv_field(run.recorded->urls[i]) + "," + csv_field(run.recorded->methods[i]);
        out += "\r\n";
    }
    return out;
}

}  // namespace ap
