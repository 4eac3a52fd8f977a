#pragma once
// Loyalty thresholds, windows and weights of DOMAIN.md with their defaults.

namespace rapport::projections {

struct LoyaltySettings {};

}  // namespace rapport::projections
