#pragma once
// The customer pyramid tiers of DOMAIN.md §3.

#include <cstdint>
#include <optional>
#include <string_view>

namespace rapport::projections {

enum class Tier : uint8_t { kA = 0, kB = 1, kC = 2, kD = 3 };
inline constexpr int kTierCount = 4;

inline std::string_view TierName(Tier tier) {
  constexpr std::string_view kNames[] = {"A", "B", "C", "D"};
  return kNames[static_cast<int>(tier)];
}

inline std::optional<Tier> ParseTier(std::string_view name) {
  if (name == "A") return Tier::kA;
  if (name == "B") return Tier::kB;
  if (name == "C") return Tier::kC;
  if (name == "D") return Tier::kD;
  return std::nullopt;
}

}  // namespace rapport::projections
