#include "app/code_panel.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "app/app.h"
#include "app/ui_kit.h"
#include "app/lessons_panel.h"
#include "core/analysis.h"
#include "core/embedded_text.h"
#include "core/json.h"
#include "imgui.h"
#include "imgui_internal.h"  // the window's visible rectangle, for the badges

namespace ap {

// The palette's code colours, which the program editor shares (ui_kit.h).
static ImU32 span_color(SpanKind k) {
    const Palette::Code& c = palette().code;
    switch (k) {
        case SpanKind::plain: return c.text;
        case SpanKind::keyword: return c.keyword;
        case SpanKind::builtin: return c.builtin;
        case SpanKind::string: return c.string;
        case SpanKind::comment: return c.comment;
        case SpanKind::number: return c.number;
    }
    return c.text;
}

void code_panel_begin_frame(App& app) { app.code.drawn = false; }

void code_panel_end_frame(App& app) {
    CodePanelState& cp = app.code;
    if (!cp.editing || cp.drawn || cp.editor_rect[2] == 0) return;
    std::memset(cp.editor_rect, 0, sizeof cp.editor_rect);  // another tab: the editor waits, hidden
    if (app.hooks.on_editor_rect) app.hooks.on_editor_rect(0, 0, 0, 0);
}

// The instant of `run` the panel shows: now while it runs, the replay slider's instant once it has ended;
// -1 for neither (no counts to show).
static int64_t shown_instant_us(const App& app, const Run& run, int64_t now_us) {
    if (run.state == RunState::running) return now_us;
    if (app.results.replay_ms >= 0 && run.state != RunState::idle) return run.start_us + int64_t(app.results.replay_ms * 1000);
    return -1;
}

// Opened or closed: what was told to the platform is forgotten, so an opened editor is told where it is and
// which line is lit in the next frame.
static void set_editing(App& app, bool editing) {
    CodePanelState& cp = app.code;
    cp.editing = editing;
    cp.reveal = editing;
    cp.tall = false;
    std::memset(cp.editor_rect, 0, sizeof cp.editor_rect);
    cp.editor_line = 0;
    cp.editor_counts.clear();
    app.needs_redraw = true;
    if (!editing && app.hooks.on_editor_rect) app.hooks.on_editor_rect(0, 0, 0, 0);  // closed here: hide it there
}

void code_panel_editor_closed(App& app) { set_editing(app, false); }
void code_panel_editor_opened(App& app) { set_editing(app, true); }

const std::string* code_panel_lesson_script(const App& app) {
    const Lesson* l = current_lesson(app);
    return app.code.lesson_script && l && !l->script.empty() ? &l->script : nullptr;
}

void code_panel_show_lesson_script(App& app, bool show) {
    if (app.code.lesson_script == show) return;
    app.code.lesson_script = show;
    app.code.cache.valid = false;
    app.code.selected_phase = -1;
    app.needs_redraw = true;
}

void code_panel_run_program(App& app) {
    if (!app.hooks.on_open_editor || !app.hooks.on_run_editor) return;
    if (!app.code.editing) {
        set_editing(app, true);
        app.hooks.on_open_editor(code_panel_editor_program(app));
        layout_show_code(app);  // (a phone: the editor, saying that Python starts, until the run does)
    }
    app.hooks.on_run_editor();
}

// A lesson's starter, while the panel shows one of the lesson's paths: the learner's version of what they show.
const std::string* code_panel_starter(const App& app) {
    const Lesson* l = current_lesson(app);
    if (!l || l->starter.empty() || code_panel_lesson_script(app)) return nullptr;
    const std::optional<CodePath> p = code_path_of(app.desc);
    return p && std::find(l->paths.begin(), l->paths.end(), *p) != l->paths.end() ? &l->starter : nullptr;
}

std::string code_panel_editor_program(const App& app) {
    if (const std::string* starter = code_panel_starter(app)) return *starter;
    return code_panel_program(app);
}

std::string code_panel_program(const App& app) {
    if (const std::string* own = code_panel_lesson_script(app)) return *own;
    std::string out;
    for (const CodeLine& line : app.code.cache.lines) out += line.text + "\n";
    return out;
}

void draw_code_panel(App& app, int64_t now_us) {
    const Palette& pal = palette();
    CodePanelState& cp = app.code;
    const RunDesc& d = app.desc;
    const std::string* own = code_panel_lesson_script(app);
    const Run& shown_run = app_shown_run(app);
    if (own) wrapped_note("The lesson's own program. Run (or Edit and run) runs it in this page's Python; its requests land on the waterfall.", pal.dim);
    else if (shown_run.recorded)
        wrapped_note(std::string("The run shown was recorded elsewhere (") + (shown_run.recorded->file.empty() ? "a HAR" : shown_run.recorded->file) +
                         "): no program made it. Below: " + python_file_for(d.path) + ", the Python of the code path in the settings.", pal.dim);
    else if (shown_run.program)  // (the run on screen is the learner's program; this panel shows the settings' path)
        wrapped_note(std::string("The run shown is your program (Edit and run opens it). Below: ") + python_file_for(d.path) +
                     ", the Python of the code path in the settings.", pal.dim);
    else wrapped_note(std::string("The Python this run mirrors: ") + python_file_for(d.path), pal.dim);
    if (!own && code_panel_starter(app)) wrapped_note("Edit and run opens this lesson's starter: your own version of it, to change and run.", pal.dim);
    // The program aimed at the API in use (a simulated run keeps the program's own BASE: nothing is sent).
    const bool simulated = d.api == Api::simulated || (d.api == Api::page && !app.apis.inpage_ready) || !app.network;
    const std::string base = simulated ? "" : api_base(app, d);
    CodePanelState::Cache& cache = cp.cache;
    if (own && !cache.valid) {
        // (Its BASE is set to the chosen API's when it runs, as any program's.)
        cache.valid = true;
        cache.desc = d;
        cache.base = base;
        cache.lines = code_lines(*own);
        cache.spans.clear();
        for (const CodeLine& line : cache.lines) cache.spans.push_back(python_spans(line.text));
        cache.gaps.clear();
    } else if (!own && (!cache.valid || !(cache.desc == d) || cache.base != base)) {
        cache.valid = true;
        cache.desc = d;
        cache.base = base;
        cache.lines = code_lines(render_tagged_snippet(python_for(d.path), d, base));
        cache.spans.clear();
        for (const CodeLine& line : cache.lines) cache.spans.push_back(python_spans(line.text));
        cache.gaps = snippet_gaps(python_for(d.path), d);
        if (simulated) cache.gaps.push_back("This run is simulated: no request leaves the page, and BASE is where the program would send them.");
    }
    const std::vector<CodeLine>& lines = cache.lines;
    cp.drawn = true;
    // Edit and run: the program in an editor over this panel, run in the page's own Python. Opened where the
    // column shows less than its bar and 12 lines of code below this line (a window of 800 x 600), the column
    // scrolls to put this line at its top and the editor takes the column's whole height.
    if (cp.reveal && cp.editing) {
        cp.reveal = false;
        const float below = ImGui::GetWindowPos().y + ImGui::GetWindowHeight() - ImGui::GetCursorScreenPos().y;
        if (below < ImGui::GetTextLineHeightWithSpacing() * 18) {
            ImGui::SetScrollHereY(0.0f);
            cp.tall = true;
            app.needs_redraw = true;  // (the scroll is applied in the next frame)
        }
    }
    if (app.hooks.on_open_editor) {
        if (small_button(app, cp.editing ? "Close the editor" : "Edit and run", "code:edit", false)) {
            set_editing(app, !cp.editing);
            if (cp.editing) app.hooks.on_open_editor(code_panel_editor_program(app));
        }
    }
    if (cp.editing) {
        // The editor covers this space; the panel's place goes to the platform whenever it moves.
        // At least 16 lines, the rest of the column below, or (scrolled to it) the column's whole height.
        const float column_h = cp.tall ? ImGui::GetWindowHeight() - ImGui::GetTextLineHeightWithSpacing() * 2 : 0;
        ImGui::BeginChild("code-editor", ImVec2(0, std::max({ImGui::GetTextLineHeightWithSpacing() * 16, ImGui::GetContentRegionAvail().y, column_h})), false,
                          ImGuiWindowFlags_NoScrollbar);
        ImGui::EndChild();
        // A clicked bar of a program run lights the line that made its request.
        const Run& shown = app_shown_run(app);
        const int sel = app.results.selected_request;
        const int line = shown.program && sel >= 0 && sel < int(shown.program->calls.size()) ? shown.program->calls[size_t(sel)].line : 0;
        if (line != cp.editor_line) {
            cp.editor_line = line;
            if (app.hooks.on_editor_line) app.hooks.on_editor_line(line);
        }
        // Where the program's requests are, by line: while it runs, or at the replay slider's instant.
        const int64_t t = shown_instant_us(app, shown, now_us);
        const bool counted = shown.program && t >= 0;
        JsonWriter w;
        w.begin_object().key("source").string(counted && shown.state != RunState::running ? shown.program->report.source : std::string());
        w.key("lines").begin_array();
        if (counted) {
            for (const ProgramLineCount& c : program_line_counts(shown, t))
                w.begin_object().key("line").integer(c.line).key("text").string(c.text).key("phase").string(phase_name(c.phase)).end_object();
        }
        w.end_array().end_object();
        std::string counts = w.take();
        if (counts != cp.editor_counts) {
            cp.editor_counts = std::move(counts);
            if (app.hooks.on_editor_counts) app.hooks.on_editor_counts(cp.editor_counts);
        }
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        const float r[4] = {a.x, a.y, b.x - a.x, b.y - a.y};
        if (std::memcmp(r, cp.editor_rect, sizeof r) != 0) {
            std::memcpy(cp.editor_rect, r, sizeof r);
            if (app.hooks.on_editor_rect) app.hooks.on_editor_rect(r[0], r[1], r[2], r[3]);
        }
        return;
    }
    // The program as it stands, with the learner's numbers, to run on their own machine.
    if (small_button(app, "Copy program", "code:copy", !!app.hooks.on_open_editor) && app.hooks.on_copy_text)
        app.hooks.on_copy_text("Program", code_panel_program(app));
    if (small_button(app, "Save as .py", "code:save") && app.hooks.on_save_file) {
        const Lesson* l = current_lesson(app);
        app.hooks.on_save_file(own && l ? l->id + ".py" : std::string(python_file_for(d.path)), "text/x-python", code_panel_program(app));
    }
    for (const std::string& gap : cache.gaps) wrapped_note(gap);

    const Run& run = app_shown_run(app);
    const int64_t t = shown_instant_us(app, run, now_us);
    int counts[phase_count] = {};
    const bool replaying = t >= 0 && run.state != RunState::running;
    const bool live = t >= 0 && run.desc.kind == RunKind::path && run.desc.path == d.path;
    // The stepper's running call (the one the thread runs or is blocked in) is marked apart, at its line.
    Phase running_phase = Phase::none;
    int running_call = -1;
    int ready = 0;  // of the waiting ones: their answer is in, they wait for the busy loop (the ready queue)
    if (live && replaying && stepper_holds_replay(app)) {
        // At a step of the stepper: its picture (several steps may share one instant; the phases at that
        // instant would show only the last).
        const LoopPicture pic = stepper_picture(app);
        for (CallState c : pic.calls) {
            ++counts[int(phase_of_call(c))];
            ready += c == CallState::ready;
        }
        running_call = pic.running;
        if (running_call >= 0 && running_call < int(pic.calls.size())) running_phase = phase_of_call(pic.calls[size_t(running_call)]);
    } else if (live) {
        // Where every request is: now, or at the replay slider's instant.
        for (const RequestTrace& r : run.requests) {
            const Phase ph = request_phase(r, t);
            ++counts[int(ph)];
            if (ph == Phase::waiting && r.answered_us >= 0 && t >= r.answered_us) ++ready;  // answer in, loop busy
        }
        if (replaying && app.stepper.open) {
            running_call = stepper_picture(app).running;
            if (running_call >= 0 && running_call < int(run.requests.size())) running_phase = request_phase(run.requests[size_t(running_call)], t);
        }
    }
    // The lesson's own program: its running (or replayed) requests counted at the lines that made them.
    std::vector<ProgramLineCount> own_counts;
    if (own && run.program && t >= 0 && (!replaying || run.program->report.source == *own)) own_counts = program_line_counts(run, t);
    size_t next_count = 0;
    bool running_marked = false;
    int running_line = -1;
    for (size_t i = 0; i < lines.size() && running_phase != Phase::none && running_line < 0; ++i)
        if (lines[i].phases & phase_bit(running_phase)) running_line = int(i);
    const float min_h = ImGui::GetTextLineHeightWithSpacing() * 16;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, pal.code.background);
    ImGui::BeginChild("code", ImVec2(0, std::max(min_h, ImGui::GetContentRegionAvail().y)), true, ImGuiWindowFlags_HorizontalScrollbar);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float line_h = ImGui::GetTextLineHeight();
    const float width = std::max(ImGui::GetContentRegionAvail().x, ImGui::CalcTextSize("x").x * 64);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 0));
    bool named[phase_count] = {};
    for (size_t i = 0; i < lines.size(); ++i) {
        const CodeLine& line = lines[i];
        if (int(i) == running_line && cp.scrolled_to_step != app.stepper.step) {
            // A new step: the line the thread is at comes into view (the next frame scrolls).
            cp.scrolled_to_step = app.stepper.step;
            ImGui::SetScrollHereY(0.4f);
            app.needs_redraw = true;
        }
        const ImVec2 p = ImGui::GetCursorScreenPos();
        if (!ImGui::IsRectVisible(ImVec2(width, line_h))) {  // scrolled out of sight: only its place (and its name,
            ImGui::Dummy(ImVec2(width, line_h));              // so that playground.revealWidget can bring it in)
            for (int ph = 1; ph < phase_count; ++ph) {
                if ((line.phases & phase_bit(Phase(ph))) && !named[ph]) {
                    named[ph] = true;
                    name_text(app, std::string("code-line:") + phase_name(Phase(ph)));
                }
            }
            continue;
        }
        Phase lit = Phase::none;
        int count = 0;
        for (int ph = 1; ph < phase_count; ++ph) {
            if (!(line.phases & phase_bit(Phase(ph)))) continue;
            if (cp.selected_phase == ph || (live && counts[ph] > 0)) lit = Phase(ph);
            count += live ? counts[ph] : 0;
        }
        const ProgramLineCount* own_count = nullptr;
        while (next_count < own_counts.size() && own_counts[next_count].line < int(i) + 1) ++next_count;
        if (next_count < own_counts.size() && own_counts[next_count].line == int(i) + 1) {
            own_count = &own_counts[next_count];
            lit = own_count->phase;
            count = own_count->count;
        }
        if (lit != Phase::none) dl->AddRectFilled(p, ImVec2(p.x + width, p.y + line_h), phase_color(lit, cp.selected_phase == int(lit) ? 90 : 55));
        const bool runs_here = !running_marked && running_phase != Phase::none && (line.phases & phase_bit(running_phase));
        if (runs_here) {
            running_marked = true;
            dl->AddRect(p, ImVec2(p.x + width, p.y + line_h), pal.focus, 2, 0, 2);
            dl->AddTriangleFilled(ImVec2(p.x, p.y + 1), ImVec2(p.x + line_h * 0.45f, p.y + line_h / 2), ImVec2(p.x, p.y + line_h - 1), pal.focus);
        }
        ImGui::PushID(int(i));
        if (ImGui::InvisibleButton("line", ImVec2(width, line_h)) && line.phases) {
            int first = 0;
            for (int ph = 1; ph < phase_count && !first; ++ph) if (line.phases & phase_bit(Phase(ph))) first = ph;
            cp.selected_phase = cp.selected_phase == first ? -1 : first;
            app.needs_redraw = true;
        }
        ImGui::PopID();
        for (int ph = 1; ph < phase_count; ++ph) {
            if ((line.phases & phase_bit(Phase(ph))) && !named[ph]) {
                named[ph] = true;
                name_item(app, std::string("code-line:") + phase_name(Phase(ph)));
            }
        }
        float x = p.x + 4;
        for (const Span& s : cache.spans[i]) {
            const char* b = line.text.c_str() + s.begin;
            const char* e = line.text.c_str() + s.end;
            dl->AddText(ImVec2(x, p.y), span_color(s.kind), b, e);
            x += ImGui::CalcTextSize(b, e).x;
        }
        if (count > 0) {
            char what[80];
            const int ready_here = lit == Phase::waiting ? std::min(ready, count) : 0;
            if (ready_here == count) std::snprintf(what, sizeof what, "%d ready, waiting for the loop", count);
            else if (ready_here > 0) std::snprintf(what, sizeof what, "%d %s, %d ready", count - ready_here, phase_label(lit), ready_here);
            else std::snprintf(what, sizeof what, "%d %s", count, phase_label(lit));
            char badge[128];
            if (own_count)
                std::snprintf(badge, sizeof badge, "%s", own_count->text.c_str());
            else if (runs_here)
                std::snprintf(badge, sizeof badge, "call %d %s; %s", running_call + 1, running_phase == Phase::handling ? "runs here" : "blocks the thread here", what);
            else
                std::snprintf(badge, sizeof badge, "%s", what);
            const float bw = ImGui::CalcTextSize(badge).x;
            // At the right edge of what is in view (over the end of a long line if need be), never beyond it.
            const float view_right = ImGui::GetCurrentWindow()->InnerClipRect.Max.x;
            const float bx = std::max(p.x + 4, std::min(std::max(x + 12, view_right - bw - 6), view_right - bw - 6));
            dl->AddRectFilled(ImVec2(bx - 4, p.y), ImVec2(bx + bw + 4, p.y + line_h), phase_color(lit, 220), 3);
            dl->AddText(ImVec2(bx, p.y), pal.code.background, badge);
        }
    }
    ImGui::PopStyleVar();
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace ap
