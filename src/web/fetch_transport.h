// fetch_transport.h — the browser's transport: one Emscripten Fetch (XHR underneath) per request,
// loaded to memory. Callbacks carry only the request id; a table maps live ids to their fetch so that
// an abort can find it, and every fetch is closed exactly once: on success, on error, or on abort.
#pragma once
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include <emscripten/fetch.h>

#include "core/transport.h"

namespace ap {

class FetchTransport : public Transport {
public:
    // Receives each answer with the clock reading taken first thing in the browser's callback.
    std::function<void(RequestId, const Completion&, int64_t now_us)> on_complete;

    FetchTransport();
    ~FetchTransport() override;
    void start(RequestId id, const RequestSpec& spec, int64_t now_us) override;
    void abort(RequestId id, int64_t now_us = 0) override;
    size_t live() const { return live_.size(); }
    static constexpr uint64_t max_program_body_bytes = 1 << 20;  // a program reads at most 1 MB of an answer

private:
    static void on_done(emscripten_fetch_t* fetch);
    std::unordered_map<uint32_t, emscripten_fetch_t*> live_;  // id -> its open fetch
    std::unordered_set<uint32_t> want_body_;                   // ids whose answer's body goes back (a program's)
};

// performance.now() in microseconds: the one monotonic clock of the page.
int64_t monotonic_now_us();

}  // namespace ap
