// scheduler.h — runs one RunDesc through a Transport and records a RequestTrace per request.
//
//   ap::Scheduler s(&transport);
//   s.begin(desc, now_us);                 // starts what the code path allows at once
//   s.complete(id, completion, now_us);    // an answer came; starts whatever may start next
//   s.advance(now_us);                     // times out requests past their deadline
//   s.cancel(now_us);                      // aborts everything in flight
//
// Times come from the caller's monotonic clock. Starting a run while one is running cancels the old one
// first; its late answers carry an old generation and are dropped.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "run.h"
#include "transport.h"

namespace ap {

enum class RunState : uint8_t { idle, running, finished, cancelled };
const char* run_state_name(RunState s);

struct Run {
    uint16_t generation = 0;
    RunDesc desc;
    RunState state = RunState::idle;
    int64_t start_us = -1;
    int64_t end_us = -1;       // when the last request ended or the run was cancelled
    std::vector<RequestTrace> requests;
    int next_index = 0;        // first request not yet started
    int in_flight = 0;
    int ended = 0;             // requests with a final outcome
};

class Scheduler {
public:
    explicit Scheduler(Transport* transport) : transport_(transport) {}

    // Clamps nothing: pass a desc that went through clamp_run_desc.
    void begin(const RunDesc& desc, int64_t now_us);
    // Returns false when the completion was dropped (stale generation, unknown id, already ended).
    bool complete(RequestId id, const Completion& completion, int64_t now_us);
    void advance(int64_t now_us);
    void cancel(int64_t now_us);

    // Earliest instant at which advance() has something to do (a timeout), or -1.
    int64_t next_deadline_us() const;
    bool running() const { return run_.state == RunState::running; }
    const Run& run() const { return run_; }

private:
    bool can_start_next() const;
    void start_next(int64_t now_us);
    void record(RequestId id, const Completion& c, int64_t now_us);
    void pump(int64_t now_us);
    void end_request(int index, Outcome outcome, int64_t now_us);
    bool accepts(RequestId id) const;

    struct Deferred { RequestId id; Completion completion; int64_t now_us; };

    Transport* transport_;
    Run run_;
    uint16_t last_generation_ = 0;
    bool pumping_ = false;
    std::deque<Deferred> deferred_;  // completions reported from inside Transport::start()
};

}  // namespace ap
