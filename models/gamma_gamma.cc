#include "models/gamma_gamma.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "models/nelder_mead.h"

namespace rapport::projections {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kLogBound = 30.0;

// A customer with the logs that do not depend on the parameters computed once.
struct Prepared {
  double x = 0;
  double m = 0;
  double log_m = 0;
  double log_x = 0;
};

// The fit's objective: lgamma depends on x only, so it is evaluated once per
// distinct x; per customer there is a single log left.
double PreparedLogLikelihood(const GammaGammaParams& params, const std::vector<Prepared>& customers,
                             std::vector<double>& per_x_cache, std::vector<char>& known) {
  std::fill(known.begin(), known.end(), 0);
  const double shared = -std::lgamma(params.q) + params.q * std::log(params.gamma);
  double total = 0;
  for (const Prepared& c : customers) {
    const auto i = static_cast<size_t>(c.x);
    const double px = params.p * c.x;
    if (!known[i]) {
      per_x_cache[i] = std::lgamma(px + params.q) - std::lgamma(px) + shared;
      known[i] = 1;
    }
    total += per_x_cache[i] + (px - 1.0) * c.log_m + px * c.log_x -
             (px + params.q) * std::log(params.gamma + c.m * c.x);
  }
  return total;
}

}  // namespace

double GammaGammaLogLikelihood(const GammaGammaParams& params, const SpendSummary& customer) {
  const double x = static_cast<double>(customer.x);
  const double m = customer.mean_value;
  const double px = params.p * x;
  return std::lgamma(px + params.q) - std::lgamma(px) - std::lgamma(params.q) +
         params.q * std::log(params.gamma) + (px - 1.0) * std::log(m) + px * std::log(x) -
         (px + params.q) * std::log(params.gamma + m * x);
}

double GammaGammaLogLikelihood(const GammaGammaParams& params, std::span<const SpendSummary> customers) {
  double total = 0;
  for (const SpendSummary& c : customers) {
    if (c.x >= 1) total += GammaGammaLogLikelihood(params, c);
  }
  return total;
}

double ExpectedMeanSpend(const GammaGammaParams& params, const SpendSummary& customer) {
  const double x = customer.x > 0 ? static_cast<double>(customer.x) : 0.0;
  const double denominator = params.p * x + params.q - 1.0;
  if (denominator <= 0) return std::numeric_limits<double>::quiet_NaN();
  return params.p * (params.gamma + x * customer.mean_value) / denominator;
}

Result<GammaGammaFit> FitGammaGamma(std::span<const SpendSummary> customers) {
  std::vector<SpendSummary> used;
  double sum = 0;
  int64_t max_x = 0;
  for (size_t i = 0; i < customers.size(); ++i) {
    const SpendSummary& c = customers[i];
    if (c.x < 1) continue;
    if (!(c.mean_value > 0) || !std::isfinite(c.mean_value)) {
      return Status::InvalidArgument("customers", "customer " + std::to_string(i) + " has mean value " +
                                                      std::to_string(c.mean_value) + " (must be > 0)");
    }
    used.push_back(c);
    sum += c.mean_value;
    max_x = std::max(max_x, c.x);
  }
  if (used.empty()) return Status::InvalidArgument("customers", "no customer with a repeat purchase to fit");
  // Rescale values to a mean of 1: gamma scales with the unit, p and q do not.
  const double scale = sum / static_cast<double>(used.size());
  std::vector<Prepared> prepared;
  prepared.reserve(used.size());
  for (const SpendSummary& c : used) {
    const double x = static_cast<double>(c.x);
    const double m = c.mean_value / scale;
    prepared.push_back({x, m, std::log(m), std::log(x)});
  }
  std::vector<double> per_x(static_cast<size_t>(max_x) + 1);
  std::vector<char> known(per_x.size());
  auto objective = [&](const std::vector<double>& log_params) {
    for (double v : log_params) {
      if (!(std::abs(v) <= kLogBound)) return kInfinity;
    }
    const GammaGammaParams p{std::exp(log_params[0]), std::exp(log_params[1]), std::exp(log_params[2])};
    return -PreparedLogLikelihood(p, prepared, per_x, known);
  };
  const NelderMeadResult best = MinimizeNelderMead(objective, {0.0, 0.0, 0.0});
  GammaGammaFit fit;
  fit.params = {std::exp(best.x[0]), std::exp(best.x[1]), std::exp(best.x[2]) * scale};
  fit.log_likelihood = GammaGammaLogLikelihood(fit.params, customers);
  fit.customers = static_cast<int64_t>(used.size());
  fit.evaluations = best.evaluations;
  fit.converged = best.converged;
  if (!std::isfinite(fit.log_likelihood)) {
    return Status::Internal("Gamma-Gamma fit did not reach a finite likelihood");
  }
  return fit;
}

}  // namespace rapport::projections
