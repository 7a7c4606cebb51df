// stepper.h — the event loop, step by step, under the shown run's waterfall, for every code path: back and
// forward, the next event of one call, autoplay at 0.25x to 4x of real time or one event a second. Each
// step moves the replay instant (the waterfall's marker, the code panel's lit lines) and draws the loop
// itself: what it runs now, its ready queue in order, what waits on the network, on a slot, on a timer,
// and a thread pool's workers. The steps are core/event_loop.h's, from the run's trace.
#pragma once
#include <cstdint>

#include "core/event_loop.h"

namespace ap {

struct App;

inline constexpr int stepper_speed_count = 6;  // 0.25x, 0.5x, 1x, 2x, 4x, one event a second
const char* stepper_speed_label(int speed);

struct StepperState {
    bool open = false;          // its section is open (a lesson with `view: loop` opens it)
    int step = 0;
    int pending_step = -1;      // ?step=: where it opens once the run it follows ends
    bool playing = false;
    int speed = 2;              // index: see stepper_speed_label
    double play_ms = 0;         // autoplay's instant (ms from the run's start)
    int64_t last_tick_us = -1;  // autoplay's last tick
    bool reveal = false;        // a step was taken: scroll the loop's picture into view
    double synced_replay_ms = -2;  // the replay instant the stepper set last (another means the slider moved)
    // The shown run's timeline, made again only when the shown run changes.
    struct Cache {
        bool valid = false;
        uint32_t entry = 0;
        uint16_t generation = 0;
        int64_t end_us = 0;
        size_t requests = 0;
        LoopTimeline timeline;
    };
    Cache cache;
};

// The timeline of the run the results panel shows.
const LoopTimeline& stepper_timeline(App& app);
// The loop after the current step of the shown run.
LoopPicture stepper_picture(App& app);
// Moves to step `index` (clamped) and puts the replay instant there.
void stepper_go(App& app, int index);
void stepper_play(App& app, bool play, int64_t now_us);
// Autoplay: moves on with the clock; stops at the last step.
void stepper_tick(App& app, int64_t now_us);
bool stepper_wants_frames(const App& app);
// The replay instant is the stepper's step (it set it, and nothing moved it since): the replay line and the
// code panel then tell the stepper's picture (replay_from_picture), so the three say the same.
bool stepper_holds_replay(App& app);

void stepper_run_started(App& app);
void stepper_run_ended(App& app);

// The section under the waterfall.
void draw_stepper(App& app, int64_t now_us);

}  // namespace ap
