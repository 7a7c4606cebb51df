#include "embedded_text.h"

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

std::string render_snippet(const std::string& text, const RunDesc& d) {
    struct Setting { const char* prefix; int value; };
    const Setting settings[] = {{"N = ", d.count}, {"DELAY_MS = ", d.latency_ms}, {"LIMIT = ", d.limit}};
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        for (const Setting& s : settings) {
            if (line.compare(0, std::strlen(s.prefix), s.prefix) == 0) {
                line = std::string(s.prefix) + std::to_string(s.value);
                break;
            }
        }
        out += line;
        if (end < text.size()) out += '\n';
        pos = end + 1;
    }
    return out;
}

}  // namespace ap
