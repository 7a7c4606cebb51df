#include "virtual_transport.h"

#include "json.h"

#include <algorithm>
#include <cmath>

namespace ap {

VirtualAnswer VirtualTransport::default_answer(const RequestSpec& spec) {
    VirtualAnswer a;
    a.delay_us = int64_t(spec.latency_ms) * 1000;
    a.completion.status = spec.status;
    // The same small JSON body the real APIs send: {"delay_ms":500,"status":200}
    JsonWriter w;
    w.begin_object().key("delay_ms").integer(spec.latency_ms).key("status").integer(spec.status).end_object();
    const std::string body = w.take();
    a.completion.bytes = int64_t(body.size());
    if (spec.want_body) a.completion.body = body;
    return a;
}

void VirtualTransport::start(RequestId id, const RequestSpec& spec, int64_t now_us) {
    ++started_total_;
    const VirtualAnswer a = answer ? answer(id, spec) : default_answer(spec);
    if (max_in_flight > 0 && on_wire_ >= max_in_flight) {
        held_.push_back(Held{id, a});  // the browser holds it until a connection is free
        return;
    }
    send(id, a, now_us);
}

void VirtualTransport::send(RequestId id, const VirtualAnswer& a, int64_t now_us) {
    peak_on_wire_ = std::max(peak_on_wire_, ++on_wire_);
    if (a.never) { never_.push_back(id); return; }
    const Key key{now_us + std::max<int64_t>(0, a.delay_us) + std::llround(cost.round_trip_ms * 1000), seq_++};
    auto it = queue_.emplace(key, Entry{id, a.completion}).first;
    by_id_[id.value] = it;
}

void VirtualTransport::connection_freed(int64_t now_us) {
    --on_wire_;
    while (!held_.empty() && (max_in_flight <= 0 || on_wire_ < max_in_flight)) {
        const Held h = held_.front();
        held_.pop_front();
        send(h.id, h.answer, now_us);
    }
}

void VirtualTransport::abort(RequestId id, int64_t now_us) {
    for (auto h = held_.begin(); h != held_.end(); ++h) {
        if (h->id.value == id.value) {
            held_.erase(h);  // never got a connection
            return;
        }
    }
    auto found = by_id_.find(id.value);
    if (found != by_id_.end()) {
        queue_.erase(found->second);
        by_id_.erase(found);
        if (by_id_.empty()) release_index();
        connection_freed(now_us);
        return;
    }
    const auto never = std::find_if(never_.begin(), never_.end(), [&](RequestId n) { return n.value == id.value; });
    if (never != never_.end()) {
        never_.erase(never);
        connection_freed(now_us);
    }
}

int64_t VirtualTransport::next_due_us() const {
    if (queue_.empty()) return -1;
    // The earliest answer, no sooner than the browser can hand it over after the one before.
    const int64_t handover_us = std::llround(cost.handover_ms * 1000);
    const int64_t due_us = queue_.begin()->first.due_us;
    return handover_us > 0 ? std::max<int64_t>(due_us, last_delivered_us_ + handover_us) : due_us;
}

// A run of 10,000 calls grows the index to 10,000 buckets, which emptying it keeps: given back once idle.
void VirtualTransport::release_index() {
    if (by_id_.bucket_count() > 64) decltype(by_id_)().swap(by_id_);
}

int VirtualTransport::deliver_due(Scheduler* scheduler, int64_t now_us) {
    int delivered = 0;
    const int64_t handover_us = std::llround(cost.handover_ms * 1000);
    while (!queue_.empty()) {
        // The earliest answer, no sooner than the browser can hand it over after the one before.
        const int64_t due_us = queue_.begin()->first.due_us;
        const int64_t at_us = handover_us > 0 ? std::max<int64_t>(due_us, last_delivered_us_ + handover_us) : due_us;
        if (at_us > now_us) break;
        last_delivered_us_ = at_us;
        Entry e = std::move(queue_.begin()->second);
        queue_.erase(queue_.begin());
        by_id_.erase(e.id.value);
        if (by_id_.empty()) release_index();
        connection_freed(at_us);  // a held request gets the connection first, as in the browser
        scheduler->complete(e.id, e.completion, at_us);  // may start more requests (and queue them)
        ++delivered;
    }
    return delivered;
}

int64_t run_virtual(Scheduler* scheduler, VirtualTransport* transport, int64_t now_us, int max_events) {
    for (int events = 0; scheduler->running() && events < max_events; ++events) {
        const int64_t next = earliest_us(transport->next_due_us(), scheduler->next_deadline_us());
        if (next < 0) break;  // nothing will ever happen: the caller sees running() still true
        now_us = std::max(now_us, next);
        transport->deliver_due(scheduler, now_us);
        scheduler->advance(now_us);
    }
    return scheduler->running() ? now_us : scheduler->run().end_us;
}

int run_virtual_until(Scheduler* scheduler, VirtualTransport* transport, int64_t until_us, int max_events) {
    int events = 0;
    for (; scheduler->running() && events < max_events; ++events) {
        const int64_t next = earliest_us(transport->next_due_us(), scheduler->next_deadline_us());
        if (next < 0 || next > until_us) break;
        transport->deliver_due(scheduler, next);
        scheduler->advance(next);
    }
    return events;
}

}  // namespace ap
