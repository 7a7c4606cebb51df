// transport.h — the one thing the scheduler needs from the outside world: "start this request" and
// "stop that one". How an answer comes back is the transport owner's business: it calls
// Scheduler::complete() with the request's id when it knows the outcome.
//
// Requests are ids, never pointers: an id is the run's generation, the request's index and the attempt,
// so an answer that arrives after its run was cancelled or replaced, or after its attempt timed out and
// was retried, is recognised and dropped.
#pragma once
#include <cstdint>
#include <string>

namespace ap {

// generation (14 bits) | attempt (4 bits) | index (14 bits). 0 is never valid (generations start at 1).
struct RequestId {
    uint32_t value = 0;
};
inline constexpr int max_request_index = (1 << 14) - 1;
inline constexpr int max_attempts = 1 << 4;
inline constexpr uint16_t max_generation = (1 << 14) - 1;
inline RequestId make_request_id(uint16_t generation, int index, int attempt = 0) {
    return RequestId{uint32_t(generation & max_generation) << 18 | uint32_t(attempt & (max_attempts - 1)) << 14 |
                     uint32_t(index & max_request_index)};
}
inline uint16_t request_generation(RequestId id) { return uint16_t(id.value >> 18); }
inline int request_attempt(RequestId id) { return int(id.value >> 14 & (max_attempts - 1)); }
inline int request_index(RequestId id) { return int(id.value & max_request_index); }

// The sooner of two instants where -1 means "nothing due": how a clock finds its next event among the
// scheduler's deadlines and a transport's answers.
inline int64_t earliest_us(int64_t a, int64_t b) { return a < 0 ? b : b < 0 ? a : (a < b ? a : b); }

// "http://127.0.0.1:8000" of "http://127.0.0.1:8000/x/y?z" (or of "...:8000?z"), or "" when the URL has no
// scheme.
inline std::string url_origin(const std::string& url) {
    const size_t scheme = url.find("://");
    return scheme == std::string::npos ? std::string() : url.substr(0, url.find_first_of("/?#", scheme + 3));
}

struct RequestSpec {
    std::string url;
    int latency_ms = 0;  // what the API was asked to wait (used by the virtual transport)
    int status = 200;    // what the API was asked to answer
    bool want_body = false;  // the learner's program reads the answer: Completion::body carries it
};

// What a real API costs beyond the latency each request asks for, measured in the page from plain fetch
// calls (web/costs.js): every request's round trip (the browser, the service worker or
// the socket, the answer's own set-up), and how far apart the browser hands over answers when many
// arrive at once (its throughput). The model adds both, so an expectation names what the browser costs.
struct ApiCost {
    double round_trip_ms = 0;  // added to every request
    double handover_ms = 0;    // answers come at least this far apart
    bool operator==(const ApiCost&) const = default;
};

// How a request ended, as the transport saw it.
struct Completion {
    int status = 0;          // HTTP status; 0 when no answer came
    int64_t bytes = 0;       // response body size
    std::string reason;      // for failures without a status: what the transport knows
    std::string body;        // the answer's body, when the request wanted it (RequestSpec::want_body)
};

// Why a request got no answer at all (status 0), in words: the browser gives none, so this says what it can
// be. With `open_requests` (this one included) near the number a browser refuses outright, that is named
// first: Chromium fails requests beyond about 1,300 open ones with net::ERR_INSUFFICIENT_RESOURCES.
inline constexpr int browser_refuses_beyond = 1000;
inline std::string no_answer_reason(size_t open_requests) {
    if (open_requests > size_t(browser_refuses_beyond))
        return "no answer: the browser refused it, with " + std::to_string(open_requests) +
               " requests open at once (more than it holds), or the connection failed";
    return "no answer: connection refused, host unreachable or blocked by CORS";
}

class Transport {
public:
    virtual ~Transport() = default;
    // Begin a request at now_us (the scheduler's clock). Its end is reported later through Scheduler::complete(id, ...). A transport may
    // report from inside start() (a synchronous failure); the scheduler copes, but should not rely on it.
    virtual void start(RequestId id, const RequestSpec& spec, int64_t now_us) = 0;
    // Stop a request that is still in flight, at now_us. Nothing should be reported for it afterwards; if
    // something is, the scheduler drops it.
    virtual void abort(RequestId id, int64_t now_us) = 0;
};

}  // namespace ap
