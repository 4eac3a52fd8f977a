#pragma once
// The merge-pointer rules of projections/customer_view/customer_merge.h for any per-customer state
// (satisfaction, loyalty): a CustomersMerged event folds the duplicate's state into
// the survivor's and leaves a pointer under the duplicate's id; every later event of
// the duplicate follows the pointer (chains too), so nothing counts twice whatever
// the interleaving; merging a duplicate already merged into another customer is an
// error (the runtime dead-letters it). Pure logic over an abstract set of states.
//
// State needs: std::string customer_id, merged_into; int64_t merged_at_ms;
// bool is_pointer() const. A default State (empty customer_id) is "unknown".

#include <map>
#include <string>

#include "events/event.h"
#include "events/status.h"
#include "projections/runtime/state_cache.h"

namespace rapport::projections {

template <typename State>
class StateSet {
 public:
  virtual ~StateSet() = default;
  // The state of `id`; a default State when unknown. Valid while one event applies.
  virtual Result<State*> Find(const std::string& id) = 0;
  virtual void Changed(const std::string& id) = 0;
};

// StateSet over a projection's write-back cache.
template <typename State>
class CachedStates final : public StateSet<State> {
 public:
  explicit CachedStates(StateCache<State>& cache) : cache_(cache) {}
  Result<State*> Find(const std::string& id) override { return cache_.Load(id); }
  void Changed(const std::string& id) override { cache_.MarkDirty(id); }

 private:
  StateCache<State>& cache_;
};

// StateSet in memory, for tests and tools.
template <typename State>
class StateMap final : public StateSet<State> {
 public:
  Result<State*> Find(const std::string& id) override { return &states_[id]; }
  void Changed(const std::string&) override {}
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
template <typename State>
Result<std::string> ResolveSurvivorIn(StateSet<State>& states, const std::string& id) {
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

// Applies `event` to the customer that owns it now.
//   fold(State& survivor, const std::string& survivor_id, const events::Event&)
//     folds the event (a merge event too: it may count it);
//   merge(State& survivor, State&& duplicate, const std::string& duplicate_id)
//     folds the duplicate's state into the survivor's.
// On error nothing has changed.
template <typename State, typename Fold, typename Merge>
Status ApplyWithMerges(StateSet<State>& states, const events::Event& event, Fold fold, Merge merge) {
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
  auto duplicate_root = ResolveSurvivorIn(states, duplicate_id);
  if (!duplicate_root.ok()) return duplicate_root.status();
  auto duplicate = states.Find(duplicate_id);
  if (!duplicate.ok()) return duplicate.status();
  if (*duplicate_root != *survivor_id && (*duplicate)->is_pointer()) {
    return Status::InvalidArgument("merged_customer_id", duplicate_id + " was already merged into " +
                                                             *duplicate_root + ", not " + *survivor_id);
  }
  State* duplicate_state = *duplicate;
  auto survivor = states.Find(*survivor_id);  // after the duplicate: both pointers stay valid
  if (!survivor.ok()) return survivor.status();
  fold(**survivor, *survivor_id, event);
  if (*duplicate_root != *survivor_id) {  // else: a repeat, or the survivor itself
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
