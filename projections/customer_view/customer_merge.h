#pragma once
// Customer merges in the customer view (CustomersMerged, DOMAIN.md §1). The pointer
// rules (who survives, chains, repeats, refusals) are those of every per-customer
// state, in projections/runtime/merged_states.h; what is the customer view's own is
// how a duplicate's view folds into its survivor's (MergeInto):
//   - counts and amounts add, first/last times widen, the newer last survey wins;
//   - the survivor's profile wins; a duplicate's profile fills only empty fields.
//     An erasure of either erases the merged customer (it is one person).

#include <string>

#include "events/event.h"
#include "events/status.h"
#include "projections/customer_view/customer_view.h"
#include "projections/domain/domain_settings.h"
#include "projections/runtime/merged_states.h"

namespace rapport::projections {

// The survivor's view with the duplicate's (id `duplicate_id`) folded in.
CustomerView MergeInto(CustomerView survivor, const CustomerView& duplicate, const std::string& duplicate_id);

// Customer views in memory, for tests and tools.
using CustomerBook = StateMap<CustomerView>;

// Folds `event` into the customer of `views` (a CustomerBook, or CachedStates) that
// owns it now, merging duplicates. On error no view has changed.
template <typename Views>
Status ApplyEvent(Views& views, const events::Event& event, const DomainSettings& settings) {
  return ApplyWithMerges(
      views, event,
      [&](CustomerView& view, const std::string& /*id*/, const events::Event& e) {
        view = Apply(std::move(view), e, settings);
      },
      [](CustomerView& survivor, CustomerView&& duplicate, const std::string& duplicate_id) {
        survivor = MergeInto(std::move(survivor), duplicate, duplicate_id);
      });
}

}  // namespace rapport::projections
