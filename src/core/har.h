// har.h — a HAR file (HAR 1.2, as Chrome DevTools, Firefox and this page save it) read as a recorded run:
// each entry a request on the waterfall, with the phases its timings give (blocked = stalled for a
// connection, then the connection's set-up and the send, wait to the first byte, receive to the last).
//
//   Run run;  std::string error;
//   if (looks_like_har(text) && !run_from_har(text, "page.har", &run, &error)) show(error);  // names the field
//   for (const std::string& n : recorded_notes(run)) say(n);   // who waited for a connection, what it cost
#pragma once
#include <string>
#include <vector>

#include "core/scheduler.h"

namespace ap {

// Whether the text is meant as a HAR: a JSON object whose first key is "log" (a run file's is "format").
bool looks_like_har(const std::string& text);

inline constexpr size_t max_har_entries = 10000;

// Reads a HAR strictly: false with one sentence naming the field that is wrong ("log.entries[3].timings.wait
// is -5: a time in ms, 0 or more"), *out untouched. Size caps as for run files (16 MB, 10,000 entries, a
// day from the first request to the last). The run is finished, of kind recorded, its times from 0 at the
// first entry's start, in the order the requests started.
bool run_from_har(const std::string& text, const std::string& file_name, Run* out, std::string* error);

// What the page notices in a recorded run: how many requests the browser held for a connection (the
// longest, the host), and about how much sooner the last answer would have come without the wait.
std::vector<std::string> recorded_notes(const Run& run);

}  // namespace ap
