#pragma once
// The customer-view projection as the runtime runs it: the fold of
// projections/customer_view/customer_view.h, with merges (projections/customer_view/customer_merge.h), over a
// write-back cache of the store's state family; plus the value rankings.
//
// Rankings (RFM quintiles, pyramid tiers) are rebuilt from the whole store, as of
// the event-time watermark (the highest occurred_at applied), when
// projections/runtime/ranking_schedule.h says so; the resulting ValueSnapshot goes into the
// same WriteBatch as the state it was computed from. The watermark is written with
// every checkpoint.
// Readers (the query service) evaluate each customer as of that watermark against
// that snapshot: ReadWatermark / ReadValueSnapshot below.

#include <memory>
#include <optional>
#include <string>

#include "projections/customer_view/customer_view.h"
#include "projections/runtime/projection.h"
#include "projections/runtime/projection_ranking.h"
#include "projections/runtime/state_cache.h"
#include "storage/store.h"
#include "projections/domain/value_snapshot.h"

namespace rapport::projections {

class CustomerViewProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "customer-view";

  // Constructs and rebuilds the rankings from the store (written at once).
  static Result<std::unique_ptr<CustomerViewProjection>> Create(Store& store, DomainSettings settings);
  // No I/O: the first Apply or Checkpoint reads the watermark and rebuilds.
  CustomerViewProjection(Store& store, DomainSettings settings);
  CustomerViewProjection(const CustomerViewProjection&) = delete;  // ranking_ ranks this cache_
  CustomerViewProjection& operator=(const CustomerViewProjection&) = delete;

  std::string_view name() const override { return kName; }
  Status Apply(const events::Event& event, const EventSource& source) override;
  Status Checkpoint(rocksdb::WriteBatch& batch) override;
  void Committed() override;
  void DropCache() override;
  void SetStateCacheLimit(size_t max_entries) override;
  Status Idle() override;
  // The rankings as of the final watermark, whatever the schedule says.
  Status Finish() override { return RefreshRanking(); }

  // Rebuilds the rankings now, as of the watermark, and writes the snapshot alone
  // to the store. Call between batches (start-up; tools at the end of a replay).
  Status RefreshRanking() { return ranking_.Refresh(); }

  int64_t watermark_ms() const { return ranking_.watermark_ms(); }
  int64_t ranking_as_of_ms() const { return ranking_.as_of_ms(); }

 private:
  Store& store_;
  DomainSettings settings_;
  StateCache<CustomerView> cache_;
  ProjectionRanking ranking_;  // ranks cache_: declared after it
};

// Reads one customer's view from a store (any open mode); nullopt when unknown.
Result<std::optional<CustomerView>> ReadCustomerView(const Store& store, std::string_view customer_id);

// The event-time watermark of the last checkpoint (0 before any event).
Result<int64_t> ReadWatermark(const Store& store);

// The last ranking snapshot; nullopt before the first rebuild.
Result<std::optional<ValueSnapshot>> ReadValueSnapshot(const Store& store);

}  // namespace rapport::projections
