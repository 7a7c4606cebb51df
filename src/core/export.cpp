#include "core/export.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/event_loop.h"
#include "core/json.h"
#include "core/program_trace.h"
#include "core/stats.h"

namespace ap {

namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm).
void civil_from_days(int64_t z, int* y, int* m, int* d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = int(doy - (153 * mp + 2) / 5 + 1);
    *m = int(mp < 10 ? mp + 3 : mp - 9);
    *y = int(yoe + era * 400 + (*m <= 2));
}

const char* status_text(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        default: return "";
    }
}

// The URL without the fragment (never sent: the transport's own #ap=<id> mark).
std::string without_fragment(const std::string& url) {
    const size_t hash = url.find('#');
    return hash == std::string::npos ? url : url.substr(0, hash);
}

double ms(int64_t us) { return double(us) / 1000.0; }

// When an attempt ended: its own end, or (still out when the run was cancelled) the run's.
int64_t attempt_end(const Run& run, const Attempt& at) { return at.ended_us >= 0 ? at.ended_us : std::max(run.end_us, at.started_us); }

// The URL a request's attempt went to: a program's as it asked (or the sibling port it was sent to), a code
// path's as its program builds it.
std::string attempt_url(const Run& run, size_t index, int attempt) {
    if (run.program && index < run.program->calls.size()) {
        const ProgramCall& c = run.program->calls[index];
        return without_fragment(c.wire_url.empty() ? c.url : c.wire_url);
    }
    if (run.recorded) return index < run.recorded->urls.size() ? without_fragment(run.recorded->urls[index]) : std::string("about:blank");
    return without_fragment(request_url(run.desc, int(index), attempt));
}

}  // namespace

std::string iso_time(double epoch_ms) {
    if (!std::isfinite(epoch_ms)) epoch_ms = 0;
    const int64_t total_ms = int64_t(std::floor(epoch_ms));
    int64_t days = total_ms / 86400000;
    int64_t rest = total_ms % 86400000;
    if (rest < 0) rest += 86400000, --days;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, int(rest / 3600000), int(rest / 60000 % 60), int(rest / 1000 % 60), int(rest % 1000));
    return buf;
}

std::string run_to_har(const Run& run, const ExportNames& names) {
    const int64_t zero = run.start_us >= 0 ? run.start_us : 0;
    const std::string page_id = "run_" + std::to_string(run.generation);
    struct Entry {
        int64_t start_us;
        size_t index;
        int attempt;
    };
    std::vector<Entry> order;
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        for (size_t a = 0; a < r.attempts.size(); ++a) {
            if (r.attempts[a].started_us < 0) continue;
            int64_t start = r.attempts[a].started_us;
            if (a == 0 && r.scheduled_us >= 0) start = std::min(start, r.scheduled_us);
            order.push_back({start, i, int(a)});
        }
    }
    std::stable_sort(order.begin(), order.end(), [](const Entry& x, const Entry& y) { return x.start_us < y.start_us; });

    JsonWriter w;
    w.begin_object().key("log").begin_object().key("version").string("1.2");
    w.key("creator").begin_object().key("name").string("asyncplay").key("version").string("1").end_object();
    w.key("pages").begin_array().newline().begin_object().key("startedDateTime").string(iso_time(names.epoch_ms_at_zero + ms(zero)));
    w.key("id").string(page_id).key("title").string(names.title);
    w.key("pageTimings").begin_object().key("onContentLoad").integer(-1).key("onLoad").integer(-1).end_object().end_object().end_array();
    w.key("entries").begin_array();
    for (const Entry& e : order) {
        const RequestTrace& r = run.requests[e.index];
        const Attempt& at = r.attempts[size_t(e.attempt)];
        const bool last = size_t(e.attempt) + 1 == r.attempts.size();
        const ProgramCall* call = run.program && e.index < run.program->calls.size() ? &run.program->calls[e.index] : nullptr;
        // blocked: queued by the code path (or a client's connection limit) before the first attempt, then
        // stalled by the browser for a connection; wait: to the first byte (or the end); receive: to the last.
        int64_t queued = e.attempt == 0 ? at.started_us - e.start_us : 0;
        if (call && e.attempt == 0) queued = std::max<int64_t>(queued, int64_t(std::llround(call->queued_ms * 1000)));
        const int64_t entry_start = at.started_us - queued;
        const int64_t stalled = at.sent_us >= at.started_us ? at.sent_us - at.started_us : 0;
        const int64_t wire = at.started_us + stalled;
        const int64_t end = attempt_end(run, at);
        const int64_t first = at.first_byte_us >= wire ? at.first_byte_us : end;
        const int64_t wait = std::max<int64_t>(0, first - wire);
        const int64_t receive = at.first_byte_us >= wire && at.last_byte_us >= at.first_byte_us ? at.last_byte_us - at.first_byte_us : 0;
        // (Each timing to the µs; time their sum, as the format asks.)
        const double blocked_ms = ms(queued + stalled), wait_ms = ms(wait), receive_ms = ms(receive);
        const bool answered = at.status > 0;
        // (A recorded run's ok answers may be 3xx: a page load's redirects and 304s.)
        const int64_t bytes = last && answered ? r.bytes : 0;
        const std::string url = attempt_url(run, e.index, e.attempt);

        w.newline().begin_object().key("pageref").string(page_id).key("startedDateTime").string(iso_time(names.epoch_ms_at_zero + ms(entry_start)));
        w.key("time").number(blocked_ms + wait_ms + receive_ms, 3);
        const std::string method = run.recorded && e.index < run.recorded->methods.size() ? run.recorded->methods[e.index] : std::string("GET");
        w.key("request").begin_object().key("method").string(method).key("url").string(url).key("httpVersion").string("HTTP/1.1");
        w.key("cookies").begin_array().end_array().key("headers").begin_array().end_array().key("queryString").begin_array();
        if (const size_t q = url.find('?'); q != std::string::npos) {
            size_t at_pair = q + 1;
            while (at_pair <= url.size()) {
                size_t amp = url.find('&', at_pair);
                if (amp == std::string::npos) amp = url.size();
                const std::string pair = url.substr(at_pair, amp - at_pair);
                if (!pair.empty()) {
                    const size_t eq = pair.find('=');
                    w.begin_object().key("name").string(pair.substr(0, eq)).key("value").string(eq == std::string::npos ? "" : pair.substr(eq + 1)).end_object();
                }
                at_pair = amp + 1;
            }
        }
        w.end_array().key("headersSize").integer(-1).key("bodySize").integer(0).end_object();
        w.key("response").begin_object().key("status").integer(at.status).key("statusText").string(status_text(at.status)).key("httpVersion").string(answered ? "HTTP/1.1" : "");
        w.key("cookies").begin_array().end_array().key("headers").begin_array().end_array();
        w.key("content").begin_object().key("size").integer(bytes).key("mimeType").string(answered ? "application/json" : "x-unknown").end_object();
        w.key("redirectURL").string("").key("headersSize").integer(-1).key("bodySize").integer(answered ? bytes : -1).end_object();
        w.key("cache").begin_object().end_object();
        w.key("timings").begin_object().key("blocked").number(blocked_ms, 3).key("dns").integer(-1).key("connect").integer(-1).key("ssl").integer(-1);
        w.key("send").integer(0).key("wait").number(wait_ms, 3).key("receive").number(receive_ms, 3).end_object();
        w.key("_call").integer(int64_t(e.index) + 1).key("_attempt").integer(e.attempt + 1).key("_outcome").string(outcome_name(at.outcome));
        if (at.outcome != Outcome::ok && at.outcome != Outcome::http_error)
            w.key("_error").string(last && !r.reason.empty() ? r.reason : std::string(outcome_name(at.outcome)));
        if (call) {
            w.key("_line").integer(call->line).key("_task").string(call->task);
            if (!call->thread.empty()) w.key("_thread").string(call->thread);
        }
        w.end_object();
    }
    w.newline().end_array().end_object().end_object();
    return w.take();
}

std::string run_to_trace(const Run& run, const std::string& title) {
    const int64_t zero = run.start_us >= 0 ? run.start_us : 0;
    constexpr int pid = 1;
    constexpr int loop_tid = 1;
    JsonWriter w;
    w.begin_object().key("displayTimeUnit").string("ms").key("traceEvents").begin_array();
    std::map<int, std::string> tracks;  // tid -> name
    auto complete = [&](int tid, const std::string& name, const char* category, int64_t from, int64_t to, const std::vector<std::pair<std::string, std::string>>& args = {}) {
        if (from < 0 || to < from) return;
        w.newline().begin_object().key("name").string(name).key("cat").string(category).key("ph").string("X").key("pid").integer(pid).key("tid").integer(tid);
        w.key("ts").number(double(from - zero), 0).key("dur").number(double(to - from), 0);
        if (!args.empty()) {
            w.key("args").begin_object();
            for (const auto& [k, v] : args) w.key(k).string(v);
            w.end_object();
        }
        w.end_object();
    };
    // A request's phases, in order on one track.
    auto request_phases = [&](int tid, size_t i) {
        const RequestTrace& r = run.requests[i];
        const std::string call = "call " + std::to_string(i + 1);
        std::vector<std::pair<std::string, std::string>> args{{"call", std::to_string(i + 1)}, {"outcome", outcome_name(r.outcome)}};
        if (run.program && i < run.program->calls.size()) args.push_back({"line", std::to_string(run.program->calls[i].line)});
        if (!r.attempts.empty() && r.scheduled_us >= 0) complete(tid, call + ": queued", "queued", r.scheduled_us, r.attempts[0].started_us, args);
        for (size_t a = 0; a < r.attempts.size(); ++a) {
            const Attempt& at = r.attempts[a];
            if (at.started_us < 0) continue;
            const int64_t end = attempt_end(run, at);
            const int64_t wire = at.sent_us >= at.started_us && at.sent_us <= end ? at.sent_us : at.started_us;
            const std::string which = r.attempts.size() > 1 ? " (try " + std::to_string(a + 1) + ")" : "";
            if (wire > at.started_us) complete(tid, call + ": stalled for a connection" + which, "stalled", at.started_us, wire, args);
            const int64_t first = at.first_byte_us >= wire && at.first_byte_us <= end ? at.first_byte_us : end;
            complete(tid, call + ": waiting for the API" + which, "waiting", wire, first, args);
            if (first < end) complete(tid, call + ": receiving" + which, "receiving", first, end, args);
            if (a + 1 < r.attempts.size() && r.attempts[a + 1].started_us > end) complete(tid, call + ": backing off", "backoff", end, r.attempts[a + 1].started_us, args);
        }
        if (r.handled_us >= 0 && r.finished_us > r.handled_us) complete(tid, call + ": handling its answer", "handling", r.handled_us, r.finished_us, args);
    };
    // A track per key (a task, a thread); a request that overlaps the last one on its track (two requests of one
    // task at once, which a task cannot make itself) goes on a lane of its own beside it, so that each
    // track's events nest.
    struct Lane {
        int tid;
        int64_t free_from;
    };
    std::map<std::string, std::vector<Lane>> lanes;
    int next_tid = 10000;  // (1: the loop; 3000 + n: thread n running Python)
    auto track_for = [&](const std::string& key, const std::string& name, size_t i) {
        const RequestTrace& r = run.requests[i];
        int64_t from = r.scheduled_us, to = r.finished_us;
        for (const Attempt& at : r.attempts) {
            if (at.started_us >= 0 && (from < 0 || at.started_us < from)) from = at.started_us;
            to = std::max(to, at.ended_us);
        }
        if (to < 0) to = std::max(run.end_us, from);
        for (Lane& lane : lanes[key]) {
            if (lane.free_from <= from) {
                lane.free_from = to;
                return lane.tid;
            }
        }
        const int tid = next_tid++;
        tracks[tid] = lanes[key].empty() ? name : name + " (" + std::to_string(lanes[key].size() + 1) + ")";
        lanes[key].push_back(Lane{tid, to});
        return tid;
    };
    const LoopTimeline tl = event_loop_timeline(run);
    tracks[loop_tid] = tl.has_loop ? "event loop" : "main thread";
    if (run.program) {
        const ProgramTrace& trace = run.program->trace;
        // The loop's busy time: each step a task ran.
        for (const TaskStep& s : trace.steps)
            complete(loop_tid, task_title(trace, s.task), "python", s.began_us, s.ended_us, {{"parks on", task_wait_name(s.wait)}, {"line", std::to_string(s.line)}});
        for (const ThreadStep& s : trace.thread_steps) {
            if (s.thread == 0 && !trace.steps.empty()) continue;  // (the main thread's Python is the loop's steps)
            const int tid = 3000 + s.thread;
            tracks[tid] = thread_title(trace, s.thread) + " runs Python";
            complete(tid, thread_title(trace, s.thread), "python", s.began_us, s.ended_us, {{"parks on", thread_wait_words(s.wait, s.arg)}, {"line", std::to_string(s.line)}});
        }
        // A request on its task's track (a thread's, for a thread other than the main one); by its task's name
        // when the trace did not say which task, on a track of its own when nothing is known.
        for (size_t i = 0; i < run.requests.size() && i < run.program->calls.size(); ++i) {
            const ProgramCall& c = run.program->calls[i];
            if (c.thread_id > 0) request_phases(track_for("thread " + std::to_string(c.thread_id), c.thread.empty() ? "thread " + std::to_string(c.thread_id) : c.thread, i), i);
            else if (c.task_id > 0) request_phases(track_for("task " + std::to_string(c.task_id), task_title(trace, c.task_id), i), i);
            else if (!c.task.empty()) request_phases(track_for("task " + c.task, c.task, i), i);
            else if (c.task_id == 0) request_phases(track_for("top level", "top level", i), i);
            else request_phases(track_for("call " + std::to_string(i + 1), "call " + std::to_string(i + 1), i), i);
        }
    } else {
        const bool one_task = code_path_info(run.desc.path).schedule == Schedule::one_at_a_time;
        for (size_t i = 0; i < run.requests.size(); ++i) {
            request_phases(one_task ? track_for("main", tl.has_loop ? "main() (its one task)" : "the loop's calls", i)
                                    : track_for("call " + std::to_string(i + 1), "task of call " + std::to_string(i + 1), i), i);
            const RequestTrace& r = run.requests[i];
            if (tl.has_loop && r.handled_us >= 0 && r.finished_us > r.handled_us)
                complete(loop_tid, "handling call " + std::to_string(i + 1), "handling", r.handled_us, r.finished_us);
        }
    }
    // The loop's steps, as the stepper tells them.
    for (const LoopEvent& e : tl.steps) {
        w.newline().begin_object().key("name").string(e.what.substr(0, 300)).key("cat").string("loop step").key("ph").string("i").key("s").string("t");
        w.key("pid").integer(pid).key("tid").integer(loop_tid).key("ts").number(double(e.at_us), 0).end_object();
    }
    // The names: the process is the run, each track its task, thread or the loop.
    w.newline().begin_object().key("name").string("process_name").key("ph").string("M").key("pid").integer(pid).key("tid").integer(0);
    w.key("args").begin_object().key("name").string(title).end_object().end_object();
    for (const auto& [tid, name] : tracks) {
        w.newline().begin_object().key("name").string("thread_name").key("ph").string("M").key("pid").integer(pid).key("tid").integer(tid);
        w.key("args").begin_object().key("name").string(name).end_object().end_object();
        w.begin_object().key("name").string("thread_sort_index").key("ph").string("M").key("pid").integer(pid).key("tid").integer(tid);
        w.key("args").begin_object().key("sort_index").integer(tid).end_object().end_object();
    }
    w.newline().end_array().end_object();
    return w.take();
}

}  // namespace ap
