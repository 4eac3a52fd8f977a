#pragma once
// Every key the runtime keeps in a projection's store, in one place. These keys are
// on disk in every projection store and every replay output: DO NOT CHANGE their
// layout or values (a store written by an older build must still open), add new
// ones instead.
//
//   family  key                                   value
//   kState  customer id                           the projection's encoded state
//   kMeta   "offset/<topic>/<partition>"          next offset to read (storage/offsets.h)
//   kMeta   "<projection>/watermark"              event-time watermark, decimal ms
//   kMeta   "<projection>/value-snapshot"         the ranking's ValueSnapshot
//   kMeta   "replay/arguments", "replay/ends",    a rebuild's arguments, partition ends,
//           "replay/counters", "replay/complete"  counters and completion
//                                                 (projections/runtime/rebuild_output.h)
//   kMeta   "replay/dead-letter/<p>/<o>"          a record a rebuild could not fold
//
// A projection's own keys live in its folder beside this list
// (projections/churn/churn_keys.h); they must not start with "offset/", "replay/"
// or another projection's name and "/".

#include <string>
#include <string_view>

namespace rapport::projections {

inline std::string WatermarkKey(std::string_view projection) {
  return std::string(projection) + "/watermark";
}
inline std::string SnapshotKey(std::string_view projection) {
  return std::string(projection) + "/value-snapshot";
}

inline constexpr std::string_view kRebuildArgumentsKey = "replay/arguments";
inline constexpr std::string_view kRebuildEndsKey = "replay/ends";
inline constexpr std::string_view kRebuildCountersKey = "replay/counters";
inline constexpr std::string_view kRebuildCompleteKey = "replay/complete";
// + partition (10 digits) "/" offset (20 digits): keys sort in partition/offset order.
inline constexpr std::string_view kRebuildDeadLetterPrefix = "replay/dead-letter/";

}  // namespace rapport::projections
