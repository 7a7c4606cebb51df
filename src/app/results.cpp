#include "app/results.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "app/app.h"
#include "app/lessons_panel.h"
#include "app/ui_kit.h"
#include "core/analysis.h"
#include "core/export.h"
#include "core/har.h"
#include "core/fields.h"
#include "core/lessons.h"
#include "core/runfile.h"
#include "imgui.h"
#include "imgui_internal.h"  // GetItemID: the slider's drag is its own

namespace ap {

const HistoryEntry* app_shown_entry(const App& app) {
    return app.results.shown ? app.history.find(app.results.shown) : nullptr;
}

const Run& app_shown_run(const App& app) {
    const HistoryEntry* e = app_shown_entry(app);
    return e ? e->run : app.scheduler.run();
}

const RunStats& app_shown_stats(App& app) {
    if (const HistoryEntry* e = app_shown_entry(app)) return e->stats;
    ResultsState::LiveStats& c = app.results.live;
    const Run& run = app.scheduler.run();
    if (!c.valid || c.generation != run.generation || c.ended != run.ended || c.in_flight != run.in_flight || run.state == RunState::running) {
        c.valid = true;
        c.generation = run.generation;
        c.ended = run.ended;
        c.in_flight = run.in_flight;
        c.stats = compute_stats(run);
    }
    return c.stats;
}

void results_run_started(App& app) {
    ResultsState& r = app.results;
    r.shown = 0;
    r.selected_request = -1;
    r.file_error.clear();
    r.replay_ms = -1;
}

void results_run_ended(App& app, const HistoryEntry& entry) { app.results.shown = entry.number; }

bool results_load_file(App& app, const std::string& text, const std::string& file_name) {
    ResultsState& r = app.results;
    Run run;
    double guess = -1;
    std::string error;
    app.needs_redraw = true;
    layout_show(app, LayoutState::Panel::run);
    // A HAR (DevTools' Save all as HAR, this page's Save as HAR) is read as a recorded run.
    const bool har = looks_like_har(text);
    if (har ? !run_from_har(text, file_name, &run, &error) : !run_from_file(text, &run, &guess, &error)) {
        r.file_error = file_name + " could not be loaded: " + error;
        return false;
    }
    r.file_error.clear();
    // A file whose numbers contradict each other or the model is shown with an "edited" mark, and with the
    // model's expectation for its settings instead of the one it claims.
    std::vector<std::string> edits = run_file_inconsistencies(run);
    if (!edits.empty()) run.expected = expect_run(run.desc, run.cost);
    app_keep_whole(app);
    const RunDesc loaded = run.desc;
    HistoryEntry* entry = app.history.add(std::move(run), guess, file_name);
    if (entry) entry->edits = std::move(edits);
    r.shown = entry ? entry->number : 0;
    // The code and the settings show the loaded run's program and numbers (a learner's program is not a
    // setting: its text is under the waterfall, with a button that opens it in the editor).
    if (loaded.kind == RunKind::path) {
        app.desc = loaded;
        app.desc.base_url.clear();
    }
    if (app.hooks.on_history_changed) app.hooks.on_history_changed();
    r.replay_ms = -1;
    r.selected_request = -1;
    return true;
}

void results_file_unreadable(App& app, const std::string& file_name, const std::string& why) {
    app.results.file_error = file_name + " could not be read: " + why;
    app.needs_redraw = true;
}

std::string results_run_file(const App& app) {
    const HistoryEntry* e = app_shown_entry(app);
    return e ? run_to_file(e->run, e->guess_ms) : run_to_file(app.scheduler.run());
}

std::string results_export(const App& app, const std::string& format, std::string* file_name) {
    const HistoryEntry* e = app_shown_entry(app);
    const Run& run = e ? e->run : app.scheduler.run();
    const std::string stem = std::string("asyncplay-") + run_name(run.desc) + "-" + std::to_string(run.desc.count);
    const std::string title = (e ? "run #" + std::to_string(e->number) + ": " : std::string()) + run_label(run.desc) + ", " +
                              std::to_string(run.requests.size()) + " requests";
    const double epoch = app.hooks.clock_epoch_ms ? app.hooks.clock_epoch_ms() : 0;
    std::string name, text;
    if (format == "json") name = stem + ".json", text = results_run_file(app);
    else if (format == "csv") name = stem + "-requests.csv", text = run_requests_csv(run);
    else if (format == "har") name = stem + ".har", text = run_to_har(run, {epoch, title});
    else if (format == "trace") name = stem + "-trace.json", text = run_to_trace(run, title);
    if (file_name) *file_name = name;
    return text;
}

// A learner's program: what it printed, and how it ended (the error with its line and traceback).
static void draw_program_text(App& app, const ProgramReport& t, RunState state) {
    const Palette& pal = palette();
    // A run loaded from a file, or an earlier one: its program back in the editor, to run again or change.
    if (app.hooks.on_open_editor && !t.source.empty() && state != RunState::running &&
        small_button(app, "Open its program in the editor", "program:open")) {
        code_panel_editor_opened(app);
        layout_show_code(app);
        app.hooks.on_open_editor(t.source);
    }
    if (t.stopped || state == RunState::cancelled) wrapped_note("Stopped: the requests still in flight were cancelled.", pal.dim);
    if (!t.error_message.empty()) {
        verdict_mark(false);
        ImGui::PushStyleColor(ImGuiCol_Text, pal.bad);
        if (t.error_line > 0) ImGui::TextWrapped("line %d: %s", t.error_line, t.error_message.c_str());
        else ImGui::TextWrapped("%s", t.error_message.c_str());
        ImGui::PopStyleColor();
        if (!t.traceback.empty()) wrapped_note(t.traceback, pal.dim);
    }
    // The open lesson's exercise, judged on this run: where the learner looks after running from the editor.
    // (Only under the run it judged: a run loaded from a file, or made before, is not this exercise's.)
    if (const Lesson* l = current_lesson(app); l && l->has_exercise() && state != RunState::running && app.lessons.exercise.lesson == l->id &&
        app.lessons.exercise.generation == app_shown_run(app).generation)
        draw_exercise(app, *l, "results-exercise:");
    const std::string cut = program_output_cut_note(t);
    if (t.output.empty() && cut.empty()) {
        ImGui::TextDisabled(state == RunState::running ? "Nothing printed yet." : "The program printed nothing.");
        return;
    }
    ImGui::TextColored(pal.dim, state == RunState::running ? "What the program prints (as it comes):" : "What the program printed:");
    // Counted, never measured, since the text may be a megabyte: up to 8 lines, or 30 when made taller.
    const int most = app.results.output_tall ? 30 : 8;
    int lines = 1;
    for (size_t at = t.output.find('\n'); at != std::string::npos && at + 1 < t.output.size() && lines <= most; at = t.output.find('\n', at + 1)) ++lines;
    if (lines > 8 || app.results.output_tall) {
        ImGui::SameLine();
        if (small_button(app, app.results.output_tall ? "Shorter" : "Taller", "program:output-size")) {
            app.results.output_tall = !app.results.output_tall;
            app.needs_redraw = true;
        }
    }
    if (app.hooks.on_save_file) {
        ImGui::SameLine();
        if (small_button(app, "Save output", "program:output-save")) app.hooks.on_save_file("output.txt", "text/plain", t.output);
    }
    if (!cut.empty()) wrapped_note(cut, pal.note);
    const float h = ImGui::GetTextLineHeightWithSpacing() * float(std::min(lines, most)) + ImGui::GetStyle().WindowPadding.y * 2;
    ImGui::BeginChild("program-output", ImVec2(0, h), true, ImGuiWindowFlags_HorizontalScrollbar);
    // While it runs, the box follows the end as more comes, unless the learner scrolled up to read.
    const bool at_end = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - ImGui::GetTextLineHeight();
    ImGui::TextUnformatted(t.output.c_str(), t.output.c_str() + t.output.size());
    if (state == RunState::running && t.output.size() != app.results.output_drawn && at_end) {
        ImGui::SetScrollHereY(1.0f);
        app.needs_redraw = true;  // (the scroll shows on the next frame)
    }
    app.results.output_drawn = t.output.size();
    ImGui::EndChild();
}

// The settings of a run as its link and lesson presets write them: "path=bounded n=30 latency=300 ...",
// each field that differs from a default run, and the four a reader always needs.
static std::string settings_line(const RunDesc& d) {
    const RunDesc defaults;
    std::string out;
    for (const RunField& f : run_fields()) {
        const std::string_view key = f.url_key;
        const bool always = key == "path" || key == "n" || key == "latency" || key == "api";
        if (!always && f.get(d) == f.get(defaults)) continue;
        if (key == "limit" && code_path_info(d.path).schedule != Schedule::k_at_a_time) continue;
        out += (out.empty() ? "" : " ") + std::string(f.url_key) + "=" + field_text(f, d);
    }
    return out;
}

static void draw_png_caption(App& app, const Run& run, const RunStats& s) {
    const Palette& pal = palette();
    if (run.recorded) {  // the browser's requests from a HAR: measured elsewhere, nothing to judge
        ImGui::PushStyleColor(ImGuiCol_Text, pal.title);
        ImGui::TextWrapped("Recorded: %s", run.recorded->title.empty() ? run.recorded->file.c_str() : run.recorded->title.c_str());
        ImGui::PopStyleColor();
        ImGui::TextWrapped("%s, %d requests, at most %d in flight at once (no model: nothing expected of it).", format_duration_ms(s.wall_ms).c_str(), s.count, s.peak());
        ImGui::Separator();
        return;
    }
    if (run.program) {  // measured only: a learner's program has no claim, no model and no verdict
        ImGui::PushStyleColor(ImGuiCol_Text, pal.title);
        ImGui::TextWrapped("Your program%s", run.state == RunState::cancelled ? ", stopped" : "");
        ImGui::PopStyleColor();
        const int peak = s.peak();
        const std::string asked = s.peak_on_wire > 0 && s.peak_on_wire < s.peak_in_flight ? " (" + std::to_string(s.peak_in_flight) + " asked)" : "";
        ImGui::TextWrapped("Measured: %s, %d %s, at most %d in flight at once%s, %s API (no model: nothing expected of it).",
                           format_duration_ms(s.wall_ms).c_str(), s.count, s.count == 1 ? "request" : "requests", peak, asked.c_str(), api_name(run.desc.api));
        ImGui::Separator();
        return;
    }
    const Lesson* l = current_lesson(app);
    if (l && std::find(l->paths.begin(), l->paths.end(), run.desc.path) != l->paths.end()) {  // (a run of this lesson)
        ImGui::PushStyleColor(ImGuiCol_Text, pal.title);
        ImGui::TextWrapped("Lesson %d: %s", app.lessons.index + 1, l->title.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::TextWrapped("Claim: %s", claim_for(run.desc, run.expected, run.cost).c_str());
    if (run.state == RunState::finished) {
        const Verdict v = judge_run(run, s);
        verdict_mark(v.ok);
        ImGui::PushStyleColor(ImGuiCol_Text, v.ok ? pal.good : pal.bad);
        ImGui::TextWrapped("%s: %s", code_path_info(run.desc.path).label, without_mark(v.line).c_str());
        ImGui::PopStyleColor();
        if (!v.reason.empty()) wrapped_note(v.reason);
    }
    wrapped_note("Settings: " + settings_line(run.desc), pal.dim);
    ImGui::Separator();
}

static void draw_totals(App& app, const Run& run, const RunStats& s, bool running, int64_t now_us) {
    const RunDesc& d = run.desc;
    if (running && run.program) {
        ImGui::TextWrapped("Running your program, %s API: %d %s so far, %d done, %d in flight, %s so far", api_name(d.api), d.count,
                           d.count == 1 ? "request" : "requests", run.ended, run.in_flight,
                           format_duration_ms(double(now_us - run.start_us) / 1000).c_str());
    } else if (running) {
        ImGui::TextWrapped("Running %s, %d x %d ms, %s: %d of %d done, %d in flight, %s so far", run_label(d), d.count,
                    d.latency_ms, api_name(d.api), run.ended, d.count, run.in_flight,
                    format_duration_ms(double(now_us - run.start_us) / 1000).c_str());
    } else if (run.recorded) {
        ImGui::TextWrapped("Recorded: %d %s from %s%s", d.count, d.count == 1 ? "request" : "requests",
                           run.recorded->file.empty() ? "a HAR" : run.recorded->file.c_str(),
                           run.recorded->creator.empty() ? "" : (" (" + run.recorded->creator + ")").c_str());
    } else if (run.program) {
        ImGui::TextWrapped("%s: your program, %d %s, %s API", run.state == RunState::cancelled ? "Stopped" : "Last run", d.count,
                           d.count == 1 ? "request" : "requests", api_name(d.api));
    } else {
        ImGui::TextWrapped("%s run: %s, %d x %d ms, %s API", run.state == RunState::cancelled ? "Cancelled" : "Last",
                    run_label(d), d.count, d.latency_ms, api_name(d.api));
    }
    // Each cell: label over value, and what it means on hover. As many cells to a row as fit their texts.
    struct Cell { const char* label; std::string value, tip; };
    std::vector<Cell> cells;
    char buf[64];
    const Expectation& e = run.expected;
    cells.push_back({"wall", running ? "..." : format_duration_ms(s.wall_ms), "from the run's start to its last answer"});
    cells.push_back({"sum of calls", format_duration_ms(s.sum_ms), "every call's own time added up: what one at a time would cost"});
    cells.push_back({"slowest", format_duration_ms(s.slowest_ms),
                     "the longest one call took, from its request going out to its end (time queued before it is not counted)"});
    cells.push_back({"mean", format_duration_ms(s.mean_ms), "one call's time on average: the sum of calls / the calls that ended"});
    std::string parts = "the program: " + format_duration_ms(e.path_ms);
    if (e.cap_ms >= 0.5) parts += "\n+ the browser's 6 connections per host: " + format_duration_ms(e.cap_ms);
    if (e.browser_ms >= 0.5) parts += "\n+ handing the answers over in this browser: " + format_duration_ms(e.browser_ms);
    const bool model = run.desc.kind == RunKind::path;  // (a learner's program, a HAR: no model, no expectation, no speedup of one)
    if (model) cells.push_back({"expected", format_duration_ms(s.expected_ms), "what the model expects of this run:\n" + parts});
    if (running || run.state == RunState::cancelled) std::snprintf(buf, sizeof buf, "- of %.1fx", s.expected_speedup);
    else std::snprintf(buf, sizeof buf, "%.1fx of %.1fx", s.speedup, s.expected_speedup);
    if (model) {
        // With this run's own numbers: which division gives each figure.
        const std::string loop = format_duration_ms(s.sequential_estimate_ms);
        char of[160], got[160];
        std::snprintf(of, sizeof of, "of: what the model expects, %s / %s = %.1fx", loop.c_str(), format_duration_ms(s.expected_ms).c_str(),
                      s.expected_speedup);
        if (running || run.state == RunState::cancelled) std::snprintf(got, sizeof got, "speedup: the plain loop's time / this run's, once it ends");
        else std::snprintf(got, sizeof got, "speedup: the plain loop's time / this run's, %s / %s = %.1fx", loop.c_str(),
                           format_duration_ms(s.wall_ms).c_str(), s.speedup);
        std::string tip = std::string(got) + "\n" + of + "\n(the plain loop: the same calls one after another, " + loop + ")";
        // The measured figure above the model's has a reason, said where the figures are.
        if (run.state == RunState::finished && s.speedup > s.expected_speedup * 1.005) {
            const double sooner = s.expected_ms - s.wall_ms;
            tip += "\nAbove the model's: this run took " + format_duration_ms(sooner) + " less than it expects";
            tip += e.browser_ms >= 0.5 ? ", which counts " + format_duration_ms(e.browser_ms) + " for the browser's costs as measured before the run: they were lower this time."
                                       : ": the answers came sooner than the latency asked for.";
        }
        cells.push_back({"speedup", buf, tip});
    }
    const int peak = s.peak();
    // On real sockets the browser may send fewer at once than were asked for: both are said.
    const bool held = s.peak_on_wire > 0 && s.peak_on_wire < s.peak_in_flight;
    const std::string wire = held ? std::to_string(s.peak_in_flight) + " asked, " + std::to_string(s.peak_on_wire) + " on the wire" : std::to_string(peak);
    const std::string wire_tip = held ? "\n" + std::to_string(s.peak_in_flight) + " requests were asked for at once; the browser sent at most " +
                                            std::to_string(s.peak_on_wire) + " (Resource Timing) and held the rest for a free connection"
                                      : std::string();
    if (model) {
        cells.push_back({"peak in flight", wire + " of " + std::to_string(s.expected_peak_in_flight),
                         (s.peak_on_wire > 0 ? "most requests really sent at once (Resource Timing), of the most the model expects"
                                             : "most requests in flight at once, of the most the model expects") + wire_tip});
    } else {
        cells.push_back({"peak in flight", wire, std::string(run.recorded ? "most of its requests in flight at once" : "most of the program's requests in flight at once") + wire_tip});
    }
    float widest = 0;
    for (const Cell& c : cells) widest = std::max({widest, ImGui::CalcTextSize(c.label).x, ImGui::CalcTextSize(c.value.c_str()).x});
    const float cell_w = widest + ImGui::GetStyle().CellPadding.x * 2 + 2;
    const int columns = std::clamp(int(ImGui::GetContentRegionAvail().x / cell_w), 1, int(cells.size()));
    if (ImGui::BeginTable("totals", columns, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
        for (const Cell& c : cells) {
            ImGui::TableNextColumn();
            ImGui::BeginGroup();
            ImGui::TextColored(palette().dim, "%s", c.label);
            ImGui::TextUnformatted(c.value.c_str());
            ImGui::EndGroup();
            // The whole cell explains itself: on hover, and spelled out under the table once clicked (a
            // touch screen has no hover).
            if (!c.tip.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s%s", c.tip.c_str(),
                                                                            app.results.pinned_total == c.label ? "" : "\n(click to keep this under the totals)");
            if (!c.tip.empty() && ImGui::IsItemClicked()) {
                app.results.pinned_total = app.results.pinned_total == c.label ? "" : c.label;
                app.needs_redraw = true;
            }
            name_text(app, std::string("totals:") + c.label);
        }
        ImGui::EndTable();
    }
    for (const Cell& c : cells)
        if (!c.tip.empty() && app.results.pinned_total == c.label) wrapped_note(std::string(c.label) + ": " + c.tip, palette().dim);
    if (!running) {
        for (const std::string& n : explain_run(run, s)) wrapped_note(n);
    }
}

// Replay: scrub over the finished run; the waterfall shows the instant, the code panel lights the lines the
// requests are at, and one sentence says what every request and the event loop are doing.
static void draw_replay(App& app, const Run& run) {
    ResultsState& r = app.results;
    const float wall = float(std::max<int64_t>(1, run.end_us - run.start_us)) / 1000.0f;
    float t = r.replay_ms < 0 ? wall : float(r.replay_ms);
    // The label before the slider, the instant in it (a label inside would sit under the knob).
    ImGui::TextUnformatted("replay");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::max(80.0f, ImGui::GetContentRegionAvail().x - button_width("whole run") - ImGui::GetStyle().ItemSpacing.x));
    if (ImGui::SliderFloat("##replay", &t, 0.0f, wall, "%.0f ms", ImGuiSliderFlags_AlwaysClamp)) {
        r.replay_ms = t;
        app.needs_redraw = true;
    }
    name_item(app, "replay");
    own_drag(ImGui::GetItemID());
    ImGui::BeginDisabled(r.replay_ms < 0);
    if (small_button(app, "whole run", "replay:off")) r.replay_ms = -1, app.needs_redraw = true;
    ImGui::EndDisabled();
    if (r.replay_ms < 0) {
        wrapped_note("Drag the replay slider to see any instant of the run: who waits, who is queued, what the loop does.", palette().dim);
        return;
    }
    const ReplayState st = stepper_holds_replay(app) ? replay_from_picture(stepper_picture(app)) : replay_at(run, int64_t(r.replay_ms * 1000));
    ImGui::TextWrapped("%s", describe_replay(run, st).c_str());
}

void draw_run_view(App& app, int64_t now_us) {
    const Run& run = app_shown_run(app);
    const HistoryEntry* entry = app_shown_entry(app);
    const bool running = !entry && app.scheduler.running();
    if (!app.results.file_error.empty()) wrapped_note(app.results.file_error, palette().bad);
    if (run.state == RunState::idle) {
        ImGui::TextWrapped("Pick a code path and press Run. Each request asks the API to wait the given latency before it answers. "
                           "The waterfall draws one bar per request on a shared time axis: a loop makes a staircase, "
                           "gather makes a block as wide as a single call.");
        if (small_button(app, "Load a run file...", "load-run", false) && app.hooks.on_open_file) app.hooks.on_open_file();
        return;
    }
    const RunStats& s = app_shown_stats(app);
    if (entry && !entry->source.empty()) wrapped_note("From the file " + entry->source + " (Run starts a new one):", palette().title);
    if (entry && !entry->edits.empty()) {
        std::string mark = "Edited: this file does not hold together: ";
        for (size_t i = 0; i < entry->edits.size(); ++i) mark += (i ? "; " : "") + entry->edits[i];
        wrapped_note(mark + ". The expectation shown is the model's for its settings.", palette().bad);
    }
    if (app.results.png_caption && !running) {
        // One frame with what the picture is of, and that frame saved: the lesson, the claim, the verdict and
        // every setting, so a PNG pasted in a forum post or a report explains itself.
        app.results.png_caption = false;
        app.results.png_requested = true;
        app.needs_redraw = true;  // the frame after it is drawn without
        draw_png_caption(app, run, s);
    }
    draw_totals(app, run, s, running, now_us);
    const double elapsed = double((running ? now_us : run.end_us) - run.start_us) / 1000.0;
    const double span = std::max({s.expected_ms, elapsed, 1.0}) * 1.04;
    const bool stepper = app.stepper.open && !running;
    const bool order = run.desc.path == CodePath::as_completed && run.state == RunState::finished;
    const float wf_h = std::max(140.0f, ImGui::GetContentRegionAvail().y * (stepper ? 0.45f : 0.62f));
    draw_zoom_buttons(app);
    if (!running) {
        if (small_button(app, "Save run", "save-run") && app.hooks.on_save_file) {
            app.hooks.on_save_file(std::string("asyncplay-run-") + run_name(run.desc) + "-" + std::to_string(run.desc.count) + ".json",
                                   "application/json", results_run_file(app));
        }
        if (small_button(app, "Load run...", "load-run") && app.hooks.on_open_file) app.hooks.on_open_file();
        if (small_button(app, "Save as PNG", "save-png")) app.results.png_caption = true, app.needs_redraw = true;
        ImGui::BeginDisabled(run.requests.empty());  // (a run kept from an earlier visit has only its summary)
        if (small_button(app, "Requests as CSV", "save-requests-csv") && app.hooks.on_save_file) {
            app.hooks.on_save_file(std::string("asyncplay-requests-") + run_name(run.desc) + "-" + std::to_string(run.desc.count) + ".csv",
                                   "text/csv", run_requests_csv(run));
        }
        // For the tools the field already has: DevTools' Network panel and HAR viewers; Perfetto.
        for (const char* format : {"har", "trace"}) {
            const bool har = format[0] == 'h';
            if (small_button(app, har ? "Save as HAR" : "Save as trace", har ? "save-har" : "save-trace") && app.hooks.on_save_file) {
                std::string name;
                const std::string text = results_export(app, format, &name);
                app.hooks.on_save_file(name, "application/json", text);
            }
        }
        ImGui::EndDisabled();
    }
    draw_waterfall(app, run, span, now_us, wf_h);
    if (!running && run.state != RunState::idle) draw_replay(app, run);
    draw_legend(run);
    if (run.program) draw_program_text(app, run.program->report, run.state);
    if (order) {
        std::string line = "as_completed hands the results over in this order:";
        for (int i : finishing_order(run)) line += " " + std::to_string(i + 1);
        ImGui::TextWrapped("%s", line.c_str());
    }
    if (!running) draw_stepper(app, now_us);
}

}  // namespace ap
