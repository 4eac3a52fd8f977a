#pragma once
// What a rebuild keeps in its output store's meta family beside the state it
// produced, so that a rebuild stopped at any point resumes where it stopped: the
// arguments it was started with, the end of every partition (fixed at the first
// start), its counters, the records it could not fold, and whether it finished.
// Its keys: projections/runtime/projection_store_keys.h.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "events/strong_types.h"
#include "projections/runtime/projection_store_keys.h"
#include "storage/store.h"

namespace rapport::projections {

// Over every run of one rebuild.
struct RebuildCounters {
  int64_t read = 0;  // records read from the journal (fillers included)
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t filtered = 0;  // left out by the cut
  int64_t dead_lettered = 0;

  nlohmann::json ToJson() const;
  static RebuildCounters From(const nlohmann::json& json);
};

// A record the rebuild could not fold, recorded in its output instead of going to
// the dead-letter topic.
struct RebuildDeadLetter {
  Partition partition;
  Offset offset;
  std::string customer_id;
  std::string reason;
};

// "replay/dead-letter/<partition, 10 digits>/<offset, 20 digits>": keys sort in
// partition/offset order.
std::string RebuildDeadLetterKey(Partition partition, Offset offset);

// The first `limit` dead letters of `store`, in partition/offset order.
Result<std::vector<RebuildDeadLetter>> ReadRebuildDeadLetters(const Store& store, size_t limit);

// The JSON under meta `key`; nullopt when absent, Corruption when it is not JSON.
Result<std::optional<nlohmann::json>> ReadMetaJson(const Store& store, std::string_view key);

}  // namespace rapport::projections
