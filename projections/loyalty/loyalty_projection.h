#pragma once
// The loyalty projection as the runtime runs it ("loyalty", consumer group
// rapport.loyalty, store <data-dir>/loyalty): the fold of projections/loyalty/loyalty.h with
// the merge rules of projections/runtime/merged_states.h over a write-back cache of
// per-customer states. It keeps its own ranking of every customer it knows (for the
// value half of the value x loyalty matrix), rebuilt as of its event-time watermark
// when projections/runtime/ranking_schedule.h says so; readers evaluate indicators, score,
// quadrant and `inactive` as of that watermark against that ranking
// (EvaluateLoyalty). Watermark and ranking live in the meta family
// (projection_meta.h). Single-threaded (the runtime's thread).

#include <memory>
#include <optional>
#include <string>

#include "projections/domain/domain_settings.h"
#include "projections/loyalty/loyalty.h"
#include "projections/runtime/projection.h"
#include "projections/runtime/projection_ranking.h"
#include "projections/runtime/state_cache.h"
#include "storage/store.h"

namespace rapport::projections {

class LoyaltyProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "loyalty";

  // Checks the settings, constructs and rebuilds the ranking from the store.
  static Result<std::unique_ptr<LoyaltyProjection>> Create(Store& store, DomainSettings settings);
  LoyaltyProjection(Store& store, DomainSettings settings);
  LoyaltyProjection(const LoyaltyProjection&) = delete;  // ranking_ ranks this customers_
  LoyaltyProjection& operator=(const LoyaltyProjection&) = delete;

  std::string_view name() const override { return kName; }
  Status Apply(const events::Event& event, const EventSource& source) override;
  Status Checkpoint(rocksdb::WriteBatch& batch) override;
  void Committed() override;
  void DropCache() override;
  void SetStateCacheLimit(size_t max_entries) override;
  Status Idle() override;

  int64_t watermark_ms() const { return ranking_.watermark_ms(); }

 private:
  Store& store_;
  DomainSettings settings_;
  StateCache<CustomerLoyalty> customers_;
  ProjectionRanking ranking_;  // ranks customers_: declared after it
};

// One customer's state; nullopt when unknown.
Result<std::optional<CustomerLoyalty>> ReadCustomerLoyalty(const Store& store, std::string_view customer_id);

}  // namespace rapport::projections
