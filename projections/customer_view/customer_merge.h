#pragma once
// Customer merges (CustomersMerged, DOMAIN.md §1): a duplicate id is folded into its
// survivor, so that reports stop counting one person twice. The duplicate's events
// travel under its own key, on its own partition, so they may be consumed before or
// after the merge; these rules make the result the same either way:
//   - At the merge, whatever the duplicate's view holds is folded into the survivor
//     (MergeInto) and the duplicate's view becomes a pointer (`merged_into`).
//   - Every later event of the duplicate id follows the pointer (chains too) and is
//     folded into the survivor. Nothing is lost and nothing counts twice.
//   - A merge event for a survivor that is itself merged follows its pointer.
//   - Merging a duplicate already merged into the same survivor changes nothing
//     (idempotent). Merging one already merged into ANOTHER customer is an error
//     (the runtime dead-letters it): histories cannot be split apart again.
//   - The survivor's profile wins; a duplicate's profile fills only empty fields.
//     An erasure of either erases the merged customer (it is one person).
// Pure logic over an abstract set of views: the projection runs it on its state
// cache, tests on a CustomerBook.

#include <map>
#include <string>

#include "events/event.h"
#include "events/status.h"
#include "projections/customer_view/customer_view.h"
#include "projections/domain/domain_settings.h"

namespace rapport::projections {

// The views a fold may read and change, by customer id.
class CustomerViews {
 public:
  virtual ~CustomerViews() = default;
  // The view of `id`; a default view (empty customer_id) when the id is unknown.
  // Pointers stay valid while one event is applied.
  virtual Result<CustomerView*> Find(const std::string& id) = 0;
  // Records that the view of `id` (found before) changed.
  virtual void Changed(const std::string& id) = 0;
};

// The customer that holds the history of `id` now: `id` itself, or the end of its
// chain of merge pointers.
Result<std::string> ResolveSurvivor(CustomerViews& views, const std::string& id);

// Folds `event` into the customer that owns it now, merging duplicates. On error no
// view has changed.
Status ApplyEvent(CustomerViews& views, const events::Event& event, const DomainSettings& settings);

// The survivor's view with the duplicate's (id `duplicate_id`) folded in.
CustomerView MergeInto(CustomerView survivor, const CustomerView& duplicate, const std::string& duplicate_id);

// What is left of a duplicate after its merge: its id and where its history went.
CustomerView PointerTo(const std::string& duplicate_id, const std::string& survivor_id, int64_t at_ms);

// CustomerViews in memory, for tests and tools.
class CustomerBook final : public CustomerViews {
 public:
  Result<CustomerView*> Find(const std::string& id) override { return &views_[id]; }
  void Changed(const std::string&) override {}
  // Every known customer, pointers included.
  std::map<std::string, CustomerView> Known() const;

 private:
  std::map<std::string, CustomerView> views_;
};

}  // namespace rapport::projections
