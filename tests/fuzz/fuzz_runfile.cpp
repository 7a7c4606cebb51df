// The run-file reader (and the HAR reader: Load run takes both) against any bytes: it refuses or reads,
// never crashes, and what it reads writes back as a file it reads again to the same file (one trip reaches
// a fixed point). A HAR it reads also writes as a HAR (Save as HAR) that reads back to the same run file.
#include "core/export.h"
#include "core/har.h"
#include "core/runfile.h"
#include "core/stats.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text = fuzz_text(data, size);
    ap::Run run;
    double guess = -1;
    std::string error;
    const bool har = ap::looks_like_har(text);
    if (har ? !ap::run_from_har(text, "fuzz.har", &run, &error) : !ap::run_from_file(text, &run, &guess, &error)) {
        FUZZ_CHECK(!error.empty(), "a refusal says why");
        FUZZ_CHECK(error.size() < 2000, "a refusal is a sentence, got %zu bytes", error.size());
        return 0;
    }
    ap::compute_stats(run);
    ap::run_file_inconsistencies(run);
    if (run.recorded) (void)ap::recorded_notes(run);
    const std::string written = ap::run_to_file(run, guess);
    FUZZ_CHECK(!written.empty(), "a run read from a file writes back");
    ap::Run again;
    double guess_again = -1;
    FUZZ_CHECK(ap::run_from_file(written, &again, &guess_again, &error), "what the page writes it reads: %s", error.c_str());
    FUZZ_CHECK(again.requests.size() == run.requests.size(), "%zu requests, then %zu", run.requests.size(), again.requests.size());
    const std::string rewritten = ap::run_to_file(again, guess_again);
    FUZZ_CHECK(rewritten == written, "written twice, the same file (%zu then %zu bytes)", written.size(), rewritten.size());
    if (har) {
        ap::Run back;
        const std::string saved = ap::run_to_har(run, {0, "fuzz"});
        FUZZ_CHECK(ap::run_from_har(saved, "fuzz.har", &back, &error), "the page's own HAR of it reads: %s", error.c_str());
        FUZZ_CHECK(back.requests.size() == run.requests.size(), "%zu requests, then %zu", run.requests.size(), back.requests.size());
    }
    return 0;
}
