#include "models/model_simulation.h"

#include <random>

namespace rapport::projections {

std::vector<RepeatSummary> SimulateBgNbd(const BgNbdParams& params, int64_t customers, double min_T,
                                         double max_T, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> rate(params.r, 1.0 / params.alpha);
  std::gamma_distribution<double> beta_a(params.a, 1.0);
  std::gamma_distribution<double> beta_b(params.b, 1.0);
  std::uniform_real_distribution<double> age(min_T, max_T);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<RepeatSummary> out;
  out.reserve(static_cast<size_t>(customers));
  for (int64_t i = 0; i < customers; ++i) {
    const double lambda = rate(rng);
    const double ga = beta_a(rng);
    const double p = ga / (ga + beta_b(rng));
    RepeatSummary c;
    c.T = age(rng);
    double now = 0;
    while (lambda > 0) {
      now += std::exponential_distribution<double>(lambda)(rng);
      if (now > c.T) break;
      ++c.x;
      c.t_x = now;
      if (unit(rng) < p) break;  // dropped out after this purchase
    }
    out.push_back(c);
  }
  return out;
}

std::vector<SpendSummary> SimulateGammaGamma(const GammaGammaParams& params, std::span<const int64_t> xs,
                                             uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> nu_of(params.q, 1.0 / params.gamma);
  std::vector<SpendSummary> out;
  out.reserve(xs.size());
  for (int64_t x : xs) {
    const double nu = nu_of(rng);
    std::gamma_distribution<double> value(params.p, 1.0 / nu);
    double sum = 0;
    for (int64_t j = 0; j < x; ++j) sum += value(rng);
    out.push_back({x, sum / static_cast<double>(x)});
  }
  return out;
}

}  // namespace rapport::projections
