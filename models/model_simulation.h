#pragma once
// Draws synthetic populations from the BG/NBD and Gamma-Gamma models with known
// parameters, so fits can be checked against the truth (tests) and timed (bench).
// Deterministic for a seed (std::mt19937_64 and libstdc++'s distributions).

#include <cstdint>
#include <span>
#include <vector>

#include "models/bgnbd.h"
#include "models/gamma_gamma.h"

namespace rapport::projections {

// `customers` customers whose ages T are uniform in [min_T, max_T]. Each draws
// lambda ~ Gamma(r, rate alpha) and p ~ Beta(a, b), buys as a Poisson process of
// rate lambda from time 0 and drops out with probability p after each repeat
// purchase, as the model assumes.
std::vector<RepeatSummary> SimulateBgNbd(const BgNbdParams& params, int64_t customers, double min_T,
                                         double max_T, uint64_t seed);

// For each x (>= 1), one customer's mean of x transaction values:
// nu ~ Gamma(q, rate gamma), each value ~ Gamma(p, rate nu).
std::vector<SpendSummary> SimulateGammaGamma(const GammaGammaParams& params, std::span<const int64_t> xs,
                                             uint64_t seed);

}  // namespace rapport::projections
