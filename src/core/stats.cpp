#include "stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace ap {

int intended_concurrency(const RunDesc& d) {
    switch (code_path_info(d.path).schedule) {
        case Schedule::one_at_a_time: return 1;
        case Schedule::all_at_once: return d.count;
        case Schedule::k_at_a_time: return std::min(d.limit, d.count);
    }
    return 1;
}

double sequential_estimate_ms(const RunDesc& d) { return double(d.count) * d.latency_ms; }

double expected_wall_ms(const RunDesc& d) {
    const int c = std::max(1, intended_concurrency(d));
    return double((d.count + c - 1) / c) * d.latency_ms;
}

static double us_to_ms(int64_t us) { return double(us) / 1000.0; }

RunStats compute_stats(const Run& run) {
    RunStats s;
    s.count = int(run.requests.size());
    s.expected_ms = run.expected_ms;
    s.sequential_estimate_ms = run.sequential_ms;
    s.expected_speedup = s.expected_ms > 0 ? s.sequential_estimate_ms / s.expected_ms : 1.0;

    // Peak in flight from the trace itself: +1 at each start, −1 at each end, ends first on ties
    // (a loop's next call starts at the very instant the previous one returned).
    std::vector<std::pair<int64_t, int>> edges;
    edges.reserve(run.requests.size() * 2);
    int64_t last_end = run.start_us;
    double queued_sum = 0;
    for (const RequestTrace& r : run.requests) {
        switch (r.outcome) {
            case Outcome::ok: ++s.ok; break;
            case Outcome::http_error: ++s.http_errors; break;
            case Outcome::network_error: ++s.network_errors; break;
            case Outcome::timeout: ++s.timeouts; break;
            case Outcome::cancelled: ++s.cancelled; break;
            default: break;
        }
        if (r.started_us < 0) continue;
        ++s.started;
        queued_sum += us_to_ms(r.started_us - r.scheduled_us);
        const int64_t end = r.finished_us >= 0 ? r.finished_us : -1;
        edges.emplace_back(r.started_us, +1);
        if (end >= 0) {
            edges.emplace_back(end, -1);
            const double d = us_to_ms(end - r.started_us);
            s.sum_ms += d;
            s.slowest_ms = std::max(s.slowest_ms, d);
            last_end = std::max(last_end, end);
        }
    }
    std::sort(edges.begin(), edges.end());
    int level = 0;
    for (const auto& e : edges) s.peak_in_flight = std::max(s.peak_in_flight, level += e.second);

    const int64_t end_us = run.end_us >= 0 ? run.end_us : last_end;
    s.wall_ms = run.start_us >= 0 ? us_to_ms(end_us - run.start_us) : 0;
    const int ended = s.ok + s.http_errors + s.network_errors + s.timeouts;
    s.mean_ms = ended > 0 ? s.sum_ms / ended : 0;
    s.mean_queued_ms = s.started > 0 ? queued_sum / s.started : 0;
    s.speedup = s.wall_ms > 0 ? s.sequential_estimate_ms / s.wall_ms : 0;
    return s;
}

std::string format_duration_ms(double ms) {
    char buf[32];
    if (ms < 1000) std::snprintf(buf, sizeof buf, "%.0f ms", ms);
    else if (ms < 10000) std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
    else std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000);
    return buf;
}

std::vector<std::string> explain_run(const Run& run, const RunStats& s) {
    std::vector<std::string> notes;
    const RunDesc& d = run.desc;
    if (run.state == RunState::cancelled) {
        notes.push_back("Cancelled after " + format_duration_ms(s.wall_ms) + ": " +
                        std::to_string(s.cancelled) + " of " + std::to_string(s.count) + " requests never finished.");
    }
    // Through real sockets the browser keeps at most 6 connections per host, so a gather of 20 runs as
    // waves of 6. Recognise it by its signature: the code path allowed more than 6 at once, the wall time
    // is well over the expectation, and about ⌈N/6⌉ latencies fit in it.
    const int allowed = intended_concurrency(d);
    if (d.api == Api::server && run.state == RunState::finished && allowed > browser_connections_per_host &&
        d.latency_ms > 0 && s.wall_ms > 1.3 * s.expected_ms) {
        const int capped = std::min(allowed, browser_connections_per_host);
        const double capped_ms = double((d.count + capped - 1) / capped) * d.latency_ms;
        if (s.wall_ms >= 0.8 * capped_ms) {
            const std::string cap = std::to_string(browser_connections_per_host);
            notes.push_back("The browser opens at most " + cap + " connections to one host, so " + std::to_string(d.count) +
                            " requests went out in waves of " + cap + ": about " + format_duration_ms(capped_ms) +
                            " instead of " + format_duration_ms(s.expected_ms) +
                            ". Python's httpx has no such cap by default (its pool allows 100).");
        }
    }
    const int failed = s.http_errors + s.network_errors + s.timeouts;
    if (failed > 0) {
        std::string first;
        for (const RequestTrace& r : run.requests) {
            if (r.outcome == Outcome::http_error || r.outcome == Outcome::network_error || r.outcome == Outcome::timeout) {
                first = r.reason;
                break;
            }
        }
        notes.push_back(std::to_string(failed) + " of " + std::to_string(s.count) + " requests failed (first: " + first + ").");
    }
    return notes;
}

std::string summarize_run(const Run& run, const RunStats& s) {
    static const char* api_words[] = {"in-page API", "dev server", "simulated"};
    std::string text = std::to_string(s.count) + (s.count == 1 ? " request, " : " requests, ") + code_path_name(run.desc.path) +
                       ", " + api_words[int(run.desc.api) % api_count] + ": ";
    if (run.state == RunState::cancelled) return text + "cancelled after " + format_duration_ms(s.wall_ms) + ".";
    text += format_duration_ms(s.wall_ms) + ", expected " + format_duration_ms(run.desc.api == Api::server ? run.capped_ms : s.expected_ms);
    const int failed = s.http_errors + s.network_errors + s.timeouts;
    if (failed > 0) text += ", " + std::to_string(failed) + " failed";
    return text + ".";
}


static void append_escaped(std::string* out, const std::string& s) {
    out->push_back('"');
    for (char c : s) {
        switch (c) {
            case '"': *out += "\\\""; break;
            case '\\': *out += "\\\\"; break;
            case '\n': *out += "\\n"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    *out += buf;
                } else {
                    out->push_back(c);
                }
        }
    }
    out->push_back('"');
}

std::string json_quote(const std::string& s) {
    std::string out;
    append_escaped(&out, s);
    return out;
}

static void append_number(std::string* out, const char* key, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "\"%s\":%.3f,", key, v);
    *out += buf;
}

std::string run_to_json(const Run& run, const RunStats& s) {
    std::string out = "{";
    out += "\"path\":\"" + std::string(code_path_name(run.desc.path)) + "\",";
    out += "\"api\":\"" + std::string(api_name(run.desc.api)) + "\",";
    out += "\"n\":" + std::to_string(run.desc.count) + ",";
    out += "\"latencyMs\":" + std::to_string(run.desc.latency_ms) + ",";
    out += "\"limit\":" + std::to_string(run.desc.limit) + ",";
    out += "\"cpuMs\":" + std::to_string(run.desc.cpu_ms) + ",";
    out += "\"retries\":" + std::to_string(run.desc.retries) + ",";
    out += "\"spread\":\"" + std::string(spread_name(run.desc.spread)) + "\",";
    out += "\"state\":\"" + std::string(run_state_name(run.state)) + "\",";
    out += "\"generation\":" + std::to_string(run.generation) + ",";
    append_number(&out, "startAbsMs", double(run.start_us) / 1000.0);  // on the caller's clock (performance.now in the page)
    append_number(&out, "wallMs", s.wall_ms);
    append_number(&out, "sumMs", s.sum_ms);
    append_number(&out, "slowestMs", s.slowest_ms);
    append_number(&out, "meanMs", s.mean_ms);
    append_number(&out, "expectedMs", s.expected_ms);
    append_number(&out, "sequentialEstimateMs", s.sequential_estimate_ms);
    append_number(&out, "speedup", s.speedup);
    out += "\"peakInFlight\":" + std::to_string(s.peak_in_flight) + ",";
    out += "\"ok\":" + std::to_string(s.ok) + ",";
    out += "\"summary\":";
    append_escaped(&out, summarize_run(run, s));
    out += ",\"notes\":[";
    const std::vector<std::string> notes = explain_run(run, s);
    for (size_t i = 0; i < notes.size(); ++i) {
        if (i) out += ",";
        append_escaped(&out, notes[i]);
    }
    out += "],\"requests\":[";
    char buf[160];
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        const double start = r.started_us >= 0 ? us_to_ms(r.started_us - run.start_us) : -1;
        const double end = r.finished_us >= 0 ? us_to_ms(r.finished_us - run.start_us) : -1;
        std::snprintf(buf, sizeof buf, "%s{\"startMs\":%.3f,\"endMs\":%.3f,\"outcome\":\"%s\",\"status\":%d,\"bytes\":%lld",
                      i ? "," : "", start, end, outcome_name(r.outcome), r.status, static_cast<long long>(r.bytes));
        out += buf;
        if (r.answered_us >= 0 && r.finished_us > r.answered_us) {
            std::snprintf(buf, sizeof buf, ",\"answeredMs\":%.3f,\"handledMs\":%.3f", us_to_ms(r.answered_us - run.start_us),
                          us_to_ms(r.handled_us - run.start_us));
            out += buf;
        }
        if (r.attempts.size() > 1) {
            out += ",\"attempts\":[";
            for (size_t a = 0; a < r.attempts.size(); ++a) {
                const Attempt& at = r.attempts[a];
                std::snprintf(buf, sizeof buf, "%s{\"startMs\":%.3f,\"endMs\":%.3f,\"outcome\":\"%s\",\"status\":%d}", a ? "," : "",
                              us_to_ms(at.started_us - run.start_us), at.ended_us >= 0 ? us_to_ms(at.ended_us - run.start_us) : -1.0,
                              outcome_name(at.outcome), at.status);
                out += buf;
            }
            out += "]";
        }
        if (!r.reason.empty()) {
            out += ",\"reason\":";
            append_escaped(&out, r.reason);
        }
        out += "}";
    }
    out += "]}";
    return out;
}

}  // namespace ap

namespace ap {
bool drawing_would_disturb(const Run& run, int64_t now_us, const QuietRule& rule) {
    if (run.state != RunState::running || run.desc.api == Api::simulated || run.in_flight == 0) return false;
    const int64_t latency_us = int64_t(run.desc.latency_ms) * 1000;
    for (const RequestTrace& r : run.requests) {
        if (r.outcome == Outcome::in_flight) {
            const int64_t expected = r.started_us + latency_us;
            if (expected - rule.before_us <= now_us && now_us <= expected + rule.after_us) return true;
        } else if (r.finished_us >= 0 && r.finished_us <= now_us && now_us - r.finished_us < rule.burst_gap_us) {
            return true;  // answers are arriving: more are likely right behind this one
        }
    }
    return false;
}
}  // namespace ap
