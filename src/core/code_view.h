// code_view.h — the Python beside the waterfall, line by line: syntax colouring, and which lines a
// request can be "at" (waiting for a slot, waiting for the API, computing, sleeping before a retry).
// The programs mark those lines with a trailing "#@phase" tag; the tags are stripped from what the
// page shows and from what the tests run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "run.h"

namespace ap {

enum class Phase : uint8_t { none, queued, waiting, handling, backing_off };
inline constexpr int phase_count = 5;
const char* phase_name(Phase p);   // "queued", "waiting", ...: the tag's spelling
const char* phase_label(Phase p);  // "waiting for the API", ...: what the page says
inline uint8_t phase_bit(Phase p) { return uint8_t(1u << int(p)); }

// Where a request is at instant t: before its start it is queued (once scheduled), during an attempt it
// waits for the API (also while its answer waits for a busy loop), between attempts it backs off, and
// during its CPU work it computes.
Phase request_phase(const RequestTrace& r, int64_t t_us);

struct CodeLine {
    std::string text;    // without the tag
    uint8_t phases = 0;  // phase_bit()s of the phases this line stands for
};
// Splits a tagged program into lines, reading and removing "  #@queue,wait"-style tags.
std::vector<CodeLine> code_lines(const std::string& tagged);
std::string strip_phase_tags(const std::string& tagged);

enum class SpanKind : uint8_t { plain, keyword, builtin, string, comment, number };
struct Span {
    size_t begin, end;  // byte offsets into the line
    SpanKind kind;
};
// A small Python colourer: keywords, builtins, strings (with f-strings), comments, numbers.
std::vector<Span> python_spans(const std::string& line);

}  // namespace ap
