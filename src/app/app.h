// app.h — the playground's application: the shared model (the settings, the APIs, the scheduler, the run
// store, the run in flight and the runs queued behind it) and one module per feature, each with its own
// state, verbs and panel (the headers beside this one). The platform (src/web/main.cpp) owns one App,
// feeds it the clock and the browser's answers, and calls app_draw() when something changed. Nothing here
// includes Emscripten or SDL: the browser reaches the app only through these functions.
//
// A run's life, and who hears of it, in this order:
//   app_start_run    the controls clamp the settings and pick the API; results, predict, lessons and the
//                    layout each take note (run_started); the scheduler begins.
//   app_complete / app_tick   answers, timeouts, retries.
//   run ended        the run store takes the run (one copy, a history entry, the shown run); then predict
//                    scores the guess, the controls learn whether the dev server answered, the scaling
//                    sweep and the race record their point, lessons judge it and mark progress, and last
//                    the platform hears (hooks.on_run_ended).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "app/code_panel.h"
#include "app/controls.h"
#include "app/keyboard.h"
#include "app/layout.h"
#include "app/lessons_panel.h"
#include "app/links.h"
#include "app/predict.h"
#include "app/race.h"
#include "app/results.h"
#include "app/scaling.h"
#include "app/stepper.h"
#include "app/waterfall.h"
#include "core/capped_transport.h"
#include "core/history.h"
#include "core/scheduler.h"
#include "core/virtual_transport.h"

namespace ap {

// Sends each request to the transport of the run's API: the browser's fetch or the virtual one.
class RoutedTransport : public Transport {
public:
    Transport* target = nullptr;
    void start(RequestId id, const RequestSpec& spec, int64_t now_us) override { target->start(id, spec, now_us); }
    void abort(RequestId id, int64_t now_us) override { target->abort(id, now_us); }
};

// Why a run was started: the learner's own (a code path, or their program: RunDesc::kind says which), or one
// of a series a feature started.
enum class RunPurpose : uint8_t { learner, run_each, race, sweep };

struct QueuedRun {
    RunDesc desc;
    RunPurpose purpose;
};

// What the platform does for the app: files, the clipboard, progress kept across visits, the run results.
struct PlatformHooks {
    std::function<void(uint32_t ticket, const std::string& json)> on_run_ended;
    // A run began (program: the learner's program), or Run was pressed for a real API (the page first
    // measures what it costs): a Python still starting in the background gives the machine to it.
    std::function<void(bool program)> on_run_started;
    // The progress changed (progress_to_json's text, kept across visits); `changed` names the lessons whose
    // status or checks changed (none when only the place did).
    std::function<void(const std::string& json, const std::vector<std::string>& changed)> on_progress;
    std::function<void()> on_open_progress;  // asks for a progress file; the platform calls lessons_load_progress
    std::function<std::string()> clock_of_day;  // the date and time now, ISO 8601 (a passing run's "at")
    std::function<double()> clock_epoch_ms;     // Unix time in ms of the run clock's 0 (HAR's dates)
    std::function<void(const std::string& query)> on_copy_link;   // the platform builds the URL and copies it
    std::function<void(const std::string& query)> on_copy_embed;  // ... or the iframe HTML for it
    std::function<void(const std::string& file_name, const std::string& mime, const std::string& text)> on_save_file;
    std::function<void()> on_open_file;  // asks for a run file; the platform calls results_load_file with it
    std::function<void()> on_history_changed;  // a run was added or the history cleared: the platform keeps it
    std::function<void(const std::string& query)> on_open_tab;  // opens the playground in a tab of its own
    std::function<void(const std::string& what, const std::string& text)> on_copy_text;  // "Program", its text
    // A request of the learner's program ended (app_program_request's index): the platform hands the
    // program its answer (status, body) or why there is none (outcome "timeout", "cancelled", a reason).
    std::function<void(int index, const RequestTrace& request, const std::string& body)> on_program_answer;
    // Opens the program editor with this program (the code panel's, with the learner's numbers) ...
    std::function<void(const std::string& program)> on_open_editor;
    // ... and keeps it over the code panel: its place in CSS pixels (w == 0: hide it for now).
    std::function<void(float x, float y, float w, float h)> on_editor_rect;
    // ... and lights the program line that made the clicked bar's request (0: none).
    std::function<void(int line)> on_editor_line;
    // ... and runs the program it holds (once it is open: the learner's edits are what runs).
    std::function<void()> on_run_editor;
    // Stops the learner's program where it runs (Cancel, or another run, while it runs): the platform ends
    // its run through app_program_end, stopped.
    std::function<void()> on_stop_program;
    // ... and shows where a program run's requests are, by line, now or at the replay instant:
    // {"source": the program ("" while it runs), "lines": [{"line", "text", "phase"}]}.
    std::function<void(const std::string& json)> on_editor_counts;
    BarPass bar_pass = nullptr;          // draws bars in one instanced pass; null: through ImGui's draw list
};

struct App {
    // ---- The shared model -------------------------------------------------------------------------
    RunDesc desc;                          // the settings: the controls edit them, a run copies them
    std::vector<std::string> input_notes;  // what the page says about the last input (clamped, ignored, ...)
    ApiStatus apis;

    VirtualTransport simulated;
    Transport* network = nullptr;          // the browser's fetch (src/web/fetch_transport.*)
    CappedTransport capped;                // ... given at most so many requests at once (app_answered)
    RoutedTransport route;
    Scheduler scheduler{&route};
    History history;                       // the run store: each ended run once, newest last

    struct CurrentRun {
        uint32_t ticket = 0;               // 0 when no run is in flight
        RunPurpose purpose = RunPurpose::learner;
        double guess_ms = -1;              // the learner's guess this run was started with, or -1
        std::string substituted;           // why it runs on another API than the one asked for, or ""
        bool spread = true;                // a program: its dev-server requests go round the sibling ports
    };
    CurrentRun current;
    uint32_t next_ticket = 1;
    std::deque<QueuedRun> queue;           // runs waiting their turn: app_tick starts them one by one

    // What a run of the settings is expected to take through the chosen API, and the claim that says it: the
    // same expect_run a run computes when it starts (too costly to redo every frame for 10,000 calls).
    struct Expected { bool valid = false; RunDesc desc; ApiCost cost; Expectation e; std::string claim; };
    Expected expectation;

    bool needs_redraw = true;              // something changed that the screen does not show yet
    // The Run button asks; the platform starts the run once the frame that showed the click is done
    // (see src/web/main.cpp), so that frame's cost does not land inside the first requests.
    bool run_click_pending = false;
    PlatformHooks hooks;

    // ---- The features -----------------------------------------------------------------------------
    LessonsState lessons;     // lessons_panel.h: the lessons, progress, verdicts, "run each"
    ControlsState controls;   // controls.h: every code path, N, latency, k, the knobs, the API
    CodePanelState code;      // code_panel.h: the Python beside the waterfall
    ResultsState results;     // results.h: the shown run, zoom, replay, selection, run files
    StepperState stepper;     // stepper.h: the event loop, step by step, autoplay
    RaceState race;           // race.h: two code paths on one axis
    ScalingState scaling;     // scaling.h: the model's sweeps and a live one
    PredictState predict;     // predict.h: a guess before the run, scored after it
    ViewOptions view;         // links.h: URL state (embed, theme, locks), permalinks
    FocusState focus;         // keyboard.h: named controls, the Tab ring
    LayoutState layout;       // layout.h: wide and narrow layouts, their tabs
    WaterfallFrame bars;      // waterfall.h: this frame's instanced bar batches
};

void app_init(App& app, Transport* network);
// Starts a run with `desc` (clamped; the notes say what changed). Cancels a running one first; a learner's
// run also drops the queued ones. Returns the run's ticket.
uint32_t app_start_run(App& app, RunDesc desc, int64_t now_us, RunPurpose purpose = RunPurpose::learner);
// The learner's own program, run by the platform (its Python worker) through `api`: a run of
// RunKind::program whose requests come through app_program_request as the program makes them, each
// answered through hooks.on_program_answer, until app_program_end. Returns the run's ticket.
// spread: its requests to the dev server go round the server's sibling ports (ApiStatus::server_siblings).
uint32_t app_start_program(App& app, Api api, int64_t now_us, bool spread = true);
// The program stopped waiting for its request `index` (a cancelled task): aborted, drawn cancelled.
void app_program_cancel(App& app, int index, int64_t now_us);
// The program began to run at at_us (the platform's interpreter says when, on the app's clock).
void app_program_started(App& app, int64_t at_us);
// A request the program makes now; its index, or -1 with *why (no program runs, too many requests).
int app_program_request(App& app, const std::string& url, const ProgramCall& call, int64_t now_us, std::string* why);
// The program is over: the run ends and goes into the history with the program's text. ended_us: when the
// program returned, as its interpreter says (or -1: now); never before a request of it started or ended.
void app_program_end(App& app, ProgramReport report, int64_t now_us, int64_t ended_us = -1, ProgramTrace trace = {});
// Queues runs to start one after the other (app_tick starts them); a run in flight is cancelled first.
void app_queue_runs(App& app, std::vector<QueuedRun> runs, int64_t now_us);
// Cancels the run in flight and drops the queued ones.
void app_cancel(App& app, int64_t now_us);
// An answer from the browser's fetch, arrived at now_us; handled_us is when the page finished the run's
// CPU work on it (it spends desc.cpu_ms for real, on this thread), or -1 when there was none.
void app_complete(App& app, RequestId id, const Completion& c, int64_t now_us, int64_t handled_us = -1);
// The browser's fetch answered id (before any CPU work on the answer): its place goes to a held request.
void app_answered(App& app, RequestId id, int64_t now_us);
// Simulated answers that are due, timeouts, the end of a run, the next queued run.
void app_tick(App& app, int64_t now_us);
// When app_tick next has something to do, or -1.
int64_t app_next_wakeup_us(const App& app);
// The expectation and claim for the current settings through their API (with its measured costs),
// recomputed only when they change.
const App::Expected& app_expectation(App& app);
// Tells the run store which entries to keep whole at its next add: the one on screen, a race's two lanes.
void app_keep_whole(App& app);
// Whether a run is in flight or queued.
bool app_busy(const App& app);

// The run the results panel shows: a history entry (the last run, a loaded file), or the run in flight.
const Run& app_shown_run(const App& app);
const RunStats& app_shown_stats(App& app);
// The history entry the results panel shows, or nullptr while a run is in flight (or none ever ended).
const HistoryEntry* app_shown_entry(const App& app);

// What Resource Timing said about one attempt of a real-socket run (times on the app's clock).
struct AttemptTiming { int index = 0, attempt = 0; int64_t sent_us = -1, first_byte_us = -1, last_byte_us = -1; };
// Splits the attempts of run `generation` (in the run store) into stalled / in flight. Returns how many
// attempts it matched.
int app_apply_resource_timing(App& app, uint16_t generation, const std::vector<AttemptTiming>& timings);

// Draws the whole page (layout.cpp).
void app_draw(App& app, int64_t now_us);
// The page's background colour for the theme in use (r, g, b in 0..1).
void app_clear_color(const App& app, float rgb[3]);

}  // namespace ap
