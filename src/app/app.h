// app.h — the playground's application state and its few entry points. The platform (src/web/main.cpp)
// owns one App, feeds it the clock and the browser's answers, and calls app_draw() when something changed.
// Nothing here includes Emscripten or SDL: the browser reaches the app only through these functions.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/code_view.h"
#include "core/history.h"
#include "core/lessons.h"
#include "core/runfile.h"
#include "core/scheduler.h"
#include "core/virtual_transport.h"

struct ImDrawList;
struct ImDrawCmd;

namespace ap {

// Waterfall bars as plain data, for the platform's instanced WebGL2 pass (src/web/bar_layer.cpp and
// shaders/): per shape, in CSS pixels, its top edge's x0 x1, its bottom edge's x0 x1, then y0 y1 (a
// rectangle, or a parallelogram for a staircase of bars), and an opaque ImGui colour (already blended
// against the page's background).
struct BarBatch {
    std::vector<float> rects;
    std::vector<uint32_t> colors;
};
using BarPass = void (*)(const ImDrawList*, const ImDrawCmd*);

// What the page knows about the two real APIs; filled in by the platform once it has probed them.
struct ApiStatus {
    bool probed = false;        // both probes have answered (or given up)
    bool inpage_ready = false;  // the service worker is controlling the page and answering
    std::string inpage_base = "inpage";
    std::string inpage_note = "starting the in-page API (service worker)...";
    bool server_ready = false;  // a dev server answered at server_base
    bool server_checked = false;  // server_ready reflects a probe or a run, not a guess
    std::string server_base;
    std::string server_note = "not probed yet";
};

// Sends each request to the transport of the run's API: the browser's fetch or the virtual one.
class RoutedTransport : public Transport {
public:
    Transport* target = nullptr;
    void start(RequestId id, const RequestSpec& spec, int64_t now_us) override { target->start(id, spec, now_us); }
    void abort(RequestId id) override { target->abort(id); }
};

// How the page is shown, from the URL (?embed=1&theme=light&lock=path,n) and the browser.
enum class Theme : uint8_t { automatic, dark, light };
// Controls a teacher can fix with ?lock=...: the learner sees them but cannot change them.
enum class Lock : uint8_t { lesson, path, n, latency, limit, api, settings };
inline constexpr int lock_count = 7;
const char* lock_name(Lock l);  // "lesson", "path", ...: the URL's spelling
inline uint32_t lock_bit(Lock l) { return 1u << int(l); }

struct ViewOptions {
    bool embed = false;               // compact chrome for an iframe
    Theme theme = Theme::automatic;   // what the URL asked for
    bool system_light = false;        // the browser's prefers-color-scheme (used when theme is automatic)
    uint32_t locks = 0;               // lock_bit()s
    bool light() const { return theme == Theme::light || (theme == Theme::automatic && system_light); }
    bool locked(Lock l) const { return (locks & lock_bit(l)) != 0; }
};

struct App {
    // The controls edit this; a run copies it.
    RunDesc desc;
    std::vector<std::string> input_notes;  // why the last input was clamped or changed
    ApiStatus apis;

    VirtualTransport simulated;
    Transport* network = nullptr;  // the browser's fetch (src/web/fetch_transport.*)
    RoutedTransport route;
    Scheduler scheduler{&route};
    History history;

    uint32_t ticket = 0;           // the current run's ticket; 0 when none is running
    uint32_t next_ticket = 1;
    // Called when a run ends (finished or cancelled) with its ticket and its result JSON.
    std::function<void(uint32_t ticket, const std::string& json)> on_run_ended;

    // Lessons: the built-in file plus any a teacher added; the current one; which ones the learner has
    // seen hold (a ✓ verdict). The platform persists `lesson` and `done` (see on_progress).
    std::vector<Lesson> lessons;
    std::vector<std::string> lesson_errors;  // from lesson files that did not parse, shown in the panel
    int lesson = 0;
    std::vector<std::string> done;           // ids of lessons with a ✓ verdict
    std::function<void(const std::string& lesson_id, const std::vector<std::string>& done)> on_progress;
    std::function<void(const std::string& query)> on_copy_link;  // the platform builds the URL and copies it
    std::function<void(const std::string& query)> on_copy_embed; // ... or the iframe HTML for it
    std::vector<CodePath> queued_paths;      // "Run each": the lesson's paths still to run, in order
    struct LessonVerdict { bool valid = false; uint16_t generation = 0; Verdict verdict; std::string path; };
    LessonVerdict verdict;                   // of the last run started while this lesson was open
    int loop_step = 0;                       // the event-loop stepper's position
    int pending_step = -1;                   // ?step=: where the stepper opens once the run it follows ends
    int selected_phase = -1;                 // a code line clicked: its phase's bars are outlined

    // The model's view of `desc` (a virtual-time run: too costly to redo every frame for 10,000 calls).
    struct Expectation { RunDesc desc; double wall_ms = -1; std::string claim; };
    Expectation expectation;

    bool dirty = true;             // something changed that the screen does not show yet
    // The Run button asks; the platform starts the run once the frame that showed the click is done
    // (see src/web/main.cpp), so that frame's cost does not land inside the first requests.
    bool start_requested = false;
    char server_url_edit[256] = "";  // the text field behind app_set_server_base
    // Where the last frame drew each named control (CSS pixels), so tests and assistive tools can find
    // "run", "cancel", "path:sequential", "n", ... without guessing coordinates.
    struct WidgetRect { std::string name; float x, y, w, h; uint32_t id = 0; void* window = nullptr; bool enabled = true; };
    std::vector<WidgetRect> widget_rects;
    int selected_request = -1;     // waterfall row under the learner's pointer or last clicked
    float zoom = 1;                // the waterfall's horizontal zoom (buttons, Ctrl+wheel, a pinch)
    float zoom_shown = 1;          // the zoom the last frame drew (to keep the view's centre when it changes)

    // Predict, then run: the learner's guess of the next run's wall time, dragged on a track before Run.
    bool predicting = false;        // the guess track is shown and the claim hidden until the run (?predict=1)
    double guess_ms = -1;           // where the marker is, or -1
    double run_guess_ms = -1;       // the guess the current run was started with, or -1
    struct Scored { bool valid = false; uint32_t run_number = 0; double guess_ms = 0, wall_ms = 0; PredictionScore score; };
    Scored scored;                  // the last finished run that had a guess
    // Replay: an instant of the shown run (ms from its start) the slider is at, or -1 for the whole run.
    double replay_ms = -1;
    // A run loaded from a file, shown instead of the scheduler's until the next run starts.
    std::unique_ptr<Run> loaded;
    RunStats loaded_stats;
    std::string loaded_name;
    std::string file_error;         // why the last file could not be loaded, shown in the run view
    // Files and pictures the platform saves for the learner (a download in the browser).
    std::function<void(const std::string& file_name, const std::string& mime, const std::string& text)> on_save_file;
    std::function<void()> on_open_file;  // asks for a run file; the platform calls app_load_run with it
    bool png_requested = false;     // the platform saves the results panel as a PNG after the next frame

    // The race: two code paths run one after the other with the same numbers, drawn on one axis.
    struct Race {
        CodePath a = CodePath::sequential, b = CodePath::concurrent;
        uint32_t run_a = 0, run_b = 0;  // their history numbers, once finished
        bool pending = false;           // started, not both finished
        double expected_a = 0, expected_b = 0;  // the model's walls, for the shared axis while they run
        CodePath path_before = CodePath::sequential;  // the learner's path, put back when the race is over
    };
    Race race;
    // The scaling charts: the model's sweeps (cached per settings) and points measured by a live sweep.
    struct Scaling {
        RunDesc desc;                          // what the cached sweeps are for
        std::vector<CodePath> paths;
        std::vector<SweepSeries> by_count, by_share;
        bool valid = false;
    };
    Scaling scaling;
    struct LivePoint { CodePath path; int n; double wall_ms; bool finished; };
    struct LiveSweep {
        bool active = false;
        RunDesc base;                          // the settings it measured (path and N vary)
        std::vector<std::pair<CodePath, int>> todo;
        std::vector<LivePoint> points;
        int skipped = 0;                       // combinations left out because the model says they are long
    };
    LiveSweep live_sweep;
    enum class Panel : uint8_t { run, race, scaling };
    Panel panel = Panel::run;      // what the wide layout's right side shows above the history
    bool show_panel = false;       // select `panel`'s tab in the next frame (a race started from elsewhere)

    // The code panel's program for `desc`, split and coloured (redone only when the settings change).
    struct CodeCache { bool valid = false; RunDesc desc; std::vector<CodeLine> lines; std::vector<std::vector<Span>> spans; std::vector<std::string> gaps; };
    CodeCache code_cache;

    // The current run's stats, recomputed when the run changed (an answer, the end), not every frame.
    struct StatsCache { bool valid = false; uint16_t generation = 0; RunState state = RunState::idle; int ended = -1; int in_flight = -1; int64_t end_us = -1; RunStats stats; };
    StatsCache stats_cache;

    ViewOptions view;
    // Set by the platform when it can draw bars in one instanced pass; null: bars go through ImGui's draw list.
    BarPass bar_pass = nullptr;
    std::deque<BarBatch> bar_batches;  // this frame's batches (a deque: callbacks keep pointers to them)
    size_t bar_batches_used = 0;
    // Keyboard: the control Tab moved to (a widget_rects name), or "" when the pointer is in charge.
    std::string focus;
    int tab_request = 0;           // +1 Tab, -1 Shift+Tab: applied by the next drawn frame
    bool activate_request = false; // Enter or Space on the focused control
    // Where the page's one-column layout (a phone, a small iframe) shows each part.
    enum class Tab : uint8_t { lesson, code, run, race, scaling, history };
    Tab narrow_tab = Tab::lesson;
    bool show_run_tab = false;     // a run started: the narrow layout switches to its results once
};

void app_init(App& app, Transport* network);
// Opens lesson `index`: cancels a run in flight, loads the lesson's preset. Out of range: ignored.
void app_select_lesson(App& app, int index, int64_t now_us);
// Adds the lessons of a teacher's file; errors are kept for the panel. Returns how many were added.
int app_add_lessons(App& app, const std::string& text, const std::string& file_name);
// Restores the place and the ✓ marks the platform saved.
void app_restore_progress(App& app, const std::string& lesson_id, const std::vector<std::string>& done, int64_t now_us);
// Applies a page URL's query: ?lesson=<id or number> first, then any run setting (apply_preset's keys:
// path n latency limit api ...). Unknown keys and bad values are ignored with a note on screen; keys the
// JS side owns (lessons, embed, theme, lock, origin) pass silently.
void app_apply_url(App& app, const std::string& query, int64_t now_us);
// The query of the current state, for a permalink.
std::string app_permalink_query(const App& app);
// Whether a Tab press (backwards: Shift+Tab) would leave the page's controls: the focus is on the last
// (first) control, so the browser should move focus out of the canvas instead.
bool app_tab_leaves(const App& app, bool backwards);
// The page's background colour for the theme in use (r, g, b in 0..1).
void app_clear_color(const App& app, float rgb[3]);
// Runs each of the lesson's code paths in turn with the same numbers, so they sit side by side.
void app_run_each(App& app, int64_t now_us);
// What Resource Timing said about one attempt of a real-socket run (times on the app's clock).
struct AttemptTiming { int index = 0, attempt = 0; int64_t sent_us = -1, first_byte_us = -1; };
// Splits the attempts of run `generation` into stalled / in flight, in the run and its history entry.
// Returns how many attempts it matched.
int app_apply_resource_timing(App& app, uint16_t generation, const std::vector<AttemptTiming>& timings);
// The run the results panel shows: one loaded from a file, or the scheduler's.
const Run& app_shown_run(const App& app);
const RunStats& app_shown_stats(App& app);
// A run file (see core/runfile.h): shown in the results panel and added to the history; a bad file leaves
// everything as it was and says why (app.file_error). Returns whether it loaded.
bool app_load_run(App& app, const std::string& text, const std::string& file_name);
// The shown run as a run file, with the guess it was started with.
std::string app_run_file(const App& app);
// The code paths the scaling charts compare: the lesson's, plus the plain loop and gather as yardsticks.
std::vector<CodePath> app_scaling_paths(const App& app);
// The model's sweeps for the current settings (recomputed only when they change).
const App::Scaling& app_scaling(App& app);
// Measures the scaling for real: each path at N = 1, 5, 10, 20, 50 (up to the current N's range) through
// the current API, one run after the other; skips runs the model says take over 10 s.
void app_start_live_sweep(App& app, int64_t now_us);
// Runs race.a then race.b with the current numbers (cancels a run in flight); the race panel draws both.
void app_start_race(App& app, int64_t now_us);
// The history entries of the race's two runs, or nullptr while one is missing (not run, or dropped).
const HistoryEntry* app_race_entry(const App& app, bool second);
// Starts a run with `desc` (clamped; the notes say what changed). Cancels a running one first.
// Returns the run's ticket.
uint32_t app_start_run(App& app, RunDesc desc, int64_t now_us);
void app_cancel(App& app, int64_t now_us);
// An answer from the browser's fetch, arrived at now_us; handled_us is when the page finished the run's
// CPU work on it (it spends desc.cpu_ms for real, on this thread), or -1 when there was none.
void app_complete(App& app, RequestId id, const Completion& c, int64_t now_us, int64_t handled_us = -1);
// Simulated answers that are due, timeouts, and the end of a run.
void app_tick(App& app, int64_t now_us);
// When app_tick next has something to do, or -1.
int64_t app_next_wakeup_us(const App& app);
void app_set_apis(App& app, const ApiStatus& apis);
// The model's expectation and claim for the current desc, recomputed only when the desc changes.
const App::Expectation& app_expectation(App& app);
// Points the "server" API somewhere else (another port, another host); its reachability becomes unknown.
void app_set_server_base(App& app, const std::string& base);

// compute_stats of the current run, cached while the run does not change.
const RunStats& app_run_stats(App& app);
// Draws the whole page (src/app/ui.cpp).
void app_draw(App& app, int64_t now_us);

}  // namespace ap
