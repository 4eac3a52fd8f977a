#pragma once
// Churn thresholds, windows and weights of DOMAIN.md with their defaults.

namespace rapport::projections {

struct ChurnSettings {};

}  // namespace rapport::projections
