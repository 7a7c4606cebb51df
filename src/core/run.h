// run.h — what a run is: its description (how many requests, how slow, which code path, which API),
// the per-request trace the scheduler records, and the clamping of learner input into valid ranges.
//
// Plain structs. Zero / default members mean "default": RunDesc{ .count = 50, .latency_ms = 500 }.
// Times are microseconds of one monotonic clock that the caller owns; the core never reads a clock.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ap {

// The ways of calling an API that the page can run. Each one is a Python program (src/lessons/python/)
// and a scheduling rule; several share a rule but differ in code and in what makes a request wait.
enum class CodePath : uint8_t {
    sequential,         // a plain loop over requests.get: each call starts when the previous one returned
    concurrent,         // every call started at once, awaited together (asyncio.gather)
    bounded,            // all scheduled at once, at most `limit` in flight (asyncio.Semaphore)
    sync_client,        // a loop over httpx.Client.get: the same interface, the same one-at-a-time timing
    await_in_loop,      // async code that awaits each call inside the for loop: still one at a time
    as_completed,       // all started at once, handled in the order they finish (asyncio.as_completed)
    task_group,         // all started at once inside an asyncio.TaskGroup
    pool_limit,         // gather through an httpx pool of `limit` connections: the pool queues the rest
    blocking_in_async,  // requests.get inside async def under gather: it blocks the event loop, one at a time
    thread_pool,        // the blocking call moved to `limit` worker threads (asyncio.to_thread)
};
inline constexpr int code_path_count = 10;

// How a code path lets requests overlap.
enum class Schedule : uint8_t { one_at_a_time, all_at_once, k_at_a_time };

struct CodePathInfo {
    const char* name;         // the JS API's spelling: "sequential", "await_in_loop", ...
    const char* label;        // what the page calls it: "requests loop"
    const char* python_file;  // the program it mirrors: "requests_loop.py"
    Schedule schedule;
    bool created_up_front;    // every call exists from the start (gather and friends): scheduled at t0
    const char* queue_cause;  // what a scheduled request waits for before it is sent
};
const CodePathInfo& code_path_info(CodePath p);

enum class Api : uint8_t {
    page,       // the in-page service worker answers after the delay (no server, no connection cap)
    server,     // the dev server over real sockets (the browser's per-host connection cap applies)
    simulated,  // no network at all: a deterministic virtual-time transport
};
inline constexpr int api_count = 3;

enum class Outcome : uint8_t {
    pending,        // scheduled, not started yet (queued behind the loop or the semaphore)
    in_flight,      // started, no answer yet
    ok,             // 2xx
    http_error,     // an answer with a non-2xx status
    network_error,  // no answer: refused, unreachable, CORS refusal
    timeout,        // no answer within the run's timeout
    cancelled,      // the run was cancelled before an answer came
};

const char* code_path_name(CodePath p);  // "sequential", ...  (the JS API's spelling)
const char* api_name(Api a);             // "page", ...
const char* outcome_name(Outcome o);     // "ok", ...
bool parse_code_path(const std::string& s, CodePath* out);
bool parse_api(const std::string& s, Api* out);
bool outcome_is_final(Outcome o);

// Ranges the page accepts; anything outside is clamped with a note (see clamp_run_desc).
struct Limits {
    static constexpr int min_count = 1, max_count = 10000;
    static constexpr int min_latency_ms = 0, max_latency_ms = 10000;
    static constexpr int min_limit = 1, max_limit = 1000;
    static constexpr int min_timeout_ms = 100, max_timeout_ms = 60000;
};

struct RunDesc {
    CodePath path = CodePath::sequential;
    Api api = Api::page;
    int count = 10;           // N requests
    int latency_ms = 200;     // server-side delay of every request
    int limit = 5;            // k: most requests in flight at once (bounded path only)
    int status = 200;         // the status the API is asked to answer with (?status=)
    int timeout_ms = 20000;   // per request, measured from its start
    std::string base_url;     // API base; the request URL is <base>/api/delay/<ms>[?status=<code>]
};

// Clamps every field into range. Returns one human-readable note per field that had to change
// ("N = 20000 is above 10,000: using 10,000."), empty when the input was valid.
std::vector<std::string> clamp_run_desc(RunDesc* desc);

// The URL of one request of a run.
std::string request_url(const RunDesc& desc, int index);

// One request's life, as recorded by the scheduler. Times are absolute microseconds; -1 = not yet.
struct RequestTrace {
    int64_t scheduled_us = -1;  // when the code path asked for it (gather: at once; loop: when reached)
    int64_t started_us = -1;    // when it was handed to the transport
    int64_t finished_us = -1;   // when its answer (or error, timeout, cancel) was recorded
    Outcome outcome = Outcome::pending;
    int status = 0;             // HTTP status when there was an answer, else 0
    int64_t bytes = 0;          // response body size
    std::string reason;         // one line for non-ok outcomes ("HTTP 503", "connection refused or CORS")
};

}  // namespace ap
