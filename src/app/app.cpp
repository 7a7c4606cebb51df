#include "app.h"

#include <algorithm>
#include <cstdio>

namespace ap {

void app_init(App& app, Transport* network) {
    app.network = network;
    app.route.target = network ? network : static_cast<Transport*>(&app.simulated);
    app.desc.api = network ? Api::page : Api::simulated;
}

// Records the end of the current run once: into the history, and to whoever waits for its ticket.
static void finish_if_ended(App& app) {
    if (app.ticket == 0 || app.scheduler.running()) return;
    const HistoryEntry* entry = app.history.add(app.scheduler.run());
    if (entry && entry->run.desc.api == Api::server && entry->run.desc.base_url == app.apis.server_base) {
        // A run through the server is the best probe there is: any answer at all means it is there.
        const RunStats& s = entry->stats;
        if (s.ok + s.http_errors > 0) {
            app.apis.server_ready = app.apis.server_checked = true;
            app.apis.server_note = "answered";
        } else if (s.network_errors > 0 && s.network_errors == s.started) {
            app.apis.server_ready = false;
            app.apis.server_checked = true;
            app.apis.server_note = "no answer at all";
        }
    }
    const uint32_t ticket = app.ticket;
    app.ticket = 0;
    app.dirty = true;
    if (app.on_run_ended) {
        const Run& run = app.scheduler.run();
        app.on_run_ended(ticket, run_to_json(run, entry ? entry->stats : compute_stats(run)));
    }
}

uint32_t app_start_run(App& app, RunDesc desc, int64_t now_us) {
    app_cancel(app, now_us);
    app.input_notes = clamp_run_desc(&desc);
    if (desc.api == Api::page && !app.apis.inpage_ready) {
        app.input_notes.push_back("The in-page API is not available (" + app.apis.inpage_note +
                                  "): this run is simulated in virtual time.");
        desc.api = Api::simulated;
    }
    if (desc.api != Api::simulated && !app.network) desc.api = Api::simulated;
    switch (desc.api) {
        case Api::page: desc.base_url = app.apis.inpage_base; break;
        case Api::server: desc.base_url = app.apis.server_base; break;
        case Api::simulated: desc.base_url = "simulated:"; break;
    }
    app.route.target = desc.api == Api::simulated ? static_cast<Transport*>(&app.simulated) : app.network;
    app.desc = desc;
    app.ticket = app.next_ticket++;
    app.selected_request = -1;
    app.scheduler.begin(desc, now_us);
    app.dirty = true;
    const uint32_t ticket = app.ticket;
    finish_if_ended(app);  // zero-latency simulated runs may end at once
    return ticket;
}

void app_cancel(App& app, int64_t now_us) {
    if (!app.scheduler.running()) return;
    app.scheduler.cancel(now_us);
    finish_if_ended(app);
}

void app_complete(App& app, RequestId id, const Completion& c, int64_t now_us, int64_t handled_us) {
    if (app.scheduler.complete(id, c, now_us, handled_us)) app.dirty = true;
    finish_if_ended(app);
}

void app_tick(App& app, int64_t now_us) {
    if (!app.scheduler.running()) return;
    if (app.route.target == &app.simulated && app.simulated.deliver_due(&app.scheduler, now_us) > 0) app.dirty = true;
    const int64_t deadline = app.scheduler.next_deadline_us();
    if (deadline >= 0 && deadline <= now_us) {
        app.scheduler.advance(now_us);
        app.dirty = true;
    }
    finish_if_ended(app);
}

int64_t app_next_wakeup_us(const App& app) {
    if (!app.scheduler.running()) return -1;
    int64_t next = app.scheduler.next_deadline_us();
    if (app.route.target == &app.simulated) {
        const int64_t due = app.simulated.next_due_us();
        if (due >= 0 && (next < 0 || due < next)) next = due;
    }
    return next;
}

void app_set_server_base(App& app, const std::string& base) {
    if (base == app.apis.server_base) return;
    app.apis.server_base = base;
    app.apis.server_ready = false;
    app.apis.server_checked = false;
    app.apis.server_note = "not checked yet: the next run will show whether it answers";
    std::snprintf(app.server_url_edit, sizeof app.server_url_edit, "%s", base.c_str());
    app.dirty = true;
}

void app_set_apis(App& app, const ApiStatus& apis) {
    app.apis = apis;
    app.apis.server_checked = true;
    std::snprintf(app.server_url_edit, sizeof app.server_url_edit, "%s", apis.server_base.c_str());
    app.apis.probed = true;
    // A page without its service worker starts on the simulated API and says why.
    if (!apis.inpage_ready && app.desc.api == Api::page) app.desc.api = Api::simulated;
    app.dirty = true;
}

}  // namespace ap
