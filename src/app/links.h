// links.h — the page's URL state: which lesson and settings a link opens, and how the page is shown
// (?embed=1, ?theme=, ?lock= for a teacher's fixed controls, ?predict=, ?step=). Copy link and Copy embed
// code give the link of the current state.
#pragma once
#include <cstdint>
#include <string>

namespace ap {

struct App;

// How the page is shown, from the URL and the browser.
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

// Applies a page URL's query: ?lesson=<id or number> first, then any run setting (fields.h url keys) and the
// page's own keys (embed theme lock predict step). Unknown keys and bad values are ignored with a note on
// screen; keys the JS side owns (lessons, origin) pass silently.
void app_apply_url(App& app, const std::string& query, int64_t now_us);
// The query of the current state, for a permalink.
std::string app_permalink_query(const App& app);

// Copy link, Copy embed code, and which controls the teacher fixed.
void draw_link_buttons(App& app);

}  // namespace ap
