#pragma once
// Where a history's merges leave its customers, for tests that work out the expected
// answer by hand: every merged-away id points to the customer it ended in (a chain
// of merges followed to its root), every other id is a customer of its own.

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "events/event.h"

namespace rapport::testing {

struct MergedCustomers {
  std::map<std::string, std::string> parent;  // merged-away id -> the customer it merged into
  std::set<std::string> known;                 // every id the history names
  int64_t latest_ms = 0;                       // the latest event time

  // The customer `id` ended in (itself when it was never merged away).
  std::string Root(std::string id) const {
    while (parent.count(id)) id = parent.at(id);
    return id;
  }
};

// Applies the merges in history order; a merge of two ids already in one customer changes nothing.
inline MergedCustomers ResolveMerges(const std::vector<events::Event>& history) {
  MergedCustomers m;
  for (const events::Event& e : history) {
    m.known.insert(e.customer_id.str());
    m.latest_ms = std::max(m.latest_ms, e.occurred_at_ms);
    if (auto* merge = std::get_if<events::CustomersMerged>(&e.payload)) {
      m.known.insert(merge->merged_customer_id);
      const std::string s = m.Root(e.customer_id.str()), d = m.Root(merge->merged_customer_id);
      if (s != d) m.parent[d] = s;
    }
  }
  return m;
}

// One entry in `roots` per surviving customer, with the ids merged into it in its
// `merged_from`; each merged-away id in `pointer_to_root`, mapped to its customer.
template <typename Root>
void SeedRoots(const MergedCustomers& m, std::map<std::string, Root>& roots,
               std::map<std::string, std::string>& pointer_to_root) {
  for (const std::string& id : m.known) {
    if (m.parent.count(id)) {
      pointer_to_root[id] = m.Root(id);
      roots[m.Root(id)].merged_from.insert(id);
    } else {
      roots[id];
    }
  }
}

// Resolves `history`'s merges into `w`: its latest event time (`now`), one entry in
// `roots` per surviving customer and `pointer_to_root` (see SeedRoots).
template <typename World>
MergedCustomers SeedWorld(const std::vector<events::Event>& history, World& w) {
  MergedCustomers m = ResolveMerges(history);
  w.now = m.latest_ms;
  SeedRoots(m, w.roots, w.pointer_to_root);
  return m;
}

// Calls `apply(event, owner, state)` for each event of `history` in order: `owner` is
// the customer the event's id ended in, `state` its entry of `roots`.
template <typename Root, typename Apply>
void ForEachByOwner(const std::vector<events::Event>& history, const MergedCustomers& m,
                    std::map<std::string, Root>& roots, Apply apply) {
  for (const events::Event& e : history) {
    const std::string owner = m.Root(e.customer_id.str());
    apply(e, owner, roots.at(owner));
  }
}

}  // namespace rapport::testing
