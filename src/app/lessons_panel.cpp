#include "app/lessons_panel.h"

#include <algorithm>

#include "app/app.h"
#include "app/controls.h"
#include "app/ui_kit.h"
#include "core/embedded_text.h"
#include "imgui.h"

namespace ap {

namespace {

// The place or lessons' records changed: the platform keeps it, once, and tells the host page of each.
void save_progress(App& app, const std::vector<std::string>& changed = {}) {
    const Lesson* l = current_lesson(app);
    if (!l) return;
    app.lessons.progress.lesson = l->id;
    if (app.hooks.on_progress) app.hooks.on_progress(progress_to_json(app.lessons.progress), changed);
}

LessonStatus lesson_status(const App& app, int i) {
    return progress_status(app.lessons.progress, app.lessons.all[size_t(i)].id);
}

// ✓ passed, a hollow ring ran, room for a mark otherwise.
void status_mark(LessonStatus s) {
    if (s == LessonStatus::passed) return verdict_mark(true);
    const float h = ImGui::GetTextLineHeight();
    if (s == LessonStatus::ran) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddCircle(ImVec2(p.x + h / 2, p.y + h / 2), h * 0.28f, ImGui::GetColorU32(palette().dim), 12, 1.5f);
    }
    ImGui::Dummy(ImVec2(h, h));
    ImGui::SameLine();
}

PassingRun passing_run(const App& app, const Run& run) {
    const RunStats s = compute_stats(run);
    return PassingRun{app.hooks.clock_of_day ? app.hooks.clock_of_day() : std::string(), s.wall_ms, int(run.requests.size()),
                      run.program ? run.program->report.source : std::string()};
}

}  // namespace

const Lesson* current_lesson(const App& app) {
    const LessonsState& ls = app.lessons;
    return ls.all.empty() ? nullptr : &ls.all[size_t(std::clamp(ls.index, 0, int(ls.all.size()) - 1))];
}

void lessons_select(App& app, int index, int64_t now_us) {
    LessonsState& ls = app.lessons;
    if (index < 0 || index >= int(ls.all.size())) return;
    app_cancel(app, now_us);
    ls.index = index;
    app.desc = ls.all[size_t(index)].preset;
    if (app.desc.api == Api::page && ((app.apis.probed && !app.apis.inpage_ready) || !app.network)) app.desc.api = Api::simulated;
    app.input_notes.clear();
    ls.verdict = LessonsState::LessonVerdict{};
    ls.hints_shown = 0;
    app.stepper = StepperState{};
    app.stepper.open = ls.all[size_t(index)].loop_view;
    app.code.selected_phase = -1;
    code_panel_show_lesson_script(app, !ls.all[size_t(index)].script.empty());
    race_lesson_opened(app, ls.all[size_t(index)]);
    app.needs_redraw = true;
    save_progress(app);
}

int lessons_select_named(App& app, const std::string& which, int64_t now_us) {
    const std::vector<Lesson>& all = app.lessons.all;
    for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].id == which || std::to_string(i + 1) == which) {
            lessons_select(app, int(i), now_us);
            return int(i);
        }
    }
    return -1;
}

int lessons_add_file(App& app, const std::string& text, const std::string& file_name) {
    LessonsState& ls = app.lessons;
    std::vector<std::string> errors;
    int added = 0;
    if (text.size() > max_lesson_file_bytes) {
        errors.push_back(file_name + ": the file has " + std::to_string(text.size()) + " bytes; a lesson file is at most 1 MB");
    } else {
        LessonFile file = parse_lessons(text, file_name);
        errors = std::move(file.errors);
        if (file.lessons.empty() && errors.empty()) errors.push_back(file_name + ": no lessons in this file");
        for (Lesson& l : file.lessons) {
            // A teacher's lesson cannot take a lesson's id that is already here (a built-in one): a link to it
            // would open the other.
            bool taken = false;
            for (const Lesson& have : ls.all) taken |= have.id == l.id;
            if (taken) {
                errors.push_back(l.source + ": the id '" + l.id + "' is already a lesson's here; give this lesson another");
                continue;
            }
            ls.all.push_back(std::move(l));
            ++added;
        }
    }
    // A few lines say what is wrong; a file that is no lesson file at all (a web page) would fill the panel.
    constexpr size_t shown = 5;
    if (errors.size() > shown) {
        const size_t more = errors.size() - shown;
        errors.resize(shown);
        errors.push_back(file_name + ": and " + std::to_string(more) + " more errors");
    }
    for (std::string& e : errors) ls.errors.push_back(std::move(e));
    app.needs_redraw = true;
    return added;
}

static bool program_lesson(const App& app, const Lesson& l) {
    return code_panel_lesson_script(app) != nullptr || l.paths.empty();
}

std::string lesson_path_said(const App& app) {
    const Lesson* l = current_lesson(app);
    return l && program_lesson(app, *l) ? "program" : code_path_name(app.desc.path);
}

std::string lesson_claim_said(App& app) {
    const Lesson* l = current_lesson(app);
    if (!l || !program_lesson(app, *l)) return app_expectation(app).claim;
    if (!l->has_exercise()) return "The lesson's program runs in this page's Python; the page measures each request it makes (no model predicts its time).";
    std::string checks;
    for (const Check& c : l->checks) checks += (checks.empty() ? "" : "; ") + c.source;
    return "Exercise: make the program pass " + std::string(l->checks.size() == 1 ? "this check: " : "these checks: ") + checks;
}

std::vector<std::string> lessons_passed_ids(const App& app) {
    return progress_passed_ids(app.lessons.progress);
}

void lessons_load_progress(App& app, const std::string& file_name, const std::string& text, const std::string& why) {
    LessonsState& ls = app.lessons;
    Progress loaded;
    std::string error = why;
    if (error.empty() && !progress_from_json(text, &loaded, &error)) error = error.empty() ? "it could not be read" : error;
    if (!error.empty()) {
        ls.progress_note = file_name + " was not loaded: " + error + ".";
    } else {
        const std::vector<std::string> moved = progress_merge(ls.progress, loaded);
        const size_t changed = moved.size();
        ls.progress_note = "Loaded " + file_name + ": " + (changed ? std::to_string(changed) + (changed == 1 ? " lesson" : " lessons") + " moved on" : std::string("nothing new")) +
                           " (each lesson keeps the further of the two statuses).";
        if (!moved.empty()) save_progress(app, moved);
    }
    ls.progress_open = true;
    app.needs_redraw = true;
}

void lessons_restore_progress(App& app, Progress progress, int64_t now_us) {
    const std::string lesson_id = progress.lesson;
    app.lessons.progress = std::move(progress);
    for (size_t i = 0; i < app.lessons.all.size(); ++i) {
        if (app.lessons.all[i].id == lesson_id) {
            lessons_select(app, int(i), now_us);
            return;
        }
    }
    app.needs_redraw = true;
}

void lessons_run_each(App& app, int64_t now_us) {
    const Lesson* l = current_lesson(app);
    if (!l) return;
    std::vector<QueuedRun> runs;
    for (CodePath p : l->paths) {
        RunDesc d = app.desc;
        d.path = p;
        runs.push_back(QueuedRun{d, RunPurpose::run_each});
    }
    app_queue_runs(app, std::move(runs), now_us);
}

void lessons_run_started(App& app, uint16_t generation) {
    LessonsState& ls = app.lessons;
    ls.verdict = LessonsState::LessonVerdict{};
    ls.verdict.generation = generation;
    ls.verdict.path = code_path_info(app.scheduler.run().desc.path).label;
}

const char* exercise_status(const App& app) {
    const Lesson* l = current_lesson(app);
    const LessonsState::ExerciseState& ex = app.lessons.exercise;
    if (!l || ex.lesson != l->id) return "not tried";
    return ex.passed ? "passed" : "ran";
}

void lessons_run_ended(App& app, const HistoryEntry& entry) {
    LessonsState& ls = app.lessons;
    const Run& run = entry.run;
    const Lesson* lesson = current_lesson(app);
    if (!lesson) return;
    const bool ended = run.state == RunState::finished || run.state == RunState::cancelled;
    // An exercise is judged on any run of the learner's program while its lesson is open (the editor's, or
    // runProgram's): by the page's record of it, each check in turn. It is passed when every check holds, and
    // its status is the exercise's alone (a code path's claim is the lesson's demonstration, not the exercise).
    if (lesson->has_exercise() && run.program && ended) {
        ls.exercise = LessonsState::ExerciseState{};
        ls.exercise.lesson = lesson->id;
        ls.exercise.generation = run.generation;
        ls.exercise.passed = true;
        std::vector<CheckRecord> records;
        for (const Check& c : lesson->checks) {
            ls.exercise.results.push_back(evaluate_check(c, run, lesson->preset.latency_ms));
            ls.exercise.passed &= ls.exercise.results.back().passed;
            records.push_back(CheckRecord{c.source, ls.exercise.results.back().passed, ls.exercise.results.back().measured});
        }
        if (progress_judged(ls.progress, lesson->id, records, ls.exercise.passed, passing_run(app, run))) save_progress(app, {lesson->id});
        app.needs_redraw = true;
    }
    // A lesson's own program has no claim to hold, nor checks: running it is "ran", never "passed".
    const std::string* own = code_panel_lesson_script(app);
    if (own && !lesson->has_exercise() && run.program && ended && progress_ran(ls.progress, lesson->id)) save_progress(app, {lesson->id});
    if (ls.verdict.generation == run.generation) {
        ls.verdict.valid = true;
        ls.verdict.verdict = judge_run(run, entry.stats);
        // A lesson without an exercise is passed by a run of one of its own code paths whose claim held.
        const bool own_path = run.desc.kind == RunKind::path && std::find(lesson->paths.begin(), lesson->paths.end(), run.desc.path) != lesson->paths.end();
        if (!lesson->has_exercise() && own_path && ended) {
            const bool changed = ls.verdict.verdict.ok ? progress_passed(ls.progress, lesson->id, passing_run(app, run)) : progress_ran(ls.progress, lesson->id);
            if (changed) save_progress(app, {lesson->id});
        }
    }
}

//-------------------------------------------------------------------------------------------------
// The panel

// The lesson's exercise: each check, ✓ or ✗ with what the page measured after a run of the learner's
// program; the hint that fits the first check that failed; hints one at a time; the solution on request.
void draw_exercise(App& app, const Lesson& l, const std::string& prefix) {
    const Palette& pal = palette();
    LessonsState& ls = app.lessons;
    const bool judged = ls.exercise.lesson == l.id && ls.exercise.results.size() == l.checks.size();
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, pal.title);
    ImGui::TextWrapped("Exercise: make your program pass %s", l.checks.size() == 1 ? "this check" : ("these " + std::to_string(l.checks.size()) + " checks").c_str());
    ImGui::PopStyleColor();
    name_text(app, prefix + "title");
    const LessonRecord* kept = progress_find(ls.progress, l.id);
    if (!judged && kept && kept->status == LessonStatus::passed && kept->has_passing)
        wrapped_note("You passed it before, in " + format_duration_ms(kept->passing.wall_ms) + (kept->passing.at.size() >= 16 ? " (" + kept->passing.at.substr(0, 10) + " " + kept->passing.at.substr(11, 5) + " UTC)" : std::string()) +
                         ". Run your program again to check it once more.", pal.good);
    else if (!judged) wrapped_note("Edit and run your program: the page checks what it really did (its requests, their times), not what it prints.", pal.dim);
    const CheckResult* first_failed = nullptr;
    for (size_t i = 0; i < l.checks.size(); ++i) {
        if (judged) {
            const CheckResult& r = ls.exercise.results[i];
            verdict_mark(r.passed);
            ImGui::PushStyleColor(ImGuiCol_Text, r.passed ? pal.good : pal.bad);
            ImGui::TextWrapped("%s: %s", l.checks[i].source.c_str(), r.measured.c_str());
            ImGui::PopStyleColor();
            if (!r.passed && !first_failed) first_failed = &r;
        } else {
            ImGui::TextWrapped("  %s", l.checks[i].source.c_str());
        }
    }
    name_text(app, prefix + "checks");
    if (judged && ls.exercise.passed) wrapped_note("Passed: every check holds.", pal.good);
    else if (first_failed && !first_failed->hint.empty()) wrapped_note(first_failed->hint, pal.bad);
    for (int i = 0; i < ls.hints_shown && size_t(i) < l.hints.size(); ++i) wrapped_note("Hint " + std::to_string(i + 1) + ": " + l.hints[size_t(i)]);
    if (size_t(ls.hints_shown) < l.hints.size()) {
        const std::string label = "Show a hint (" + std::to_string(ls.hints_shown + 1) + " of " + std::to_string(l.hints.size()) + ")";
        if (small_button(app, label.c_str(), (prefix + "hint").c_str(), false)) ++ls.hints_shown, app.needs_redraw = true;
    }
    // The learner's own program that passed, kept with their progress: back in the editor on request.
    const bool mine = kept && kept->has_passing && !kept->passing.program.empty() && app.hooks.on_open_editor;
    if (mine) {
        if (small_button(app, "Open your passing program", (prefix + "mine").c_str(), size_t(ls.hints_shown) < l.hints.size())) {
            code_panel_editor_opened(app);
            app.hooks.on_open_editor(kept->passing.program);
        }
    }
    if (!l.solution.empty() && app.hooks.on_open_editor) {
        if (small_button(app, "Open the solution in the editor", (prefix + "solution").c_str(), mine || size_t(ls.hints_shown) < l.hints.size())) {
            code_panel_editor_opened(app);
            app.hooks.on_open_editor("# The lesson's solution, as its author wrote it: one way to pass the checks.\n" + l.solution);
        }
    }
}

//-------------------------------------------------------------------------------------------------

void draw_run_buttons(App& app, int64_t now_us, const std::vector<CodePath>& paths) {
    // As wide as a word or two; each on the line before it when it fits, else on the next.
    const float min_w = ImGui::GetFontSize() * 6;
    const bool busy = app_busy(app);
    // With the editor open, Run runs what the editor holds (the learner's program), and says so; else the lesson's
    // own script, in Python, or the code path in the settings, which the platform starts.
    const bool program = app.code.editing || code_panel_lesson_script(app);
    const char* label = app.run_click_pending ? "Starting..."
                        : app.scheduler.running() ? (app.code.editing ? "Run your program again" : "Run again")
                        : app.code.editing ? "Run your program" : "Run";
    if (wide_button(app, label, "run", min_w)) {
        if (program) code_panel_run_program(app);
        else app.run_click_pending = true;
    }
    if (paths.size() > 1) {
        same_line_if_fits(button_width("Run each path", min_w));
        if (wide_button(app, "Run each path", "run-each", min_w)) lessons_run_each(app, now_us);
    }
    same_line_if_fits(button_width("Cancel", min_w));
    ImGui::BeginDisabled(!busy);
    if (wide_button(app, "Cancel", "cancel", min_w)) app_cancel(app, now_us);
    ImGui::EndDisabled();
}

void draw_lesson_panel(App& app, int64_t now_us) {
    LessonsState& ls = app.lessons;
    const Palette& pal = palette();
    if (ls.all.empty()) {
        wrapped_note("No lessons loaded.");
        for (const std::string& e : ls.errors) wrapped_note(e);
        return;
    }
    const int count = int(ls.all.size());
    const Lesson& l = *current_lesson(app);
    const bool lesson_locked = app.view.locked(Lock::lesson);
    ImGui::BeginDisabled(ls.index == 0 || lesson_locked);
    if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) lessons_select(app, ls.index - 1, now_us);
    name_item(app, "lesson:prev");
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Text("Lesson %d of %d", ls.index + 1, count);
    ImGui::SameLine();
    ImGui::BeginDisabled(ls.index + 1 >= count || lesson_locked);
    if (ImGui::ArrowButton("##next", ImGuiDir_Right)) lessons_select(app, ls.index + 1, now_us);
    name_item(app, "lesson:next");
    ImGui::EndDisabled();
    lock_mark(lesson_locked);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x);
    ImGui::BeginDisabled(lesson_locked);
    const bool open = ImGui::BeginCombo("##lessons", "all lessons");
    name_item(app, "lesson:list");
    if (open) {
        for (int i = 0; i < count; ++i) {
            // Progress marks: a check for every lesson whose claim the learner has seen hold.
            status_mark(lesson_status(app, i));
            const std::string label = std::to_string(i + 1) + ". " + ls.all[size_t(i)].title;
            if (ImGui::Selectable(label.c_str(), i == ls.index)) lessons_select(app, i, now_us);
            name_item(app, "lesson:" + ls.all[size_t(i)].id);
        }
        ImGui::EndCombo();
    }
    ImGui::EndDisabled();  // (after the popup: Dear ImGui checks that they pair)
    if (lesson_status(app, ls.index) == LessonStatus::passed) verdict_mark(true);
    ImGui::PushStyleColor(ImGuiCol_Text, pal.title);
    ImGui::TextWrapped("%s", l.title.c_str());
    ImGui::PopStyleColor();
    // The whole text, in the column's own scroll: no box of its own to hunt for the last paragraph in.
    for (const std::string& p : l.paragraphs) {
        ImGui::TextWrapped("%s", p.c_str());
        ImGui::Spacing();
    }

    // The code paths this lesson lets the learner toggle (wrapping onto a new line on a narrow page).
    // A lesson with its own program offers it first.
    ImGui::BeginDisabled(app.view.locked(Lock::path));
    const bool own = code_panel_lesson_script(app) != nullptr;
    if (!l.script.empty()) {
        if (ImGui::RadioButton("the lesson's program", own)) code_panel_show_lesson_script(app, true);
        name_item(app, "lesson-path:program");
    }
    for (size_t i = 0; i < l.paths.size(); ++i) {
        const CodePathInfo& info = code_path_info(l.paths[i]);
        const float w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(info.label).x;
        if ((i || !l.script.empty()) && ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w < ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x)
            ImGui::SameLine();
        if (ImGui::RadioButton(info.label, !own && app.desc.path == l.paths[i])) {
            app.desc.path = l.paths[i];
            code_panel_show_lesson_script(app, false);
        }
        name_item(app, std::string("lesson-path:") + info.name);
    }
    ImGui::EndDisabled();
    lock_mark(app.view.locked(Lock::path));
    // The numbers the claim is about, editable right here (a lesson's own program has its numbers in its text).
    RunDesc& d = app.desc;
    bool edited = false;
    if (!own) {
        ImGui::BeginDisabled(app.view.locked(Lock::n));
        edited |= setting_field(app, *find_run_field(FieldKey::member, "count"), &d, 6.5f, "N");
        ImGui::EndDisabled();
        lock_mark(app.view.locked(Lock::n));
        ImGui::SameLine();
        ImGui::BeginDisabled(app.view.locked(Lock::latency));
        edited |= setting_field(app, *find_run_field(FieldKey::member, "latency_ms"), &d, 6.5f, "latency ms");
        ImGui::EndDisabled();
        lock_mark(app.view.locked(Lock::latency));
        if (code_path_info(d.path).schedule == Schedule::k_at_a_time) {
            if (ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 24) ImGui::SameLine();
            ImGui::BeginDisabled(app.view.locked(Lock::limit));
            edited |= setting_field(app, *find_run_field(FieldKey::member, "limit"), &d, 6.5f, "k");
            ImGui::EndDisabled();
            lock_mark(app.view.locked(Lock::limit));
        }
    }
    // The settings the lesson's text asks the learner to change, in reach beside its Run button.
    for (const std::string& key : l.settings) {
        if (key == "n" || key == "latency" || key == "limit") continue;  // drawn above
        const RunField* f = find_run_field(FieldKey::url, key);
        if (!f) continue;
        const std::string name = "lesson-setting:" + key;
        if (key == "api") {
            ImGui::AlignTextToFramePadding();
            ImGui::TextUnformatted("API");
            ImGui::SameLine();
            api_combo(app, name, ImGui::GetFontSize() * 17);
            continue;
        }
        const bool locked = app.view.locked(Lock::settings);
        ImGui::BeginDisabled(locked);
        if (f->kind == FieldKind::whole) {
            edited |= setting_field(app, *f, &d, 6.5f, f->label, "lesson-setting:");
        } else {
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
            const int now = f->get(d);
            if (ImGui::BeginCombo(f->label, f->choice_name(now))) {
                for (int v = f->min; v <= f->max && f->choice_name(v); ++v) {
                    if (ImGui::Selectable(f->choice_name(v), v == now)) f->set(d, v), edited = true;
                }
                ImGui::EndCombo();
            }
            name_item(app, name);
        }
        ImGui::EndDisabled();
        lock_mark(locked);
    }
    if (edited) app.input_notes = clamp_run_desc(&d);
    if (!own) draw_prediction(app);
    if (own) wrapped_note("The lesson's program runs in this page's Python: the page measures each request it makes; no model predicts its time.");
    else if (prediction_hides_claim(app)) wrapped_note("Claim: hidden until you run these numbers (you are predicting).", pal.dim);
    else ImGui::TextWrapped("Claim: %s", app_expectation(app).claim.c_str());
    if (!app.layout.narrow) {  // (the narrow layout keeps them in a bar under every tab)
        draw_run_buttons(app, now_us, l.paths);
        draw_link_buttons(app);
    }
    for (const std::string& n : app.input_notes) wrapped_note(n);
    if (ls.verdict.valid) {
        const Verdict& v = ls.verdict.verdict;
        verdict_mark(v.ok);
        ImGui::PushStyleColor(ImGuiCol_Text, v.ok ? pal.good : pal.bad);
        ImGui::TextWrapped("%s: %s", ls.verdict.path.c_str(), without_mark(v.line).c_str());
        ImGui::PopStyleColor();
        if (!v.reason.empty()) wrapped_note(v.reason);
    } else if (app.scheduler.running() && ls.verdict.generation == app.scheduler.run().generation) {
        wrapped_note(ls.verdict.path + ": measuring...", pal.dim);
    }
    if (l.has_exercise()) draw_exercise(app, l, "exercise:");
    for (const std::string& e : ls.errors) wrapped_note(e);
}

//-------------------------------------------------------------------------------------------------
// Progress

void draw_progress_panel(App& app, int64_t now_us) {
    LessonsState& ls = app.lessons;
    if (ls.all.empty()) return;
    const Palette& pal = palette();
    int passed = 0;
    for (int i = 0; i < int(ls.all.size()); ++i) passed += lesson_status(app, i) == LessonStatus::passed;
    const std::string label = "Your progress: " + std::to_string(passed) + " of " + std::to_string(ls.all.size()) + " passed###progress";
    ImGui::SetNextItemOpen(ls.progress_open);
    ls.progress_open = ImGui::CollapsingHeader(label.c_str());
    name_item(app, "progress");
    if (!ls.progress_open) return;
    // One row a lesson: its mark, its number and title (a click opens it), what the learner did there.
    for (int i = 0; i < int(ls.all.size()); ++i) {
        const Lesson& l = ls.all[size_t(i)];
        const LessonRecord* r = progress_find(ls.progress, l.id);
        const LessonStatus st = r ? r->status : LessonStatus::not_tried;
        status_mark(st);
        const std::string title = std::to_string(i + 1) + ". " + l.title;
        const bool locked = app.view.locked(Lock::lesson);
        // The title and what the learner did on one line when both fit, else the second under the first.
        std::string what = lesson_status_name(st);
        if (r && st == LessonStatus::passed && r->has_passing) {
            what = "passed in " + format_duration_ms(r->passing.wall_ms);
        } else if (r && !r->checks.empty()) {
            int held = 0;
            for (const CheckRecord& c : r->checks) held += c.passed;
            what += ": " + std::to_string(held) + " of " + std::to_string(r->checks.size()) + " checks";
        }
        if (!l.has_exercise() && st != LessonStatus::not_tried) what += l.paths.empty() ? " (no checks)" : " (its claim)";
        const float gap = ImGui::GetStyle().ItemSpacing.x * 2;
        const float what_w = ImGui::CalcTextSize(what.c_str()).x;
        const float avail = ImGui::GetContentRegionAvail().x;
        const bool one_line = ImGui::CalcTextSize(title.c_str()).x + gap + what_w <= avail;
        ImGui::BeginDisabled(locked);
        if (ImGui::Selectable((title + "##progress-" + l.id).c_str(), i == ls.index, 0, ImVec2(one_line ? avail - what_w - gap : 0, 0))) lessons_select(app, i, now_us);
        name_item(app, "progress:" + l.id);
        ImGui::EndDisabled();
        if (one_line) ImGui::SameLine(0, gap);
        else ImGui::Indent(ImGui::GetTextLineHeight() * 1.5f);
        ImGui::PushStyleColor(ImGuiCol_Text, st == LessonStatus::passed ? pal.good : st == LessonStatus::ran ? ImGui::GetStyleColorVec4(ImGuiCol_Text) : pal.dim);
        ImGui::TextUnformatted(what.c_str());
        ImGui::PopStyleColor();
        if (!one_line) ImGui::Unindent(ImGui::GetTextLineHeight() * 1.5f);
    }
    ImGui::Spacing();
    if (app.hooks.on_save_file) {
        if (small_button(app, "Save progress", "progress:save", false))
            app.hooks.on_save_file("asyncplay-progress.json", "application/json", progress_to_json(ls.progress) + "\n");
        if (small_button(app, "Save as CSV", "progress:csv"))
            app.hooks.on_save_file("asyncplay-progress.csv", "text/csv", progress_to_csv(ls.progress, ls.all));
    }
    if (app.hooks.on_open_progress && small_button(app, "Load progress...", "progress:load", app.hooks.on_save_file != nullptr)) app.hooks.on_open_progress();
    if (!ls.progress_note.empty()) wrapped_note(ls.progress_note);
    else wrapped_note("Kept in this browser across visits. Save it to move it to another browser, or to hand it in.", pal.dim);
}

}  // namespace ap
