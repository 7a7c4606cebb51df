#include "app/links.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "app/app.h"
#include "app/ui_kit.h"
#include "core/fields.h"
#include "imgui.h"

namespace ap {

const char* lock_name(Lock l) {
    static const char* names[lock_count] = {"lesson", "path", "n", "latency", "limit", "api", "settings"};
    return names[int(l)];
}

namespace {

// A link's switches are 1 or 0 (a bare "?embed" is 1); anything else is said to be ignored.
bool parse_flag(const std::string& v, bool* out) {
    if (v == "1" || v.empty()) return *out = true, true;
    if (v == "0") return *out = false, true;
    return false;
}

// The page's own keys: embed, theme, lock, predict, step. Returns false when `key` is not one of them.
bool apply_view_key(App& app, const std::string& key, const std::string& value, std::vector<std::string>* notes) {
    if (key == "embed") {
        if (!parse_flag(value, &app.view.embed)) notes->push_back("Link: embed=" + value + " is not 1 or 0 (ignored).");
    } else if (key == "theme") {
        if (value == "light") app.view.theme = Theme::light;
        else if (value == "dark") app.view.theme = Theme::dark;
        else if (value == "auto") app.view.theme = Theme::automatic;
        else notes->push_back("Link: theme=" + value + " is not light, dark or auto; following the system's setting.");
    } else if (key == "lock") {
        app.view.locks = 0;
        size_t at = 0;
        while (at <= value.size()) {
            const size_t comma = std::min(value.find(',', at), value.size());
            const std::string name = value.substr(at, comma - at);
            at = comma + 1;
            if (name.empty()) continue;
            bool known = false;
            for (int l = 0; l < lock_count && !known; ++l) {
                if (name == lock_name(Lock(l))) app.view.locks |= lock_bit(Lock(l)), known = true;
            }
            if (!known) notes->push_back("Link: lock=" + name + " is not a control that can be locked (lesson, path, n, latency, limit, api, settings).");
        }
    } else if (key == "predict") {
        if (!parse_flag(value, &app.predict.on)) notes->push_back("Link: predict=" + value + " is not 1 or 0 (ignored).");
    } else if (key == "step") {
        char* end = nullptr;
        const long step = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || step < 1 || step > 1000) {
            notes->push_back("Link: step=" + value + " is not a step number (1 or more); starting at the first step.");
        } else {
            // The stepper follows a finished run: start it, and open the stepper at that step when it ends.
            app.stepper.pending_step = int(step) - 1;
            app.stepper.open = true;
            app.run_click_pending = true;
        }
    } else {
        return false;
    }
    return true;
}

}  // namespace

void app_apply_url(App& app, const std::string& query, int64_t now_us) {
    const auto params = parse_query(query);
    std::vector<std::string> notes;
    for (const auto& [key, value] : params) {
        if (key != "lesson") continue;
        if (lessons_select_named(app, value, now_us) < 0)
            notes.push_back("Link: there is no lesson '" + value + "'; showing lesson " + std::to_string(app.lessons.index + 1) + ".");
    }
    // Keys the JavaScript side owns (a lesson file's URL, the host page's origin, a HAR to show) pass silently.
    static const char* js_keys[] = {"har", "lesson", "lessons", "origin", "program", "python"};
    std::vector<std::string> seen;
    for (const auto& [key, value] : params) {
        const std::string& name = key;  // (a structured binding cannot be captured before C++20's clang 16)
        if (std::count(seen.begin(), seen.end(), name) == 1)
            notes.push_back("Link: " + name + " is given more than once; the last one counts.");
        seen.push_back(name);
        if (std::find_if(std::begin(js_keys), std::end(js_keys), [&](const char* k) { return name == k; }) != std::end(js_keys)) continue;
        if (apply_view_key(app, key, value, &notes)) continue;
        // A run setting, on its own: a whole number or one of its names, brought into range with a note.
        const RunField* f = find_run_field(FieldKey::url, key);
        std::string error;
        if (!f) {
            notes.push_back("Link: unknown setting '" + key + "' (ignored).");
        } else if (!set_field_text(*f, &app.desc, value, &error)) {
            notes.push_back("Link: " + error + " (ignored).");
        } else if (const std::string note = clamp_field(*f, &app.desc); !note.empty()) {
            notes.push_back("Link: " + note);
        }
    }
    app.input_notes = notes;
    app.needs_redraw = true;
}

std::string app_permalink_query(const App& app) {
    const Lesson* l = current_lesson(app);
    if (!l) return "";
    std::string q = permalink_query(app.desc, *l, app.lessons.file_url);
    if (app.stepper.open && app_shown_run(app).state == RunState::finished && app.stepper.step > 0)
        q += "&step=" + std::to_string(app.stepper.step + 1);
    if (app.predict.on) q += "&predict=1";
    if (app.view.embed) q += "&embed=1";
    if (app.view.theme != Theme::automatic) q += app.view.theme == Theme::light ? "&theme=light" : "&theme=dark";
    if (app.view.locks) {
        std::string list;
        for (int k = 0; k < lock_count; ++k) {
            if (app.view.locked(Lock(k))) list += (list.empty() ? "" : ",") + std::string(lock_name(Lock(k)));
        }
        q += "&lock=" + list;
    }
    return q;
}

void draw_link_buttons(App& app) {
    if (small_button(app, "Copy link", "copy-link", false) && app.hooks.on_copy_link) app.hooks.on_copy_link(app_permalink_query(app));
    if (small_button(app, "Copy embed code", "copy-embed") && app.hooks.on_copy_embed) app.hooks.on_copy_embed(app_permalink_query(app));
    if (app.view.locks) {
        std::string list;
        for (int k = 0; k < lock_count; ++k)
            if (app.view.locked(Lock(k))) list += (list.empty() ? "" : ", ") + std::string(lock_name(Lock(k)));
        wrapped_note("Fixed by the teacher: " + list + ".", palette().dim);
    }
}

}  // namespace ap
