// What the native tests share: a run description in one line, and a player that runs it in virtual time
// (to its end, to a cancel, or to a given instant). Times are microseconds; `ms` turns milliseconds into them.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/scheduler.h"
#include "core/stats.h"
#include "core/virtual_transport.h"

namespace ap::test {

constexpr int64_t ms = 1000;  // microseconds per millisecond

inline RunDesc desc_of(CodePath path, int n, int latency_ms, int limit = 5) {
    RunDesc d;
    d.path = path;
    d.api = Api::simulated;
    d.count = n;
    d.latency_ms = latency_ms;
    d.limit = limit;
    return d;
}

// Plays a run in virtual time: to its end, or up to cancel_at_us and cancelled there, or (snapshot) up
// to stop_at_us and left running.
struct Player {
    VirtualTransport transport;
    Scheduler scheduler{&transport};

    const Run& play(const RunDesc& d, int64_t start_us = 0) {
        scheduler.begin(d, start_us);
        run_virtual(&scheduler, &transport, start_us);
        EXPECT_EQ(scheduler.run().state, RunState::finished);
        return scheduler.run();
    }
    // The run played to its end, as its numbers.
    RunStats run(const RunDesc& d, int64_t start_us = 0) { return compute_stats(play(d, start_us)); }
    // Events strictly before until_us, then the clock stands at until_us.
    void advance_to(int64_t until_us) {
        for (int guard = 0; scheduler.running() && guard < 100000; ++guard) {
            const int64_t next = earliest_us(transport.next_due_us(), scheduler.next_deadline_us());
            if (next < 0 || next >= until_us) break;
            transport.deliver_due(&scheduler, next);
            scheduler.advance(next);
        }
    }
    const Run& play_and_cancel(const RunDesc& d, int64_t cancel_at_us) {
        scheduler.begin(d, 0);
        advance_to(cancel_at_us);
        scheduler.cancel(cancel_at_us);
        return scheduler.run();
    }
    const Run& snapshot(const RunDesc& d, int64_t stop_at_us) {
        scheduler.begin(d, 0);
        advance_to(stop_at_us);
        return scheduler.run();
    }
};

// A transport's answers as the API gives them, but the first attempt of request `index` fails with a 503
// (the hiccup a retry gets around): p.transport.answer = fail_first_attempt(1);
inline std::function<VirtualAnswer(RequestId, const RequestSpec&)> fail_first_attempt(int index) {
    return [index](RequestId id, const RequestSpec& spec) {
        VirtualAnswer a = VirtualTransport::default_answer(spec);
        if (request_index(id) == index && request_attempt(id) == 0) a.completion.status = 503;
        return a;
    };
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace ap::test
