#include "models/bgnbd.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "models/nelder_mead.h"

namespace rapport::projections {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Log-parameters are kept within e^-30 .. e^30: beyond, the likelihood is flat to
// machine precision and the simplex would wander.
constexpr double kLogBound = 30.0;

double LogSumExp(double u, double v) {
  const double hi = std::max(u, v);
  if (hi == -kInfinity) return -kInfinity;
  return hi + std::log1p(std::exp(std::min(u, v) - hi));
}

// The parts of log L that depend on x only (not on t_x or T).
struct PerX {
  double constant = 0;  // lgamma(r+x) - lgamma(r) + r ln alpha + ln B(a, b+x) - ln B(a, b)
  double dropout = 0;   // ln a - ln(b + x - 1), used when x > 0
};

PerX ForX(const BgNbdParams& p, int64_t x, double log_alpha) {
  const double xd = static_cast<double>(x);
  PerX out;
  out.constant = std::lgamma(p.r + xd) - std::lgamma(p.r) + p.r * log_alpha + std::lgamma(p.a + p.b) +
                 std::lgamma(p.b + xd) - std::lgamma(p.b) - std::lgamma(p.a + p.b + xd);
  out.dropout = x > 0 ? std::log(p.a) - std::log(p.b + xd - 1.0) : -kInfinity;
  return out;
}

double WithPerX(const BgNbdParams& p, const PerX& per_x, const RepeatSummary& c) {
  const double rx = p.r + static_cast<double>(c.x);
  const double still_alive = -rx * std::log(p.alpha + c.T);
  const double dropped = c.x > 0 ? per_x.dropout - rx * std::log(p.alpha + c.t_x) : -kInfinity;
  return per_x.constant + LogSumExp(still_alive, dropped);
}

// A series sum kept as value x e^log_scale, so that terms far beyond the double
// range (they are multiplied by a tiny power of (1 - z) afterwards) do not overflow.
struct ScaledSum {
  double value = 0;
  double log_scale = 0;
};

// Gauss' hypergeometric series from term n = `first_n` on: term_{n+1} = term_n
// (A+n)(B+n) z / ((C+n)(n+1)), for 0 <= z < 1.
ScaledSum HypergeometricTail(double first_term, int first_n, double A, double B, double C, double z) {
  constexpr double kRescaleAbove = 1e200;
  const double log_rescale = std::log(kRescaleAbove);
  ScaledSum out;
  double term = first_term;
  out.value = term;
  if (z <= 0) return out;
  for (int n = first_n; n < 50'000'000; ++n) {
    const double dn = static_cast<double>(n);
    const double ratio = (A + dn) * (B + dn) / ((C + dn) * (dn + 1.0)) * z;
    term *= ratio;
    out.value += term;
    if (std::abs(out.value) > kRescaleAbove) {
      out.value /= kRescaleAbove;
      term /= kRescaleAbove;
      out.log_scale += log_rescale;
    }
    if (std::abs(ratio) < 1.0 && std::abs(term) <= 1e-17 * std::abs(out.value)) break;
  }
  return out;
}

bool Valid(const RepeatSummary& c) {
  return c.x >= 0 && std::isfinite(c.t_x) && std::isfinite(c.T) && c.t_x >= 0 && c.t_x <= c.T &&
         (c.x > 0 || c.t_x == 0);
}

}  // namespace

double BgNbdLogLikelihood(const BgNbdParams& params, const RepeatSummary& customer) {
  return WithPerX(params, ForX(params, customer.x, std::log(params.alpha)), customer);
}

double BgNbdLogLikelihood(const BgNbdParams& params, std::span<const RepeatSummary> customers) {
  // lgamma is the expensive part and depends on x only: one evaluation per
  // distinct x, not per customer.
  int64_t max_x = 0;
  for (const RepeatSummary& c : customers) max_x = std::max(max_x, c.x);
  std::vector<PerX> per_x(static_cast<size_t>(max_x) + 1);
  std::vector<char> known(per_x.size(), 0);
  const double log_alpha = std::log(params.alpha);
  double total = 0;
  for (const RepeatSummary& c : customers) {
    const auto i = static_cast<size_t>(c.x);
    if (!known[i]) {
      per_x[i] = ForX(params, c.x, log_alpha);
      known[i] = 1;
    }
    total += WithPerX(params, per_x[i], c);
  }
  return total;
}

double ProbabilityAlive(const BgNbdParams& params, const RepeatSummary& customer) {
  if (customer.x == 0) return 1.0;
  const double xd = static_cast<double>(customer.x);
  const double log_odds_dead =
      std::log(params.a) - std::log(params.b + xd - 1.0) +
      (params.r + xd) * (std::log(params.alpha + customer.T) - std::log(params.alpha + customer.t_x));
  // 1 / (1 + e^d), written so that a large d gives a tiny positive number, not 0/0.
  return log_odds_dead > 0 ? std::exp(-log_odds_dead) / (1.0 + std::exp(-log_odds_dead))
                           : 1.0 / (1.0 + std::exp(log_odds_dead));
}

double ExpectedPurchases(const BgNbdParams& params, const RepeatSummary& customer, double t) {
  if (t <= 0) return 0;
  const double xd = static_cast<double>(customer.x);
  const double rx = params.r + xd;
  const double a1 = params.a - 1.0;
  const double c = params.a + params.b + xd - 1.0;
  const double alive = ProbabilityAlive(params, customer);  // 1 / D
  // Eq. (10): (c / (a-1)) [1 - (1-z)^(r+x) 2F1(r+x, b+x; c; z)] / D with
  // z = t / (alpha+T+t), since (alpha+T) / (alpha+T+t) = 1 - z.
  const double z = t / (params.alpha + customer.T + t);
  const double log1m_z = std::log1p(-z);
  if (params.a > 2.0) {
    // The paper's series: its terms peak near n ~ (r+x) z b/(a+b) and are scaled
    // back by (1-z)^(r+x), so it suits any a away from 1.
    const ScaledSum f = HypergeometricTail(1.0, 0, rx, params.b + xd, c, z);
    const double log_kept = rx * log1m_z + f.log_scale + std::log(f.value);  // ln[(1-z)^(r+x) 2F1]
    return c / a1 * -std::expm1(log_kept) * alive;
  }
  // Near a = 1: Euler's transform turns the bracket into
  // 1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z); its series minus 1 has the factor
  // (a-1) in every term, divided out analytically so that a = 1 stays finite.
  const double power_term = std::abs(a1) < 1e-12 ? -log1m_z : -std::expm1(a1 * log1m_z) / a1;
  const double A = params.a + params.b - 1.0 - params.r;
  const ScaledSum g = HypergeometricTail(A * z / c, 1, A, a1, c, z);  // (2F1 - 1) / (a-1)
  const double series = std::exp(a1 * log1m_z + g.log_scale) * g.value;
  return c * (power_term - series) * alive;
}

Result<BgNbdFit> FitBgNbd(std::span<const RepeatSummary> customers) {
  if (customers.empty()) return Status::InvalidArgument("customers", "no customers to fit");
  double max_T = 0;
  for (size_t i = 0; i < customers.size(); ++i) {
    const RepeatSummary& c = customers[i];
    if (!Valid(c)) {
      return Status::InvalidArgument("customers",
                                     "customer " + std::to_string(i) + " has x=" + std::to_string(c.x) +
                                         " t_x=" + std::to_string(c.t_x) + " T=" + std::to_string(c.T) +
                                         " (need x >= 0, 0 <= t_x <= T, t_x = 0 when x = 0)");
    }
    max_T = std::max(max_T, c.T);
  }
  // Rescale time so that the oldest customer is 10 units old: alpha then starts
  // near the data's scale. r, a and b do not depend on the unit; alpha scales.
  const double scale = max_T > 0 ? max_T / 10.0 : 1.0;
  std::vector<RepeatSummary> scaled(customers.begin(), customers.end());
  for (RepeatSummary& c : scaled) {
    c.t_x /= scale;
    c.T /= scale;
  }
  auto objective = [&](const std::vector<double>& log_params) {
    for (double v : log_params) {
      if (!(std::abs(v) <= kLogBound)) return kInfinity;
    }
    const BgNbdParams p{std::exp(log_params[0]), std::exp(log_params[1]), std::exp(log_params[2]),
                        std::exp(log_params[3])};
    return -BgNbdLogLikelihood(p, scaled);
  };
  const NelderMeadResult best = MinimizeNelderMead(objective, {0.0, 0.0, 0.0, 0.0});
  BgNbdFit fit;
  fit.params = {std::exp(best.x[0]), std::exp(best.x[1]) * scale, std::exp(best.x[2]), std::exp(best.x[3])};
  fit.log_likelihood = BgNbdLogLikelihood(fit.params, customers);
  fit.evaluations = best.evaluations;
  fit.converged = best.converged;
  if (!std::isfinite(fit.log_likelihood))
    return Status::Internal("BG/NBD fit did not reach a finite likelihood");
  return fit;
}

}  // namespace rapport::projections
