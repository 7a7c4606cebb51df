// The progress reader against any text (a progress file is loaded from anywhere): it reads it or says why,
// never crashes; what it reads is within its bounds, writes back as JSON that reads the same, saves as CSV,
// and joining it into itself changes nothing.
#include "core/progress.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text = fuzz_text(data, size);
    ap::Progress p;
    std::string error;
    if (!ap::progress_from_json(text, &p, &error)) {
        FUZZ_CHECK(!error.empty() && error.size() < 2000, "a refusal says why in a sentence (%zu bytes)", error.size());
        return 0;
    }
    FUZZ_CHECK(p.lessons.size() <= ap::max_progress_lessons, "%zu lessons", p.lessons.size());
    for (const ap::LessonRecord& r : p.lessons) {
        FUZZ_CHECK(!r.lesson.empty() && r.lesson.size() <= ap::max_lesson_id_bytes, "an id of %zu bytes", r.lesson.size());
        FUZZ_CHECK(r.checks.size() <= ap::max_progress_checks, "%zu checks", r.checks.size());
        for (const ap::CheckRecord& c : r.checks) FUZZ_CHECK(c.text.size() <= ap::max_progress_text && c.measured.size() <= ap::max_progress_text, "a long check");
        FUZZ_CHECK(r.passing.program.size() <= ap::max_progress_program, "a program of %zu bytes", r.passing.program.size());
    }
    const std::string json = ap::progress_to_json(p);
    ap::Progress back;
    FUZZ_CHECK(ap::progress_from_json(json, &back, &error), "its own JSON reads back: %s\n  %s", error.c_str(), json.c_str());
    FUZZ_CHECK(ap::progress_to_json(back) == json, "and the same\n  %s", json.c_str());
    (void)ap::progress_to_csv(p, {});
    FUZZ_CHECK(ap::progress_merge(back, p).empty(), "joined into itself, nothing moves on");
    return 0;
}
