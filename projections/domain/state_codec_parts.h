#pragma once
// Pieces the per-customer state codecs (customer view, satisfaction, loyalty) share:
// the leading format version and optional small integers (survey answers).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"
#include "storage/binary_codec.h"

namespace rapport::projections {

// Reads the format version a stored `what` ("customer view") begins with. A state of
// another version cannot be read in place: Corruption naming both versions and
// `remedy` (what the operator does about it).
inline Status ReadStateVersion(BinaryReader& r, uint8_t expected, std::string_view what, std::string_view remedy) {
  uint8_t version = 0;
  if (!r.GetU8(&version) || version != expected) {
    return Status::Corruption(std::string(what) + ": format version " + std::to_string(version) + ", expected " +
                              std::to_string(expected) + " (" + std::string(remedy) + ")");
  }
  return Status::Ok();
}

inline void PutOptionalInt32(BinaryWriter& w, const std::optional<int32_t>& value) {
  w.PutOptionalSigned(value ? std::optional<int64_t>(*value) : std::nullopt);
}

// False on a short or malformed buffer.
inline bool GetOptionalInt32(BinaryReader& r, std::optional<int32_t>* value) {
  std::optional<int64_t> wide;
  if (!r.GetOptionalSigned(&wide)) return false;
  *value = wide ? std::optional<int32_t>(static_cast<int32_t>(*wide)) : std::nullopt;
  return true;
}

}  // namespace rapport::projections
