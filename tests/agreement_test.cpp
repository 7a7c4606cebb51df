// One truth: for every code path through every API, each place the page states a run's expectation
// states the same number (the claim, the totals, the history, the notes, the verdict, the scaling chart,
// the JS result and its sentence); a simulated run takes exactly what the model says; a run file that
// contradicts itself is caught. The App is driven without a browser: a virtual transport with a browser's
// measured costs stands in for the network.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "app/app.h"
#include "core/analysis.h"
#include "core/json.h"
#include "core/runfile.h"
#include "fixtures.h"

using namespace ap;
using namespace ap::test;

namespace {

// The app with both real APIs "up", answered by a virtual transport that plays a browser's costs.
struct Page {
    VirtualTransport network;
    App app;
    std::string last_json;
    Page(const ApiCost& inpage, const ApiCost& server) {
        app_init(app, &network);
        ApiStatus s;
        s.inpage_ready = s.server_ready = true;
        s.inpage_base = "http://127.0.0.1:9/inpage";
        s.server_base = "http://127.0.0.1:9";
        s.inpage_cost = inpage;
        s.server_cost = server;
        controls_set_apis(app, s);
        app.hooks.on_run_ended = [this](uint32_t, const std::string& json) { last_json = json; };
    }
    // Runs desc to its end; answers come from `network` (with the run's API's costs), the clock jumps from
    // event to event as a browser's would.
    const HistoryEntry& run(const RunDesc& desc) {
        const RunDesc before = app.desc;
        app.desc = desc;
        network.cost = api_cost(app, desc);
        network.max_in_flight = wire_cap_for(desc);  // the browser's 6 connections per host
        int64_t now = 1000 * ms;
        app_start_run(app, desc, now);
        for (int guard = 0; app.scheduler.running() && guard < 100000; ++guard) {
            const int64_t next = earliest_us(network.next_due_us(), earliest_us(app.scheduler.next_deadline_us(), app.simulated.next_due_us()));
            if (next < 0) break;
            now = std::max(now, next);
            network.deliver_due(&app.scheduler, now);
            app_tick(app, now);
        }
        app.desc = before;
        EXPECT_FALSE(app.scheduler.running());
        return app.history.entries().back();
    }
};

double json_number_of(const std::string& json, const char* key) {
    JsonValue v;
    std::string error;
    EXPECT_TRUE(parse_json(json, &v, &error)) << error;
    const JsonValue* x = v.get(key);
    return x && x->is_number() ? x->number : NAN;
}

}  // namespace

TEST(Agreement, EveryPlaceStatesTheSameExpectationForEveryPathAndApi) {
    const ApiCost inpage{1.5, 0.8}, server{2.0, 0.5};
    for (Api api : {Api::page, Api::server, Api::simulated}) {
        for (int p = 0; p < code_path_count; ++p) {
            Page page(inpage, server);
            RunDesc d = desc_of(CodePath(p), 30, 300, 4);
            d.api = api;
            if (CodePath(p) == CodePath::retry_backoff) {  // retries through every API, the dev server's included
                d.spread = Spread::slow_tail;
                d.slow_every = 10;
                d.slow_ms = 2000;
                d.timeout_ms = 1000;
                d.retries = 2;
                d.backoff_ms = 100;
                d.status = 200;
                d.fail_pct = 10;
            }
            const std::string what = std::string(code_path_name(CodePath(p))) + " via " + api_name(api);
            page.app.desc = d;
            const App::Expected& shown = app_expectation(page.app);  // what the lesson panel claims before the run
            const Expectation claimed = shown.e;
            const std::string claim = shown.claim;
            const HistoryEntry& entry = page.run(d);
            const ap::Run& run = entry.run;
            const double e = run.expected.wall_ms;
            EXPECT_EQ(run.expected, claimed) << what;
            EXPECT_NE(claim.find(format_duration_ms(e)), std::string::npos) << what << ": " << claim;
            EXPECT_DOUBLE_EQ(entry.stats.expected_ms, e) << what << ": totals and history";
            EXPECT_NEAR(json_number_of(page.last_json, "expectedMs"), e, 0.001) << what << ": the JS result and the host event";
            EXPECT_NE(summarize_run(run, entry.stats).find("expected " + format_duration_ms(e)), std::string::npos) << what;
            const Verdict v = judge_run(run, entry.stats);
            EXPECT_DOUBLE_EQ(v.expected_ms, e) << what;
            if (page.app.lessons.verdict.valid) EXPECT_DOUBLE_EQ(page.app.lessons.verdict.verdict.expected_ms, e) << what;
            // The scaling chart's point at this N is this expectation.
            const SweepSeries sweep = sweep_by_count(d, d.path, {d.count}, api_cost(page.app, d));
            EXPECT_NEAR(sweep.points[0].wall_ms, e, 1e-9) << what << ": scaling";
            EXPECT_NEAR(sweep.points[0].speedup, run.expected.sequential_ms / e, 1e-9) << what << ": scaling's speedup";
            // The parts add up, and the notes name each part there is.
            EXPECT_NEAR(run.expected.path_ms + run.expected.cap_ms + run.expected.browser_ms, e, 1e-9) << what;
            const std::vector<std::string> notes = explain_run(run, entry.stats);
            if (api == Api::server && run.expected.cap_ms >= 0.5) {
                bool named = false;
                for (const std::string& n : notes) named |= n.find(format_duration_ms(run.expected.path_ms + run.expected.cap_ms)) != std::string::npos;
                EXPECT_TRUE(named) << what;
            }
            // A run played with exactly the modelled costs takes exactly what it expects, and holds its claim.
            EXPECT_NEAR(entry.stats.wall_ms, e, 0.0015) << what;
            EXPECT_TRUE(v.ok) << what << ": " << v.line << " " << v.reason;
        }
    }
}

TEST(Agreement, ASimulatedRunTakesExactlyWhatTheModelSaysWhateverTheTicks) {
    // The page's clock ticks when it can (every 37 ms here): every event still lands at its own instant.
    for (int p = 0; p < code_path_count; ++p) {
        for (int variant = 0; variant < 4; ++variant) {
            RunDesc d = desc_of(CodePath(p), 12, 150, 3);
            if (variant == 1) d.cpu_ms = 20;
            if (variant == 2) d.spread = Spread::uneven, d.fail_pct = 25;
            if (variant == 3) {
                d.spread = Spread::slow_tail, d.slow_every = 4, d.slow_ms = 900;
                d.timeout_ms = 400, d.retries = 2, d.backoff_ms = 60, d.fail_pct = 15;
            }
            App app;
            app_init(app, nullptr);
            app_start_run(app, d, 0);
            int64_t now = 0;
            for (int guard = 0; app.scheduler.running() && guard < 10000; ++guard) app_tick(app, now += 37 * ms);
            ASSERT_FALSE(app.scheduler.running());
            const HistoryEntry& e = app.history.entries().back();
            EXPECT_EQ(int64_t(std::llround(e.stats.wall_ms * 1000)), int64_t(std::llround(model_wall_ms(d) * 1000)))
                << code_path_name(CodePath(p)) << " variant " << variant;
        }
    }
}

TEST(Agreement, ARunFileThatContradictsItselfIsCaughtAndShownWithTheModelsFigures) {
    Player p;
    RunDesc d = desc_of(CodePath::concurrent, 4, 300);
    const std::string text = run_to_file(p.play(d));
    ap::Run good;
    std::string error;
    ASSERT_TRUE(run_from_file(text, &good, nullptr, &error)) << error;
    EXPECT_TRUE(run_file_inconsistencies(good).empty()) << "a file as the page saved it";

    // An edited expectation.
    std::string edited = text;
    const std::string from = "\"wall_ms\":300";
    ASSERT_NE(edited.find(from), std::string::npos) << edited;
    edited.replace(edited.find(from), from.size(), "\"wall_ms\":12345");
    ap::Run run;
    ASSERT_TRUE(run_from_file(edited, &run, nullptr, &error)) << error;
    std::vector<std::string> found = run_file_inconsistencies(run);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0], "its expected time is 12.3 s, but its settings give 300 ms");

    // Bars far shorter than the latency they asked for: the settings say 300 ms, the file 5.
    std::string quick = text;
    const std::string latency = "\"latency_ms\":300";
    quick.replace(quick.find(latency), latency.size(), "\"latency_ms\":5");
    ASSERT_TRUE(run_from_file(quick, &run, nullptr, &error)) << error;
    found = run_file_inconsistencies(run);
    ASSERT_EQ(found.size(), 1u) << "(the expectation of 5 ms calls differs too, but one sentence names the first thing)";
    EXPECT_EQ(found[0], "its expected time is 300 ms, but its settings give 5 ms");
    run.expected = expect_run(run.desc);
    EXPECT_TRUE(run_file_inconsistencies(run).empty()) << "the bars are longer than 5 ms asked: late, not early";

    // And the other way: 300 ms asked, 5 ms bars.
    Player q;
    RunDesc fast = desc_of(CodePath::concurrent, 4, 5);
    std::string early = run_to_file(q.play(fast));
    early.replace(early.find("\"latency_ms\":5"), std::string("\"latency_ms\":5").size(), "\"latency_ms\":300");
    ASSERT_TRUE(run_from_file(early, &run, nullptr, &error)) << error;
    run.expected = expect_run(run.desc);  // (leave the bars as the only contradiction)
    found = run_file_inconsistencies(run);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0], "4 requests were answered sooner than the latency it asked for (request 1 took 5 ms of 300 ms)");

    // The page shows such a file with an "edited" mark and the model's expectation, and its settings.
    App app;
    app_init(app, nullptr);
    ASSERT_TRUE(results_load_file(app, edited, "edited.json"));
    const HistoryEntry* shown = app_shown_entry(app);
    ASSERT_NE(shown, nullptr);
    EXPECT_EQ(shown->edits.size(), 1u);
    EXPECT_DOUBLE_EQ(shown->stats.expected_ms, 300);
    EXPECT_NEAR(shown->stats.expected_speedup, 4.0, 1e-9) << "not 0.1x: the model's figures, consistent";
    EXPECT_EQ(app.desc.path, CodePath::concurrent);
    EXPECT_EQ(app.desc.latency_ms, 300);
}

TEST(Agreement, BeforeARunTheBrowserCannotServeTheClaimSaysWhatWillHappen) {
    // This browser hands an answer over every 2.5 ms (400 a second): 10,000 at once cannot all come back
    // within the programs' 20 s timeout.
    RunDesc d = desc_of(CodePath::concurrent, 10000, 200);
    d.api = Api::page;
    const ApiCost slow{1.0, 2.5};
    const Expectation e = expect_run(d, slow);
    EXPECT_GT(e.timeouts, 0);
    EXPECT_EQ(e.ok + e.timeouts, 10000);
    const std::string claim = claim_for(d, e, slow);
    EXPECT_NE(claim.find("this browser hands over about 400 answers a second, so the last " + std::to_string(e.timeouts) +
                         " will hit the 20 s timeout"), std::string::npos) << claim;
    // A hundred at once it serves: no such warning.
    d.count = 100;
    const Expectation fine = expect_run(d, slow);
    EXPECT_EQ(fine.timeouts, 0);
    EXPECT_EQ(claim_for(d, fine, slow).find("timeout"), std::string::npos);
}

TEST(Agreement, ABrowserPartOverAQuarterOfTheClaimIsSaidToBeMeasuredAgain) {
    RunDesc d = desc_of(CodePath::concurrent, 50, 500);
    d.api = Api::page;
    const ApiCost usual{1.0, 0.05}, busy{2.0, 10.0};  // 10 ms between answers: 490 ms for 50
    EXPECT_FALSE(browser_cost_doubtful(expect_run(d, usual)));
    EXPECT_EQ(claim_for(d, expect_run(d, usual), usual).find("measured again"), std::string::npos);
    const Expectation e = expect_run(d, busy);
    EXPECT_TRUE(browser_cost_doubtful(e)) << e.browser_ms << " of " << e.wall_ms;
    EXPECT_NE(claim_for(d, e, busy).find("it is measured again just before each run"), std::string::npos) << claim_for(d, e, busy);
}
