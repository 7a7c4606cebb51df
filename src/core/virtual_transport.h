// virtual_transport.h — a deterministic transport on a virtual clock: each request is answered exactly
// `latency_ms` after it started (or as a test's `answer` hook says). Used by the unit tests, by the page's
// "simulated" API, and anywhere a run must be replayed exactly.
//
//   ap::VirtualTransport t;  ap::Scheduler s(&t);
//   s.begin(desc, 0);
//   int64_t end_us = ap::run_virtual(&s, &t, 0);   // jumps from event to event until the run ends
#pragma once
#include <climits>
#include <deque>
#include <functional>
#include <map>
#include <unordered_map>

#include "scheduler.h"
#include "transport.h"

namespace ap {

struct VirtualAnswer {
    int64_t delay_us = 0;   // from start to answer
    Completion completion;  // what is reported
    bool never = false;     // no answer at all (the request can only time out or be cancelled)
};

class VirtualTransport : public Transport {
public:
    // Decides each request's answer; the default answers spec.status after spec.latency_ms.
    std::function<VirtualAnswer(RequestId, const RequestSpec&)> answer;
    // A real API's costs, played by the model (transport.h): each answer comes round_trip_ms later, and at
    // least handover_ms after the one handed over before it. Zero for the simulated API.
    ApiCost cost;
    // Most requests on the wire at once (0: no limit), as the browser's 6 connections per host: the others
    // wait, in the order they were started, for a free one; their time counts (a timeout can end them).
    int max_in_flight = 0;

    void start(RequestId id, const RequestSpec& spec, int64_t now_us) override;
    void abort(RequestId id, int64_t now_us) override;

    // Earliest pending answer, or -1.
    int64_t next_due_us() const;
    // Reports every answer due at or before now_us, in due order, each at its own due time (so a run
    // driven by a coarse real clock still has an exact virtual timeline). Returns how many.
    int deliver_due(Scheduler* scheduler, int64_t now_us);
    size_t pending() const { return by_id_.size() + held_.size(); }
    int64_t started_total() const { return started_total_; }
    int peak_on_wire() const { return peak_on_wire_; }  // most requests on the wire at once so far

    static VirtualAnswer default_answer(const RequestSpec& spec);

private:
    struct Key {
        int64_t due_us;
        uint64_t seq;  // ties keep start order, so equal-latency requests end in the order they began
        bool operator<(const Key& o) const { return due_us != o.due_us ? due_us < o.due_us : seq < o.seq; }
    };
    struct Entry { RequestId id; Completion completion; };
    std::map<Key, Entry> queue_;
    std::unordered_map<uint32_t, std::map<Key, Entry>::iterator> by_id_;
    uint64_t seq_ = 0;
    int64_t started_total_ = 0;
    int64_t last_delivered_us_ = INT64_MIN / 2;  // when the last answer was handed over (they come in turn)
    std::vector<RequestId> never_;  // requests that will never be answered, still "in flight"
    struct Held { RequestId id; VirtualAnswer answer; };
    std::deque<Held> held_;         // started, waiting for a free connection (max_in_flight)
    int on_wire_ = 0;
    int peak_on_wire_ = 0;
    void send(RequestId id, const VirtualAnswer& a, int64_t now_us);
    void connection_freed(int64_t now_us);
    void release_index();
};

// Drives a run in virtual time from now_us to its end: advances to each next answer or timeout and
// delivers it. Stops after max_events events as a guard against a transport that never settles.
// Returns the virtual time at which the run ended (or the last event's time).
int64_t run_virtual(Scheduler* scheduler, VirtualTransport* transport, int64_t now_us,
                    int max_events = 1000000);
// The same, but only the events due at or before until_us, each at its own instant (so a run driven by a
// coarse real clock, as the page's simulated API is, has exactly the model's timeline). Returns how many.
int run_virtual_until(Scheduler* scheduler, VirtualTransport* transport, int64_t until_us, int max_events = 1000000);

}  // namespace ap
