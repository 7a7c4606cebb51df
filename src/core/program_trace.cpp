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

const char* thread_wait_name(ThreadWait w) {
    static const char* names[thread_wait_count] = {"request", "sleep", "lock", "condition", "event", "semaphore", "barrier", "join", "queue-get",
                                                   "queue-put", "queue-join", "future", "map", "as_completed", "wait", "idle", "shutdown", "exit"};
    return int(w) < thread_wait_count ? names[int(w)] : "?";
}

std::string thread_wait_words(ThreadWait w, const std::string& arg) {
    switch (w) {
        case ThreadWait::request: return "blocked in its request";
        case ThreadWait::sleep: return "asleep (time.sleep)";
        case ThreadWait::lock: return "waiting for a lock";
        case ThreadWait::condition: return "waiting on a Condition";
        case ThreadWait::event: return "waiting for an Event";
        case ThreadWait::semaphore: return "waiting for a Semaphore";
        case ThreadWait::barrier: return "waiting at a Barrier";
        case ThreadWait::join: return arg.empty() ? "waiting for a thread to end (join)" : "waiting for " + arg + " to end (join)";
        case ThreadWait::queue_get: return "waiting for an item of a Queue";
        case ThreadWait::queue_put: return "waiting for room in a Queue";
        case ThreadWait::queue_join: return "waiting for a Queue's items to be done";
        case ThreadWait::future: return "waiting for a Future's result";
        case ThreadWait::map: return "waiting for the results of map()";
        case ThreadWait::as_completed: return "waiting in as_completed()";
        case ThreadWait::wait: return "waiting in wait()";
        case ThreadWait::idle: return "idle (no work)";
        case ThreadWait::shutdown: return "waiting for the pool's workers to end (shutdown)";
        case ThreadWait::exit: return "waiting for its threads to end (the program's end)";
    }
    return "";
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

// A name, cut to `limit` bytes at a whole character. A name that fits is kept as it is, so that a name read
// back from a file the page wrote is the same name (whatever bytes it holds).
std::string bounded(const JsonValue& v, size_t limit = 80) {
    if (!v.is_string()) return std::string();
    if (v.text.size() <= limit) return v.text;
    std::string s = v.text.substr(0, limit);
    size_t start = s.size();  // the start of the last character's continuation bytes
    while (start > 0 && (static_cast<unsigned char>(s[start - 1]) & 0xC0) == 0x80 && s.size() - start < 3) --start;
    if (start > 0) {
        const unsigned char lead = static_cast<unsigned char>(s[start - 1]);
        const size_t need = lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 && lead < 0xF0 ? 3 : lead >= 0xC0 && lead < 0xE0 ? 2 : 1;
        if (need > 1 && s.size() - (start - 1) < need) s.resize(start - 1);  // (the cut left it incomplete)
    }
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

bool read_thread(const JsonValue& v, size_t expected, int64_t shift_us, ProgramThread* t) {
    if (!v.is_array() || v.items.size() != 7) return false;
    int64_t n = 0, parent = 0, line = 0;
    if (!whole(v.items[0], 1, int64_t(max_trace_tasks), &n) || size_t(n) != expected) return false;
    if (!whole(v.items[1], 0, n - 1, &parent) || !whole(v.items[2], 0, 1000000, &line)) return false;
    if (!time_of(v.items[3], shift_us, &t->started_us)) return false;
    if (v.items[6].kind != JsonValue::Kind::boolean) return false;
    t->parent = int(parent);
    t->line = int(line);
    t->target = bounded(v.items[4]);
    t->name = bounded(v.items[5]);
    t->daemon = v.items[6].flag;
    return true;
}

bool read_thread_step(const JsonValue& v, size_t threads, int64_t shift_us, ThreadStep* s) {
    if (!v.is_array() || v.items.size() != 7) return false;
    int64_t n = 0, line = 0;
    if (!whole(v.items[0], 0, int64_t(threads), &n) || !whole(v.items[5], 0, 1000000, &line)) return false;
    if (!time_of(v.items[1], shift_us, &s->began_us) || !time_of(v.items[2], shift_us, &s->ended_us) || s->ended_us < s->began_us) return false;
    if (!v.items[3].is_string() || !v.items[4].is_string()) return false;
    const std::string& how = v.items[3].text;
    if (how == "parked") s->end = StepEnd::parked;
    else if (how == "done") s->end = StepEnd::done;
    else if (how == "failed") s->end = StepEnd::failed;
    else return false;
    if (s->end == StepEnd::parked) {
        bool known = false;
        for (int w = 0; w < thread_wait_count; ++w)
            if (v.items[4].text == thread_wait_name(ThreadWait(w))) s->wait = ThreadWait(w), known = true;
        if (!known) return false;
    }
    s->thread = int(n);
    s->line = int(line);
    s->arg = bounded(v.items[6]);
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
    // Threads (a trace without them is one of a program with none, or of a page before them).
    if (const JsonValue* threads = v.get("threads"); threads && threads->is_array()) {
        for (const JsonValue& t : threads->items) {
            ProgramThread thread;
            if (trace.threads.size() >= max_trace_tasks || !read_thread(t, trace.threads.size() + 1, shift_us, &thread)) {
                trace.cut += int64_t(threads->items.size() - trace.threads.size());
                break;
            }
            trace.threads.push_back(std::move(thread));
        }
    }
    if (const JsonValue* steps2 = v.get("threadSteps"); steps2 && steps2->is_array()) {
        for (const JsonValue& s : steps2->items) {
            ThreadStep step;
            if (trace.thread_steps.size() < max_trace_steps && read_thread_step(s, trace.threads.size(), shift_us, &step)) trace.thread_steps.push_back(std::move(step));
            else ++trace.cut;
        }
        std::stable_sort(trace.thread_steps.begin(), trace.thread_steps.end(), [](const ThreadStep& a, const ThreadStep& b) { return a.began_us < b.began_us; });
    }
    if (const JsonValue* pools = v.get("pools"); pools && pools->is_array()) {
        for (const JsonValue& p : pools->items) {
            int64_t workers = 0, cpus = 0;
            if (trace.pools.size() < 100 && p.is_array() && p.items.size() == 3 && whole(p.items[0], 1, 1000000, &workers) &&
                p.items[1].kind == JsonValue::Kind::boolean && whole(p.items[2], 0, 1024, &cpus))
                trace.pools.push_back({int(workers), p.items[1].flag, int(cpus)});
            else
                ++trace.cut;
        }
    }
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
    w.end_array();
    if (!trace.threads.empty() || !trace.thread_steps.empty() || !trace.pools.empty()) {
        w.key("threads").begin_array();
        for (size_t i = 0; i < trace.threads.size(); ++i) {
            const ProgramThread& t = trace.threads[i];
            w.begin_array().integer(int64_t(i) + 1).integer(t.parent).integer(t.line).number(ms(t.started_us), 3).string(t.target).string(t.name);
            w.boolean(t.daemon).end_array();
        }
        w.end_array().key("threadSteps").begin_array();
        for (const ThreadStep& s : trace.thread_steps) {
            w.begin_array().integer(s.thread).number(ms(s.began_us), 3).number(ms(s.ended_us), 3).string(step_end_name(s.end));
            w.string(s.end == StepEnd::parked ? thread_wait_name(s.wait) : "").integer(s.line).string(s.arg).end_array();
        }
        w.end_array().key("pools").begin_array();
        for (const ThreadPoolMade& p : trace.pools) w.begin_array().integer(p.workers).boolean(p.by_default).integer(p.cpus).end_array();
        w.end_array();
    }
    w.key("cut").integer(trace.cut).end_object();
    return w.take();
}

std::vector<ThreadState> threads_at(const ProgramTrace& trace, int64_t t) {
    // Each thread's last step begun by t (steps are in the order they began).
    std::vector<const ThreadStep*> last(trace.threads.size() + 1, nullptr);
    for (const ThreadStep& s : trace.thread_steps) {
        if (s.began_us > t) break;
        if (s.thread >= 0 && size_t(s.thread) < last.size()) last[size_t(s.thread)] = &s;
    }
    std::vector<ThreadState> out(last.size());
    for (size_t thread = 0; thread < last.size(); ++thread) {
        ThreadState& st = out[thread];
        if (thread > 0 && t < trace.threads[thread - 1].started_us) continue;  // (unborn)
        if (!last[thread]) {
            st.at = ThreadAt::running;  // started: its first stretch is due
            st.line = thread > 0 ? trace.threads[thread - 1].line : 0;
            continue;
        }
        st.step = last[thread];
        st.line = st.step->line;
        if (t < st.step->ended_us) st.at = ThreadAt::running;
        else if (st.step->end == StepEnd::parked) st.at = ThreadAt::parked, st.wait = st.step->wait;
        else st.at = ThreadAt::done;
    }
    return out;
}

std::string thread_title(const ProgramTrace& trace, int thread) {
    if (thread == 0) return "MainThread";
    if (thread < 0 || size_t(thread) > trace.threads.size() || trace.threads[size_t(thread) - 1].name.empty()) return "thread " + std::to_string(thread);
    return trace.threads[size_t(thread) - 1].name;
}

std::string task_name(int task) { return task == 0 ? "the top level" : "task " + std::to_string(task); }

std::string task_title(const ProgramTrace& trace, int task) {
    if (task == 0) return "the program's top level";
    const std::string name = task_name(task);
    if (task < 1 || size_t(task) > trace.tasks.size() || trace.tasks[size_t(task) - 1].coroutine.empty()) return name;
    return name + " (" + trace.tasks[size_t(task) - 1].coroutine + ")";
}

}  // namespace ap
