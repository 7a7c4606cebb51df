#include "exercise.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "analysis.h"
#include "stats.h"

namespace ap {

// (No <sstream>: iostreams would add ~150 KB to the page.)
std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

namespace {

bool number_of(const std::string& w, double* out) {
    if (w.empty() || w.size() > 12) return false;
    for (char c : w)
        if (!(c >= '0' && c <= '9') && c != '.') return false;
    char* end = nullptr;
    const double v = std::strtod(w.c_str(), &end);
    if (end != w.c_str() + w.size() || !std::isfinite(v)) return false;
    *out = v;
    return true;
}

// The operators as written, in CheckOp's order.
const char* const op_texts[] = {"==", "!=", "<", "<=", ">", ">="};

bool op_of(const std::string& w, CheckOp* out) {
    for (size_t i = 0; i < std::size(op_texts); ++i)
        if (w == op_texts[i]) return *out = CheckOp(i), true;
    return false;
}

const char* op_text(CheckOp op) { return size_t(op) < std::size(op_texts) ? op_texts[size_t(op)] : "?"; }

bool holds(double v, CheckOp op, double bound) {
    switch (op) {
        case CheckOp::eq: return v == bound;
        case CheckOp::ne: return v != bound;
        case CheckOp::lt: return v < bound;
        case CheckOp::le: return v <= bound;
        case CheckOp::gt: return v > bound;
        case CheckOp::ge: return v >= bound;
    }
    return false;
}

const char* const forms =
    "a check reads like \"requests == 12\", \"ok == 12\", \"failed == 0\", \"wall < 2 * latency\", \"in_flight >= 6\", "
    "\"loop_blocked < 50\", \"line 9 requests >= 1\", \"output contains \\\"12 results\\\"\" or \"no exception\"";

std::string trimmed(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t");
    if (a == std::string::npos) return std::string();
    const size_t b = s.find_last_not_of(" \t");
    return s.substr(a, b - a + 1);
}

std::string format_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string plural(double n, const char* one, const char* many) {
    const long long k = std::llround(n);
    return std::to_string(k) + " " + (k == 1 ? one : many);
}

}  // namespace

bool parse_check(const std::string& raw, Check* out, std::string* why) {
    auto fail = [&](const std::string& w) {
        if (why) *why = w;
        return false;
    };
    Check c;
    c.source = trimmed(raw);
    if (c.source.empty()) return fail(std::string("'check:' has nothing after it: ") + forms);
    if (c.source.size() > 300) return fail("a check is at most 300 characters");
    if (c.source == "no exception") {
        c.metric = CheckMetric::no_exception;
        *out = c;
        return true;
    }
    if (c.source.rfind("output contains ", 0) == 0) {
        const std::string rest = trimmed(c.source.substr(16));
        if (rest.size() < 2 || rest.front() != '"' || rest.back() != '"') return fail("write the text in double quotes: output contains \"12 results\"");
        std::string text;
        for (size_t i = 1; i + 1 < rest.size(); ++i) {
            if (rest[i] == '\\' && i + 2 < rest.size() && (rest[i + 1] == '"' || rest[i + 1] == '\\')) ++i;
            else if (rest[i] == '"') return fail("a quote inside the text is written \\\"");
            text += rest[i];
        }
        if (text.empty()) return fail("output contains \"\" checks nothing: give the text to look for");
        c.metric = CheckMetric::output_contains;
        c.text = text;
        *out = c;
        return true;
    }
    std::vector<std::string> w = split_words(c.source);
    size_t at = 0;
    if (w.size() >= 2 && w[0] == "line") {
        double line = 0;
        if (!number_of(w[1], &line) || line < 1 || line > 1000000 || line != std::floor(line)) return fail("'line' is followed by a line of the program: line 9 requests >= 1");
        if (w.size() < 3 || w[2] != "requests") return fail("a line's check counts its requests: line 9 requests >= 1");
        c.metric = CheckMetric::line_requests;
        c.line = int(line);
        at = 3;
    } else if (!w.empty()) {
        static const std::pair<const char*, CheckMetric> metrics[] = {
            {"requests", CheckMetric::requests}, {"ok", CheckMetric::ok}, {"failed", CheckMetric::failed}, {"wall", CheckMetric::wall},
            {"in_flight", CheckMetric::in_flight}, {"loop_blocked", CheckMetric::loop_blocked}};
        bool known = false;
        for (const auto& [name, m] : metrics)
            if (w[0] == name) c.metric = m, known = true;
        if (!known) return fail("'" + w[0] + "' is not something a check measures: " + forms);
        at = 1;
    }
    if (at >= w.size() || !op_of(w[at], &c.op)) return fail("expected ==, !=, <, <=, > or >= after '" + (at > 0 ? w[at - 1] : std::string()) + "'");
    const std::vector<std::string> expr(w.begin() + long(at) + 1, w.end());
    const bool timed = c.metric == CheckMetric::wall || c.metric == CheckMetric::loop_blocked;
    double n = 0;
    if (expr.size() == 1 && number_of(expr[0], &n)) {
        c.number = n;
    } else if (expr.size() == 1 && expr[0] == "latency") {
        c.number = 1, c.per_latency = true;
    } else if (expr.size() == 3 && expr[1] == "*" && number_of(expr[0], &n) && expr[2] == "latency") {
        c.number = n, c.per_latency = true;
    } else if (expr.size() == 3 && expr[1] == "*" && expr[0] == "latency" && number_of(expr[2], &n)) {
        c.number = n, c.per_latency = true;
    } else {
        return fail("expected a number" + std::string(timed ? " of ms, or k * latency," : "") + " after " + op_text(c.op));
    }
    if (c.per_latency && !timed) return fail("only times (wall, loop_blocked) compare with latency");
    *out = c;
    return true;
}

double longest_loop_hold_ms(const Run& run) {
    if (!run.program) return 0;
    int64_t longest = 0;
    for (const TaskStep& s : run.program->trace.steps) longest = std::max(longest, s.ended_us - s.began_us);
    return double(longest) / 1000.0;
}

CheckResult evaluate_check(const Check& c, const Run& run, int latency_ms) {
    CheckResult r;
    if (!run.program || (run.state != RunState::finished && run.state != RunState::cancelled)) {
        r.measured = "no finished run of your program";
        r.hint = "Run your program to check it.";
        return r;
    }
    const RunStats s = compute_stats(run);
    const ProgramReport& report = run.program->report;
    const double bound = c.per_latency ? c.number * latency_ms : c.number;
    const int made = int(run.requests.size());
    switch (c.metric) {
        case CheckMetric::requests:
            r.passed = holds(made, c.op, bound);
            r.measured = plural(made, "request", "requests");
            if (!r.passed) r.hint = "Your program made " + r.measured + "; the check wants " + op_text(c.op) + " " + plural(bound, "request", "requests") + ".";
            break;
        case CheckMetric::ok:
            r.passed = holds(s.ok, c.op, bound);
            r.measured = std::to_string(s.ok) + " of " + std::to_string(made) + " answered OK";
            if (!r.passed) r.hint = r.measured + (s.ok < made ? ": look at the red and grey bars for what went wrong." : ".");
            break;
        case CheckMetric::failed: {
            const int failed = s.http_errors + s.network_errors + s.timeouts;
            r.passed = holds(failed, c.op, bound);
            r.measured = plural(failed, "request failed", "requests failed");
            if (!r.passed) r.hint = r.measured + " (HTTP errors, the network, timeouts).";
            break;
        }
        case CheckMetric::wall:
            r.passed = holds(s.wall_ms, c.op, bound);
            r.measured = "it took " + format_duration_ms(s.wall_ms);
            if (!r.passed) {
                r.hint = "Your program took " + format_duration_ms(s.wall_ms) + "; the check wants " + op_text(c.op) + " " + format_duration_ms(bound) +
                         (c.per_latency ? " (" + format_number(c.number) + " x the latency of " + std::to_string(latency_ms) + " ms)" : std::string()) + ".";
                if (s.peak() <= 1 && made > 1) r.hint += " At most 1 request was in flight at once: your calls still wait for each other.";
            }
            break;
        case CheckMetric::in_flight:
            r.passed = holds(s.peak(), c.op, bound);
            r.measured = "at most " + std::to_string(s.peak()) + " in flight at once";
            if (!r.passed) {
                if (c.op == CheckOp::ge || c.op == CheckOp::gt)
                    r.hint = plural(made, "request", "requests") + ", but at most " + std::to_string(s.peak()) + " in flight at once" +
                             (s.peak() <= 1 ? ": your calls still wait for each other." : ": more of them should be out together.");
                else
                    r.hint = std::to_string(s.peak()) + " requests were in flight at once: the limit of " + std::to_string(std::llround(bound)) + " is not kept.";
            }
            break;
        case CheckMetric::loop_blocked: {
            const double held = longest_loop_hold_ms(run);
            r.passed = holds(held, c.op, bound);
            r.measured = "the event loop held for " + format_duration_ms(held) + " at most by one step";
            if (!r.passed)
                r.hint = "One step held the event loop for " + format_duration_ms(held) +
                         ": a blocking call (requests, time.sleep) or long Python inside a coroutine stops every other task meanwhile.";
            break;
        }
        case CheckMetric::line_requests: {
            int n = 0;
            for (const ProgramCall& pc : run.program->calls) n += pc.line == c.line;
            r.passed = holds(n, c.op, bound);
            r.measured = "line " + std::to_string(c.line) + " made " + plural(n, "request", "requests");
            if (!r.passed) r.hint = "Line " + std::to_string(c.line) + " of your program made " + plural(n, "request", "requests") + ".";
            break;
        }
        case CheckMetric::output_contains:
            r.passed = report.output.find(c.text) != std::string::npos;
            r.measured = r.passed ? "the output has it" : "not in the output";
            if (!r.passed) r.hint = "What your program printed does not contain \"" + c.text + "\".";
            break;
        case CheckMetric::no_exception:
            r.passed = report.error_message.empty() && !report.stopped;
            r.measured = r.passed ? "no exception" : report.stopped ? "stopped" : report.error_message.substr(0, 200);
            if (!r.passed)
                r.hint = report.stopped ? "The program was stopped before its end."
                                        : "The program ended with " + report.error_message.substr(0, 200) +
                                              (report.error_line > 0 ? " (line " + std::to_string(report.error_line) + ")" : std::string()) + ".";
            break;
    }
    return r;
}

}  // namespace ap
