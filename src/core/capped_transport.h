// capped_transport.h — keeps at most `cap` requests open in the transport below and holds the rest, first
// come first served, starting the next one as soon as one ends. A browser opens only 6 connections to one
// host however many requests it is given, but it refuses requests outright (net::ERR_INSUFFICIENT_RESOURCES)
// beyond about a thousand open ones: holding them in the page changes no timing (they would wait for a
// connection in the browser anyway) and turns those refusals into the waiting they really are.
//
//   ap::CappedTransport capped;  capped.below = &fetch;  capped.cap = 64;
//   scheduler uses &capped; the owner calls capped.finished(id, now) when `fetch` reports id's end, and
//   capped.settle(now) after a scheduler call that may abort requests (advance: a timeout).
//
// An abort frees its place but does not fill it at once: a cancel aborts every request in turn, and filling
// each freed place would send held requests only to abort them a moment later.
#pragma once
#include <cstdint>
#include <deque>
#include <unordered_set>

#include "transport.h"

namespace ap {

class CappedTransport : public Transport {
public:
    Transport* below = nullptr;
    int cap = 0;  // most requests open below at once; 0: no cap

    void start(RequestId id, const RequestSpec& spec, int64_t now_us) override;
    void abort(RequestId id, int64_t now_us) override;
    // The transport below reported id's end: its place goes to the longest-held request.
    void finished(RequestId id, int64_t now_us);
    // Places freed by aborts go to the longest-held requests.
    void settle(int64_t now_us) { fill(now_us); }

    size_t open() const { return open_.size(); }
    size_t held() const { return held_.size(); }
    size_t most_open() const { return most_open_; }  // the highest open() since the last reset_most_open()
    void reset_most_open() { most_open_ = open_.size(); }

private:
    struct Held {
        RequestId id;
        RequestSpec spec;
    };
    void start_below(RequestId id, const RequestSpec& spec, int64_t now_us);
    void fill(int64_t now_us);
    std::unordered_set<uint32_t> open_;
    std::deque<Held> held_;
    size_t most_open_ = 0;
};

}  // namespace ap
