#include "scheduler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "virtual_transport.h"

namespace ap {

const char* run_state_name(RunState s) {
    switch (s) {
        case RunState::idle: return "idle";
        case RunState::running: return "running";
        case RunState::finished: return "finished";
        case RunState::cancelled: return "cancelled";
    }
    return "?";
}

void Scheduler::begin(const RunDesc& desc, int64_t now_us, const ApiCost& cost) {
    if (running()) cancel(now_us);
    deferred_.clear();
    // Generation 0 is reserved so that RequestId{0} is never valid; wrapping is harmless because only the
    // current generation is ever accepted.
    last_generation_ = uint16_t(last_generation_ >= max_generation ? 1 : last_generation_ + 1);
    run_ = Run{};
    run_.generation = last_generation_;
    run_.desc = effective_desc(desc);  // what the code path's program does, nothing it does not
    run_.state = RunState::running;
    run_.start_us = now_us;
    run_.cost = desc.api == Api::simulated ? ApiCost{} : cost;
    const bool program = desc.kind == RunKind::program;
    if (program) {
        run_.desc.count = 0;  // it grows with each request the program makes
        run_.program.emplace();
    }
    if (with_expectation_ && !program) run_.expected = expect_run(desc, run_.cost);
    run_.requests.assign(size_t(run_.desc.count), RequestTrace{});
    active_.clear();
    active_pos_.assign(size_t(run_.desc.count), -1);
    if (!program && code_path_info(desc.path).created_up_front) {
        // gather and its kin create every task up front; a loop only reaches a call when the previous one
        // has returned, so its requests are scheduled as they start.
        for (RequestTrace& r : run_.requests) r.scheduled_us = now_us;
    }
    pump(now_us);
}

bool Scheduler::can_start_next() const {
    if (run_.state != RunState::running || run_.next_index >= int(run_.requests.size())) return false;
    if (run_.program) return false;  // the program starts its own
    switch (code_path_info(run_.desc.path).schedule) {
        case Schedule::one_at_a_time: return run_.in_flight == 0;
        case Schedule::all_at_once: return true;
        case Schedule::k_at_a_time: return run_.in_flight < run_.desc.limit;
    }
    return false;
}

void Scheduler::start_next(int64_t now_us) {
    const int index = run_.next_index++;
    RequestTrace& r = run_.requests[size_t(index)];
    if (r.scheduled_us < 0) r.scheduled_us = now_us;
    r.started_us = now_us;
    r.outcome = Outcome::in_flight;
    ++run_.in_flight;
    activate(index);
    start_attempt(index, now_us);
}

RequestSpec program_spec(const std::string& url) {
    RequestSpec spec;
    spec.url = url;
    spec.want_body = true;
    // What the simulated API would be asked: .../api/delay/<ms>[?...status=<code>...], as the real ones read it.
    auto number_after = [&](const std::string& key, size_t from, int fallback, int max) {
        const size_t at = url.find(key, from);
        if (at == std::string::npos) return fallback;
        size_t i = at + key.size();
        long v = 0;
        bool any = false;
        while (i < url.size() && url[i] >= '0' && url[i] <= '9' && v <= max) v = v * 10 + (url[i++] - '0'), any = true;
        return any ? int(std::min<long>(v, max)) : fallback;
    };
    spec.latency_ms = number_after("/api/delay/", 0, 0, Limits::max_latency_ms);
    const size_t query = url.find('?');
    if (query != std::string::npos) {
        const int status = number_after("status=", query, 200, 599);
        spec.status = status >= 100 ? status : 200;
    }
    return spec;
}

int Scheduler::program_request(const std::string& url, const ProgramCall& call, int64_t now_us, std::string* why) {
    if (run_.state != RunState::running || !run_.program) {
        *why = "no program is running";
        return -1;
    }
    if (int(run_.requests.size()) >= max_program_requests) {
        *why = "a program may make at most " + std::to_string(max_program_requests) + " requests in one run";
        return -1;
    }
    const int index = int(run_.requests.size());
    RequestTrace r;
    r.started_us = now_us;
    // The wait for a free connection of its client is drawn as queued (never before the run began).
    const int64_t queued_us = std::isfinite(call.queued_ms) ? int64_t(std::clamp(call.queued_ms, 0.0, 1e9) * 1000) : 0;
    r.scheduled_us = std::max(run_.start_us, now_us - queued_us);
    r.outcome = Outcome::in_flight;
    run_.requests.push_back(r);
    ProgramCall c = call;
    c.url = url;
    c.asked_latency_ms = program_spec(url).latency_ms;
    c.body.clear();
    run_.program->calls.push_back(std::move(c));
    active_pos_.push_back(-1);
    run_.desc.count = index + 1;
    run_.next_index = index + 1;
    ++run_.in_flight;
    activate(index);
    start_attempt(index, now_us);
    return index;
}

void Scheduler::program_cancel(int index, int64_t now_us, const std::string& reason) {
    if (!running() || !run_.program || index < 0 || index >= int(run_.requests.size())) return;
    RequestTrace& r = run_.requests[size_t(index)];
    if (r.outcome != Outcome::in_flight) return;
    abort_attempt(index, now_us);
    r.reason = reason;
    end_request(index, Outcome::cancelled, now_us);
}

void Scheduler::program_started(int64_t at_us) {
    if (!running() || !run_.program || !run_.requests.empty()) return;
    run_.start_us = std::max(run_.start_us, at_us);
}

static size_t utf8_boundary(const std::string& s, size_t at) {
    while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xc0) == 0x80) --at;
    return at;
}

std::string cut_at_character(const std::string& s, size_t limit) {
    return s.size() <= limit ? s : s.substr(0, utf8_boundary(s, limit));
}

// Cuts to at most `limit` bytes, the word about the cut included (so that a text cut once is not cut again).
static void cut_text(std::string* s, size_t limit) {
    if (s->size() <= limit) return;
    const size_t keep = utf8_boundary(*s, limit - 48);
    const size_t more = s->size() - keep;
    s->resize(keep);
    *s += "... (" + std::to_string(more) + " more bytes cut)";
}

void bound_program_report(ProgramReport* t) {
    cut_text(&t->source, program_source_limit);
    cut_text(&t->error_message, program_message_limit);
    cut_text(&t->traceback, program_traceback_limit);
    t->output_cut_bytes = std::max<int64_t>(t->output_cut_bytes, 0);
    t->output_cut_lines = std::max<int64_t>(t->output_cut_lines, 0);
    if (t->output.size() > program_output_limit) {
        const size_t keep = utf8_boundary(t->output, program_output_limit);
        t->output_cut_bytes += int64_t(t->output.size() - keep);
        t->output_cut_lines += std::count(t->output.begin() + std::ptrdiff_t(keep), t->output.end(), '\n');
        t->output.resize(keep);
    }
}

static std::string bytes_text(double bytes) {
    char text[32];
    if (bytes < 1024 * 1024) std::snprintf(text, sizeof text, "%.0f KB", std::max(1.0, std::round(bytes / 1024)));
    else std::snprintf(text, sizeof text, "%.1f MB", bytes / (1024.0 * 1024.0));
    return text;
}

std::string program_output_cut_note(const ProgramReport& t) {
    if (t.output_cut_bytes <= 0) return "";
    std::string note = "Output cut at " + bytes_text(double(program_output_limit)) + ": " + bytes_text(double(t.output_cut_bytes)) + " more";
    if (t.output_cut_lines > 0) note += " (" + std::to_string(t.output_cut_lines) + (t.output_cut_lines == 1 ? " line)" : " lines)");
    return note + " not shown.";
}

void Scheduler::program_output(const std::string& text, int64_t cut_bytes, int64_t cut_lines) {
    if (!running() || !run_.program) return;
    ProgramReport& r = run_.program->report;
    r.output += text;
    r.output_cut_bytes = std::max(r.output_cut_bytes, cut_bytes);
    r.output_cut_lines = std::max(r.output_cut_lines, cut_lines);
    bound_program_report(&r);
}

void Scheduler::program_end(int64_t now_us, ProgramReport report, ProgramTrace trace) {
    bound_program_report(&report);
    if (!running() || !run_.program) return;
    run_.program->report = std::move(report);
    run_.program->trace = std::move(trace);
    const bool stopped = run_.program->report.stopped;
    deferred_.clear();
    const std::vector<int> active = active_;
    for (int index : active) {
        RequestTrace& r = run_.requests[size_t(index)];
        if (r.outcome != Outcome::in_flight) continue;
        abort_attempt(index, now_us);
        r.reason = stopped ? "cancelled while in flight: the program was stopped" : "the program ended without waiting for it";
        end_request(index, Outcome::cancelled, now_us);
    }
    run_.state = stopped ? RunState::cancelled : RunState::finished;  // (Stop is a program's Cancel)
    run_.end_us = now_us;
}

void Scheduler::start_attempt(int index, int64_t now_us) {
    RequestTrace& r = run_.requests[size_t(index)];
    const int attempt = int(r.attempts.size());
    r.retry_at_us = -1;
    Attempt a;
    a.started_us = now_us;
    r.attempts.push_back(a);
    RequestSpec spec;
    if (run_.program) {
        const ProgramCall& c = run_.program->calls[size_t(index)];
        spec = program_spec(c.wire_url.empty() ? c.url : c.wire_url);
    } else {
        spec.url = request_url(run_.desc, index, attempt);
        spec.latency_ms = request_latency_ms(run_.desc, index, attempt);
        spec.status = attempt_fails(run_.desc, index, attempt) ? 503 : run_.desc.status;
    }
    transport_->start(make_request_id(run_.generation, index, attempt), spec, now_us);
}

bool Scheduler::accepts(RequestId id) const {
    if (run_.state != RunState::running || request_generation(id) != run_.generation) return false;
    const size_t index = size_t(request_index(id));
    if (index >= run_.requests.size()) return false;
    const RequestTrace& r = run_.requests[index];
    const int attempt = request_attempt(id);
    return r.outcome == Outcome::in_flight && attempt == int(r.attempts.size()) - 1 &&
           r.attempts.back().outcome == Outcome::in_flight;
}

bool Scheduler::complete(RequestId id, const Completion& completion, int64_t now_us, int64_t handled_us) {
    if (!accepts(id)) return false;
    if (pumping_) {
        deferred_.push_back(Deferred{id, completion, now_us, handled_us});
        return true;
    }
    pump(record(id, completion, now_us, handled_us));
    return true;
}

static bool retryable(Outcome o, int status) { return o == Outcome::timeout || (o == Outcome::http_error && status >= 500); }

void Scheduler::attempt_failed(int index, Outcome outcome, int status, const std::string& reason, int64_t now_us) {
    RequestTrace& r = run_.requests[size_t(index)];
    Attempt& a = r.attempts.back();
    a.ended_us = now_us;
    a.outcome = outcome;
    a.status = status;
    const int done = int(r.attempts.size());
    if (retryable(outcome, status) && done <= effective_retries(run_.desc) && done < max_attempts) {
        r.retry_at_us = now_us + backoff_us(run_.desc, index, done);  // the request keeps its slot meanwhile
        return;
    }
    r.status = status;
    r.reason = done > 1 ? reason + " (after " + std::to_string(done) + " attempts)" : reason;
    end_request(index, outcome, now_us);
}

int64_t Scheduler::record(RequestId id, const Completion& c, int64_t now_us, int64_t handled_us) {
    if (!accepts(id)) return now_us;
    const int index = request_index(id);
    RequestTrace& r = run_.requests[size_t(index)];
    if (c.status >= 200 && c.status < 300) {
        Attempt& a = r.attempts.back();
        a.ended_us = now_us;
        a.outcome = Outcome::ok;
        a.status = c.status;
        r.status = c.status;
        r.bytes = c.bytes;
        r.answered_us = now_us;
        if (run_.program) run_.program->calls[size_t(index)].body = c.body;
        // The one thread handles answers one at a time: this one waits for the thread, then takes cpu_ms.
        int64_t done;
        if (handled_us >= 0) {
            done = std::max(now_us, handled_us);
            r.handled_us = std::max(now_us, done - int64_t(run_.desc.cpu_ms) * 1000);
        } else {
            r.handled_us = std::max(now_us, run_.cpu_free_us);
            done = r.handled_us + int64_t(run_.desc.cpu_ms) * 1000;
        }
        run_.cpu_free_us = done;
        end_request(index, Outcome::ok, done);
        return done;
    }
    if (c.status >= 100) {
        attempt_failed(index, Outcome::http_error, c.status, "HTTP " + std::to_string(c.status) + (c.reason.empty() ? "" : " " + c.reason), now_us);
    } else {
        std::string why = c.reason.empty() ? "no answer: connection refused, host unreachable or blocked by CORS" : c.reason;
        if (run_.program) why += program_reach_hint(run_.desc, run_.program->calls[size_t(index)].url);
        attempt_failed(index, Outcome::network_error, 0, why, now_us);
    }
    return now_us;
}

std::string program_reach_hint(const RunDesc& desc, const std::string& url) {
    // The page's API: an absolute base (the dev server) starts the URL; a relative one (the in-page API,
    // "inpage") is a folder of the page's own origin.
    const std::string& base = desc.base_url;
    if (base.empty()) return "";
    const bool absolute = base.find("://") != std::string::npos;
    std::string folder = base;
    while (!folder.empty() && folder.back() == '/') folder.pop_back();
    const bool aimed = absolute ? url.rfind(folder, 0) == 0 : url.find("/" + folder + "/") != std::string::npos;
    if (aimed) return "";
    return ". This page's Python reaches the API the page runs, not other hosts: aim the request at BASE, as in "
           "f\"{BASE}/api/delay/400\"";
}

void Scheduler::activate(int index) {
    active_pos_[size_t(index)] = int(active_.size());
    active_.push_back(index);
}

void Scheduler::deactivate(int index) {
    const int pos = active_pos_[size_t(index)];
    if (pos < 0) return;
    const int last = active_.back();
    active_[size_t(pos)] = last;
    active_pos_[size_t(last)] = pos;
    active_.pop_back();
    active_pos_[size_t(index)] = -1;
}

void Scheduler::end_request(int index, Outcome outcome, int64_t when_us) {
    RequestTrace& r = run_.requests[size_t(index)];
    if (r.outcome == Outcome::in_flight) {
        --run_.in_flight;
        deactivate(index);
    }
    r.outcome = outcome;
    r.retry_at_us = -1;
    r.finished_us = r.started_us >= 0 ? when_us : -1;
    ++run_.ended;
    if (on_request_end) on_request_end(index);
}

void Scheduler::pump(int64_t now_us) {
    if (pumping_) return;
    pumping_ = true;
    for (;;) {
        while (can_start_next()) start_next(now_us);
        if (deferred_.empty()) break;
        Deferred d = std::move(deferred_.front());
        deferred_.pop_front();
        now_us = std::max(now_us, record(d.id, d.completion, d.now_us, d.handled_us));
    }
    pumping_ = false;
    if (run_.state == RunState::running && run_.ended == int(run_.requests.size()) && !run_.program) {
        run_.state = RunState::finished;
        run_.end_us = run_.start_us;
        for (const RequestTrace& r : run_.requests) run_.end_us = std::max(run_.end_us, r.finished_us);
    }
}

void Scheduler::advance(int64_t now_us) {
    if (!running()) return;
    bool any = false;
    const std::vector<int> active = active_;  // ending a request edits active_
    for (int index : active) {
        const size_t i = size_t(index);
        RequestTrace& r = run_.requests[i];
        if (r.outcome != Outcome::in_flight) continue;
        if (r.retry_at_us >= 0) {
            if (r.retry_at_us <= now_us) {
                start_attempt(int(i), now_us);
                any = true;
            }
            continue;
        }
        const Attempt& a = r.attempts.back();
        const int limit_ms = attempt_timeout_ms(int(i));
        if (a.outcome != Outcome::in_flight || limit_ms <= 0 || now_us < a.started_us + int64_t(limit_ms) * 1000) continue;
        const int attempt = int(r.attempts.size()) - 1;
        transport_->abort(make_request_id(run_.generation, int(i), attempt), now_us);
        attempt_failed(int(i), Outcome::timeout, 0, "no answer within the " + std::to_string(limit_ms) + " ms timeout", now_us);
        any = true;
    }
    if (any) pump(now_us);
}

int64_t Scheduler::next_deadline_us() const {
    if (!running()) return -1;
    int64_t best = -1;
    auto consider = [&](int64_t t) { if (best < 0 || t < best) best = t; };
    for (int index : active_) {
        const RequestTrace& r = run_.requests[size_t(index)];
        if (r.retry_at_us >= 0) consider(r.retry_at_us);
        else if (r.attempts.back().outcome == Outcome::in_flight && attempt_timeout_ms(index) > 0)
            consider(r.attempts.back().started_us + int64_t(attempt_timeout_ms(index)) * 1000);
    }
    return best;
}

void Scheduler::abort_attempt(int index, int64_t now_us) {
    RequestTrace& r = run_.requests[size_t(index)];
    if (r.attempts.empty() || r.attempts.back().outcome != Outcome::in_flight) return;  // (backing off: nothing out)
    transport_->abort(make_request_id(run_.generation, index, int(r.attempts.size()) - 1), now_us);
    r.attempts.back().ended_us = now_us;
    r.attempts.back().outcome = Outcome::cancelled;
}

void Scheduler::cancel(int64_t now_us) {
    if (!running()) return;
    deferred_.clear();
    for (size_t i = 0; i < run_.requests.size(); ++i) {
        RequestTrace& r = run_.requests[i];
        if (outcome_is_final(r.outcome)) continue;
        if (r.outcome == Outcome::in_flight) {
            abort_attempt(int(i), now_us);
            r.reason = "cancelled while in flight";
        } else {
            r.reason = "cancelled before it started";
        }
        end_request(int(i), Outcome::cancelled, now_us);
    }
    // In virtual time the model runs ahead of the clock: an answer's CPU work is booked to its end, and the
    // slot it frees starts the next request then. A cancel before that instant undoes what had not happened.
    for (RequestTrace& r : run_.requests) {
        if (r.started_us > now_us) {
            r.attempts.clear();
            r.started_us = r.answered_us = r.handled_us = -1;
            if (r.scheduled_us > now_us) r.scheduled_us = -1;
            r.status = 0;
            r.bytes = 0;
            r.retry_at_us = -1;
            r.outcome = Outcome::cancelled;
            r.finished_us = -1;  // as for any request that never started (see end_request)
            r.reason = "cancelled before it started";
        } else if (r.finished_us > now_us) {
            r.outcome = Outcome::cancelled;
            r.finished_us = now_us;
            if (r.handled_us > now_us) r.handled_us = -1;
            r.reason = r.handled_us >= 0 ? "cancelled during the CPU work on its answer" : "cancelled while its answer waited for the loop";
        }
        if (r.scheduled_us > now_us) r.scheduled_us = -1;
    }
    run_.state = RunState::cancelled;
    run_.end_us = now_us;
    run_.next_index = int(run_.requests.size());
}

int Scheduler::attempt_timeout_ms(int index) const {
    if (run_.program) return run_.program->calls[size_t(index)].timeout_ms;
    return effective_timeout_ms(run_.desc);
}

Run Scheduler::take_run() {
    if (run_.state != RunState::finished && run_.state != RunState::cancelled) return Run{};
    Run out = std::move(run_);
    run_ = Run{};
    run_.generation = out.generation;
    run_.desc = out.desc;
    run_.state = out.state;
    run_.start_us = out.start_us;
    run_.end_us = out.end_us;
    run_.expected = out.expected;
    run_.cost = out.cost;
    run_.ended = out.ended;
    run_.next_index = out.next_index;
    if (out.program) run_.program.emplace();  // (the kind and its data go together, even emptied)
    // The bookkeeping of a run of 10,000 calls would otherwise stay allocated until the next run.
    std::vector<int>().swap(active_);
    std::vector<int>().swap(active_pos_);
    std::deque<Deferred>().swap(deferred_);
    return out;
}

bool annotate_attempt(Run* run, int index, int attempt, int64_t sent_us, int64_t first_byte_us, int64_t last_byte_us) {
    if (index < 0 || index >= int(run->requests.size())) return false;
    std::vector<Attempt>& attempts = run->requests[size_t(index)].attempts;
    if (attempt < 0 || attempt >= int(attempts.size())) return false;
    Attempt& a = attempts[size_t(attempt)];
    // Two clocks read at slightly different moments: keep the marks inside the attempt.
    const int64_t end = a.ended_us >= 0 ? a.ended_us : sent_us;
    a.sent_us = std::clamp(sent_us, a.started_us, std::max(a.started_us, end));
    a.first_byte_us = first_byte_us < 0 ? -1 : std::clamp(first_byte_us, a.sent_us, std::max(a.sent_us, end));
    a.last_byte_us = last_byte_us < 0 ? -1 : std::clamp(last_byte_us, std::max(a.sent_us, a.first_byte_us), std::max(a.sent_us, end));
    return true;
}

ModelRun model_run(const RunDesc& desc, int wire_cap, const ApiCost& cost) {
    VirtualTransport transport;
    transport.cost = cost;
    transport.max_in_flight = wire_cap;  // the browser holds the rest, their timeouts running
    Scheduler model(&transport, /*with_expectation=*/false);
    RunDesc d = desc;
    d.api = Api::simulated;
    model.begin(d, 0);
    run_virtual(&model, &transport, 0);
    const Run& run = model.run();
    ModelRun out;
    out.wall_ms = double(run.end_us) / 1000.0;
    for (const RequestTrace& r : run.requests) {
        if (r.outcome == Outcome::ok) ++out.ok;
        else if (r.outcome == Outcome::timeout) ++out.timeouts;
        else if (r.outcome == Outcome::http_error || r.outcome == Outcome::network_error) ++out.failed;
    }
    out.peak_in_flight = transport.peak_on_wire();  // (a browser's cap holds the rest back)
    return out;
}

double model_wall_ms(const RunDesc& desc, int wire_cap, const ApiCost& cost) { return model_run(desc, wire_cap, cost).wall_ms; }

int wire_cap_for(const RunDesc& desc) { return desc.api == Api::server ? browser_connections_per_host : 0; }

Expectation expect_run(const RunDesc& desc, const ApiCost& cost) {
    const ApiCost none{};
    const ApiCost used = desc.api == Api::simulated ? none : cost;
    const int cap = wire_cap_for(desc);
    const ModelRun own = model_run(desc, 0, none);
    const ModelRun capped = cap ? model_run(desc, cap, none) : own;
    const ModelRun full = used == none ? capped : model_run(desc, cap, used);
    Expectation e;
    e.path_ms = own.wall_ms;
    e.cap_ms = capped.wall_ms - own.wall_ms;
    e.browser_ms = full.wall_ms - capped.wall_ms;
    e.wall_ms = full.wall_ms;
    e.peak_in_flight = full.peak_in_flight;
    e.ok = full.ok;
    e.failed = full.failed;
    e.timeouts = full.timeouts;
    RunDesc one_at_a_time = desc;
    one_at_a_time.path = CodePath::sequential;
    e.sequential_ms = desc.path == CodePath::sequential ? e.wall_ms : model_wall_ms(one_at_a_time, cap, used);
    return e;
}

}  // namespace ap
