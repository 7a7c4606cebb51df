#include "embedded_text.h"

#include "code_view.h"
#include "fields.h"
#include "json.h"

#include <cstring>

namespace ap {

const char* find_embedded_text(const std::string& name) {
    for (int i = 0; i < embedded_text_count; ++i) {
        if (name == embedded_texts[i].name) return embedded_texts[i].text;
    }
    return nullptr;
}

const char* python_file_for(CodePath path) { return code_path_info(path).python_file; }

std::string python_for(CodePath path) {
    const std::string name = python_file_for(path);
    const char* text = find_embedded_text(name);
    return text ? text : "# " + name + " was not embedded in this build.\n";
}

std::string render_snippet(const std::string& text, const RunDesc& d, const std::string& base) {
    return strip_phase_tags(render_tagged_snippet(text, d, base));
}

std::string render_tagged_snippet(const std::string& text, const RunDesc& d, const std::string& base) {
    // Each run setting's Python constant (fields.h), and BASE when a base is given.
    struct Setting { std::string name, value; };
    std::vector<Setting> settings;
    for (const RunField& f : run_fields()) {
        if (f.python) settings.push_back(Setting{f.python, python_value(f, d)});
    }
    if (!base.empty()) settings.push_back(Setting{"BASE", json_quote(base)});
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        for (const Setting& s : settings) {
            const std::string prefix = s.name + " = ";
            if (line.compare(0, prefix.size(), prefix) != 0) continue;
            // Keep the comment after the value, aligned as it was.
            const size_t comment = line.find("  #", prefix.size());
            std::string rest = comment == std::string::npos ? "" : line.substr(comment);
            const size_t old_len = (comment == std::string::npos ? line.size() : comment) - prefix.size();
            if (!rest.empty() && s.value.size() < old_len) rest.insert(0, old_len - s.value.size(), ' ');
            line = prefix + s.value + rest;
            break;
        }
        out += line;
        if (end < text.size()) out += '\n';
        pos = end + 1;
    }
    return out;
}

std::vector<std::string> snippet_gaps(const std::string& text, const RunDesc& d) {
    (void)text;
    // What the learner set that this program has no constant for: the run leaves it out (effective_desc).
    std::vector<std::string> gaps;
    const char* name = python_file_for(d.path);
    const RunDesc ran = effective_desc(d);
    if (d.cpu_ms != ran.cpu_ms) gaps.push_back(std::string(name) + " does no CPU work on its answers: the CPU setting does not apply to it.");
    if (d.spread != ran.spread)
        gaps.push_back(std::string(name) + " gives every call the same latency: the " + (d.spread == Spread::uneven ? "uneven latencies do" : "slow tail does") +
                       " not apply to it.");
    if (d.fail_pct != ran.fail_pct) gaps.push_back(std::string(name) + " does not ask the API for failures: the failure rate does not apply to it.");
    if (d.retries != ran.retries || d.timeout_ms != ran.timeout_ms)
        gaps.push_back(std::string(name) + " keeps the client's 20 s timeout and never retries: timeout, retries and back-off are retries.py's.");
    return gaps;
}

}  // namespace ap
