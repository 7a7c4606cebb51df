// embedded_text.h — text files compiled into the program (the Python each code path shows), generated
// at build time from src/lessons/ by cmake/embed_text.cmake; plus the rendering of a snippet with the
// learner's current numbers.
#pragma once
#include <string>
#include <vector>

#include "run.h"

namespace ap {

struct EmbeddedText {
    const char* name;  // file name, e.g. "requests_loop.py"
    const char* text;
};
extern const EmbeddedText embedded_texts[];
extern const int embedded_text_count;

// The file's text, or nullptr when there is no such file.
const char* find_embedded_text(const std::string& name);

// The file of the Python program a code path mirrors: "requests_loop.py", "gather.py", "semaphore.py".
const char* python_file_for(CodePath path);
// That program's text, or an explanation when it is missing.
std::string python_for(CodePath path);

// The program with its top-level settings (N = ..., DELAY_MS = ..., LIMIT = ..., CPU_MS = ..., and the
// rest) set to the run's numbers, so the code beside the waterfall is the code that would produce it.
// base, when given, replaces BASE (the dev server's address) too. Trailing comments are kept.
std::string render_snippet(const std::string& text, const RunDesc& desc, const std::string& base = "");

// The same, keeping the "#@phase" tags that mark where a request can be (see code_view.h).
std::string render_tagged_snippet(const std::string& text, const RunDesc& desc, const std::string& base = "");

// The settings this program has no constant for, one line each: a run of it leaves them out (see
// effective_desc), and the page says so beside the code.
std::vector<std::string> snippet_gaps(const std::string& text, const RunDesc& desc);

}  // namespace ap
