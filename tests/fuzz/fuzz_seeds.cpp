// Writes the fuzzers' seed inputs and dictionaries from the project's own files: the built-in lessons,
// run files of every lesson's code paths (simulated, some cancelled part-way), every lesson's permalink with
// the page's view keys, and the links the issue tracker saw misread.
//
//   fuzz_seeds <folder>   ->  <folder>/{runfile,lessons,url,progress}/seed-N and <folder>/{...}.dict
#include <filesystem>
#include <fstream>
#include <set>

#include "app/app.h"
#include "app/links.h"
#include "core/embedded_text.h"
#include "core/fields.h"
#include "core/lessons.h"
#include "core/progress.h"
#include "core/export.h"
#include "core/har.h"
#include "core/runfile.h"
#include "core/virtual_transport.h"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
}

struct Target {
    fs::path dir;
    std::set<std::string> words;
    int count = 0;
    void seed(const std::string& text) { write(dir / ("seed-" + std::to_string(count++)), text); }
    void dict(const fs::path& file) const {
        std::string out;
        for (const std::string& w : words) {
            out += '"';
            for (unsigned char c : w) {
                char buf[8];
                if (c == '"' || c == '\\' || c < 32 || c > 126) std::snprintf(buf, sizeof buf, "\\x%02X", c), out += buf;
                else out += char(c);
            }
            out += "\"\n";
        }
        write(file, out);
    }
};

// Every "key" of a JSON text, as a dictionary word with its quotes.
void json_keys(const std::string& text, std::set<std::string>* words) {
    for (size_t at = text.find('"'); at != std::string::npos; at = text.find('"', at + 1)) {
        const size_t end = text.find('"', at + 1);
        if (end == std::string::npos) break;
        if (end + 1 < text.size() && text[end + 1] == ':') words->insert(text.substr(at, end - at + 1) + ":");
        at = end;
    }
}

std::string run_file(ap::RunDesc d, int64_t cancel_at_us = -1) {
    ap::VirtualTransport t;
    ap::Scheduler s(&t);
    s.begin(d, 0);
    if (cancel_at_us < 0) {
        ap::run_virtual(&s, &t, 0);
    } else {
        ap::run_virtual_until(&s, &t, cancel_at_us);
        s.cancel(cancel_at_us);
    }
    return ap::run_to_file(s.run(), cancel_at_us < 0 ? 500 : -1);
}

// A scheduler running a learner's program on the simulated API, at time 0.
struct ProgramScheduler {
    ap::VirtualTransport t;
    ap::Scheduler s{&t};
    std::string why;
    ProgramScheduler() {
        ap::RunDesc d;
        d.kind = ap::RunKind::program;
        d.api = ap::Api::simulated;
        s.begin(d, 0);
    }
};

// A learner's program's run: three requests (one timed out, one never awaited), its text and output.
std::string program_run_file() {
    ProgramScheduler p;
    ap::VirtualTransport& t = p.t;
    ap::Scheduler& s = p.s;
    std::string& why = p.why;
    ap::ProgramCall c;
    c.line = 7, c.task = "Task-2";
    s.program_request("http://127.0.0.1:8000/inpage/api/delay/100?i=0", c, 0, &why);
    c.timeout_ms = 50, c.blocking = true, c.queued_ms = 3;
    s.program_request("http://127.0.0.1:8000/inpage/api/delay/300?i=1&status=503", c, 1000, &why);
    s.program_request("http://127.0.0.1:8000/inpage/api/delay/900", ap::ProgramCall{}, 2000, &why);
    ap::run_virtual_until(&s, &t, 200000);
    s.program_end(250000, ap::ProgramReport{"import asyncio\nprint(\"hi\")\n", "hi\n", "ValueError: x", "  line 2\n", 2, false});
    return ap::run_to_file(s.run());
}

// A program of threads: two workers of a pool, the main thread in map(), with the trace the worker writes.
std::string thread_run_file() {
    ProgramScheduler p;
    ap::VirtualTransport& t = p.t;
    ap::Scheduler& s = p.s;
    std::string& why = p.why;
    for (int i = 0; i < 2; ++i) {
        ap::ProgramCall c;
        c.line = 6, c.blocking = true, c.thread = "ThreadPoolExecutor-0_" + std::to_string(i), c.thread_id = i + 1;
        s.program_request("http://127.0.0.1:8000/inpage/api/delay/100?i=" + std::to_string(i), c, 2000 + 1000 * i, &why);
    }
    ap::run_virtual_until(&s, &t, 150000);
    ap::ProgramTrace trace;
    ap::read_program_trace(R"JSON({"tasks": [], "steps": [[0, 0, 140, "done", "", 0, 0]],
        "threads": [[1, 0, 0, 1, "_worker", "ThreadPoolExecutor-0_0", false], [2, 0, 0, 1.5, "_worker", "ThreadPoolExecutor-0_1", false]],
        "threadSteps": [[0, 0, 1, "parked", "map", 9, ""], [1, 1, 2, "parked", "request", 6, ""], [2, 2, 3, "parked", "request", 6, ""],
                        [1, 103, 104, "parked", "idle", 0, ""], [0, 120, 130, "parked", "join", 9, "Thread-1 (x)"], [1, 131, 132, "done", "", 0, ""],
                        [2, 133, 134, "failed", "", 0, ""], [0, 135, 140, "done", "", 0, ""]],
        "pools": [[6, true, 2]], "cut": 0})JSON", 0, &trace, &why);
    s.program_end(150000, ap::ProgramReport{"import threading\n", "", "", "", 0, false}, std::move(trace));
    return ap::run_to_file(s.run());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_seeds <folder>\n");
        return 2;
    }
    const fs::path root = argv[1];
    Target runfile{root / "runfile"}, lessons{root / "lessons"}, url{root / "url"}, progress{root / "progress"};
    for (Target* t : {&runfile, &lessons, &url, &progress}) fs::create_directories(t->dir);

    const std::string builtin = ap::find_embedded_text("lessons.txt");
    const ap::LessonFile file = ap::parse_lessons(builtin, "lessons.txt");
    lessons.seed(builtin);
    lessons.seed(ap::lessons_to_text(file.lessons));
    lessons.seed("lesson: braces\ntitle: Braces {}\npaths: concurrent\npreset: n=3 fail=20 spread=slow_tail\ntext: "
                 "f\"{{BASE}}/x\" {n} {latency} {slow} {fails} {expected} {}\n\n  lesson: indented\n");
    lessons.seed("lesson: own\ntitle: Its own program\npreset: n=4\nprogram:\n\n    import asyncio\n\n\tprint(1)\n      \n    x = 1  \n"
                 "paths: concurrent\ntext:\nRun it.\n");
    for (const char* w : {"lesson: ", "title: ", "paths: ", "preset: ", "view: loop", "settings: ", "text:", "program:\n", "starter:\n", "solution:\n", "check: ", "hint: ", "in_flight >= ", "wall < 2 * latency", "output contains \"", "\n    ", "\n\t", "{n}", "{latency}", "{slow}",
                          "{fails}", "{expected}", "{{", "}}", "\n\n", "# "})
        lessons.words.insert(w);

    ap::App app;
    ap::app_init(app, nullptr);
    for (size_t i = 0; i < file.lessons.size(); ++i) {
        const ap::Lesson& l = file.lessons[i];
        lessons.seed(ap::lessons_to_text({l}));
        for (ap::CodePath p : l.paths) {
            ap::RunDesc d = l.preset;
            d.path = p;
            d.api = ap::Api::simulated;
            d.count = std::min(d.count, 12);
            runfile.seed(run_file(d));
            if (p == l.paths.front()) runfile.seed(run_file(d, int64_t(d.latency_ms) * 500));
        }
        ap::lessons_select(app, int(i), 0);
        app.desc.count += 1;
        url.seed(ap::app_permalink_query(app));
    }
    runfile.seed(program_run_file());
    runfile.seed(thread_run_file());
    // HARs, which Load run also takes: the page's own of a code path and of a program, one as DevTools writes
    // it (a stalled request, a redirect, an aborted one), and a recorded run's run file.
    {
        ap::Run r;
        double g = -1;
        std::string why;
        for (const std::string& file : {run_file([] { ap::RunDesc d; d.api = ap::Api::simulated; d.path = ap::CodePath::bounded; d.count = 8; d.limit = 3; return d; }()),
                                        program_run_file()}) {
            if (ap::run_from_file(file, &r, &g, &why)) runfile.seed(ap::run_to_har(r, {1764921600000.0, "seed"}));
        }
        const std::string devtools = R"HAR({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
  "pages": [{"startedDateTime": "2026-12-05T07:40:00.000Z", "id": "page_1", "title": "http://127.0.0.1:8000/", "pageTimings": {"onContentLoad": -1, "onLoad": -1}}],
  "entries": [
    {"startedDateTime": "2026-12-05T07:40:00.010Z", "time": 120.5, "request": {"method": "GET", "url": "http://127.0.0.1:8000/api/delay/100?i=0", "httpVersion": "http/1.1", "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
     "response": {"status": 200, "statusText": "OK", "httpVersion": "http/1.1", "headers": [], "cookies": [], "content": {"size": 42, "mimeType": "application/json"}, "redirectURL": "", "headersSize": -1, "bodySize": 42},
     "cache": {}, "timings": {"blocked": 0.8, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1, "wait": 118.2, "receive": 1.4}, "_priority": "High"},
    {"startedDateTime": "2026-12-05T07:40:00.012+01:00", "time": 305, "request": {"method": "POST", "url": "http://127.0.0.1:8000/old", "httpVersion": "http/1.1", "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
     "response": {"status": 301, "statusText": "", "httpVersion": "http/1.1", "headers": [], "cookies": [], "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "/new", "headersSize": -1, "bodySize": -1},
     "cache": {}, "timings": {"blocked": 200.25, "dns": 1, "ssl": -1, "connect": 2, "send": 0, "wait": 100, "receive": 0}},
    {"startedDateTime": "2026-12-05T06:40:00.500Z", "time": 0, "request": {"method": "GET", "url": "http://127.0.0.1:8000/gone", "httpVersion": "", "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
     "response": {"status": 0, "statusText": "", "httpVersion": "", "headers": [], "cookies": [], "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1, "bodySize": -1, "_error": "net::ERR_ABORTED"},
     "cache": {}, "timings": {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0}, "_error": "net::ERR_ABORTED"}]}})HAR";
        runfile.seed(devtools);
        json_keys(devtools, &runfile.words);
        if (ap::run_from_har(devtools, "devtools.har", &r, &why)) runfile.seed(ap::run_to_file(r));
        for (const char* w : {"\"recorded\"", "\"h2\"", "\"net::ERR_ABORTED\"", "+01:00", "Z\""}) runfile.words.insert(w);
    }
    url.seed("lesson=limits&n=12&embed=1&theme=light&lock=lesson,path,n&predict=1&step=3&origin=http%3A%2F%2Flocalhost%3A1");
    for (const char* q : {"n=5%20latency=9999%20api=server", "n=%2B5", "n=5%00", "n=10001", "predict=yes", "lessons=index.html",
                          "lesson=3&lesson=the-mistake", "n=1e3", "path=paralel&api=nowhere&spread=slow_tail"})
        url.seed(q);
    for (const ap::RunField& f : ap::run_fields()) {
        url.words.insert(std::string(f.url_key) + "=");
        lessons.words.insert(std::string(f.url_key) + "=");
        for (int v = f.min; f.kind == ap::FieldKind::choice && v <= f.max; ++v) {
            url.words.insert(f.choice_name(v));
            lessons.words.insert(f.choice_name(v));
            runfile.words.insert(std::string("\"") + f.choice_name(v) + "\"");
        }
    }
    for (const char* w : {"lesson=", "lessons=", "origin=", "embed=1", "theme=", "lock=", "predict=1", "step=", "&", "%", "+", "light", "dark"})
        url.words.insert(w);
    for (int o = 0; o <= int(ap::Outcome::cancelled); ++o) runfile.words.insert(std::string("\"") + ap::outcome_name(ap::Outcome(o)) + "\"");
    for (int i = 0; i < runfile.count; ++i) {
        std::ifstream in(runfile.dir / ("seed-" + std::to_string(i)), std::ios::binary);
        json_keys(std::string(std::istreambuf_iterator<char>(in), {}), &runfile.words);
    }
    // Progress as the page keeps and saves it: every status, checks, a passing run with its program, and
    // the form earlier versions kept.
    ap::Progress p;
    p.lesson = "limits";
    ap::progress_ran(p, "one-call-at-a-time");
    ap::progress_judged(p, "limits", {{"requests == 30", true, "30 requests"}, {"in_flight <= 5", false, "at most 30 in flight at once"}}, false, {});
    ap::progress_judged(p, "the-mistake", {{"wall < 2 * latency", true, "it took 327 ms"}}, true,
                        {"2026-12-05T07:40:00.000Z", 327.4, 10, "import asyncio\nprint(\"\u00e9\")\n"});
    ap::progress_passed(p, "odd,\"id", {"2026-12-05T07:41:00.000Z", 12, 3, ""});
    progress.seed(ap::progress_to_json(p));
    progress.seed("{\"lesson\":\"limits\",\"done\":[\"limits\",\"the-mistake\"]}");
    progress.seed(ap::progress_to_json(ap::Progress{}));
    json_keys(ap::progress_to_json(p), &progress.words);
    for (const char* w : {"\"not tried\"", "\"ran\"", "\"passed\"", "null", "true", "false", "\"done\":"}) progress.words.insert(w);
    progress.dict(root / "progress.dict");
    runfile.dict(root / "runfile.dict");
    lessons.dict(root / "lessons.dict");
    url.dict(root / "url.dict");
    std::printf("fuzz seeds: %d run files, %d lesson files, %d links, %d progress files in %s\n", runfile.count, lessons.count, url.count, progress.count, root.c_str());
    return 0;
}
