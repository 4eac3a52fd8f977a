// Times the maximum-likelihood fits of the churn / CLV model (BG/NBD 4 parameters,
// Gamma-Gamma 3) on simulated populations of 10,000 and 100,000 customers drawn
// from known parameters, and prints the fitted values next to the truth.
// Usage: model_fit_bench [customers...]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "models/model_simulation.h"

using namespace rapport::projections;

int main(int argc, char** argv) {
  std::vector<long> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
  if (sizes.empty()) sizes = {10'000, 100'000};
  // Day-unit truth: the paper's CDNOW estimates with alpha converted from weeks.
  const BgNbdParams bg_truth{0.243, 4.414 * 7, 0.793, 2.426};
  const GammaGammaParams gg_truth{6.25, 3.74, 1544.0};  // minor units
  for (long n : sizes) {
    const auto customers = SimulateBgNbd(bg_truth, n, 27 * 7, 39 * 7, 1);
    auto start = std::chrono::steady_clock::now();
    auto bg = FitBgNbd(customers);
    const double bg_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!bg.ok()) {
      std::fprintf(stderr, "BG/NBD fit failed: %s\n", bg.status().ToString().c_str());
      return 1;
    }
    std::mt19937_64 rng(2);
    std::uniform_int_distribution<int64_t> repeat(1, 12);
    std::vector<int64_t> xs(static_cast<size_t>(n));
    for (auto& x : xs) x = repeat(rng);
    const auto spend = SimulateGammaGamma(gg_truth, xs, 3);
    start = std::chrono::steady_clock::now();
    auto gg = FitGammaGamma(spend);
    const double gg_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!gg.ok()) {
      std::fprintf(stderr, "Gamma-Gamma fit failed: %s\n", gg.status().ToString().c_str());
      return 1;
    }
    std::printf("customers %ld\n", n);
    std::printf(
        "  BG/NBD      %.3f s, %d evaluations: r %.4f (%.4f) alpha %.3f (%.3f) a %.4f (%.4f) b %.4f (%.4f)\n",
        bg_seconds, bg->evaluations, bg->params.r, bg_truth.r, bg->params.alpha, bg_truth.alpha, bg->params.a,
        bg_truth.a, bg->params.b, bg_truth.b);
    std::printf("  Gamma-Gamma %.3f s, %d evaluations: p %.4f (%.4f) q %.4f (%.4f) gamma %.2f (%.2f)\n",
                gg_seconds, gg->evaluations, gg->params.p, gg_truth.p, gg->params.q, gg_truth.q,
                gg->params.gamma, gg_truth.gamma);
    std::printf("RESULT model_fit_bgnbd_seconds_%ld %.3f\n", n, bg_seconds);
    std::printf("RESULT model_fit_gamma_gamma_seconds_%ld %.3f\n", n, gg_seconds);
  }
  return 0;
}
