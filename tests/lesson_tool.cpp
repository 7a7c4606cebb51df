// The lessons, for tests written in other languages: they take their cases, claims and programs from
// the core instead of repeating them.
//   lesson_tool cases            one line per lesson and code path: <lesson> <path> <expected_ms> <file>
//   lesson_tool render L P BASE  the program the page shows for lesson L's path P, aimed at BASE
// The presets are scaled down for a quick test (N at most 6, latencies at least 1 s, so that Python's
// own start-up of a client stays well inside the 15% the test allows).
#include <algorithm>
#include <cstdio>
#include <string>

#include "core/embedded_text.h"
#include "core/lessons.h"

static ap::RunDesc scaled(const ap::Lesson& l, ap::CodePath p) {
    ap::RunDesc d = l.preset;
    d.path = p;
    d.api = ap::Api::server;
    // A slow tail needs its slow call inside the scaled N.
    d.count = std::min(d.count, d.spread == ap::Spread::slow_tail ? d.slow_every : 6);
    d.latency_ms = std::max(d.latency_ms, 1000);
    return d;
}

int main(int argc, char** argv) {
    const ap::LessonFile file = ap::parse_lessons(ap::find_embedded_text("lessons.txt"), "lessons.txt");
    if (!file.errors.empty()) {
        std::fprintf(stderr, "%s\n", file.errors.front().c_str());
        return 1;
    }
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "cases" && argc == 2) {
        for (const ap::Lesson& l : file.lessons) {
            for (ap::CodePath p : l.paths) {
                const ap::RunDesc d = scaled(l, p);
                std::printf("%s %s %.3f %s\n", l.id.c_str(), ap::code_path_name(p), ap::model_wall_ms(d), ap::python_file_for(p));
            }
        }
        return 0;
    }
    if (cmd == "render" && argc == 5) {
        for (const ap::Lesson& l : file.lessons) {
            ap::CodePath p;
            if (l.id != argv[2] || !ap::parse_code_path(argv[3], &p)) continue;
            std::fputs(ap::render_snippet(ap::python_for(p), scaled(l, p), argv[4]).c_str(), stdout);
            return 0;
        }
        std::fprintf(stderr, "no lesson %s with path %s\n", argv[2], argv[3]);
        return 1;
    }
    std::fprintf(stderr, "usage: lesson_tool cases | lesson_tool render <lesson> <path> <base>\n");
    return 2;
}
