#include "core/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/analysis.h"
#include "core/json.h"
#include "core/scheduler.h"

namespace ap {

namespace {

LessonRecord& record(Progress& p, const std::string& lesson) {
    for (LessonRecord& r : p.lessons)
        if (r.lesson == lesson) return r;
    p.lessons.push_back(LessonRecord{});
    p.lessons.back().lesson = lesson;
    return p.lessons.back();
}

PassingRun bounded_run(const PassingRun& run) {
    PassingRun b = run;
    b.at = cut_at_character(run.at, max_progress_text);
    if (b.program.size() > max_progress_program) b.program.clear();  // (a program cut short would not run)
    if (!std::isfinite(b.wall_ms) || b.wall_ms < 0) b.wall_ms = 0;
    b.requests = std::max(0, b.requests);
    return b;
}

bool read_status(const std::string& s, LessonStatus* out) {
    for (LessonStatus st : {LessonStatus::not_tried, LessonStatus::ran, LessonStatus::passed}) {
        if (s == lesson_status_name(st)) {
            *out = st;
            return true;
        }
    }
    return false;
}

}  // namespace

const char* lesson_status_name(LessonStatus s) {
    switch (s) {
        case LessonStatus::not_tried: return "not tried";
        case LessonStatus::ran: return "ran";
        case LessonStatus::passed: return "passed";
    }
    return "not tried";
}

const LessonRecord* progress_find(const Progress& p, const std::string& lesson) {
    for (const LessonRecord& r : p.lessons)
        if (r.lesson == lesson) return &r;
    return nullptr;
}

LessonStatus progress_status(const Progress& p, const std::string& lesson) {
    const LessonRecord* r = progress_find(p, lesson);
    return r ? r->status : LessonStatus::not_tried;
}

std::vector<std::string> progress_passed_ids(const Progress& p) {
    std::vector<std::string> ids;
    for (const LessonRecord& r : p.lessons)
        if (r.status == LessonStatus::passed) ids.push_back(r.lesson);
    return ids;
}

bool progress_ran(Progress& p, const std::string& lesson) {
    if (lesson.empty() || lesson.size() > max_lesson_id_bytes) return false;
    LessonRecord& r = record(p, lesson);
    if (r.status != LessonStatus::not_tried) return false;
    r.status = LessonStatus::ran;
    return true;
}

bool progress_judged(Progress& p, const std::string& lesson, const std::vector<CheckRecord>& checks, bool all_hold, const PassingRun& run) {
    if (lesson.empty() || lesson.size() > max_lesson_id_bytes) return false;
    LessonRecord& r = record(p, lesson);
    r.checks.clear();
    for (const CheckRecord& c : checks) {
        if (r.checks.size() == max_progress_checks) break;
        r.checks.push_back(CheckRecord{cut_at_character(c.text, max_progress_text), c.passed, cut_at_character(c.measured, max_progress_text)});
    }
    if (all_hold) {
        r.status = LessonStatus::passed;
        r.has_passing = true;
        r.passing = bounded_run(run);
    } else if (r.status == LessonStatus::not_tried) {
        r.status = LessonStatus::ran;
    }
    return true;
}

bool progress_passed(Progress& p, const std::string& lesson, const PassingRun& run) {
    if (lesson.empty() || lesson.size() > max_lesson_id_bytes) return false;
    LessonRecord& r = record(p, lesson);
    if (r.status == LessonStatus::passed) return false;
    r.status = LessonStatus::passed;
    r.has_passing = true;
    r.passing = bounded_run(run);
    return true;
}

void write_checks_json(JsonWriter& w, const std::vector<CheckRecord>& checks) {
    w.begin_array();
    for (const CheckRecord& c : checks) w.begin_object().key("text").string(c.text).key("passed").boolean(c.passed).key("measured").string(c.measured).end_object();
    w.end_array();
}

void write_passing_json(JsonWriter& w, const LessonRecord& r) {
    if (!r.has_passing) {
        w.null();
        return;
    }
    w.begin_object().key("at").string(r.passing.at).key("wallMs").number(r.passing.wall_ms, 1).key("requests").integer(r.passing.requests);
    w.key("program").string(r.passing.program).end_object();
}

std::string progress_to_json(const Progress& p) {
    JsonWriter w;
    w.begin_object().key("version").integer(1).key("lesson").string(p.lesson).key("lessons").begin_array();
    for (const LessonRecord& r : p.lessons) {
        w.newline().begin_object().key("lesson").string(r.lesson).key("status").string(lesson_status_name(r.status)).key("checks");
        write_checks_json(w, r.checks);
        w.key("passed");
        write_passing_json(w, r);
        w.end_object();
    }
    return w.newline().end_array().end_object().take();
}

bool progress_from_json(const std::string& text, Progress* out, std::string* error) {
    auto fail = [&](const std::string& why) {
        if (error) *error = why;
        return false;
    };
    if (text.size() > max_progress_bytes)
        return fail("it has " + std::to_string(text.size()) + " bytes; a progress file is at most " + std::to_string(max_progress_bytes >> 20) + " MB");
    JsonValue v;
    std::string why;
    if (!parse_json(text, &v, &why)) return fail("it is not JSON: " + why);
    if (!v.is_object()) return fail("it is not an object of progress ({\"version\": 1, \"lessons\": [...]})");
    Progress p;
    if (const JsonValue* lesson = v.get("lesson")) {
        if (!lesson->is_string()) return fail("lesson: not a text");
        p.lesson = cut_at_character(lesson->text, max_lesson_id_bytes);
    }
    const JsonValue* lessons = v.get("lessons");
    const JsonValue* done = v.get("done");  // (what earlier versions of the page kept: the ids passed)
    if (!lessons && !done) return fail("it has no \"lessons\": not a progress file of this page");
    if (const JsonValue* version = v.get("version"); lessons && (!version || !version->is_number() || version->number != 1))
        return fail("version: this page reads progress of version 1");
    auto check_id = [&](const JsonValue* id, const std::string& where) -> std::string {
        if (!id || !id->is_string() || id->text.empty()) return where + ": not a lesson id";
        if (id->text.size() > max_lesson_id_bytes) return where + ": " + std::to_string(id->text.size()) + " bytes; a lesson id is at most " + std::to_string(max_lesson_id_bytes);
        for (const LessonRecord& r : p.lessons)
            if (r.lesson == id->text) return where + ": lesson '" + id->text + "' twice";
        return std::string();
    };
    if (lessons) {
        if (!lessons->is_array()) return fail("lessons: not a list");
        if (lessons->items.size() > max_progress_lessons) return fail("lessons: " + std::to_string(lessons->items.size()) + " lessons; at most " + std::to_string(max_progress_lessons));
        for (size_t i = 0; i < lessons->items.size(); ++i) {
            const JsonValue& item = lessons->items[i];
            const std::string at = "lessons[" + std::to_string(i) + "]";
            if (!item.is_object()) return fail(at + ": not an object");
            LessonRecord r;
            if (std::string bad = check_id(item.get("lesson"), at + ".lesson"); !bad.empty()) return fail(bad);
            r.lesson = item.get("lesson")->text;
            const JsonValue* status = item.get("status");
            if (!status || !status->is_string() || !read_status(status->text, &r.status))
                return fail(at + ".status: " + (status && status->is_string() ? "'" + cut_at_character(status->text, 40) + "'" : std::string("missing or not a text")) +
                            " is not one of: not tried, ran, passed");
            if (const JsonValue* checks = item.get("checks"); checks && checks->kind != JsonValue::Kind::null) {
                if (!checks->is_array()) return fail(at + ".checks: not a list");
                if (checks->items.size() > max_progress_checks) return fail(at + ".checks: " + std::to_string(checks->items.size()) + " checks; at most " + std::to_string(max_progress_checks));
                for (size_t k = 0; k < checks->items.size(); ++k) {
                    const JsonValue& c = checks->items[k];
                    const std::string ck = at + ".checks[" + std::to_string(k) + "]";
                    const JsonValue* t = c.get("text");
                    const JsonValue* passed = c.get("passed");
                    const JsonValue* measured = c.get("measured");
                    if (!t || !t->is_string()) return fail(ck + ".text: not a text");
                    if (!passed || passed->kind != JsonValue::Kind::boolean) return fail(ck + ".passed: not true or false");
                    if (measured && !measured->is_string() && measured->kind != JsonValue::Kind::null) return fail(ck + ".measured: not a text");
                    r.checks.push_back(CheckRecord{cut_at_character(t->text, max_progress_text), passed->flag, measured && measured->is_string() ? cut_at_character(measured->text, max_progress_text) : std::string()});
                }
            }
            if (const JsonValue* passing = item.get("passed"); passing && passing->kind != JsonValue::Kind::null) {
                if (!passing->is_object()) return fail(at + ".passed: not an object or null");
                const JsonValue* when = passing->get("at");
                const JsonValue* wall = passing->get("wallMs");
                const JsonValue* requests = passing->get("requests");
                const JsonValue* program = passing->get("program");
                if (!when || !when->is_string()) return fail(at + ".passed.at: not a text");
                if (!wall || !wall->is_number() || wall->number < 0 || wall->number > 1e9) return fail(at + ".passed.wallMs: not a time in ms");
                if (!requests || !requests->is_number() || !requests->whole || requests->integer < 0 || requests->integer > 100000000)
                    return fail(at + ".passed.requests: not a count");
                if (program && !program->is_string()) return fail(at + ".passed.program: not a text");
                if (program && program->text.size() > max_progress_program)
                    return fail(at + ".passed.program: " + std::to_string(program->text.size()) + " bytes; a kept program is at most 64 KB");
                r.has_passing = true;
                r.passing = PassingRun{cut_at_character(when->text, max_progress_text), wall->number, int(requests->integer), program ? program->text : std::string()};
            }
            p.lessons.push_back(std::move(r));
        }
    }
    if (done) {
        if (!done->is_array()) return fail("done: not a list");
        if (done->items.size() > max_progress_lessons) return fail("done: " + std::to_string(done->items.size()) + " lessons; at most " + std::to_string(max_progress_lessons));
        for (size_t i = 0; i < done->items.size(); ++i) {
            const JsonValue& id = done->items[i];
            if (!id.is_string() || id.text.empty() || id.text.size() > max_lesson_id_bytes) return fail("done[" + std::to_string(i) + "]: not a lesson id");
            if (progress_find(p, id.text)) continue;
            LessonRecord r;
            r.lesson = id.text;
            r.status = LessonStatus::passed;
            p.lessons.push_back(std::move(r));
        }
    }
    *out = std::move(p);
    return true;
}

std::vector<std::string> progress_merge(Progress& into, const Progress& from) {
    std::vector<std::string> moved;
    for (const LessonRecord& r : from.lessons) {
        const bool have = progress_find(into, r.lesson) != nullptr;
        if (!have && into.lessons.size() >= max_progress_lessons) break;
        LessonRecord& mine = record(into, r.lesson);
        if (!have || int(r.status) > int(mine.status)) {
            mine = r;
            moved.push_back(r.lesson);
        } else if (r.status == mine.status && r.has_passing && !mine.has_passing) {
            mine.has_passing = true;
            mine.passing = r.passing;
            moved.push_back(r.lesson);
        }
    }
    return moved;
}

std::string progress_to_csv(const Progress& p, const std::vector<Lesson>& lessons) {
    std::string out = "number,lesson,title,status,checks_passed,checks,checks_failed,passed_at,passed_wall_ms,passed_requests\n";
    auto row = [&](const std::string& number, const std::string& id, const std::string& title) {
        const LessonRecord* r = progress_find(p, id);
        int held = 0;
        std::string failed;
        if (r) {
            for (const CheckRecord& c : r->checks) {
                if (c.passed) ++held;
                else failed += (failed.empty() ? "" : "; ") + c.text;
            }
        }
        char wall[32] = "";
        if (r && r->has_passing) std::snprintf(wall, sizeof wall, "%.0f", r->passing.wall_ms);
        out += number + "," + csv_field(id) + "," + csv_field(title) + "," + lesson_status_name(r ? r->status : LessonStatus::not_tried) + "," +
               (r && !r->checks.empty() ? std::to_string(held) : "") + "," + (r && !r->checks.empty() ? std::to_string(r->checks.size()) : "") + "," +
               csv_field(failed) + "," + csv_field(r && r->has_passing ? r->passing.at : "") + "," + wall + "," +
               (r && r->has_passing ? std::to_string(r->passing.requests) : "") + "\n";
    };
    for (size_t i = 0; i < lessons.size(); ++i) row(std::to_string(i + 1), lessons[i].id, lessons[i].title);
    for (const LessonRecord& r : p.lessons) {
        bool shown = false;
        for (const Lesson& l : lessons) shown |= l.id == r.lesson;
        if (!shown) row("", r.lesson, "");
    }
    return out;
}

}  // namespace ap
