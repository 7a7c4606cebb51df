// Prints the model's expected wall time for a run, so tests in other languages take their claims from
// the core instead of repeating its formulas:  expected_ms <path> <n> <latency_ms> <limit>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/embedded_text.h"
#include "core/stats.h"

int main(int argc, char** argv) {
    ap::RunDesc d;
    if (argc != 5 || !ap::parse_code_path(argv[1], &d.path)) {
        std::fprintf(stderr, "usage: expected_ms <path> <n> <latency_ms> <limit>\n");
        return 2;
    }
    d.count = std::atoi(argv[2]);
    d.latency_ms = std::atoi(argv[3]);
    d.limit = std::atoi(argv[4]);
    for (const std::string& note : ap::clamp_run_desc(&d)) std::fprintf(stderr, "%s\n", note.c_str());
    std::printf("%.3f %s\n", ap::expected_wall_ms(d), ap::python_file_for(d.path));
    return 0;
}
