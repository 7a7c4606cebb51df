#include "core/capped_transport.h"

#include <algorithm>

namespace ap {

void CappedTransport::start_below(RequestId id, const RequestSpec& spec, int64_t now_us) {
    // Counted open before the call: the transport below may report the end from inside start().
    open_.insert(id.value);
    most_open_ = std::max(most_open_, open_.size());
    below->start(id, spec, now_us);
}

void CappedTransport::start(RequestId id, const RequestSpec& spec, int64_t now_us) {
    fill(now_us);  // the longest held go first
    if (cap > 0 && open_.size() >= size_t(cap)) {
        held_.push_back(Held{id, spec});
        return;
    }
    start_below(id, spec, now_us);
}

void CappedTransport::fill(int64_t now_us) {
    while (!held_.empty() && (cap <= 0 || open_.size() < size_t(cap))) {
        Held next = std::move(held_.front());
        held_.pop_front();
        start_below(next.id, next.spec, now_us);
    }
}

void CappedTransport::abort(RequestId id, int64_t now_us) {
    if (open_.erase(id.value)) {
        below->abort(id, now_us);  // its place waits for settle(), finished() or start()
        return;
    }
    auto it = std::find_if(held_.begin(), held_.end(), [&](const Held& h) { return h.id.value == id.value; });
    if (it != held_.end()) held_.erase(it);
}

void CappedTransport::finished(RequestId id, int64_t now_us) {
    if (open_.erase(id.value)) fill(now_us);
}

}  // namespace ap
