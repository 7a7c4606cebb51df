// main.cpp — the platform: SDL2 + WebGL2 + Dear ImGui set-up, the main loop, input, resizing, the clock.
// Its global `g` holds the app and the platform's state (bridge.cpp keeps a pointer to the app for the
// exported entry points; fetch_transport.cpp one to the transport for the Fetch API's callbacks). It draws a
// frame only when something changed (input, an answer, a resize, a live tick while a run is in flight), so
// the page's own drawing does not distort what it measures.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <string>

#include <GLES3/gl3.h>
#include <SDL.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include "app/app.h"
#include "app/ui_kit.h"
#include "core/json.h"
#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl.h"
#include "web/bar_layer.h"
#include "web/bridge.h"
#include "web/fetch_transport.h"

// Posts a task that runs ap_cpu_drain: a MessageChannel message, which comes after pending input and
// without the minimum delay of setTimeout.
EM_JS(void, schedule_cpu_drain, (), {
    if (!Module.apCpuChannel) {
        Module.apCpuChannel = new MessageChannel();
        Module.apCpuChannel.port1.onmessage = function() { Module._ap_cpu_drain(); };
    }
    Module.apCpuChannel.port2.postMessage(0);
});

namespace {

// While requests are in flight the bars grow; redrawing them this often is enough to read, and rare
// enough to leave the main thread free for the answers it is timing.
constexpr int64_t live_redraw_interval_us = 500 * 1000;
// ImGui settles hover and active states over a couple of frames after an input event.
constexpr int frames_after_input = 3;
// A frame is held back while an answer is due soon, and for a grace period after it was due: the frame
// would compete for the CPU exactly when the answer's callback needs it. What "soon" means is measured,
// not assumed: a drawn frame delays the next animation tick by what it really costs, including the GPU
// process and compositor. Headless Chromium on SwiftShader (2 cores): ~5 ms on the main thread but
// 36-62 ms until the next tick, and drawing after every answer stretched 200 ms requests to 270-285 ms.
// Answers of a gather arrive as a burst (50 through the service worker: ~90 ms from first to last), so
// frames also wait until answers stop arriving for burst_gap. Late answers (a connection cap, a slow
// network) stop holding frames back after the grace period.
constexpr int64_t answer_grace_us = 25 * 1000;
constexpr int64_t burst_gap_us = 50 * 1000;
constexpr int64_t initial_frame_cost_us = 50 * 1000;
constexpr int64_t max_quiet_before_us = 250 * 1000;
// Never hold a frame back longer than this: input (a click on Cancel) waits at most 150 ms; progress is
// shown at least once a second even while answers keep arriving back to back.
constexpr int64_t max_input_hold_us = 150 * 1000;
constexpr int64_t max_progress_hold_us = 1000 * 1000;

struct Platform {
    SDL_Window* window = nullptr;
    SDL_GLContext gl = nullptr;
    ap::FetchTransport fetch;
    ap::App app;
    double pixel_ratio = 1.0;
    int frames_to_draw = 1;
    int64_t last_draw_us = 0;
    int64_t held_since_us = -1;  // when a wanted frame was first held back, or -1
    bool drew_last_tick = false;
    int64_t frame_cost_us = initial_frame_cost_us;  // a drawn frame's real cost, measured (see above)
    uint16_t run_generation = 0;
    bool force_frame = false;    // draw the next frame even inside a quiet window
    int input_frames = 0;        // frames still owed to recent input (a click needs a press and a release frame)
    bool first_frame_done = false;
    bool resized = false;
    bool costs_asked = false;    // a clicked run asked for fresh figures of the browser's costs
};
Platform g;

// Answers that need the lesson's CPU work, in arrival order. The work is done one answer per browser task,
// so that an input event (a click on Cancel, a key) or a frame can come between two answers' work: a cancel
// then drops the rest, and answers that arrive after it are never worked on.
struct PendingAnswer {
    ap::RequestId id;
    ap::Completion completion;
    int64_t answered_us;
};
std::deque<PendingAnswer> cpu_queue;
bool cpu_drain_scheduled = false;

void load_fonts(double pixel_ratio) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    ImFontConfig cfg;
    // Rasterise at device pixels and scale back, so text is crisp at devicePixelRatio 2 or 3.
    cfg.SizePixels = float(13.0 * pixel_ratio);
    io.Fonts->AddFontDefault(&cfg);
    io.FontGlobalScale = float(1.0 / pixel_ratio);
}

void fit_window_to_canvas() {
    double w = 0, h = 0;
    if (emscripten_get_element_css_size("#canvas", &w, &h) != EMSCRIPTEN_RESULT_SUCCESS || w < 1 || h < 1) {
        w = 1280;
        h = 800;
    }
    SDL_SetWindowSize(g.window, int(w), int(h));
}

EM_BOOL on_resize(int, const EmscriptenUiEvent*, void*) {
    g.resized = true;
    return EM_FALSE;
}

void wake() { g.frames_to_draw = std::max(g.frames_to_draw, 1); }

// Tab, and Enter or Space on a control Tab reached, belong to the page's own focus ring (see src/app/keyboard.h);
// ImGui 1.86 would tab through text fields only. Returns true when the event was taken.
bool take_key(const SDL_Event& e) {
    if (e.type != SDL_KEYDOWN && e.type != SDL_KEYUP) return false;
    const SDL_Keycode k = e.key.keysym.sym;
    if (k == SDLK_TAB) {
        if (e.type == SDL_KEYDOWN) g.app.focus.tab_request = (e.key.keysym.mod & KMOD_SHIFT) ? -1 : 1;
        return true;
    }
    if (k == SDLK_ESCAPE && e.type == SDL_KEYDOWN && !ImGui::GetIO().WantTextInput) g.app.focus.name.clear();
    const bool press_key = k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_SPACE;
    if (press_key && !g.app.focus.name.empty() && !ImGui::GetIO().WantTextInput) {
        if (e.type == SDL_KEYDOWN && !e.key.repeat) g.app.focus.activate_request = true;
        return true;
    }
    return false;
}

void frame(void*) {
    const int64_t now = ap::monotonic_now_us();
    if (g.drew_last_tick) {
        g.drew_last_tick = false;
        // Skip the first frames: they build the font atlas and compile shaders.
        if (ap::frame_stats.drawn > 3) {
            const int64_t sample = std::min<int64_t>(now - g.last_draw_us, max_quiet_before_us);
            // Rises at once, decays slowly: one cheap frame does not make the next one cheap.
            g.frame_cost_us = std::max(sample, (g.frame_cost_us * 9 + sample) / 10);
            ap::frame_stats.cost_ms = double(g.frame_cost_us) / 1000.0;
        }
    }
    if (g.app.scheduler.run().generation != g.run_generation) {
        // A run started (from a click, after its frame was done, or from JS): one frame shows that it
        // began; the click owes no more frames; after that, frames are progress, held back around answers.
        g.run_generation = g.app.scheduler.run().generation;
        g.input_frames = 0;
        g.frames_to_draw = 1;
        // That frame is drawn at once, quiet window or not: the controls may have moved (another API,
        // another code path), and a stale screen would misplace the learner's next click. Its cost lands
        // at the very start of the requests' flight, where it delays no answer of a run longer than it.
        // (Not for a learner's program: nothing of the controls moves, and its first requests are on their way.)
        g.force_frame = g.app.scheduler.run().desc.kind != ap::RunKind::program;
    }
    bool input = false;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        input = true;
        if (take_key(e)) continue;
        if (e.type == SDL_MULTIGESTURE && e.mgesture.numFingers == 2 && std::fabs(e.mgesture.dDist) > 0.002f) {
            // A two-finger pinch zooms the timeline (dDist: the change of the fingers' spread, window-relative).
            g.app.results.zoom = std::clamp(g.app.results.zoom * std::exp(e.mgesture.dDist * 4.0f), 1.0f, 64.0f);
            g.app.needs_redraw = true;
            continue;
        }
        ImGui_ImplSDL2_ProcessEvent(&e);
    }
    if (g.resized) {
        g.resized = false;
        fit_window_to_canvas();
        input = true;
    }
    const double ratio = emscripten_get_device_pixel_ratio();
    if (std::fabs(ratio - g.pixel_ratio) > 0.01) {  // the page moved to another screen, or was zoomed
        g.pixel_ratio = ratio;
        fit_window_to_canvas();
        load_fonts(ratio);
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        input = true;
    }
    // A clicked run through a real API first has the page measure what the API costs now (a moment, and
    // only if the last figures are older than two seconds); not while it measures: those requests would
    // land inside the run's. Nor before the page knows which APIs answer (a ?step= link clicks Run at once).
    const bool apis_known = g.app.desc.api == ap::Api::simulated || g.app.apis.probed;
    if (g.app.run_click_pending && apis_known && !g.costs_asked && g.app.desc.api != ap::Api::simulated && g.app.network) {
        g.costs_asked = true;
        ap::bridge_request_costs(g.app.desc.api);
    }
    if (g.app.run_click_pending && apis_known && now - g.last_draw_us >= g.frame_cost_us && !g.app.apis.calibrating) {
        g.app.run_click_pending = false;
        g.costs_asked = false;
        ap::app_start_run(g.app, g.app.desc, now);
    }
    ap::app_tick(g.app, now);

    if (input) {
        g.frames_to_draw = std::max(g.frames_to_draw, frames_after_input);
        g.input_frames = frames_after_input;
    }
    if (g.app.needs_redraw) g.frames_to_draw = std::max(g.frames_to_draw, 1);
    if (g.app.scheduler.running() && now - g.last_draw_us >= live_redraw_interval_us) g.frames_to_draw = std::max(g.frames_to_draw, 1);
    if (g.frames_to_draw == 0) return;
    const ap::QuietRule quiet_rule{.before_us = std::min(max_quiet_before_us, g.frame_cost_us * 3 + 10 * 1000),
                                   .after_us = answer_grace_us,
                                   .burst_gap_us = burst_gap_us};
    if (!g.force_frame && ap::drawing_would_disturb(g.app.scheduler.run(), now, quiet_rule)) {
        if (g.held_since_us < 0) g.held_since_us = now;
        if (now - g.held_since_us < (g.input_frames > 0 ? max_input_hold_us : max_progress_hold_us)) {
            ++ap::frame_stats.deferred;
            return;
        }
    }
    g.held_since_us = -1;
    g.force_frame = false;
    if (g.input_frames > 0) --g.input_frames;
    --g.frames_to_draw;
    g.app.needs_redraw = false;
    g.last_draw_us = now;

    ap::trim_draw_buffers();  // (the last frame is on screen: its buffers are free to go)
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();
    ap::app_draw(g.app, now);
    ImGui::Render();
    int fb_w = 0, fb_h = 0;
    SDL_GL_GetDrawableSize(g.window, &fb_w, &fb_h);
    glViewport(0, 0, fb_w, fb_h);
    float clear[3];
    ap::app_clear_color(g.app, clear);
    glClearColor(clear[0], clear[1], clear[2], 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    SDL_GL_SwapWindow(g.window);
    g.drew_last_tick = true;
    const double frame_ms = double(ap::monotonic_now_us() - now) / 1000.0;
    ap::frame_stats.drawn++;
    ap::frame_stats.last_ms = frame_ms;
    ap::frame_stats.total_ms += frame_ms;
    // The first frames build the font atlas and shaders: keep them out of the budget.
    if (ap::frame_stats.drawn > 3) ap::frame_stats.max_ms = std::max(ap::frame_stats.max_ms, frame_ms);

    if (g.app.results.png_requested) {
        // Now, while the drawing buffer still holds this frame (WebGL clears it once it is shown).
        g.app.results.png_requested = false;
        for (const ap::FocusState::Rect& r : g.app.focus.rects) {
            if (r.name == "results") ap::bridge_save_png(r.x, r.y, r.w, r.h);
        }
    }
    if (!g.first_frame_done) {
        g.first_frame_done = true;
        ap::bridge_first_frame();
    }
}

}  // namespace

// One answer's CPU work: a busy loop on the page's one thread, as a Python program's event loop would
// spend it, then the answer counts as handled. Then the next answer, in a task of its own.
extern "C" EMSCRIPTEN_KEEPALIVE void ap_cpu_drain() {
    cpu_drain_scheduled = false;
    if (cpu_queue.empty()) return;
    const PendingAnswer a = cpu_queue.front();
    cpu_queue.pop_front();
    const ap::Run& run = g.app.scheduler.run();
    if (!g.app.scheduler.running() || ap::request_generation(a.id) != run.generation) {
        cpu_queue.clear();  // the run was cancelled or replaced: its answers are not worked on
        return;
    }
    const int64_t until = ap::monotonic_now_us() + int64_t(run.desc.cpu_ms) * 1000;
    while (ap::monotonic_now_us() < until) {
    }
    ap::app_complete(g.app, a.id, a.completion, a.answered_us, ap::monotonic_now_us());
    if (!cpu_queue.empty()) {
        cpu_drain_scheduled = true;
        schedule_cpu_drain();
    }
}

// What is still open, for the page's tests: {"running", "inFlight" (the run's requests without an answer),
// "fetches" (XHRs the browser still has), "held" (requests the page holds back), "cpuQueue" (answers waiting
// for their CPU work)}. After a cancel every count is 0.
extern "C" EMSCRIPTEN_KEEPALIVE const char* ap_js_open_requests() {
    static std::string text;
    const bool running = g.app.scheduler.running();
    ap::JsonWriter w;
    w.begin_object().key("running").boolean(running).key("inFlight").integer(running ? g.app.scheduler.run().in_flight : 0);
    w.key("fetches").integer(int64_t(g.fetch.live())).key("held").integer(int64_t(g.app.capped.held()));
    w.key("cpuQueue").integer(int64_t(cpu_queue.size())).end_object();
    text = w.take();
    return text.c_str();
}

int main() {
    SDL_SetMainReady();
    // Keys go to the page only while the canvas has focus, never to a host page around an embed.
    SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        std::printf("playground: SDL_Init failed: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    // No depth or stencil buffer: ImGui draws flat, and every buffer costs fill on a software renderer.
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
    g.window = SDL_CreateWindow("Async API playground", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 1280, 800,
                                SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!g.window) {
        std::printf("playground: could not create the window: %s\n", SDL_GetError());
        return 1;
    }
    g.gl = SDL_GL_CreateContext(g.window);
    if (!g.gl) {
        std::printf("playground: WebGL2 is not available: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GL_MakeCurrent(g.window, g.gl);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // layout is a function of the window size, nothing to remember
    // Arrow keys belong to the lessons (previous / next), not to ImGui's keyboard navigation.
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 0;
    style.FrameRounding = 3;
    style.GrabRounding = 3;
    g.pixel_ratio = emscripten_get_device_pixel_ratio();
    load_fonts(g.pixel_ratio);
    ImGui_ImplSDL2_InitForOpenGL(g.window, g.gl);
    ImGui_ImplOpenGL3_Init("#version 300 es");
    fit_window_to_canvas();

    ap::app_init(g.app, &g.fetch);
    std::string bar_error;
    if (ap::bar_layer_init(&bar_error)) g.app.hooks.bar_pass = ap::bar_layer_draw;
    else std::printf("playground: the instanced bar pass is off (%s); bars are drawn through ImGui\n", bar_error.c_str());
    g.fetch.on_complete = [](ap::RequestId id, const ap::Completion& c, int64_t now_us) {
        ap::app_answered(g.app, id, now_us);  // the browser is done with it, whatever CPU work follows
        const ap::Run& run = g.app.scheduler.run();
        if (c.status >= 200 && c.status < 300 && run.desc.cpu_ms > 0 && g.app.scheduler.running() &&
            ap::request_generation(id) == run.generation) {
            // The lesson's CPU work, for real, in a task of its own (see ap_cpu_drain).
            cpu_queue.push_back(PendingAnswer{id, c, now_us});
            if (!cpu_drain_scheduled) {
                cpu_drain_scheduled = true;
                schedule_cpu_drain();
            }
            return;
        }
        ap::app_complete(g.app, id, c, now_us);
    };
    ap::bridge_init(&g.app);
    ap::bridge_wake = wake;
    ap::bridge_force_frames = [](int frames) {
        g.frames_to_draw = std::max(g.frames_to_draw, frames);
        // (Not for a learner's program: nothing of the controls moves, and its first requests are on their way.)
        g.force_frame = g.app.scheduler.run().desc.kind != ap::RunKind::program;
    };
    emscripten_set_resize_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, EM_FALSE, on_resize);

    emscripten_set_main_loop_arg(frame, nullptr, 0, 1);
    return 0;
}
