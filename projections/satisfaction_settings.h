#pragma once
// Satisfaction thresholds, windows and weights of DOMAIN.md with their defaults.

namespace rapport::projections {

struct SatisfactionSettings {};

}  // namespace rapport::projections
