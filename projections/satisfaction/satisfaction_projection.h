#pragma once
// The satisfaction projection as the runtime runs it ("satisfaction", consumer group
// rapport.satisfaction, store <data-dir>/satisfaction): the fold of
// projections/satisfaction/satisfaction.h run by the generic per-customer runtime
// (projections/runtime/customer_projection.h: per-customer states in the state
// family, merge rules, its own ranking as of the event-time watermark, Finish), plus
// a write-back cache of per-day cells (index family, keys of EncodeCellKey).
//
// Each event folds into the cell of the customer's tier against the ranking current
// at that moment (kFoldsAgainstRanking). Single-threaded (the runtime's thread).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/domain/domain_settings.h"
#include "projections/runtime/customer_projection.h"
#include "projections/runtime/projection_meta.h"
#include "projections/runtime/state_cache.h"
#include "projections/satisfaction/satisfaction.h"
#include "storage/store.h"

namespace rapport::projections {

// Settings no evaluation could use are an error naming the setting (value settings
// too: the projection ranks customers).
Status CheckSatisfactionSettings(const DomainSettings& settings);

// Satisfaction's part of CustomerProjection (see its header for the contract): the
// fold and merge, and the per-day cells they change, kept beside the states.
class SatisfactionTraits {
 public:
  using State = CustomerSatisfaction;
  static constexpr std::string_view kName = "satisfaction";
  static constexpr bool kFoldsAgainstRanking = true;

  SatisfactionTraits(Store& store, const DomainSettings& settings);

  static Status CheckSettings(const DomainSettings& settings) { return CheckSatisfactionSettings(settings); }
  static std::string Encode(const State& state) { return EncodeCustomerSatisfaction(state); }
  static Result<State> Decode(std::string_view bytes) { return DecodeCustomerSatisfaction(bytes); }
  static const PurchaseHistory* RankInputs(const State& state) { return RankedHistory(state); }

  // Fold and Merge collect the event's cell changes; Folded adds them to the cells.
  void Fold(State& state, const std::string& id, const events::Event& event, const FoldContext& context);
  void Merge(State& survivor, State&& duplicate, const std::string& duplicate_id, const FoldContext& context);
  // A store read that fails here leaves the customer folded without its cell: an
  // I/O error stops the runtime (crash-only), which re-reads the batch on restart.
  Status Folded();

  void Checkpoint(rocksdb::WriteBatch& batch) { cells_.Checkpoint(batch); }
  void Committed() { cells_.Committed(); }
  void DropCache() { cells_.DropAll(); }
  void SetStateCacheLimit(size_t max_entries) { cells_.set_max_entries(max_entries); }

 private:
  StateCache<SatisfactionCounts> cells_;
  std::vector<CellDelta> deltas_;  // of the event being folded
};

using SatisfactionProjection = CustomerProjection<SatisfactionTraits>;

// One customer's state; nullopt when unknown.
inline Result<std::optional<CustomerSatisfaction>> ReadCustomerSatisfaction(const Store& store,
                                                                            std::string_view customer_id) {
  return ReadStateOf<SatisfactionTraits>(store, customer_id);
}

}  // namespace rapport::projections
