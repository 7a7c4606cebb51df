#include "scheduler.h"

#include <algorithm>

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

void Scheduler::begin(const RunDesc& desc, int64_t now_us) {
    if (running()) cancel(now_us);
    deferred_.clear();
    // Generation 0 is reserved so that RequestId{0} is never valid; wrapping after 65,535 runs is harmless
    // because only the current generation is ever accepted.
    last_generation_ = uint16_t(last_generation_ == 0xffff ? 1 : last_generation_ + 1);
    run_ = Run{};
    run_.generation = last_generation_;
    run_.desc = desc;
    run_.state = RunState::running;
    run_.start_us = now_us;
    run_.requests.assign(size_t(desc.count), RequestTrace{});
    if (code_path_info(desc.path).created_up_front) {
        // gather and its kin create every task up front; a loop only reaches a call when the previous one
        // has returned, so its requests are scheduled as they start.
        for (RequestTrace& r : run_.requests) r.scheduled_us = now_us;
    }
    pump(now_us);
}

bool Scheduler::can_start_next() const {
    if (run_.state != RunState::running || run_.next_index >= int(run_.requests.size())) return false;
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
    RequestSpec spec;
    spec.url = request_url(run_.desc, index);
    spec.latency_ms = run_.desc.latency_ms;
    spec.status = run_.desc.status;
    transport_->start(make_request_id(run_.generation, uint16_t(index)), spec, now_us);
}

bool Scheduler::accepts(RequestId id) const {
    if (run_.state != RunState::running || request_generation(id) != run_.generation) return false;
    const size_t index = request_index(id);
    return index < run_.requests.size() && run_.requests[index].outcome == Outcome::in_flight;
}

bool Scheduler::complete(RequestId id, const Completion& completion, int64_t now_us) {
    if (!accepts(id)) return false;
    if (pumping_) {
        deferred_.push_back(Deferred{id, completion, now_us});
        return true;
    }
    record(id, completion, now_us);
    pump(now_us);
    return true;
}

void Scheduler::record(RequestId id, const Completion& c, int64_t now_us) {
    if (!accepts(id)) return;
    const int index = request_index(id);
    RequestTrace& r = run_.requests[size_t(index)];
    r.status = c.status;
    r.bytes = c.bytes;
    Outcome outcome;
    if (c.status >= 200 && c.status < 300) {
        outcome = Outcome::ok;
    } else if (c.status >= 100) {
        outcome = Outcome::http_error;
        r.reason = "HTTP " + std::to_string(c.status) + (c.reason.empty() ? "" : " " + c.reason);
    } else {
        outcome = Outcome::network_error;
        r.reason = c.reason.empty() ? "no answer: connection refused, host unreachable or blocked by CORS"
                                    : c.reason;
    }
    end_request(index, outcome, now_us);
}

void Scheduler::end_request(int index, Outcome outcome, int64_t now_us) {
    RequestTrace& r = run_.requests[size_t(index)];
    if (r.outcome == Outcome::in_flight) --run_.in_flight;
    r.outcome = outcome;
    r.finished_us = r.started_us >= 0 ? now_us : -1;
    ++run_.ended;
}

void Scheduler::pump(int64_t now_us) {
    if (pumping_) return;
    pumping_ = true;
    for (;;) {
        while (can_start_next()) start_next(now_us);
        if (deferred_.empty()) break;
        Deferred d = std::move(deferred_.front());
        deferred_.pop_front();
        record(d.id, d.completion, d.now_us);
    }
    pumping_ = false;
    if (run_.state == RunState::running && run_.ended == int(run_.requests.size())) {
        run_.state = RunState::finished;
        run_.end_us = run_.start_us;
        for (const RequestTrace& r : run_.requests) run_.end_us = std::max(run_.end_us, r.finished_us);
    }
}

void Scheduler::advance(int64_t now_us) {
    if (!running()) return;
    const int64_t timeout_us = int64_t(run_.desc.timeout_ms) * 1000;
    bool any = false;
    for (size_t i = 0; i < run_.requests.size(); ++i) {
        RequestTrace& r = run_.requests[i];
        if (r.outcome != Outcome::in_flight || now_us < r.started_us + timeout_us) continue;
        transport_->abort(make_request_id(run_.generation, uint16_t(i)));
        r.reason = "no answer within the " + std::to_string(run_.desc.timeout_ms) + " ms timeout";
        end_request(int(i), Outcome::timeout, now_us);
        any = true;
    }
    if (any) pump(now_us);
}

int64_t Scheduler::next_deadline_us() const {
    if (!running()) return -1;
    int64_t best = -1;
    for (const RequestTrace& r : run_.requests) {
        if (r.outcome != Outcome::in_flight) continue;
        const int64_t deadline = r.started_us + int64_t(run_.desc.timeout_ms) * 1000;
        if (best < 0 || deadline < best) best = deadline;
    }
    return best;
}

void Scheduler::cancel(int64_t now_us) {
    if (!running()) return;
    deferred_.clear();
    for (size_t i = 0; i < run_.requests.size(); ++i) {
        RequestTrace& r = run_.requests[i];
        if (outcome_is_final(r.outcome)) continue;
        if (r.outcome == Outcome::in_flight) {
            transport_->abort(make_request_id(run_.generation, uint16_t(i)));
            r.reason = "cancelled while in flight";
        } else {
            r.reason = "cancelled before it started";
        }
        end_request(int(i), Outcome::cancelled, now_us);
    }
    run_.state = RunState::cancelled;
    run_.end_us = now_us;
    run_.next_index = int(run_.requests.size());
}

}  // namespace ap
