#include "projections/churn/churn_merge.h"

#include <algorithm>

namespace rapport::projections {

void MergeChurnInputs(ChurnState& survivor, const ChurnState& duplicate) {
  if (duplicate.customer_id.empty()) return;
  if (!duplicate.purchases.empty() &&
      (survivor.purchases.empty() || duplicate.purchases.last_ms() > survivor.purchases.last_ms())) {
    survivor.last_purchase_event_id = duplicate.last_purchase_event_id;
  }
  survivor.purchases.Merge(duplicate.purchases);
  if (survivor.first_seen_ms == 0 || (duplicate.first_seen_ms != 0 && duplicate.first_seen_ms < survivor.first_seen_ms))
    survivor.first_seen_ms = duplicate.first_seen_ms;
  survivor.last_event_ms = std::max(survivor.last_event_ms, duplicate.last_event_ms);
  for (const OpenComplaint& complaint : duplicate.open_complaints) {
    const bool known = std::any_of(survivor.open_complaints.begin(), survivor.open_complaints.end(),
                                   [&](const OpenComplaint& c) { return c.complaint_id == complaint.complaint_id; });
    if (!known) survivor.open_complaints.push_back(complaint);
  }
  std::sort(survivor.open_complaints.begin(), survivor.open_complaints.end(),
            [](const OpenComplaint& a, const OpenComplaint& b) {
              return std::tie(a.opened_ms, a.complaint_id) < std::tie(b.opened_ms, b.complaint_id);
            });
  survivor.complaint_times.insert(survivor.complaint_times.end(), duplicate.complaint_times.begin(),
                                  duplicate.complaint_times.end());
  std::sort(survivor.complaint_times.begin(), survivor.complaint_times.end());
}

ChurnState ChurnPointer(const ChurnState& duplicate, const std::string& duplicate_id,
                        const std::string& survivor_id, int64_t at_ms) {
  ChurnState pointer;
  pointer.customer_id = duplicate_id;
  pointer.first_seen_ms = duplicate.first_seen_ms;
  pointer.last_event_ms = duplicate.last_event_ms;
  pointer.emitted = duplicate.emitted;
  pointer.merged_into = survivor_id;
  pointer.merged_at_ms = at_ms;
  return pointer;
}

}  // namespace rapport::projections
