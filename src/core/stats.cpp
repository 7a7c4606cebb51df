#include "stats.h"

#include "event_loop.h"
#include "har.h"
#include "fields.h"
#include "json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace ap {

int intended_concurrency(const RunDesc& d) {
    if (d.kind != RunKind::path) return d.count;  // (no rule holds a program's calls back: it may start them all)
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
    s.expected_ms = run.expected.wall_ms;
    s.sequential_estimate_ms = run.expected.sequential_ms;
    s.expected_peak_in_flight = run.expected.peak_in_flight;
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
    // Real sockets: Resource Timing says when each attempt really went out; on the wire, the browser's cap
    // shows (a gather of 30 is handed over at once, but only 6 are sent at a time).
    std::vector<std::pair<int64_t, int>> wire;
    for (const RequestTrace& r : run.requests) {
        for (const Attempt& a : r.attempts) {
            if (a.sent_us < 0 || a.ended_us < 0) continue;
            wire.emplace_back(a.sent_us, +1);
            wire.emplace_back(a.wire_end_us(), -1);
        }
    }
    if (!wire.empty()) {
        std::sort(wire.begin(), wire.end());
        level = 0;
        for (const auto& e : wire) s.peak_on_wire = std::max(s.peak_on_wire, level += e.second);
    }

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
    if (!(ms < 1e15)) return "forever";  // (no run lasts that long: 10,000 calls of 30 s are 83 hours)
    if (ms < 999.5) std::snprintf(buf, sizeof buf, "%.0f ms", ms);
    else if (ms < 9995) std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
    else if (ms < 59950) std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000);
    else if (ms < 3599500) {
        const long long s = std::llround(ms / 1000);
        std::snprintf(buf, sizeof buf, "%lld min %lld s", s / 60, s % 60);
    } else {
        const long long m = std::llround(ms / 60000);
        std::snprintf(buf, sizeof buf, "%lld h %lld min", m / 60, m % 60);
    }
    return buf;
}

std::string browser_cost_words(const Run& run) {
    const RunDesc& d = run.desc;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s the browser takes to hand %d request%s to the %s (measured in this page: a round trip of %.1f ms, %.2f ms between answers)",
                  format_duration_ms(run.expected.browser_ms).c_str(), d.count, d.count == 1 ? "" : "s",
                  d.api == Api::server ? "dev server" : "in-page API", run.cost.round_trip_ms, run.cost.handover_ms);
    return buf;
}

std::vector<std::string> explain_run(const Run& run, const RunStats& s) {
    if (run.recorded) return recorded_notes(run);  // (a HAR's: what it says of the browser's connections)
    std::vector<std::string> notes;
    const RunDesc& d = run.desc;
    if (run.state == RunState::cancelled && run.program) {
        // A learner's program, stopped: how many of its requests it was still waiting for.
        notes.push_back("Stopped after " + format_duration_ms(s.wall_ms) + (s.count == 0 ? ", before the program made a request."
                        : s.cancelled == 0 ? ", with none of its requests in flight."
                        : ": " + std::to_string(s.cancelled) + " of its " + std::to_string(s.count) + " requests were still in flight, and were cancelled."));
    } else if (run.state == RunState::cancelled) {
        notes.push_back("Cancelled after " + format_duration_ms(s.wall_ms) + ": " +
                        std::to_string(s.cancelled) + " of " + std::to_string(s.count) + " requests never finished.");
    }
    // The parts of the expectation that are the browser's, not the program's, each named (scheduler.h).
    const Expectation& e = run.expected;
    if (d.api == Api::server && e.cap_ms >= 0.5) {
        const std::string cap = std::to_string(browser_connections_per_host);
        notes.push_back("The browser opens at most " + cap + " connections to one host, so " + std::to_string(d.count) +
                        " requests go out in waves of " + cap + ": " + format_duration_ms(e.path_ms + e.cap_ms) + " instead of the program's " +
                        format_duration_ms(e.path_ms) + ". Python's httpx has no such cap by default (its pool allows 100).");
    }
    if (e.browser_ms >= 0.5) notes.push_back(browser_cost_words(run) + ".");
    // A program on real sockets: what the browser's connection cap held back, which CPython would not have.
    if (run.program && run.state == RunState::finished) {
        // Held: it went out only once another request had come off the wire (the first stretch of any
        // request is the connection's own set-up, which CPython pays too).
        std::vector<int64_t> offs;  // when each request came off the wire (Resource Timing's runs only)
        for (const RequestTrace& r : run.requests)
            if (!r.attempts.empty() && r.attempts[0].sent_us >= 0) offs.push_back(r.attempts.back().wire_end_us());
        std::sort(offs.begin(), offs.end());
        int held = 0;
        int64_t longest = 0, last_end = -1, last_stall = 0;
        for (const RequestTrace& r : run.requests) {
            if (offs.empty() || r.attempts.empty() || r.attempts[0].sent_us < 0) continue;
            const Attempt& a = r.attempts[0];
            const int64_t own = r.attempts.back().wire_end_us();
            const auto from = std::lower_bound(offs.begin(), offs.end(), a.started_us);
            const auto to = std::upper_bound(offs.begin(), offs.end(), a.sent_us + 1000);
            const bool waited = (to - from) - (own >= a.started_us && own <= a.sent_us + 1000 ? 1 : 0) > 0;
            const int64_t stall = waited ? a.sent_us - a.started_us : 0;
            if (waited) ++held, longest = std::max(longest, stall);
            if (r.finished_us > last_end) last_end = r.finished_us, last_stall = stall;
        }
        std::vector<std::string> ports;
        for (const ProgramCall& c : run.program->calls) {
            const std::string& u = c.wire_url.empty() ? c.url : c.wire_url;
            const std::string origin = url_origin(u).empty() ? u : url_origin(u);
            if (std::find(ports.begin(), ports.end(), origin) == ports.end() && ports.size() < 16) ports.push_back(origin);
        }
        bool spread = false;
        for (const ProgramCall& c : run.program->calls) spread |= !c.wire_url.empty();
        if (spread)
            notes.push_back("The page spread these requests over " + std::to_string(ports.size()) + " ports of the dev server, each the browser's own " +
                            std::to_string(browser_connections_per_host) + " connections (" + std::to_string(ports.size() * browser_connections_per_host) +
                            " at once), since CPython's clients have no such cap; the paths and answers are the same.");
        if (held > 0) {
            const std::string cap = std::to_string(browser_connections_per_host);
            std::string note = "The browser held " + std::to_string(held) + " of these requests for one of its " + cap +
                               " connections to this host (the longest for " + format_duration_ms(double(longest) / 1000.0) + ")";
            if (last_stall >= 1000)
                note += "; CPython has no such cap, and would have had the last answer about " + format_duration_ms(double(last_stall) / 1000.0) +
                        " sooner: about " + format_duration_ms(std::max(0.0, s.wall_ms - double(last_stall) / 1000.0)) + " in all";
            notes.push_back(note + ".");
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
    for (std::string& n : thread_notes(run)) notes.push_back(std::move(n));
    return notes;
}

std::string summarize_run(const Run& run, const RunStats& s) {
    static const char* api_words[] = {"in-page API", "dev server", "simulated"};
    std::string text = std::to_string(s.count) + (s.count == 1 ? " request, " : " requests, ") + run_name(run.desc) +
                       ", " + api_words[int(run.desc.api) % api_count] + ": ";
    if (run.state == RunState::cancelled) return text + "cancelled after " + format_duration_ms(s.wall_ms) + ".";
    text += format_duration_ms(s.wall_ms);
    if (!run.program) text += ", expected " + format_duration_ms(s.expected_ms);
    const int failed = s.http_errors + s.network_errors + s.timeouts;
    if (failed > 0) text += ", " + std::to_string(failed) + " failed";
    return text + ".";
}


std::string run_to_json(const Run& run, const RunStats& s, uint32_t number, const std::vector<std::string>& extra_notes) {
    JsonWriter w;
    w.begin_object();
    if (number) w.key("number").integer(number);
    w.key("kind").string(run_kind_name(run.desc.kind));
    for (const RunField& f : run_fields()) {  // every setting, by its JS name (fields.h)
        w.key(f.js_key);
        if (f.kind == FieldKind::choice) w.string(field_text(f, run.desc));
        else w.integer(f.get(run.desc));
    }
    w.key("state").string(run_state_name(run.state));
    w.key("generation").integer(run.generation);
    w.key("startAbsMs").number(double(run.start_us) / 1000.0, 3);  // on the caller's clock (performance.now in the page)
    w.key("wallMs").number(s.wall_ms, 3);
    w.key("sumMs").number(s.sum_ms, 3);
    w.key("slowestMs").number(s.slowest_ms, 3);
    w.key("meanMs").number(s.mean_ms, 3);
    // The model's figures: a learner's program has none (null), never a zero that reads as a prediction.
    const bool model = !run.program;
    if (model) w.key("expectedMs").number(s.expected_ms, 3);
    else w.key("expectedMs").null();
    if (model) w.key("sequentialEstimateMs").number(s.sequential_estimate_ms, 3).key("speedup").number(s.speedup, 3);
    else w.key("sequentialEstimateMs").null().key("speedup").null();
    w.key("peakInFlight").integer(s.peak());
    if (model) {
        w.key("expectedPeakInFlight").integer(s.expected_peak_in_flight);
        w.key("expected").begin_object().key("pathMs").number(run.expected.path_ms, 3).key("capMs").number(run.expected.cap_ms, 3);
        w.key("browserMs").number(run.expected.browser_ms, 3).key("ok").integer(run.expected.ok).key("failed").integer(run.expected.failed);
        w.key("timeouts").integer(run.expected.timeouts).end_object();
    } else {
        w.key("expectedPeakInFlight").null().key("expected").null();
    }
    w.key("cost").begin_object().key("roundTripMs").number(run.cost.round_trip_ms, 3).key("handoverMs").number(run.cost.handover_ms, 3).end_object();
    w.key("ok").integer(s.ok);
    w.key("summary").string(summarize_run(run, s));
    std::vector<std::string> notes = extra_notes;
    for (std::string& n : explain_run(run, s)) notes.push_back(std::move(n));
    w.key("notes").strings(notes);
    const ProgramRun* program = run.program ? &*run.program : nullptr;
    if (program) {  // a learner's program: what it printed, how it ended
        const ProgramReport& t = program->report;
        w.key("stdout").string(t.output).key("stopped").boolean(t.stopped).key("error");
        if (t.error_message.empty()) w.null();
        else w.begin_object().key("line").integer(t.error_line).key("message").string(t.error_message).key("traceback").string(t.traceback).end_object();
        w.key("stdoutCut").begin_object().key("bytes").integer(t.output_cut_bytes).key("lines").integer(t.output_cut_lines).end_object();
    }
    w.key("requests").begin_array();
    auto rel = [&](int64_t us) { return us >= 0 ? us_to_ms(us - run.start_us) : -1.0; };
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        w.begin_object();
        w.key("startMs").number(rel(r.started_us), 3).key("endMs").number(rel(r.finished_us), 3);
        if (r.scheduled_us >= 0 && r.scheduled_us < r.started_us) w.key("scheduledMs").number(rel(r.scheduled_us), 3);
        w.key("outcome").string(outcome_name(r.outcome)).key("status").integer(r.status).key("bytes").integer(r.bytes);
        if (r.answered_us >= 0 && r.finished_us > r.answered_us) {
            w.key("answeredMs").number(rel(r.answered_us), 3).key("handledMs").number(rel(r.handled_us), 3);
        }
        if (r.attempts.size() > 1) {
            w.key("attempts").begin_array();
            for (const Attempt& at : r.attempts) {
                w.begin_object().key("startMs").number(rel(at.started_us), 3).key("endMs").number(rel(at.ended_us), 3);
                w.key("outcome").string(outcome_name(at.outcome)).key("status").integer(at.status).end_object();
            }
            w.end_array();
        }
        if (!r.reason.empty()) w.key("reason").string(r.reason);
        if (program && i < program->calls.size())
            w.key("line").integer(program->calls[i].line).key("task").string(program->calls[i].task).key("thread").string(program->calls[i].thread);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return w.take();
}

}  // namespace ap

namespace ap {
bool drawing_would_disturb(const Run& run, int64_t now_us, const QuietRule& rule) {
    // A learner's program makes its next call after an answer, through its worker (and, for a blocking call,
    // the service worker): no request may be in flight in that gap, and a frame there would delay the call.
    const ProgramRun* program = run.program ? &*run.program : nullptr;
    if (run.state != RunState::running || run.desc.api == Api::simulated || (run.in_flight == 0 && !program)) return false;
    // (Just begun: its first requests are on their way from its worker.)
    if (program && now_us >= run.start_us && now_us - run.start_us < rule.burst_gap_us) return true;
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        if (r.outcome == Outcome::in_flight) {
            // (A program's call asks for its latency in its URL, as the built-in ones do; read when it was made,
            // not on every frame.)
            const int latency_ms = program && i < program->calls.size() ? program->calls[i].asked_latency_ms : run.desc.latency_ms;
            const int64_t expected = r.started_us + int64_t(latency_ms) * 1000;
            if (expected - rule.before_us <= now_us && now_us <= expected + rule.after_us) return true;
        } else if (r.finished_us >= 0 && r.finished_us <= now_us && now_us - r.finished_us < rule.burst_gap_us) {
            return true;  // answers are arriving: more are likely right behind this one
        }
        // A program makes its requests one message at a time (a gather's fifty over some milliseconds): while
        // they keep coming, a frame would hold back the rest.
        if (program && r.started_us <= now_us && now_us - r.started_us < rule.burst_gap_us) return true;
    }
    return false;
}
}  // namespace ap
