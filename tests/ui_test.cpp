// The page's UI, drawn by Dear ImGui with no backend: no window, no GPU, a made-up clock. Every panel is
// drawn in every state a run can be in, and the controls are clicked where the UI says they are.
#include <gtest/gtest.h>

#include <string>

#include "app/app.h"
#include "imgui.h"

using namespace ap;

namespace {

constexpr int64_t ms = 1000;

struct Headless {
    App app;
    int64_t now = 0;

    Headless() {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        io.DeltaTime = 1.0f / 60;
        unsigned char* pixels;
        int w, h;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the font atlas
        for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
        app_init(app, nullptr);                         // no browser: the simulated API only
        ApiStatus s;
        s.server_base = "http://127.0.0.1:8000";
        app_set_apis(app, s);
    }
    ~Headless() { ImGui::DestroyContext(); }

    void frame() {
        ImGui::NewFrame();
        app_draw(app, now);
        ImGui::Render();
        ASSERT_NE(ImGui::GetDrawData(), nullptr);
    }

    const App::WidgetRect* rect(const std::string& name) const {
        for (const auto& r : app.widget_rects) {
            if (r.name == name) return &r;
        }
        return nullptr;
    }

    // A press and a release over the control, a frame each, as a person's click arrives.
    void click(const std::string& name) {
        const App::WidgetRect* r = rect(name);
        ASSERT_NE(r, nullptr) << name;
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = ImVec2(r->x + std::min(12.0f, r->w / 2), r->y + r->h / 2);
        frame();
        io.MouseDown[0] = true;
        frame();
        io.MouseDown[0] = false;
        frame();
        frame();  // what the click changed is laid out in the frame after it
    }

    void advance_to(int64_t t) {
        now = t;
        app_tick(app, now);
        frame();
    }
};

}  // namespace

TEST(Ui, DrawsEveryStateOfARun) {
    Headless h;
    h.frame();  // idle
    RunDesc d = h.app.desc;
    d.path = CodePath::bounded;
    d.count = 12;
    d.latency_ms = 100;
    d.limit = 4;
    app_start_run(h.app, d, 0);
    h.advance_to(50 * ms);  // running: in-flight and queued bars
    h.advance_to(150 * ms);
    h.advance_to(400 * ms);  // finished
    EXPECT_FALSE(h.app.scheduler.running());
    EXPECT_EQ(h.app.history.entries().size(), 1u);

    d.path = CodePath::sequential;
    app_start_run(h.app, d, 500 * ms);
    h.advance_to(650 * ms);
    app_cancel(h.app, 660 * ms);  // cancelled
    h.frame();
    EXPECT_EQ(h.app.history.entries().back().run.state, RunState::cancelled);

    d.count = 10000;  // a big run still draws (rows shrink to a pixel and the list scrolls)
    d.path = CodePath::concurrent;
    app_start_run(h.app, d, 1000 * ms);
    h.advance_to(1200 * ms);
    EXPECT_EQ(h.app.history.entries().back().stats.ok, 10000);
}

TEST(Ui, ClickingTheControlsChangesTheRunAndStartsIt) {
    Headless h;
    h.frame();
    h.click("settings");  // every code path is under "All settings"
    h.click("path:concurrent");
    EXPECT_EQ(h.app.desc.path, CodePath::concurrent);
    h.click("path:bounded");
    EXPECT_EQ(h.app.desc.path, CodePath::bounded);
    h.click("run");
    EXPECT_TRUE(h.app.start_requested) << "the platform starts the run after this frame";
}

TEST(Ui, ServerApiShowsItsUrlFieldAndAnUnreachableNote) {
    Headless h;
    h.frame();
    h.click("settings");
    h.app.desc.api = Api::server;
    h.frame();
    EXPECT_NE(h.rect("server-url"), nullptr);
    h.app.desc.api = Api::simulated;
    h.frame();
    EXPECT_EQ(h.rect("server-url"), nullptr);
}

TEST(Ui, LessonsAreWalkedWithTheArrowsAndTheirPathsToggled) {
    Headless h;
    h.frame();
    EXPECT_EQ(h.app.lesson, 0);
    h.click("lesson:next");
    EXPECT_EQ(h.app.lesson, 1);
    EXPECT_EQ(h.app.desc.path, CodePath::sync_client) << "the lesson's preset, first path first";
    h.click("lesson-path:sequential");
    EXPECT_EQ(h.app.desc.path, CodePath::sequential);
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[ImGuiKey_RightArrow] = true;  // the null backend maps ImGuiKey_* to themselves
    h.frame();
    io.KeysDown[ImGuiKey_RightArrow] = false;
    h.frame();
    EXPECT_EQ(h.app.lesson, 2);
    EXPECT_TRUE(h.app.lessons[2].loop_view);
    // A run of the loop lesson draws the stepper; stepping moves through the loop's events.
    app_start_run(h.app, h.app.desc, 0);
    h.advance_to(2000 * ms);
    ASSERT_FALSE(h.app.scheduler.running());
    h.click("loop:forward");
    h.click("loop:forward");
    EXPECT_EQ(h.app.loop_step, 2);
    h.click("loop:back");
    EXPECT_EQ(h.app.loop_step, 1);
    EXPECT_TRUE(h.app.verdict.valid);
    EXPECT_TRUE(h.app.verdict.verdict.ok) << h.app.verdict.verdict.line;
}

TEST(Ui, NarrowWindowsStillDraw) {
    Headless h;
    ImGui::GetIO().DisplaySize = ImVec2(480, 360);
    RunDesc d = h.app.desc;
    d.count = 30;
    app_start_run(h.app, d, 0);
    h.advance_to(10000 * ms);
    EXPECT_NE(h.rect("run"), nullptr);
}
