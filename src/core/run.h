// run.h — what a run is: its description (how many requests, how slow, which code path, which API),
// the per-request trace the scheduler records, and the clamping of learner input into valid ranges.
//
// Plain structs. Zero / default members mean "default": RunDesc{ .count = 50, .latency_ms = 500 }.
// Times are microseconds of one monotonic clock that the caller owns; the core never reads a clock.
#pragma once
#include <cstdint>
#include <optional>
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
    retry_backoff,      // gather where each call has a timeout and retries timeouts and 5xx with back-off
};
inline constexpr int code_path_count = 11;

// What kind of run a RunDesc describes: said once, here, and asked by every view that tells a run's story.
// (A run recorded elsewhere and loaded, with neither a model nor a program, would be a third kind.)
enum class RunKind : uint8_t {
    path,     // a built-in code path: the page plays its rule, and the model says what it should take
    program,  // the learner's own Python: its requests come as it makes them (Scheduler::program_request);
              // no model, no settings but the API; RunDesc::path means nothing, Run::program holds the rest
    recorded, // requests recorded elsewhere (a HAR file from DevTools or this page): no model, no program;
              // RunDesc::path means nothing, Run::recorded holds where they came from (core/har.h)
};
const char* run_kind_name(RunKind k);  // "path", "program", "recorded" (the JS API's spelling)

// How a code path lets requests overlap.
enum class Schedule : uint8_t { one_at_a_time, all_at_once, k_at_a_time };

// The knobs a code path's program has, as Python constants (src/lessons/python/): a run of that path does
// exactly what its program does, so the page applies a knob only where the program has it (see
// effective_desc). tests/core_test.cpp checks these against the programs' text.
enum Knob : uint8_t {
    knob_cpu = 1,        // CPU_MS: CPU work on each answer
    knob_uneven = 2,     // UNEVEN: latencies from half to one and a half times
    knob_slow_tail = 4,  // SLOW_EVERY, SLOW_MS: a slow first attempt now and then
    knob_failures = 8,   // FAIL_PCT: asks the API to fail a share of attempts
    knob_retries = 16,   // TIMEOUT_MS, RETRIES, BACKOFF_MS: its own timeout, retries with back-off
};

struct CodePathInfo {
    const char* name;         // the JS API's spelling: "sequential", "await_in_loop", ...
    const char* label;        // what the page calls it: "requests loop"
    const char* python_file;  // the program it mirrors: "requests_loop.py"
    Schedule schedule;
    bool created_up_front;    // every call exists from the start (gather and friends): scheduled at t0
    const char* queue_cause;  // what a scheduled request waits for before it is sent
    uint8_t knobs;            // Knob bits: what its program can do beyond N, DELAY_MS, STATUS (and LIMIT)
};
bool path_has(CodePath p, Knob k);
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
// What the page calls a run by its kind: its code path's name and label, or "program" and "your program".
struct RunDesc;
const char* run_name(const RunDesc& d);
const char* run_label(const RunDesc& d);
// The code path whose rule a run follows, or none for a learner's program (which follows no rule): rules
// asked of it (p == CodePath::thread_pool, ...) are false for a program, never a built-in path's by default.
std::optional<CodePath> code_path_of(const RunDesc& d);
const char* api_name(Api a);             // "page", ...
const char* outcome_name(Outcome o);     // "ok", ...
bool parse_code_path(const std::string& s, CodePath* out);
bool parse_api(const std::string& s, Api* out);
bool outcome_is_final(Outcome o);

// How latencies vary between the requests of a run. The rules are simple integer arithmetic on the
// request's index, so the Python programs reproduce them exactly (see src/lessons/python/).
enum class Spread : uint8_t {
    even,       // every request waits latency_ms
    uneven,     // request i waits latency_ms * (50 + (i * 37) % 101) / 100: from half to one and a half
    slow_tail,  // every slow_every-th request (i % slow_every == slow_every - 1) waits slow_ms instead
};
inline constexpr int spread_count = 3;
const char* spread_name(Spread s);
bool parse_spread(const std::string& s, Spread* out);

// The browser opens at most this many HTTP/1.1 connections to one host.
inline constexpr int browser_connections_per_host = 6;
// The page gives the browser at most this many requests to one server at once and holds the rest
// (core/capped_transport.h): Chromium refuses requests beyond about a thousand open ones, and it sends only
// 6 at a time anyway, so holding them costs no time.
inline constexpr int page_open_requests_per_server = 64;

// Ranges the page accepts; anything outside is clamped with a note (see clamp_run_desc).
struct Limits {
    static constexpr int min_count = 1, max_count = 10000;
    static constexpr int min_latency_ms = 0, max_latency_ms = 10000;
    static constexpr int min_limit = 1, max_limit = 1000;
    static constexpr int min_timeout_ms = 100, max_timeout_ms = 60000;
    static constexpr int max_cpu_ms = 2000;
    static constexpr int max_retries = 5;
    static constexpr int max_backoff_ms = 10000;
    static constexpr int min_slow_every = 2, max_slow_every = 1000;
};

struct RunDesc {
    RunKind kind = RunKind::path;
    CodePath path = CodePath::sequential;  // a path run's code path (a program run's is unused)
    Api api = Api::page;
    int count = 10;           // N requests
    int latency_ms = 200;     // server-side delay of every request
    int limit = 5;            // k: most requests in flight at once (bounded path only)
    int status = 200;         // the status the API is asked to answer with (?status=)
    int timeout_ms = 20000;   // per attempt, measured from its start
    Spread spread = Spread::even;
    int slow_every = 10;      // slow_tail: one request in slow_every ...
    int slow_ms = 3000;       // ... waits this long
    int cpu_ms = 0;           // CPU work on the event loop per answer (a real busy loop in the page)
    int retries = 0;          // extra attempts after a timeout or a 5xx (never after a 4xx)
    int backoff_ms = 100;     // wait before retry r: backoff_ms * 2^(r-1) * (1 + jitter), jitter in [0, 1)
    int fail_pct = 0;         // the API answers 503 to this share of attempts (decided by attempt_fails)
    std::string base_url;     // API base; the request URL is <base>/api/delay/<ms>?i=<index>[&...]

    bool operator==(const RunDesc&) const = default;
};

// The latency attempt `attempt` of request `index` asks the API for. A slow-tail call is slow on its first
// attempt only: the hiccup that a timeout and a retry get around.
int request_latency_ms(const RunDesc& desc, int index, int attempt = 0);
// The per-attempt timeout and the retries the code path really has: only the retries program
// (retries.py) sets its own; every other program keeps httpx's/requests' 20 s and never retries.
int effective_timeout_ms(const RunDesc& desc);
int effective_retries(const RunDesc& desc);
inline constexpr int program_timeout_ms = 20000;
// desc as its code path's program runs it: the knobs the program lacks at their neutral values (no CPU
// work, even latencies, no injected failures, the 20 s timeout, no retries). Every run, and the model,
// runs this (Scheduler::begin), so a run never does what the program beside it does not.
RunDesc effective_desc(const RunDesc& desc);
// Whether the API fails attempt `attempt` of request `index` with a 503: FNV-1a of "<index>-<attempt>",
// mod 100, below fail_pct. The in-page API and the dev server decide the same way from ?fail=&key=.
bool attempt_fails(const RunDesc& desc, int index, int attempt);
uint32_t fnv1a(const std::string& s);
// The wait before retry number `retry` (1, 2, ...) of request `index`: exponential, with a jitter that is
// pseudo-random but repeatable.
int64_t backoff_us(const RunDesc& desc, int index, int retry);

// Clamps every field into range. Returns one human-readable note per field that had to change
// ("N = 20000 is above 10,000: using 10,000."), empty when the input was valid.
std::vector<std::string> clamp_run_desc(RunDesc* desc);

// The URL of one attempt of one request of a run.
std::string request_url(const RunDesc& desc, int index, int attempt = 0);

// One attempt at a request: its own start, end and outcome (a request has several when it is retried).
struct Attempt {
    int64_t started_us = -1;
    int64_t ended_us = -1;
    Outcome outcome = Outcome::in_flight;
    int status = 0;
    // Real sockets only, from the browser's Resource Timing after the run: when the request really went out
    // (before that it was stalled: the browser had no free connection) and when its first byte came back.
    int64_t sent_us = -1;
    int64_t first_byte_us = -1;
    int64_t last_byte_us = -1;  // when its answer had fully come (the browser's connection is free again)
    // Off the wire: its last byte when Resource Timing said, else when the page saw its end.
    int64_t wire_end_us() const { return last_byte_us >= 0 ? last_byte_us : ended_us; }
};

// One request's life, as recorded by the scheduler. Times are absolute microseconds; -1 = not yet.
struct RequestTrace {
    int64_t scheduled_us = -1;   // when the code path asked for it (gather: at once; loop: when reached)
    int64_t started_us = -1;     // when its first attempt was handed to the transport
    int64_t answered_us = -1;    // when its final answer arrived
    int64_t handled_us = -1;     // when the event loop began the CPU work on it (>= answered_us)
    int64_t finished_us = -1;    // when it was done: answer handled, or failed, timed out, cancelled
    Outcome outcome = Outcome::pending;
    int status = 0;              // HTTP status when there was an answer, else 0
    int64_t bytes = 0;           // response body size
    std::string reason;          // one line for non-ok outcomes ("HTTP 503", "connection refused or CORS")
    std::vector<Attempt> attempts;
    int64_t retry_at_us = -1;    // while backing off: when the next attempt starts
};

}  // namespace ap
