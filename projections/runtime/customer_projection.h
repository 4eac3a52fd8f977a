#pragma once
// The runtime of a per-customer projection (customer view, satisfaction, loyalty),
// written once: a projection supplies its Traits (how one event folds into one
// customer's state, how a duplicate's state folds into its survivor's, the state's
// storage form, what it ranks, its settings check and its name) and
// CustomerProjection<Traits> does the rest, in the spirit of Redpanda's
// persisted_stm and DuckDB's UnaryAggregate:
//   - a write-back cache of the states (store's state family, key = customer id);
//   - the merge rules of projections/runtime/merged_states.h around every fold;
//   - its own ranking of every customer it knows (projection_ranking.h): rebuilt as
//     of the event-time watermark when ranking_schedule.h says so, written with the
//     states it was computed from; the watermark with every checkpoint;
//   - Finish: the ranking as of the final watermark, whatever the schedule says.
// Readers evaluate each customer as of the stored watermark against the stored
// snapshot (ReadWatermarkOf / ReadSnapshotOf of projection_meta.h, ReadStateOf below).
//
// Traits (a type; an object of it lives in the projection, so a trait may keep
// state of its own, such as satisfaction's per-day cells):
//   using State = ...;                       // customer_id, merged_into, merged_at_ms,
//                                            // is_pointer() (merged_states.h)
//   static constexpr std::string_view kName; // consumer group suffix, store folder, meta keys
//   static Status CheckSettings(const DomainSettings&);
//   static std::string Encode(const State&);
//   static Result<State> Decode(std::string_view);
//   static const PurchaseHistory* RankInputs(const State&);  // what the ranking reads; null: not ranked
//   void Fold(State&, const std::string& id, const events::Event&, const FoldContext&);
//   void Merge(State& survivor, State&& duplicate, const std::string& duplicate_id, const FoldContext&);
// Optional:
//   static constexpr bool kFoldsAgainstRanking = true;  // FoldContext::ranking is set
//   a constructor (Store&, const DomainSettings&)       // else default-constructed
//   Status Folded();   // after an event folded without error (before: nothing changed)
//   void Checkpoint(rocksdb::WriteBatch&); void Committed(); void DropCache();
//   void SetStateCacheLimit(size_t);      // for anything the traits keep in the store
// Fold and Merge are called directly (no virtual call per event): the rebuild path
// folds every event of the journal through here.
//
// Lifecycle and threading as projections/runtime/projection.h. Not copyable or
// movable: the ranking ranks this object's cache.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rocksdb/write_batch.h>

#include "events/event.h"
#include "events/status.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/value_snapshot.h"
#include "projections/runtime/merged_states.h"
#include "projections/runtime/projection.h"
#include "projections/runtime/projection_meta.h"
#include "projections/runtime/projection_ranking.h"
#include "projections/runtime/state_cache.h"
#include "storage/store.h"

namespace rapport::projections {

// What a fold may read besides the state and the event.
struct FoldContext {
  const DomainSettings& settings;
  // The projection's ranking current when the event folds (null unless the traits
  // set kFoldsAgainstRanking; then empty before the first rebuild).
  const ValueSnapshot* ranking = nullptr;
  // The instant an event is evaluated at: the watermark, this event included.
  int64_t as_of_ms = 0;
};

namespace customer_projection_detail {

template <typename Traits>
constexpr bool FoldsAgainstRanking() {
  if constexpr (requires { Traits::kFoldsAgainstRanking; }) {
    return Traits::kFoldsAgainstRanking;
  } else {
    return false;
  }
}

template <typename Traits>
Traits MakeTraits(Store& store, const DomainSettings& settings) {
  if constexpr (std::is_constructible_v<Traits, Store&, const DomainSettings&>) {
    return Traits(store, settings);
  } else {
    return Traits{};
  }
}

}  // namespace customer_projection_detail

template <typename Traits>
class CustomerProjection final : public Projection {
 public:
  using State = typename Traits::State;
  static constexpr std::string_view kName = Traits::kName;

  // Checks the settings, constructs and rebuilds the ranking from the store
  // (written at once).
  static Result<std::unique_ptr<CustomerProjection>> Create(Store& store, DomainSettings settings) {
    RAPPORT_RETURN_IF_ERROR(Traits::CheckSettings(settings));
    auto projection = std::make_unique<CustomerProjection>(store, std::move(settings));
    RAPPORT_RETURN_IF_ERROR(projection->ranking_.Start());
    return projection;
  }

  // No I/O: the first Apply or Checkpoint reads the watermark and rebuilds.
  CustomerProjection(Store& store, DomainSettings settings)
      : store_(store),
        settings_(std::move(settings)),
        traits_(customer_projection_detail::MakeTraits<Traits>(store, settings_)),
        cache_(store, Family::kState, &Traits::Encode, &Traits::Decode),
        ranking_(store, kName, settings_.value, [this](int64_t as_of_ms) { return Rank(as_of_ms); }) {}
  CustomerProjection(const CustomerProjection&) = delete;
  CustomerProjection& operator=(const CustomerProjection&) = delete;

  std::string_view name() const override { return kName; }

  Status Apply(const events::Event& event, const EventSource& /*source*/) override {
    RAPPORT_RETURN_IF_ERROR(ranking_.Start());
    FoldContext context{settings_, nullptr, std::max(ranking_.watermark_ms(), event.occurred_at_ms)};
    if constexpr (customer_projection_detail::FoldsAgainstRanking<Traits>()) {
      auto ranking = ranking_.Current();  // after a dropped batch: the last one written
      if (!ranking.ok()) return ranking.status();
      context.ranking = *ranking;
    }
    CachedStates<State> states(cache_);
    RAPPORT_RETURN_IF_ERROR(ApplyWithMerges(
        states, event,
        [&](State& state, const std::string& id, const events::Event& e) { traits_.Fold(state, id, e, context); },
        [&](State& survivor, State&& duplicate, const std::string& duplicate_id) {
          traits_.Merge(survivor, std::move(duplicate), duplicate_id, context);
        }));
    if constexpr (requires(Traits& t) { t.Folded(); }) RAPPORT_RETURN_IF_ERROR(traits_.Folded());
    ranking_.Advance(context.as_of_ms);
    return Status::Ok();
  }

  Status Checkpoint(rocksdb::WriteBatch& batch) override {
    RAPPORT_RETURN_IF_ERROR(ranking_.Checkpoint(batch));
    cache_.Checkpoint(batch);
    if constexpr (requires(Traits& t, rocksdb::WriteBatch& b) { t.Checkpoint(b); }) traits_.Checkpoint(batch);
    return Status::Ok();
  }

  void Committed() override {
    cache_.Committed();
    if constexpr (requires(Traits& t) { t.Committed(); }) traits_.Committed();
    ranking_.Committed();
  }

  void DropCache() override {
    cache_.DropAll();
    if constexpr (requires(Traits& t) { t.DropCache(); }) traits_.DropCache();
    ranking_.Dropped();  // the next Apply reads the last ranking written
  }

  void SetStateCacheLimit(size_t max_entries) override {
    cache_.set_max_entries(max_entries);
    if constexpr (requires(Traits& t, size_t n) { t.SetStateCacheLimit(n); }) traits_.SetStateCacheLimit(max_entries);
  }

  Status Idle() override { return ranking_.Idle(); }

  // The ranking as of the final watermark, whatever the schedule says (the end of a
  // replay: the result does not depend on where the last refresh boundary fell).
  Status Finish() override {
    if (!ranking_.started()) return ranking_.Start();  // reads the watermark and ranks
    return ranking_.RefreshIfBehind();
  }

  // Rebuilds the ranking now, as of the watermark, and writes the snapshot alone.
  // Call between batches (start-up; tools at the end of a replay).
  Status RefreshRanking() { return ranking_.Refresh(); }

  int64_t watermark_ms() const { return ranking_.watermark_ms(); }
  int64_t ranking_as_of_ms() const { return ranking_.as_of_ms(); }

 private:
  Result<ValueSnapshot> Rank(int64_t as_of_ms) const {
    return RankStates(
        store_, cache_, [](std::string_view bytes) { return Traits::Decode(bytes); },
        [](const State& state) { return Traits::RankInputs(state); }, as_of_ms, RankingParams::From(settings_.value));
  }

  Store& store_;
  DomainSettings settings_;
  [[no_unique_address]] Traits traits_;  // after settings_: may read them
  StateCache<State> cache_;
  ProjectionRanking ranking_;  // ranks cache_: declared after it
};

// One customer's state of the projection of `Traits` in `store` (any open mode);
// nullopt when unknown.
template <typename Traits>
Result<std::optional<typename Traits::State>> ReadStateOf(const Store& store, std::string_view customer_id) {
  using State = typename Traits::State;
  auto stored = store.Get(Family::kState, customer_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<State>();
  auto state = Traits::Decode(**stored);
  if (!state.ok()) return state.status();
  return std::optional<State>(std::move(state).value());
}

}  // namespace rapport::projections
