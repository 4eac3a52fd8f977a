#pragma once
// The merge-pointer rules (CustomersMerged, DOMAIN.md §1) for every per-customer
// state, written once. A duplicate id is folded into its survivor so that reports
// stop counting one person twice. The duplicate's events travel under its own key,
// on its own partition, so they may be consumed before or after the merge; these
// rules make the result the same either way:
//   - At the merge, whatever the duplicate's state holds is folded into the
//     survivor's (the projection's merge) and the duplicate's state becomes a
//     pointer (`merged_into`).
//   - Every later event of the duplicate id follows the pointer (chains too) and is
//     folded into the survivor. Nothing is lost and nothing counts twice.
//   - A merge event for a survivor that is itself merged follows its pointer.
//   - Merging a duplicate already merged into the same survivor changes nothing
//     (idempotent). Merging one already merged into ANOTHER customer is an error
//     (the runtime dead-letters it): histories cannot be split apart again.
// Pure logic over a set of states: CustomerProjection (customer_projection.h) runs it
// on its state cache, tests and tools on a StateMap; churn uses the chain walk and
// the merge check with a merge of its own (projections/churn/churn_merge.h).
//
// State needs: std::string customer_id, merged_into; int64_t merged_at_ms;
// bool is_pointer() const. A default State (empty customer_id) is "unknown".
// States needs: `using State`; Result<State*> Find(const std::string& id) (a default
// State when unknown; pointers stay valid while one event applies) and
// void Changed(const std::string& id). No virtual calls: the rebuild path resolves
// every event's customer through here.

#include <map>
#include <string>
#include <utility>
#include <variant>

#include "events/event.h"
#include "events/status.h"
#include "projections/runtime/state_cache.h"

namespace rapport::projections {

// States over a projection's write-back cache.
template <typename S>
class CachedStates {
 public:
  using State = S;
  explicit CachedStates(StateCache<State>& cache) : cache_(cache) {}
  Result<State*> Find(const std::string& id) { return cache_.Load(id); }
  void Changed(const std::string& id) { cache_.MarkDirty(id); }

 private:
  StateCache<State>& cache_;
};

// States in memory, for tests and tools.
template <typename S>
class StateMap {
 public:
  using State = S;
  Result<State*> Find(const std::string& id) { return &states_[id]; }
  void Changed(const std::string&) {}
  const State* Get(const std::string& id) const {
    auto it = states_.find(id);
    return it == states_.end() || it->second.customer_id.empty() ? nullptr : &it->second;
  }
  // Every known state, pointers included.
  std::map<std::string, State> Known() const {
    std::map<std::string, State> known;
    for (const auto& [id, state] : states_) {
      if (!state.customer_id.empty()) known.emplace(id, state);
    }
    return known;
  }

 private:
  std::map<std::string, State> states_;
};

// The id holding the history of `id` now: itself or the end of its pointer chain.
// The one walk of merge chains in the projections.
template <typename States>
Result<std::string> ResolveSurvivorIn(States& states, const std::string& id) {
  constexpr int kMaxChain = 64;  // chains cannot loop; the bound turns damage into an error
  std::string current = id;
  for (int hop = 0; hop < kMaxChain; ++hop) {
    auto state = states.Find(current);
    if (!state.ok()) return state.status();
    if (!(*state)->is_pointer()) return current;
    current = (*state)->merged_into;
  }
  return Status::Corruption("customer " + id + ": merge chain longer than " + std::to_string(kMaxChain));
}

// Whether a CustomersMerged of `duplicate_id` into `survivor_id` (the end of its own
// chain) folds anything: false for a repeat or for the survivor itself; an error
// when the duplicate was merged into another customer before. Changes nothing.
template <typename States>
Result<bool> MergeFoldsDuplicate(States& states, const std::string& survivor_id, const std::string& duplicate_id) {
  auto duplicate_root = ResolveSurvivorIn(states, duplicate_id);
  if (!duplicate_root.ok()) return duplicate_root.status();
  if (*duplicate_root == survivor_id) return false;
  auto duplicate = states.Find(duplicate_id);
  if (!duplicate.ok()) return duplicate.status();
  if ((*duplicate)->is_pointer()) {
    return Status::InvalidArgument("merged_customer_id", duplicate_id + " was already merged into " +
                                                             *duplicate_root + ", not " + survivor_id);
  }
  return true;
}

// Applies `event` to the customer that owns it now.
//   fold(State& survivor, const std::string& survivor_id, const events::Event&)
//     folds the event (a merge event too: it may count it);
//   merge(State& survivor, State&& duplicate, const std::string& duplicate_id)
//     folds the duplicate's state into the survivor's.
// Every look-up that can fail comes before the first call of either, so on error
// nothing has changed.
template <typename States, typename Fold, typename Merge>
Status ApplyWithMerges(States& states, const events::Event& event, Fold&& fold, Merge&& merge) {
  using State = typename States::State;
  auto survivor_id = ResolveSurvivorIn(states, event.customer_id.str());
  if (!survivor_id.ok()) return survivor_id.status();
  const auto* merged = std::get_if<events::CustomersMerged>(&event.payload);
  if (merged == nullptr) {
    auto survivor = states.Find(*survivor_id);
    if (!survivor.ok()) return survivor.status();
    fold(**survivor, *survivor_id, event);
    states.Changed(*survivor_id);
    return Status::Ok();
  }
  const std::string& duplicate_id = merged->merged_customer_id;
  auto folds_duplicate = MergeFoldsDuplicate(states, *survivor_id, duplicate_id);
  if (!folds_duplicate.ok()) return folds_duplicate.status();
  auto duplicate = states.Find(duplicate_id);
  if (!duplicate.ok()) return duplicate.status();
  State* duplicate_state = *duplicate;
  auto survivor = states.Find(*survivor_id);  // after the duplicate: both pointers stay valid
  if (!survivor.ok()) return survivor.status();
  fold(**survivor, *survivor_id, event);
  if (*folds_duplicate) {
    merge(**survivor, std::move(*duplicate_state), duplicate_id);
    State pointer;
    pointer.customer_id = duplicate_id;
    pointer.merged_into = *survivor_id;
    pointer.merged_at_ms = event.occurred_at_ms;
    *duplicate_state = std::move(pointer);
    states.Changed(duplicate_id);
  }
  states.Changed(*survivor_id);
  return Status::Ok();
}

}  // namespace rapport::projections
