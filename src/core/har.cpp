#include "core/har.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/json.h"
#include "core/runfile.h"
#include "core/stats.h"

namespace ap {

namespace {

// Days from 1970-01-01 to a civil date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// An ISO 8601 date and time as HAR writes it ("2026-12-05T07:40:00.123Z", "...09.3+01:00"), as Unix ms.
bool parse_iso(const std::string& s, double* out) {
    auto digits = [&](size_t at, size_t n, int* v) {
        if (at + n > s.size()) return false;
        int x = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            x = x * 10 + (s[i] - '0');
        }
        *v = x;
        return true;
    };
    int y, mo, d, h, mi, se;
    if (!digits(0, 4, &y) || s.size() < 19 || s[4] != '-' || !digits(5, 2, &mo) || s[7] != '-' || !digits(8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
        !digits(11, 2, &h) || s[13] != ':' || !digits(14, 2, &mi) || s[16] != ':' || !digits(17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
    size_t at = 19;
    double frac = 0;
    if (at < s.size() && s[at] == '.') {
        double scale = 0.1;
        ++at;
        const size_t from = at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') frac += (s[at++] - '0') * scale, scale /= 10;
        if (at == from) return false;
    }
    int offset_min = 0;
    if (at < s.size() && s[at] == 'Z') {
        ++at;
    } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
        int oh, om;
        if (!digits(at + 1, 2, &oh) || at + 3 >= s.size() || s[at + 3] != ':' || !digits(at + 4, 2, &om) || oh > 23 || om > 59) return false;
        offset_min = (s[at] == '+' ? 1 : -1) * (oh * 60 + om);
        at += 6;
    } else {
        return false;
    }
    if (at != s.size()) return false;
    const double secs = double(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + se - offset_min * 60.0;
    *out = (secs + frac) * 1000.0;
    return true;
}

// The host a request went to (a URL without one, data: or blob:, is its own).
std::string origin_of(const std::string& url) {
    const std::string origin = url_origin(url);
    return origin.empty() ? url.substr(0, 200) : origin;
}

constexpr int64_t max_span_us = int64_t(24) * 3600 * 1000 * 1000;  // as a run file's: a day

struct Entry {
    double start_ms = 0;
    RequestTrace trace;
    std::string url, method;
};

}  // namespace

bool looks_like_har(const std::string& text) {
    size_t at = 0;
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' || text[at] == '\n')) ++at;
    if (text.compare(at, 3, "\xEF\xBB\xBF") == 0) at += 3;  // (a byte-order mark, as some tools write)
    if (at >= text.size() || text[at] != '{') return false;
    ++at;
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' || text[at] == '\n')) ++at;
    return text.compare(at, 5, "\"log\"") == 0;
}

bool run_from_har(const std::string& text, const std::string& file_name, Run* out, std::string* error) {
    auto fail = [&](const std::string& why) {
        if (error) *error = why;
        return false;
    };
    if (text.size() > run_file_max_bytes) return fail("it has " + std::to_string(text.size() >> 20) + " MB; a HAR is at most 16 MB here");
    std::string body = text;
    if (body.compare(0, 3, "\xEF\xBB\xBF") == 0) body.erase(0, 3);
    JsonValue v;
    std::string why;
    if (!parse_json(body, &v, &why)) return fail("it is not JSON: " + why);
    const JsonValue* log = v.get("log");
    if (!log || !log->is_object()) return fail("log: not an object: not a HAR file");
    const JsonValue* version = log->get("version");
    if (!version || !version->is_string()) return fail("log.version: missing (HAR files say \"1.2\")");
    const JsonValue* entries = log->get("entries");
    if (!entries || !entries->is_array()) return fail("log.entries: not a list");
    if (entries->items.empty()) return fail("log.entries: empty: the HAR holds no request");
    if (entries->items.size() > max_har_entries)
        return fail("log.entries: " + std::to_string(entries->items.size()) + " requests; at most " + std::to_string(max_har_entries) + " here");
    RecordedRun rec;
    rec.file = cut_at_character(file_name, 500);
    if (const JsonValue* c = log->get("creator"); c && c->is_object()) {
        const JsonValue* n = c->get("name");
        const JsonValue* ver = c->get("version");
        rec.creator = cut_at_character((n && n->is_string() ? n->text : std::string()) + (ver && ver->is_string() && !ver->text.empty() ? " " + ver->text : ""), 500);
    }
    if (const JsonValue* pages = log->get("pages"); pages && pages->is_array() && !pages->items.empty()) {
        if (const JsonValue* t = pages->items[0].get("title"); t && t->is_string()) rec.title = cut_at_character(t->text, 500);
    }

    std::vector<Entry> list;
    list.reserve(entries->items.size());
    for (size_t i = 0; i < entries->items.size(); ++i) {
        const JsonValue& e = entries->items[i];
        const std::string at = "log.entries[" + std::to_string(i) + "]";
        if (!e.is_object()) return fail(at + ": not an object");
        Entry en;
        const JsonValue* started = e.get("startedDateTime");
        if (!started || !started->is_string() || !parse_iso(started->text, &en.start_ms))
            return fail(at + ".startedDateTime: not a date and time like 2026-12-05T07:40:00.123Z");
        const JsonValue* request = e.get("request");
        if (!request || !request->is_object()) return fail(at + ".request: not an object");
        const JsonValue* method = request->get("method");
        const JsonValue* url = request->get("url");
        if (!method || !method->is_string() || method->text.empty() || method->text.size() > 16) return fail(at + ".request.method: not a method like GET");
        if (!url || !url->is_string() || url->text.empty()) return fail(at + ".request.url: not a URL");
        if (url->text.size() > 8192) return fail(at + ".request.url: " + std::to_string(url->text.size()) + " bytes; a URL here is at most 8192");
        en.method = method->text;
        en.url = url->text;
        const JsonValue* response = e.get("response");
        if (!response || !response->is_object()) return fail(at + ".response: not an object");
        const JsonValue* status = response->get("status");
        if (!status || !status->is_number() || !status->whole || status->integer < 0 || status->integer > 599 || (status->integer > 0 && status->integer < 100))
            return fail(at + ".response.status: not an HTTP status (or 0 for no answer)");
        const JsonValue* timings = e.get("timings");
        if (!timings || !timings->is_object()) return fail(at + ".timings: not an object");
        double t[7] = {};
        const char* names[7] = {"blocked", "dns", "connect", "ssl", "send", "wait", "receive"};
        for (int k = 0; k < 7; ++k) {
            const JsonValue* x = timings->get(names[k]);
            const bool required = k >= 4;
            if (!x) {
                if (required) return fail(at + ".timings." + names[k] + ": missing (HAR 1.2 requires send, wait and receive)");
                t[k] = -1;
                continue;
            }
            if (!x->is_number() || !std::isfinite(x->number) || x->number < -1 || x->number > 86400000.0)
                return fail(at + ".timings." + names[k] + ": not a time in ms (0 or more, or -1 for unknown)");
            t[k] = x->number;
        }
        const JsonValue* time = e.get("time");
        if (!time || !time->is_number() || time->number < 0 || time->number > 86400000.0) return fail(at + ".time: not a time in ms");
        auto part = [](double x) { return x > 0 ? x : 0.0; };
        // blocked: held by the browser (a connection, priorities); dns, connect (ssl inside it) and send: the
        // wire; wait: to the first byte; receive: to the last.
        const double blocked = part(t[0]);
        const double to_first = blocked + part(t[1]) + part(t[2]) + part(t[4]) + part(t[5]);
        const double to_last = to_first + part(t[6]);
        const double total = std::max(to_last, time->number);
        RequestTrace& r = en.trace;
        Attempt a;
        const int code = int(status->integer);
        std::string reason;
        if (const JsonValue* err = e.get("_error"); err && err->is_string()) reason = cut_at_character(err->text, 200);
        a.status = code;
        if (code >= 200 && code < 400) a.outcome = Outcome::ok;
        else if (code >= 100) a.outcome = Outcome::http_error, reason = "HTTP " + std::to_string(code);
        else if (reason.find("ABORTED") != std::string::npos || reason.find("cancel") != std::string::npos) a.outcome = Outcome::cancelled;
        else a.outcome = Outcome::network_error, reason = reason.empty() ? "no answer" : reason;
        // (Relative to the entry's start for now; shifted to the run's clock below.)
        a.started_us = 0;
        a.sent_us = blocked > 0 ? int64_t(std::llround(blocked * 1000)) : -1;
        if (code > 0) {
            a.first_byte_us = int64_t(std::llround(to_first * 1000));
            a.last_byte_us = int64_t(std::llround(to_last * 1000));
        }
        a.ended_us = int64_t(std::llround(total * 1000));
        r.scheduled_us = r.started_us = 0;
        r.finished_us = a.ended_us;
        if (a.outcome == Outcome::ok) r.answered_us = r.handled_us = a.ended_us;
        r.outcome = a.outcome;
        r.status = code;
        r.reason = a.outcome == Outcome::ok ? std::string() : reason;
        if (const JsonValue* content = response->get("content"); content && content->is_object()) {
            if (const JsonValue* size = content->get("size"); size && size->is_number() && size->number >= 0 && size->number < 1e15) r.bytes = int64_t(size->number);
        }
        if (r.bytes == 0) {
            if (const JsonValue* size = response->get("bodySize"); size && size->is_number() && size->number >= 0 && size->number < 1e15) r.bytes = int64_t(size->number);
        }
        r.attempts.push_back(a);
        list.push_back(std::move(en));
    }
    std::stable_sort(list.begin(), list.end(), [](const Entry& x, const Entry& y) { return x.start_ms < y.start_ms; });
    const double first = list.front().start_ms;
    Run run;
    run.desc.kind = RunKind::recorded;
    run.desc.path = CodePath::sequential;  // (means nothing for a recorded run)
    run.desc.api = Api::server;
    run.desc.count = int(list.size());
    run.desc.base_url = cut_at_character(origin_of(list.front().url), 8192);
    std::vector<double> waits;
    int64_t end = 0;
    for (Entry& en : list) {
        const int64_t shift = int64_t(std::llround((en.start_ms - first) * 1000));
        if (shift + en.trace.finished_us > max_span_us)
            return fail("the requests span more than a day (the last ends " + std::to_string((shift + en.trace.finished_us) / 3600000000) + " h after the first starts); a run here is at most a day");
        RequestTrace& r = en.trace;
        for (int64_t* p : {&r.scheduled_us, &r.started_us, &r.answered_us, &r.handled_us, &r.finished_us})
            if (*p >= 0) *p += shift;
        for (Attempt& a : r.attempts)
            for (int64_t* p : {&a.started_us, &a.sent_us, &a.first_byte_us, &a.last_byte_us, &a.ended_us})
                if (*p >= 0) *p += shift;
        if (!r.attempts.empty() && r.attempts[0].first_byte_us >= 0) {
            const Attempt& a = r.attempts[0];
            waits.push_back(double(a.first_byte_us - (a.sent_us >= 0 ? a.sent_us : a.started_us)) / 1000.0);
        }
        end = std::max(end, r.finished_us);
        run.requests.push_back(std::move(r));
        rec.urls.push_back(std::move(en.url));
        rec.methods.push_back(std::move(en.method));
    }
    // Its typical wait, for the history's line; no model uses it.
    if (!waits.empty()) {
        std::nth_element(waits.begin(), waits.begin() + long(waits.size() / 2), waits.end());
        run.desc.latency_ms = std::clamp(int(std::lround(waits[waits.size() / 2])), Limits::min_latency_ms, Limits::max_latency_ms);
    }
    run.state = RunState::finished;
    run.start_us = 0;
    run.end_us = end;
    run.next_index = run.ended = int(run.requests.size());
    run.in_flight = 0;
    run.recorded = std::move(rec);
    *out = std::move(run);
    return true;
}

std::vector<std::string> recorded_notes(const Run& run) {
    std::vector<std::string> notes;
    if (!run.recorded || run.requests.empty()) return notes;
    const RecordedRun& rec = *run.recorded;
    notes.push_back("Recorded elsewhere" + (rec.creator.empty() ? std::string() : " by " + rec.creator) + (rec.title.empty() ? "" : ", on " + rec.title) +
                    ": the browser's requests as the HAR gives them. No model predicts them, and no program here made them.");
    // Held for a connection: blocked while the browser already had its connections to that host busy. Each
    // request's time on the wire, by host, its starts and ends sorted: how many were on the wire at an instant
    // is a count of starts before it less ends before it (the run's notes are drawn with every frame of its
    // results: this stays n log n for 10,000 requests).
    struct Wires {
        std::vector<int64_t> from, to;
    };
    std::map<std::string, Wires> by_host;
    std::vector<std::string> host_of(run.requests.size());
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const RequestTrace& r = run.requests[i];
        if (r.attempts.empty()) continue;
        const Attempt& a = r.attempts[0];
        host_of[i] = i < rec.urls.size() ? origin_of(rec.urls[i]) : std::string();
        const int64_t from = a.sent_us >= 0 ? a.sent_us : a.started_us;
        by_host[host_of[i]].from.push_back(from);
        by_host[host_of[i]].to.push_back(std::max(from, a.wire_end_us()));
    }
    for (auto& [name, w] : by_host) std::sort(w.from.begin(), w.from.end()), std::sort(w.to.begin(), w.to.end());
    int held = 0, blocked_other = 0;
    int64_t longest = 0, last_end = 0, last_end_unheld = 0;
    std::string longest_host;
    std::map<std::string, int> per_host;
    for (size_t i = 0; i < run.requests.size(); ++i) {
        if (run.requests[i].attempts.empty()) continue;
        const Attempt& a = run.requests[i].attempts[0];
        const int64_t stall = a.sent_us > a.started_us ? a.sent_us - a.started_us : 0;
        // On the wire at its start (from <= t < to), itself left out.
        const Wires& w = by_host[host_of[i]];
        const int64_t t = a.started_us, own_from = a.sent_us >= 0 ? a.sent_us : a.started_us;
        const auto started = std::upper_bound(w.from.begin(), w.from.end(), t) - w.from.begin();
        const auto ended = std::upper_bound(w.to.begin(), w.to.end(), t) - w.to.begin();
        const long busy = long(started - ended) - (own_from <= t && std::max(own_from, a.wire_end_us()) > t ? 1 : 0);
        const bool capped = stall >= 1000 && busy >= browser_connections_per_host;
        if (capped) {
            ++held;
            ++per_host[host_of[i]];
            if (stall > longest) longest = stall, longest_host = host_of[i];
        } else if (stall >= 1000) {
            ++blocked_other;
        }
        last_end = std::max(last_end, run.requests[i].finished_us);
        last_end_unheld = std::max(last_end_unheld, run.requests[i].finished_us - (capped ? stall : 0));
    }
    if (held > 0) {
        std::string hosts;
        int shown = 0;
        for (const auto& [host, n] : per_host) {
            if (shown++ == 3) {
                hosts += ", ...";
                break;
            }
            hosts += (hosts.empty() ? "" : ", ") + host + " (" + std::to_string(n) + ")";
        }
        notes.push_back("The browser held " + std::to_string(held) + " of these " + std::to_string(run.requests.size()) + " requests for one of its " +
                        std::to_string(browser_connections_per_host) + " connections to a host: " + hosts + "; the longest waited " +
                        format_duration_ms(double(longest) / 1000.0) + " for " + longest_host + ". Without those waits the last answer would have come about " +
                        format_duration_ms(double(last_end - last_end_unheld) / 1000.0) + " sooner (HTTP/2 and HTTP/3 share one connection per host, without this cap).");
    } else {
        notes.push_back("No request waited for a connection: the browser never had more than " + std::to_string(browser_connections_per_host) +
                        " requests on the wire to one host when one started.");
    }
    if (blocked_other > 0)
        notes.push_back(std::to_string(blocked_other) + (blocked_other == 1 ? " request was" : " requests were") +
                        " held by the browser for a while with a connection free (its own queueing: priorities, a page still parsing).");
    return notes;
}

}  // namespace ap
