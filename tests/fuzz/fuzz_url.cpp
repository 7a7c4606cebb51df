// The page's URL state against any query: applied, it leaves the page in a state whose permalink applies
// without a single note and gives the same state and the same permalink (links survive being shared).
#include "app/app.h"
#include "app/links.h"
#include "core/fields.h"
#include "fuzz_check.h"

namespace {

// Stands in for the browser's fetch: no request is made here, but the page has a network, as in a browser
// (without one every run would be simulated, whatever the link says).
struct NoNetwork : ap::Transport {
    void start(ap::RequestId, const ap::RequestSpec&, int64_t) override {}
    void abort(ap::RequestId, int64_t) override {}
};

// The page as it starts, with a teacher's lesson file added (as ?lessons= does), built once.
const ap::App& fresh_page() {
    static NoNetwork network;
    static ap::App* app = [] {
        auto* a = new ap::App;
        ap::app_init(*a, &network);
        ap::lessons_add_file(*a, "lesson: teachers-own\ntitle: A teacher's\npaths: bounded concurrent\npreset: n=30 limit=3\n"
                                 "view: loop\ntext:\nWaves of {n}.\n", "extra.txt");
        return a;
    }();
    return *app;
}

struct State {
    int lesson;
    std::vector<int> fields;
    bool embed, predict;
    int theme;
    uint32_t locks;
    bool operator==(const State&) const = default;
};

State state_of(const ap::App& app) {
    State s{app.lessons.index, {}, app.view.embed, app.predict.on, int(app.view.theme), app.view.locks};
    for (const ap::RunField& f : ap::run_fields()) s.fields.push_back(f.get(app.desc));
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 8192) return 0;  // the page refuses longer queries before they reach the wasm (web/links.js, MAX_QUERY)
    const std::string query = fuzz_text(data, size);
    ap::App first = fresh_page();
    ap::app_apply_url(first, query, 0);
    for (const std::string& n : first.input_notes) FUZZ_CHECK(n.size() < 20000, "a note of %zu bytes", n.size());
    const std::string link = ap::app_permalink_query(first);
    FUZZ_CHECK(!link.empty(), "every state has a link");
    ap::App second = fresh_page();
    ap::app_apply_url(second, link, 0);
    FUZZ_CHECK(second.input_notes.empty(), "the page's own link applies without a note: %s\n  link: %s", second.input_notes.front().c_str(),
               link.c_str());
    FUZZ_CHECK(state_of(second) == state_of(first), "the link gives the same state\n  link: %s", link.c_str());
    FUZZ_CHECK(ap::app_permalink_query(second) == link, "and the same link\n  link: %s", link.c_str());
    return 0;
}
