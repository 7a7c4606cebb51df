// The lesson-file parser against any text: it keeps only sound lessons (an id that is not a number and not
// taken twice, a title, paths or a program, a preset in range) and explains the rest; the lessons it keeps write back as
// a file that reads to the same lessons.
#include <algorithm>

#include "core/fields.h"
#include "core/lessons.h"
#include "fuzz_check.h"

static bool same_lessons(const std::vector<ap::Lesson>& a, const std::vector<ap::Lesson>& b, std::string* why) {
    if (a.size() != b.size()) return *why = "lesson count", false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].id != b[i].id) return *why = "id of " + a[i].id, false;
        if (a[i].title != b[i].title) return *why = "title of " + a[i].id, false;
        if (a[i].paths != b[i].paths) return *why = "paths of " + a[i].id, false;
        if (a[i].paragraphs != b[i].paragraphs) return *why = "text of " + a[i].id, false;
        if (a[i].loop_view != b[i].loop_view) return *why = "view of " + a[i].id, false;
        if (a[i].settings != b[i].settings) return *why = "settings of " + a[i].id, false;
        if (a[i].script != b[i].script) return *why = "program of " + a[i].id, false;
        for (const ap::RunField& f : ap::run_fields())
            if (f.get(a[i].preset) != f.get(b[i].preset)) return *why = std::string(f.url_key) + " of " + a[i].id, false;
    }
    return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const ap::LessonFile file = ap::parse_lessons(fuzz_text(data, size), "f.txt");
    for (const std::string& e : file.errors) FUZZ_CHECK(e.rfind("f.txt:", 0) == 0, "an error names its file and line: %s", e.c_str());
    for (size_t i = 0; i < file.lessons.size(); ++i) {
        const ap::Lesson& l = file.lessons[i];
        FUZZ_CHECK(!l.id.empty() && l.id.size() <= 200, "id of %zu bytes", l.id.size());
        FUZZ_CHECK(l.id.find_first_not_of("0123456789") != std::string::npos, "numeric id %s", l.id.c_str());
        for (size_t j = 0; j < i; ++j) FUZZ_CHECK(file.lessons[j].id != l.id, "id %s twice", l.id.c_str());
        FUZZ_CHECK(!l.title.empty() && (!l.paths.empty() || !l.script.empty()), "lesson %s", l.id.c_str());
        FUZZ_CHECK(l.paths.empty() || l.preset.path == l.paths.front(), "lesson %s starts on its first path", l.id.c_str());
        FUZZ_CHECK(l.script.size() <= ap::max_lesson_script_bytes, "program of %zu bytes", l.script.size());
        FUZZ_CHECK(l.script.empty() || (l.script.back() == '\n' && l.script[0] != '\n' && l.script.find("\n\n", l.script.size() - 2) == std::string::npos),
                   "program of %s: no blank lines around it", l.id.c_str());
        ap::RunDesc clamped = l.preset;
        const std::vector<std::string> notes = ap::clamp_run_desc(&clamped);
        FUZZ_CHECK(notes.empty(), "preset of %s out of range: %s", l.id.c_str(), notes.front().c_str());
    }
    const std::string written = ap::lessons_to_text(file.lessons);
    const ap::LessonFile again = ap::parse_lessons(written, "g.txt");
    FUZZ_CHECK(again.errors.empty(), "written lessons read back: %s\n%s", again.errors.front().c_str(), written.c_str());
    std::string why;
    FUZZ_CHECK(same_lessons(file.lessons, again.lessons, &why), "written and read back, the same lessons: %s differs\n%s", why.c_str(),
               written.c_str());
    FUZZ_CHECK(ap::lessons_to_text(again.lessons) == written, "written twice, the same file");
    return 0;
}
