#pragma once
// Bookkeeping shared by projections that keep their own ranking and watermark
// (customer view, satisfaction, loyalty; see projections/runtime/projection_ranking.h): the
// event-time watermark and the ValueSnapshot in the store's meta family under
// "<projection>/watermark" and "<projection>/value-snapshot"
// (projections/runtime/projection_store_keys.h), and the ranking
// rebuild over every state of the store. See projections/customer_view/customer_view_projection.h.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/domain/value_snapshot.h"
#include "projections/runtime/projection_store_keys.h"
#include "projections/runtime/state_cache.h"
#include "storage/store.h"

namespace rapport::projections {

// 0 before any checkpoint.
Result<int64_t> ReadWatermarkOf(const Store& store, std::string_view projection);
// nullopt before the first rebuild.
Result<std::optional<ValueSnapshot>> ReadSnapshotOf(const Store& store, std::string_view projection);
// The same for readers that ask on every request (the query API): never null, an
// empty snapshot before the first rebuild. Decoding costs more than the rest of a
// customer read and the snapshot changes once a ranking refresh, so each thread
// keeps what it decoded last and decodes again only when the stored bytes differ.
Result<std::shared_ptr<const ValueSnapshot>> ReadSharedSnapshotOf(const Store& store,
                                                                  std::string_view projection);

// Calls fn(state) for every state of the store's state family: the cached (newest)
// ones first, then the rest of the store, unless the cache holds them all
// (StateCache::holds_every_state): a rebuild caches every state it writes, and
// walking the store would only skip them.
template <typename State, typename Decode, typename Fn>
Status ForEachStoredState(const Store& store, const StateCache<State>& cache, Decode decode, Fn&& fn) {
  cache.ForEachCached([&](const std::string&, const State& state) { fn(state); });
  if (cache.holds_every_state()) return Status::Ok();
  auto it = store.NewIterator(Family::kState);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (cache.Cached(it->key().ToString())) continue;
    auto state = decode(std::string_view(it->value().data(), it->value().size()));
    if (!state.ok()) return state.status().WithContext("stored state of " + it->key().ToString());
    fn(*state);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan states");
  return Status::Ok();
}

// Ranks every customer of the store's state family as of `as_of_ms` (ForEachStoredState).
// `history_of(state)` returns the state's PurchaseHistory, or null for a merge pointer.
template <typename State, typename Decode, typename HistoryOf>
Result<ValueSnapshot> RankStates(const Store& store, const StateCache<State>& cache, Decode decode,
                                 HistoryOf history_of, int64_t as_of_ms, const RankingParams& params) {
  std::vector<ValueInputs> inputs;
  RAPPORT_RETURN_IF_ERROR(ForEachStoredState(store, cache, decode, [&](const State& state) {
    const PurchaseHistory* history = history_of(state);
    if (history != nullptr) inputs.push_back(InputsOf(state.customer_id, *history, as_of_ms, params));
  }));
  return BuildValueSnapshot(inputs, as_of_ms, params);
}

// The `history_of` of RankStates for a state with customer_id, purchase_history and
// is_pointer(): unknown customers and merge pointers are not ranked.
template <typename State>
const PurchaseHistory* RankedHistory(const State& state) {
  return state.customer_id.empty() || state.is_pointer() ? nullptr : &state.purchase_history;
}

}  // namespace rapport::projections
