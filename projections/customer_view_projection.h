#pragma once
// The customer-view projection as the runtime runs it: the pure fold of
// projections/customer_view.h over a write-back cache of the store's state family.

#include <optional>
#include <string>

#include "projections/customer_view.h"
#include "projections/projection.h"
#include "projections/state_cache.h"
#include "projections/store.h"

namespace rapport::projections {

class CustomerViewProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "customer-view";

  CustomerViewProjection(Store& store, DomainSettings settings);

  std::string_view name() const override { return kName; }
  Status Apply(const events::Event& event, const EventSource& source) override;
  Status Checkpoint(rocksdb::WriteBatch& batch) override;
  void Committed() override { cache_.Committed(); }
  void DropCache() override { cache_.DropAll(); }

 private:
  Store& store_;
  DomainSettings settings_;
  StateCache<CustomerView> cache_;
};

// Reads one customer's view from a store (any open mode); nullopt when unknown.
Result<std::optional<CustomerView>> ReadCustomerView(const Store& store, std::string_view customer_id);

}  // namespace rapport::projections
