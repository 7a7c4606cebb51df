// controls.h — the "All settings" panel: every code path grouped by how it lets requests overlap, N,
// latency and k, the knobs of fields.h (spread, CPU work, timeout, retries, back-off, failures, status),
// and which API answers (the in-page one, the dev server, the simulated one) with what the page knows
// about each. The settings themselves are App::desc, shared with every panel.
//
// When a run ends, a run through the dev server tells the controls whether the server answered.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/run.h"
#include "core/transport.h"

namespace ap {

struct App;
struct HistoryEntry;

// What the page knows about the two real APIs; filled in by the platform once it has probed them.
struct ApiStatus {
    bool probed = false;          // both probes have answered (or given up)
    bool inpage_ready = false;    // the service worker is controlling the page and answering
    std::string inpage_base = "inpage";
    std::string inpage_note = "starting the in-page API (service worker)...";
    bool server_ready = false;    // a dev server answered at server_base
    bool server_checked = false;  // server_ready reflects a probe or a run, not a guess
    std::string server_base;
    std::string server_note = "not probed yet";
    // What each real API costs in this browser, measured by the page from plain fetch calls (transport.h).
    ApiCost inpage_cost, server_cost;
    bool calibrating = false;     // the page is measuring those costs now: a run waits until it is done
    bool inpage_blocked = false;  // refused because the page is inside another site's page (third-party storage)
    // The dev server's sibling origins (its other ports, tools/devserver.mjs): the same API, each the
    // browser's own 6 connections. A learner's program's requests to server_base are spread over them.
    std::vector<std::string> server_siblings;
};

struct ControlsState {
    char server_url_edit[256] = "";  // the text field behind controls_set_server_base
};

// What the platform found out about the APIs. A page without its service worker starts on the
// simulated API and says why.
void controls_set_apis(App& app, const ApiStatus& apis);
// Points the "server" API somewhere else (another port, another host); its reachability becomes unknown.
void controls_set_server_base(App& app, const std::string& base);
// Picks the API a run really uses (the in-page one may be unavailable) and its base URL; notes say why,
// and *substituted (when given) gets the sentence when the API is not the one asked for. Returns that
// API's measured costs.
ApiCost controls_route_run(App& app, RunDesc* desc, std::string* substituted = nullptr);
// Draws, when the in-page API is refused because the page is embedded in another site, what that means and
// a button that opens the playground in a tab of its own (where it gets real requests).
void draw_api_banner(App& app);
// The API chooser (a combo named `name`, its items `name:page`, ...), drawn disabled when the link locks it.
void api_combo(App& app, const std::string& name, float width);
// The measured costs of the desc's API (none for the simulated one).
ApiCost api_cost(const App& app, const RunDesc& desc);
// The base URL a run of the desc's API goes to, as its program would name it.
std::string api_base(const App& app, const RunDesc& desc);
void controls_run_ended(App& app, const HistoryEntry& entry);

const char* api_label(Api a);  // "In-page API (service worker)", ...
void draw_settings_panel(App& app, int64_t now_us);

}  // namespace ap
