#include "app/waterfall.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/app.h"
#include "app/bar_merge.h"
#include "app/ui_kit.h"
#include "core/analysis.h"
#include "core/stats.h"
#include "imgui.h"

namespace ap {

namespace {

// Where bars go: into a batch for the platform's instanced pass (one draw call, no blending), or, without
// one (the native tests), straight into ImGui's draw list. Translucent colours are blended against the
// page's background first, so the instanced pass can draw every bar opaque; bars that line up merge into
// few shapes (bar_merge.h).
struct BarSink {
    App& app;
    ImDrawList* dl;
    BarBatch* batch = nullptr;
    BarMerger merger;
    float bg[3];

    // instanced = false: a few bars (a history row's pixel rows) are cheaper through ImGui's own list than a
    // pass of their own, whose state changes cost more WebGL calls than the bars.
    BarSink(App& a, ImDrawList* list, bool instanced = true) : app(a), dl(list), merger(ImGui::GetIO().DisplayFramebufferScale.x) {
        app_clear_color(app, bg);
        if (!app.hooks.bar_pass || !instanced) return;
        WaterfallFrame& f = app.bars;
        if (f.used == f.batches.size()) f.batches.emplace_back();
        batch = &f.batches[f.used++];
        merger.reset(&batch->rects, &batch->colors);
    }
    void rect(ImVec2 a, ImVec2 b, ImU32 col) {
        if (!batch) {
            dl->AddRectFilled(a, b, col);
            return;
        }
        const float alpha = float((col >> IM_COL32_A_SHIFT) & 0xFF) / 255.0f;
        ImU32 out = IM_COL32_A_MASK;
        for (int c = 0; c < 3; ++c) {
            const float v = float((col >> (8 * c)) & 0xFF) / 255.0f;
            out |= ImU32(std::lround((v * alpha + bg[c] * (1 - alpha)) * 255.0f)) << (8 * c);
        }
        merger.add(a.x, a.y, b.x, b.y, out);
    }
    // Hands the batch to the platform at this point of the draw order: what the list gets next is on top.
    void flush() {
        if (!batch || batch->colors.empty()) return;
        dl->AddCallback(app.hooks.bar_pass, batch);
        dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
    }
};

void hover_tooltip(const Run& run, int i) {
    const RequestTrace& r = run.requests[size_t(i)];
    const int n = int(run.requests.size());
    ImGui::BeginTooltip();
    ImGui::Text("request %d of %d: %s", i + 1, n, outcome_name(r.outcome));
    // A recorded run: what the browser asked for.
    if (run.recorded && size_t(i) < run.recorded->urls.size()) {
        const std::string what = run.recorded->methods[size_t(i)] + " " + run.recorded->urls[size_t(i)];
        ImGui::TextUnformatted(what.size() > 120 ? (what.substr(0, 117) + "...").c_str() : what.c_str());
    }
    // A learner's program: what it asked for, from where (the task as the stepper numbers it, and as asyncio names it).
    if (run.program && size_t(i) < run.program->calls.size()) {
        const ProgramCall& c = run.program->calls[size_t(i)];
        ImGui::TextUnformatted(c.url.size() > 120 ? (c.url.substr(0, 117) + "...").c_str() : c.url.c_str());
        std::string where = c.line > 0 ? "line " + std::to_string(c.line) : std::string("no line of the program");
        if (c.task_id >= 0) where += ", " + task_title(run.program->trace, c.task_id);
        if (!c.task.empty() && c.task_id > 0) where += " (asyncio's " + c.task + ")";
        if (!c.thread.empty() && c.thread_id != 0) where += ", thread " + c.thread;
        if (c.blocking) where += ", a blocking call";
        ImGui::TextUnformatted(where.c_str());
        if (!c.wire_url.empty())
            ImGui::TextDisabled("sent to %s (a sibling port of the dev server: the browser's own 6 connections)", url_origin(c.wire_url).c_str());
    }
    auto rel = [&](int64_t us) { return format_duration_ms(double(us - run.start_us) / 1000); };
    if (r.scheduled_us >= 0 && r.started_us > r.scheduled_us)
        ImGui::Text("queued %s, %s", format_duration_ms(double(r.started_us - r.scheduled_us) / 1000).c_str(), queue_reason(run.desc));
    if (r.started_us >= 0) ImGui::Text("started at %s", rel(r.started_us).c_str());
    if (r.finished_us >= 0)
        ImGui::Text("ended at %s, took %s", rel(r.finished_us).c_str(), format_duration_ms(double(r.finished_us - r.started_us) / 1000).c_str());
    for (const Attempt& at : r.attempts) {
        if (at.sent_us < 0 || at.ended_us < 0) continue;
        ImGui::Text("Resource Timing: stalled %s (no free connection), then %s to the first byte, %s for the rest",
                    format_duration_ms(double(at.sent_us - at.started_us) / 1000).c_str(),
                    format_duration_ms(double((at.first_byte_us >= 0 ? at.first_byte_us : at.ended_us) - at.sent_us) / 1000).c_str(),
                    format_duration_ms(double(at.ended_us - (at.first_byte_us >= 0 ? at.first_byte_us : at.ended_us)) / 1000).c_str());
        break;
    }
    if (r.attempts.size() > 1) {
        for (size_t a = 0; a < r.attempts.size(); ++a) {
            const Attempt& at = r.attempts[a];
            ImGui::Text("  attempt %d: %s at %s%s", int(a) + 1, outcome_name(at.outcome), rel(at.started_us).c_str(),
                        at.status ? (", HTTP " + std::to_string(at.status)).c_str() : "");
        }
    }
    if (r.answered_us >= 0 && r.finished_us > r.answered_us && r.handled_us >= 0)
        ImGui::Text("answered at %s, handled from %s (CPU %d ms)", rel(r.answered_us).c_str(), rel(r.handled_us).c_str(), run.desc.cpu_ms);
    if (r.status) ImGui::Text("HTTP %d, %lld bytes", r.status, static_cast<long long>(r.bytes));
    if (!r.reason.empty()) ImGui::TextColored(palette().note, "%s", r.reason.c_str());
    ImGui::EndTooltip();
}

}  // namespace

void draw_zoom_buttons(App& app) {
    float& zoom = app.results.zoom;
    if (small_button(app, " - ", "zoom:out", false)) zoom /= 1.5f;
    if (small_button(app, " + ", "zoom:in")) zoom *= 1.5f;
    if (small_button(app, "fit", "zoom:fit")) zoom = 1;
    char text[64];
    std::snprintf(text, sizeof text, "zoom %.1fx%s", zoom, zoom > 1 ? " (drag sideways)" : "");
    same_line_if_fits(ImGui::CalcTextSize(text).x);
    ImGui::TextColored(palette().dim, "%s", text);
    name_text(app, "zoom:text");
}

void draw_waterfall(App& app, const Run& run, double span_ms, int64_t now_us, float height, const char* id, bool interactive) {
    const Palette& pal = palette();
    ResultsState& res = app.results;
    const int n = int(run.requests.size());
    const float label_h = ImGui::GetTextLineHeight() + 2;
    const float old_zoom = interactive ? res.zoom_shown : res.zoom;
    ImGui::BeginChild(id, ImVec2(0, height), true, ImGuiWindowFlags_HorizontalScrollbar);
    name_region(app, id);
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsWindowHovered() && io.KeyCtrl && io.MouseWheel != 0) res.zoom *= std::pow(1.25f, io.MouseWheel);
    res.zoom = std::clamp(res.zoom, 1.0f, 64.0f);
    const float view_w = std::max(10.0f, ImGui::GetContentRegionAvail().x - 4);
    if (res.zoom != old_zoom) {
        // Keep the instant in the middle of the view where it was.
        const float mid = (ImGui::GetScrollX() + view_w / 2) / old_zoom;
        ImGui::SetScrollX(std::max(0.0f, mid * res.zoom - view_w / 2));
        app.needs_redraw = true;
    }
    if (interactive) res.zoom_shown = res.zoom;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 top = ImGui::GetCursorScreenPos();
    const float width = view_w * res.zoom;
    const float rows_h = std::max(20.0f, ImGui::GetContentRegionAvail().y - label_h);
    const float row_h = std::clamp(rows_h / std::max(1, n), 1.0f, 16.0f);
    const float bar_h = row_h >= 4 ? row_h - 1 : row_h;

    draw_time_axis(dl, top, width, span_ms, rows_h + label_h + ImGui::GetScrollY());
    // Reserve the full height so the child scrolls when 10,000 rows do not fit.
    ImGui::Dummy(ImVec2(width, label_h + row_h * n));
    const ImVec2 rows_top(top.x, top.y + label_h);
    const float scroll = ImGui::GetScrollY();
    const float visible_h = ImGui::GetWindowHeight();
    const int first = std::max(0, int((scroll - label_h) / row_h) - 1);
    const int last = std::min(n, int((scroll + visible_h) / row_h) + 2);
    const double us_to_x = width / (span_ms * 1000.0);
    auto x_of = [&](int64_t abs_us) { return rows_top.x + float(double(abs_us - run.start_us) * us_to_x); };

    const int64_t live_end = run.state == RunState::running ? now_us : run.end_us;
    const int selected_phase = app.code.selected_phase;
    BarSink bars(app, dl);
    std::vector<ImVec4> outlines;  // drawn over the bars once they are all out
    for (int i = first; i < last; ++i) {
        const RequestTrace& r = run.requests[size_t(i)];
        const float y = rows_top.y + row_h * i;
        // A code line clicked: outline every stretch of that phase.
        auto outline = [&](Phase ph, ImVec2 a, ImVec2 b) {
            if (selected_phase == int(ph) && b.x > a.x) outlines.push_back(ImVec4(a.x - 1, a.y - 1, b.x + 1, b.y + 1));
        };
        // A thin stripe through the row; rows of a pixel or two have no room for one: the whole row.
        auto thin = [&](int64_t from, int64_t to, ImU32 col, Phase ph) {
            if (to <= from) return;
            const ImVec2 a(x_of(from), row_h < 3 ? y : y + bar_h * 0.35f), b(x_of(to), row_h < 3 ? y + bar_h : y + bar_h * 0.65f + 0.5f);
            bars.rect(a, b, col);
            outline(ph, a, b);
        };
        float x_first = 1e9f, x_last = 0;
        // The request's life as the core's phases (analysis.h); a stretch of waiting holds its attempts (each
        // its own bar, in its outcome's colour) and, after the answer, the wait for a busy loop.
        for (const PhaseSpan& s : request_phases(r, live_end)) {
            switch (s.phase) {
                case Phase::queued: thin(s.from_us, s.to_us, pal.queued, Phase::queued); break;
                case Phase::backing_off: thin(s.from_us, s.to_us, pal.backoff, Phase::backing_off); break;
                case Phase::handling: {
                    const ImVec2 a(x_of(s.from_us), y), b(std::max(x_of(s.to_us), x_of(s.from_us) + 1.5f), y + bar_h);
                    bars.rect(a, b, pal.cpu);
                    outline(Phase::handling, a, b);
                    x_last = std::max(x_last, b.x);
                    break;
                }
                case Phase::waiting:
                    for (const Attempt& at : r.attempts) {
                        if (at.started_us < s.from_us || at.started_us >= s.to_us) continue;
                        const int64_t end = std::min(at.ended_us >= 0 ? at.ended_us : live_end, s.to_us);
                        const float x0 = x_of(at.started_us), x1 = std::max(x_of(end), x0 + 1.5f);
                        if (at.sent_us > at.started_us) {
                            // Resource Timing (real sockets): stalled in the browser until a connection was free.
                            const float xs = std::min(x_of(at.sent_us), x1);
                            bars.rect(ImVec2(x0, y), ImVec2(xs, y + bar_h), pal.stalled);
                            bars.rect(ImVec2(xs, y), ImVec2(x1, y + bar_h), outcome_color(at.outcome));
                        } else {
                            bars.rect(ImVec2(x0, y), ImVec2(x1, y + bar_h), outcome_color(at.outcome));
                        }
                        outline(Phase::waiting, ImVec2(x0, y), ImVec2(x1, y + bar_h));
                        x_first = std::min(x_first, x0);
                        x_last = std::max(x_last, x1);
                    }
                    if (r.answered_us >= 0 && s.to_us > r.answered_us) thin(std::max(s.from_us, r.answered_us), s.to_us, pal.ready, Phase::waiting);
                    break;
                case Phase::none: break;
            }
        }
        if (i == app.results.selected_request && x_first <= x_last) outlines.push_back(ImVec4(x_first - 1, y - 1, x_last + 1, y + bar_h + 1));
    }
    bars.flush();
    for (const ImVec4& o : outlines) dl->AddRect(ImVec2(o.x, o.y), ImVec2(o.z, o.w), pal.outline);
    if (interactive && res.replay_ms >= 0 && run.state != RunState::running) {
        const float x = x_of(run.start_us + int64_t(res.replay_ms * 1000));
        const float y0 = ImGui::GetWindowPos().y, y1 = y0 + ImGui::GetWindowHeight();
        dl->AddLine(ImVec2(x, y0), ImVec2(x, y1), pal.focus, 2);
    }

    // Hover: the request under the pointer, with its numbers and its reason.
    if (ImGui::IsWindowHovered() && n > 0) {
        const ImVec2 m = ImGui::GetMousePos();
        const int i = int((m.y - rows_top.y) / row_h);
        if (i >= 0 && i < n && m.y >= rows_top.y) {
            if (interactive && ImGui::IsMouseClicked(0)) {
                // The bar's phase at the clicked instant lights its line in the code.
                res.selected_request = i;
                const int64_t t = run.start_us + int64_t(double(m.x - rows_top.x) / us_to_x);
                const Phase ph = request_phase(run.requests[size_t(i)], t);
                app.code.selected_phase = ph == Phase::none ? -1 : int(ph);
                app.needs_redraw = true;
            }
            hover_tooltip(run, i);
        }
    }
    ImGui::EndChild();
}

void draw_legend(const Run& run) {
    const Palette& pal = palette();
    const Outcome shown[] = {Outcome::ok, Outcome::in_flight, Outcome::http_error, Outcome::network_error, Outcome::timeout, Outcome::cancelled};
    const float s = ImGui::GetTextLineHeight() * 0.7f;
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    auto legend_item = [&](const char* label, ImU32 color, float swatch_w, float y0, float y1) {
        const float w = swatch_w + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(label).x;
        if (ImGui::GetItemRectMax().x + ImGui::GetFontSize() + w < right) ImGui::SameLine(0, ImGui::GetFontSize());
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + s * y0), ImVec2(p.x + swatch_w, p.y + s * y1), color);
        ImGui::Dummy(ImVec2(swatch_w, s));
        ImGui::SameLine();
        ImGui::TextUnformatted(label);
    };
    ImGui::Dummy(ImVec2(0, 0));
    for (Outcome o : shown) legend_item(outcome_name(o), outcome_color(o), s, 0.25f, 1.25f);
    legend_item("queued (scheduled, not yet sent)", pal.queued, s * 1.6f, 0.55f, 0.95f);
    bool stalled = false;
    for (size_t i = 0; i < run.requests.size() && !stalled && run.desc.api == Api::server; ++i)
        for (const Attempt& a : run.requests[i].attempts) stalled |= a.sent_us > a.started_us;
    if (stalled) legend_item("stalled in the browser: no free connection (Resource Timing)", pal.stalled, s, 0.25f, 1.25f);
    if (run.desc.retries > 0) legend_item("back-off before a retry", pal.backoff, s * 1.6f, 0.55f, 0.95f);
    if (run.desc.cpu_ms > 0) {
        legend_item("answer waits for the busy loop", pal.ready, s * 1.6f, 0.55f, 0.95f);
        legend_item("CPU work on the answer", pal.cpu, s, 0.25f, 1.25f);
    }
}

void draw_mini_waterfall(App& app, const std::vector<TimelineBar>& timeline, double span_ms, const ImVec2& size) {
    if (!ImGui::IsRectVisible(size)) {  // scrolled out of the table: nothing to draw
        ImGui::Dummy(size);
        return;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), palette().track);
    // The entry's timeline: one bar per request, or per group of requests when the run had more than
    // timeline_rows of them.
    const int n = int(timeline.size());
    const double ms_to_x = size.x / span_ms;
    const float row_h = size.y / float(std::max(1, n));
    BarSink bars(app, dl, /*instanced=*/false);
    // With more bars than pixel rows, each pixel row draws once: from the earliest start to the latest
    // end of its bars (a staircase stays a staircase), in the colour of its worst outcome.
    const int rows = row_h >= 1 ? n : std::max(1, int(size.y));
    const float bar_h = std::max(1.0f, size.y / float(std::max(1, std::min(n, rows))));
    int i = 0;
    for (int row = 0; row < rows && i < n; ++row) {
        const int last = row_h >= 1 ? i + 1 : std::min(n, int(double(row + 1) * n / rows));
        float from = FLT_MAX, to = -FLT_MAX;
        Outcome worst = Outcome::ok;
        for (; i < last; ++i) {
            const TimelineBar& b = timeline[size_t(i)];
            if (b.from_ms < 0) continue;
            from = std::min(from, b.from_ms);
            to = std::max(to, b.to_ms);
            if (b.worst != Outcome::ok && (worst == Outcome::ok || worst == Outcome::cancelled)) worst = b.worst;
        }
        if (from > to) continue;
        const float x0 = p.x + float(double(from) * ms_to_x);
        const float x1 = std::max(p.x + float(double(to) * ms_to_x), x0 + 1.0f);
        const float y = p.y + (row_h >= 1 ? row_h * float(row) : float(row) * size.y / float(rows));
        bars.rect(ImVec2(x0, y), ImVec2(x1, y + bar_h), outcome_color(worst));
    }
    bars.flush();
    ImGui::Dummy(size);
}

}  // namespace ap
