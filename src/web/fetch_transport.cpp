#include "fetch_transport.h"

#include <cmath>
#include <cstring>

#include <emscripten.h>

namespace ap {

// Emscripten 3.1.6's emscripten_fetch_close() does not abort the XHR underneath: it frees the fetch,
// and the XHR's later onload would write into freed memory. So abort the XHR first, with its handlers
// detached, and only then close.
EM_JS(void, ap_xhr_abort, (uint32_t xhr_id), {
    var xhr = Fetch.xhrs[xhr_id - 1];
    if (!xhr) return;
    xhr.onload = xhr.onerror = xhr.ontimeout = xhr.onprogress = xhr.onreadystatechange = null;
    xhr.abort();
});

static FetchTransport* g_instance = nullptr;  // the callbacks' way back; there is one transport per page

int64_t monotonic_now_us() { return int64_t(std::llround(emscripten_get_now() * 1000.0)); }

FetchTransport::FetchTransport() { g_instance = this; }

FetchTransport::~FetchTransport() {
    while (!live_.empty()) abort(RequestId{live_.begin()->first});
    if (g_instance == this) g_instance = nullptr;
}

void FetchTransport::start(RequestId id, const RequestSpec& spec, int64_t) {
    emscripten_fetch_attr_t attr;
    emscripten_fetch_attr_init(&attr);
    std::strcpy(attr.requestMethod, "GET");
    // REPLACE: always download, never answer from a cache (the build also leaves out the IndexedDB cache).
    attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY | EMSCRIPTEN_FETCH_REPLACE;
    attr.timeoutMSecs = 0;  // the scheduler owns timeouts, so they are the same in every transport
    attr.userData = reinterpret_cast<void*>(uintptr_t(id.value));
    attr.onsuccess = on_done;
    attr.onerror = on_done;
    // Register before the call: a fetch may fail synchronously, inside emscripten_fetch().
    live_[id.value] = nullptr;
    if (spec.want_body) want_body_.insert(id.value);
    // The request's id in the URL's fragment, which no server sees (the request on the wire is the URL as
    // asked) but the browser's Resource Timing keeps: web/stalled.js matches each entry to its attempt by it.
    const std::string url = spec.url.substr(0, spec.url.find('#')) + "#ap=" + std::to_string(id.value);
    emscripten_fetch_t* fetch = emscripten_fetch(&attr, url.c_str());
    auto it = live_.find(id.value);
    if (it != live_.end()) it->second = fetch;
}

void FetchTransport::abort(RequestId id, int64_t) {
    auto it = live_.find(id.value);
    if (it == live_.end()) return;
    emscripten_fetch_t* fetch = it->second;
    live_.erase(it);  // from here on, on_done ignores this fetch (close() calls onerror synchronously)
    want_body_.erase(id.value);
    if (!fetch) return;
    ap_xhr_abort(fetch->id);
    emscripten_fetch_close(fetch);
}

void FetchTransport::on_done(emscripten_fetch_t* fetch) {
    const int64_t now_us = monotonic_now_us();  // first: the honest end time of this request
    FetchTransport* self = g_instance;
    const RequestId id{uint32_t(reinterpret_cast<uintptr_t>(fetch->userData))};
    if (!self) return;
    auto it = self->live_.find(id.value);
    if (it == self->live_.end()) return;  // aborted: abort() closes it
    const size_t open = self->live_.size();  // this one included
    self->live_.erase(it);

    Completion c;
    c.status = fetch->status == 0xffff ? 0 : fetch->status;
    c.bytes = int64_t(fetch->numBytes);
    if (self->want_body_.erase(id.value) && fetch->data && fetch->numBytes > 0)
        c.body.assign(fetch->data, size_t(std::min<uint64_t>(fetch->numBytes, max_program_body_bytes)));
    if (c.status == 0) {
        c.reason = no_answer_reason(open);
    } else if (c.status < 200 || c.status >= 300) {
        c.reason = fetch->statusText[0] ? fetch->statusText : "";
    }
    emscripten_fetch_close(fetch);  // exactly once, before the scheduler may start the next request
    if (self->on_complete) self->on_complete(id, c, now_us);
}

}  // namespace ap
