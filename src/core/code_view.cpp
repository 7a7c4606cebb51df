#include "code_view.h"

#include <cctype>
#include <cstring>

namespace ap {

const char* phase_name(Phase p) {
    switch (p) {
        case Phase::none: return "none";
        case Phase::queued: return "queue";
        case Phase::waiting: return "wait";
        case Phase::handling: return "cpu";
        case Phase::backing_off: return "backoff";
    }
    return "?";
}

const char* phase_label(Phase p) {
    switch (p) {
        case Phase::none: return "";
        case Phase::queued: return "queued";
        case Phase::waiting: return "waiting for the API";
        case Phase::handling: return "computing";
        case Phase::backing_off: return "sleeping before a retry";
    }
    return "?";
}

Phase request_phase(const RequestTrace& r, int64_t t) {
    if (r.scheduled_us < 0 || t < r.scheduled_us) return Phase::none;
    if (r.started_us < 0 || t < r.started_us) return Phase::queued;
    if (r.finished_us >= 0 && t >= r.finished_us) return Phase::none;
    if (r.answered_us >= 0 && t >= r.answered_us) return t >= r.handled_us ? Phase::handling : Phase::waiting;
    for (size_t a = 0; a < r.attempts.size(); ++a) {
        const Attempt& at = r.attempts[a];
        if (t < at.started_us) return Phase::backing_off;
        if (at.ended_us < 0 || t < at.ended_us) return Phase::waiting;
    }
    return r.retry_at_us >= 0 || (r.outcome == Outcome::in_flight && !r.attempts.empty()) ? Phase::backing_off : Phase::none;
}

static uint8_t parse_tag(const std::string& tag) {
    uint8_t bits = 0;
    size_t pos = 0;
    while (pos <= tag.size()) {
        size_t comma = tag.find(',', pos);
        if (comma == std::string::npos) comma = tag.size();
        const std::string name = tag.substr(pos, comma - pos);
        for (int p = 1; p < phase_count; ++p) {
            if (name == phase_name(Phase(p))) bits |= phase_bit(Phase(p));
        }
        pos = comma + 1;
    }
    return bits;
}

std::vector<CodeLine> code_lines(const std::string& tagged) {
    std::vector<CodeLine> lines;
    size_t pos = 0;
    while (pos <= tagged.size()) {
        size_t end = tagged.find('\n', pos);
        if (end == std::string::npos) end = tagged.size();
        CodeLine line;
        line.text = tagged.substr(pos, end - pos);
        const size_t tag = line.text.rfind("  #@");
        if (tag != std::string::npos) {
            line.phases = parse_tag(line.text.substr(tag + 4));
            line.text.erase(tag);
        }
        lines.push_back(std::move(line));
        if (end == tagged.size()) break;
        pos = end + 1;
    }
    return lines;
}

std::string strip_phase_tags(const std::string& tagged) {
    std::string out;
    out.reserve(tagged.size());
    const std::vector<CodeLine> lines = code_lines(tagged);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i) out += '\n';
        out += lines[i].text;
    }
    return out;
}

std::vector<Span> python_spans(const std::string& line) {
    static const char* keywords[] = {"False", "None", "True", "and", "as", "async", "await", "break", "class", "continue",
                                     "def", "elif", "else", "except", "finally", "for", "from", "if", "import", "in",
                                     "is", "lambda", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield"};
    static const char* builtins[] = {"print", "range", "len", "int", "str", "sorted", "list", "dict", "min", "max", "open"};
    std::vector<Span> spans;
    size_t i = 0;
    const size_t n = line.size();
    auto push = [&](size_t b, size_t e, SpanKind k) {
        if (e > b) spans.push_back(Span{b, e, k});
    };
    size_t plain_from = 0;
    while (i < n) {
        const char c = line[i];
        SpanKind kind = SpanKind::plain;
        size_t end = i;
        if (c == '#') {
            kind = SpanKind::comment;
            end = n;
        } else if (c == '"' || c == '\'' ||
                   ((c == 'f' || c == 'r' || c == 'b') && i + 1 < n && (line[i + 1] == '"' || line[i + 1] == '\'') &&
                    (i == 0 || !(std::isalnum(static_cast<unsigned char>(line[i - 1])) || line[i - 1] == '_')))) {
            const size_t q = c == '"' || c == '\'' ? i : i + 1;
            const char quote = line[q];
            end = q + 1;
            while (end < n && line[end] != quote) end += line[end] == '\\' ? 2 : 1;
            end = std::min(n, end + 1);
            kind = SpanKind::string;
        } else if (std::isdigit(static_cast<unsigned char>(c)) &&
                   (i == 0 || !(std::isalnum(static_cast<unsigned char>(line[i - 1])) || line[i - 1] == '_'))) {
            end = i;
            while (end < n && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '.' || line[end] == '_')) ++end;
            kind = SpanKind::number;
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            end = i;
            while (end < n && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_')) ++end;
            const std::string word = line.substr(i, end - i);
            const bool attribute = i > 0 && line[i - 1] == '.';
            for (const char* k : keywords) if (word == k) kind = SpanKind::keyword;
            if (!attribute) for (const char* b : builtins) if (word == b) kind = SpanKind::builtin;
            if (kind == SpanKind::plain) { i = end; continue; }
        } else {
            ++i;
            continue;
        }
        push(plain_from, i, SpanKind::plain);
        push(i, end, kind);
        i = plain_from = end;
    }
    push(plain_from, n, SpanKind::plain);
    return spans;
}

}  // namespace ap
