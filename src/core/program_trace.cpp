#include "program_trace.h"

#include <algorithm>
#include <cmath>

#include "json.h"

namespace ap {

const char* task_wait_name(TaskWait w) {
    switch (w) {
        case TaskWait::ready: return "ready";
        case TaskWait::request: return "request";
        case TaskWait::connection: return "connection";
        case TaskWait::semaphore: return "semaphore";
        case TaskWait::lock: return "lock";
        case TaskWait::event: return "event";
        case TaskWait::sleep: return "sleep";
        case TaskWait::task: return "task";
        case TaskWait::gather: return "gather";
        case TaskWait::future: return "future";
        case TaskWait::loop: return "loop";
    }
    return "?";
}

static const char* step_end_name(StepEnd e) {
    switch (e) {
        case StepEnd::parked: return "parked";
        case StepEnd::done: return "done";
        case StepEnd::failed: return "failed";
        case StepEnd::cancelled: return "cancelled";
    }
    return "?";
}

namespace {

constexpr double max_ms = 1e12;  // (about 30 years: any clock a page has)

bool whole(const JsonValue& v, int64_t lo, int64_t hi, int64_t* out) {
    if (!v.is_number() || !std::isfinite(v.number) || v.number != std::floor(v.number) || v.number < double(lo) || v.number > double(hi)) return false;
    *out = int64_t(v.number);
    return true;
}

bool time_of(const JsonValue& v, int64_t shift_us, int64_t* out) {
    if (!v.is_number() || !std::isfinite(v.number) || std::fabs(v.number) > max_ms) return false;
    *out = int64_t(std::llround(v.number * 1000.0)) + shift_us;
    return true;
}

std::string bounded(const JsonValue& v, size_t limit = 80) {
    if (!v.is_string()) return std::string();
    std::string s = v.text.substr(0, limit);
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();  // (a whole character)
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
    return s;
}

bool read_task(const JsonValue& v, size_t expected, int64_t shift_us, ProgramTask* t) {
    if (!v.is_array() || v.items.size() != 6) return false;
    int64_t n = 0, parent = 0, line = 0;
    if (!whole(v.items[0], 1, int64_t(max_trace_tasks), &n) || size_t(n) != expected) return false;
    if (!whole(v.items[1], 0, n - 1, &parent) || !whole(v.items[2], 0, 1000000, &line)) return false;
    if (!time_of(v.items[3], shift_us, &t->created_us)) return false;
    t->parent = int(parent);
    t->line = int(line);
    t->coroutine = bounded(v.items[4]);
    t->name = bounded(v.items[5]);
    return true;
}

bool read_step(const JsonValue& v, size_t tasks, int64_t shift_us, TaskStep* s) {
    if (!v.is_array() || v.items.size() != 7) return false;
    int64_t n = 0, line = 0, arg = 0;
    if (!whole(v.items[0], 0, int64_t(tasks), &n) || !whole(v.items[5], 0, 1000000, &line)) return false;
    if (!whole(v.items[6], -1, 1000000000, &arg)) return false;
    if (!time_of(v.items[1], shift_us, &s->began_us) || !time_of(v.items[2], shift_us, &s->ended_us) || s->ended_us < s->began_us) return false;
    if (!v.items[3].is_string() || !v.items[4].is_string()) return false;
    const std::string& how = v.items[3].text;
    bool known = false;
    for (StepEnd e : {StepEnd::parked, StepEnd::done, StepEnd::failed, StepEnd::cancelled})
        if (how == step_end_name(e)) s->end = e, known = true;
    if (!known) return false;
    if (s->end == StepEnd::parked) {
        known = false;
        for (int w = 0; w < task_wait_count; ++w)
            if (v.items[4].text == task_wait_name(TaskWait(w))) s->wait = TaskWait(w), known = true;
        if (!known) return false;
    } else if (s->end == StepEnd::failed) {
        s->error = bounded(v.items[4]);
    }
    s->task = int(n);
    s->line = int(line);
    s->arg = int(arg);
    return true;
}

}  // namespace

bool read_program_trace(const std::string& text, int64_t shift_us, ProgramTrace* out, std::string* why) {
    if (text.size() > max_trace_bytes) {
        if (why) *why = "the trace is over 4 MB";
        return false;
    }
    JsonValue v;
    std::string error;
    JsonLimits limits;
    limits.max_bytes = max_trace_bytes;
    limits.max_depth = 4;
    if (!parse_json(text, &v, &error, limits)) {
        if (why) *why = "the trace is damaged: " + error;
        return false;
    }
    return read_program_trace(v, shift_us, out, why);
}

bool read_program_trace(const JsonValue& v, int64_t shift_us, ProgramTrace* out, std::string* why) {
    ProgramTrace trace;
    if (!v.is_object()) {
        if (why) *why = "the trace is not an object";
        return false;
    }
    const JsonValue* tasks = v.get("tasks");
    const JsonValue* steps = v.get("steps");
    if (!tasks || !tasks->is_array() || !steps || !steps->is_array()) {
        if (why) *why = "the trace has no tasks and steps";
        return false;
    }
    if (const JsonValue* cut = v.get("cut"); cut) whole(*cut, 0, int64_t(1) << 40, &trace.cut);
    for (const JsonValue& t : tasks->items) {
        ProgramTask task;
        // (Tasks are numbered in order: past the first that is not, none can be.)
        if (trace.tasks.size() >= max_trace_tasks || !read_task(t, trace.tasks.size() + 1, shift_us, &task)) {
            trace.cut += int64_t(tasks->items.size() - trace.tasks.size());
            break;
        }
        trace.tasks.push_back(std::move(task));
    }
    for (const JsonValue& s : steps->items) {
        TaskStep step;
        if (trace.steps.size() < max_trace_steps && read_step(s, trace.tasks.size(), shift_us, &step)) trace.steps.push_back(std::move(step));
        else ++trace.cut;
    }
    std::stable_sort(trace.steps.begin(), trace.steps.end(), [](const TaskStep& a, const TaskStep& b) { return a.began_us < b.began_us; });
    *out = std::move(trace);
    return true;
}

std::string program_trace_json(const ProgramTrace& trace, int64_t origin_us) {
    const auto ms = [&](int64_t us) { return double(us - origin_us) / 1000.0; };
    JsonWriter w;
    w.begin_object().key("tasks").begin_array();
    for (size_t i = 0; i < trace.tasks.size(); ++i) {
        const ProgramTask& t = trace.tasks[i];
        w.begin_array().integer(int64_t(i) + 1).integer(t.parent).integer(t.line).number(ms(t.created_us), 3).string(t.coroutine).string(t.name).end_array();
    }
    w.end_array().key("steps").begin_array();
    for (const TaskStep& s : trace.steps) {
        const char* wait = s.end == StepEnd::parked ? task_wait_name(s.wait) : "";
        w.begin_array().integer(s.task).number(ms(s.began_us), 3).number(ms(s.ended_us), 3).string(step_end_name(s.end));
        w.string(s.end == StepEnd::failed ? std::string_view(s.error) : std::string_view(wait)).integer(s.line).integer(s.arg).end_array();
    }
    w.end_array().key("cut").integer(trace.cut).end_object();
    return w.take();
}

std::string task_name(int task) { return task == 0 ? "the top level" : "task " + std::to_string(task); }

std::string task_title(const ProgramTrace& trace, int task) {
    if (task == 0) return "the program's top level";
    const std::string name = task_name(task);
    if (task < 1 || size_t(task) > trace.tasks.size() || trace.tasks[size_t(task) - 1].coroutine.empty()) return name;
    return name + " (" + trace.tasks[size_t(task) - 1].coroutine + ")";
}

}  // namespace ap
