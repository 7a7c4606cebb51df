#include "run.h"

#include "fields.h"

#include <algorithm>
#include <cstdio>

namespace ap {

static const CodePathInfo code_paths[code_path_count] = {
    {"sequential", "requests loop", "requests_loop.py", Schedule::one_at_a_time, false, "the previous call to return", knob_cpu},
    {"concurrent", "asyncio.gather", "gather.py", Schedule::all_at_once, true, "", knob_cpu | knob_uneven | knob_slow_tail | knob_failures},
    {"bounded", "asyncio.Semaphore(k)", "semaphore.py", Schedule::k_at_a_time, true, "a semaphore slot", knob_cpu},
    {"sync_client", "httpx.Client loop", "httpx_client_loop.py", Schedule::one_at_a_time, false, "the previous call to return", knob_cpu},
    {"await_in_loop", "await inside the loop", "await_in_loop.py", Schedule::one_at_a_time, false, "the previous await to finish", knob_cpu},
    {"as_completed", "asyncio.as_completed", "as_completed.py", Schedule::all_at_once, true, "", knob_cpu | knob_uneven},
    {"task_group", "asyncio.TaskGroup", "task_group.py", Schedule::all_at_once, true, "", knob_cpu | knob_uneven},
    {"pool_limit", "httpx pool of k", "pool_limit.py", Schedule::k_at_a_time, true, "a free connection in the pool", knob_cpu},
    {"blocking_in_async", "requests inside async def", "requests_in_async.py", Schedule::one_at_a_time, true, "the event loop, blocked by the call before", knob_cpu},
    {"thread_pool", "asyncio.to_thread, k threads", "thread_pool.py", Schedule::k_at_a_time, true, "a free worker thread", knob_cpu},
    {"retry_backoff", "gather with timeout + retries", "retries.py", Schedule::all_at_once, true, "", knob_cpu | knob_slow_tail | knob_failures | knob_retries},
};

const CodePathInfo& code_path_info(CodePath p) {
    const int i = int(p) < code_path_count ? int(p) : 0;
    return code_paths[i];
}

const char* code_path_name(CodePath p) { return code_path_info(p).name; }

const char* run_kind_name(RunKind k) { return k == RunKind::program ? "program" : k == RunKind::recorded ? "recorded" : "path"; }
const char* run_name(const RunDesc& d) { return d.kind == RunKind::path ? code_path_name(d.path) : run_kind_name(d.kind); }
std::optional<CodePath> code_path_of(const RunDesc& d) { return d.kind == RunKind::path ? std::optional(d.path) : std::nullopt; }
const char* run_label(const RunDesc& d) {
    return d.kind == RunKind::program ? "your program" : d.kind == RunKind::recorded ? "recorded (HAR)" : code_path_info(d.path).label;
}

const char* api_name(Api a) {
    switch (a) {
        case Api::page: return "page";
        case Api::server: return "server";
        case Api::simulated: return "simulated";
    }
    return "?";
}

const char* outcome_name(Outcome o) {
    switch (o) {
        case Outcome::pending: return "pending";
        case Outcome::in_flight: return "in_flight";
        case Outcome::ok: return "ok";
        case Outcome::http_error: return "http_error";
        case Outcome::network_error: return "network_error";
        case Outcome::timeout: return "timeout";
        case Outcome::cancelled: return "cancelled";
    }
    return "?";
}

bool parse_code_path(const std::string& s, CodePath* out) {
    for (int i = 0; i < code_path_count; ++i) {
        if (s == code_path_name(CodePath(i))) { *out = CodePath(i); return true; }
    }
    return false;
}

bool parse_api(const std::string& s, Api* out) {
    for (int i = 0; i < api_count; ++i) {
        if (s == api_name(Api(i))) { *out = Api(i); return true; }
    }
    return false;
}

const char* spread_name(Spread s) {
    switch (s) {
        case Spread::even: return "even";
        case Spread::uneven: return "uneven";
        case Spread::slow_tail: return "slow_tail";
    }
    return "?";
}

bool parse_spread(const std::string& s, Spread* out) {
    for (int i = 0; i < spread_count; ++i) {
        if (s == spread_name(Spread(i))) { *out = Spread(i); return true; }
    }
    return false;
}

int request_latency_ms(const RunDesc& d, int index, int attempt) {
    switch (d.spread) {
        case Spread::even: return d.latency_ms;
        case Spread::uneven: return int(int64_t(d.latency_ms) * (50 + (int64_t(index) * 37) % 101) / 100);
        case Spread::slow_tail:
            return attempt == 0 && index % d.slow_every == d.slow_every - 1 ? d.slow_ms : d.latency_ms;
    }
    return d.latency_ms;
}

bool path_has(CodePath p, Knob k) { return (code_path_info(p).knobs & k) != 0; }

int effective_timeout_ms(const RunDesc& d) { return path_has(d.path, knob_retries) ? d.timeout_ms : program_timeout_ms; }
int effective_retries(const RunDesc& d) { return path_has(d.path, knob_retries) ? d.retries : 0; }

RunDesc effective_desc(const RunDesc& desc) {
    RunDesc d = desc;
    if (!path_has(d.path, knob_cpu)) d.cpu_ms = 0;
    if ((d.spread == Spread::uneven && !path_has(d.path, knob_uneven)) || (d.spread == Spread::slow_tail && !path_has(d.path, knob_slow_tail)))
        d.spread = Spread::even;
    if (!path_has(d.path, knob_failures)) d.fail_pct = 0;
    if (!path_has(d.path, knob_retries)) {
        d.timeout_ms = program_timeout_ms;
        d.retries = 0;
    }
    return d;
}

uint32_t fnv1a(const std::string& s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

bool attempt_fails(const RunDesc& d, int index, int attempt) {
    if (d.fail_pct <= 0) return false;
    return int(fnv1a(std::to_string(index) + "-" + std::to_string(attempt)) % 100) < d.fail_pct;
}

int64_t backoff_us(const RunDesc& d, int index, int retry) {
    const int64_t base = int64_t(d.backoff_ms) * 1000 << std::min(retry - 1, 10);
    const uint32_t jitter_permille = fnv1a("backoff-" + std::to_string(index) + "-" + std::to_string(retry)) % 1000;
    return base + base * jitter_permille / 1000;
}

bool outcome_is_final(Outcome o) { return o != Outcome::pending && o != Outcome::in_flight; }

std::vector<std::string> clamp_run_desc(RunDesc* d) {
    std::vector<std::string> notes;
    for (const RunField& f : run_fields()) {
        std::string note = clamp_field(f, d);
        if (!note.empty()) notes.push_back(std::move(note));
    }
    return notes;
}

std::string request_url(const RunDesc& d, int index, int attempt) {
    std::string url = d.base_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/api/delay/" + std::to_string(request_latency_ms(d, index, attempt));
    // The request index keeps URLs distinct, so no cache layer could ever merge two requests.
    url += "?i=" + std::to_string(index);
    if (attempt > 0) url += "&attempt=" + std::to_string(attempt);
    if (d.status != 200) url += "&status=" + std::to_string(d.status);
    if (d.fail_pct > 0) url += "&fail=" + std::to_string(d.fail_pct) + "&key=" + std::to_string(index) + "-" + std::to_string(attempt);
    return url;
}

}  // namespace ap
