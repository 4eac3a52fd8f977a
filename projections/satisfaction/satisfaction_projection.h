#pragma once
// The satisfaction projection as the runtime runs it ("satisfaction", consumer group
// rapport.satisfaction, store <data-dir>/satisfaction): the fold of
// projections/satisfaction/satisfaction.h with the merge rules of projections/runtime/merged_states.h,
// over a write-back cache of per-customer states (state family) and of per-day
// cells (index family, keys of EncodeCellKey).
//
// Like customer-view it keeps its own ranking of every customer it knows, rebuilt
// as of its event-time watermark when projections/runtime/ranking_schedule.h says so, and
// folds each event into the cell of the customer's tier against the ranking current
// at that moment. Watermark and ranking live in the meta family (projection_meta.h).
// Single-threaded (the runtime's thread).

#include <memory>
#include <optional>
#include <string>

#include "projections/domain/domain_settings.h"
#include "projections/runtime/projection.h"
#include "projections/runtime/projection_ranking.h"
#include "projections/satisfaction/satisfaction.h"
#include "projections/runtime/state_cache.h"
#include "storage/store.h"
#include "projections/domain/value_snapshot.h"

namespace rapport::projections {

// Settings no evaluation could use are an error naming the setting (value settings
// too: the projection ranks customers).
Status CheckSatisfactionSettings(const DomainSettings& settings);

class SatisfactionProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "satisfaction";

  // Checks the settings, constructs and rebuilds the ranking from the store.
  static Result<std::unique_ptr<SatisfactionProjection>> Create(Store& store, DomainSettings settings);
  SatisfactionProjection(Store& store, DomainSettings settings);
  SatisfactionProjection(const SatisfactionProjection&) = delete;  // ranking_ ranks this customers_
  SatisfactionProjection& operator=(const SatisfactionProjection&) = delete;

  std::string_view name() const override { return kName; }
  Status Apply(const events::Event& event, const EventSource& source) override;
  Status Checkpoint(rocksdb::WriteBatch& batch) override;
  void Committed() override;
  void DropCache() override;
  void SetStateCacheLimit(size_t max_entries) override;
  Status Idle() override;

  int64_t watermark_ms() const { return ranking_.watermark_ms(); }
  int64_t ranking_as_of_ms() const { return ranking_.as_of_ms(); }

 private:
  Store& store_;
  DomainSettings settings_;
  StateCache<CustomerSatisfaction> customers_;
  StateCache<SatisfactionCounts> cells_;
  ProjectionRanking ranking_;  // ranks customers_ (declared after it); events fold against Current()
};

// One customer's state; nullopt when unknown.
Result<std::optional<CustomerSatisfaction>> ReadCustomerSatisfaction(const Store& store,
                                                                     std::string_view customer_id);

}  // namespace rapport::projections
