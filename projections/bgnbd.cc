#include "projections/bgnbd.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "projections/nelder_mead.h"

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

// Gauss' series for 2F1(A, B; C; z) - 1, divided by B (so that B = 0 is fine), for
// 0 <= z < 1. Used with small A, B and C >= A + B - 1 (Euler's transform), so the
// terms stay bounded and the series converges geometrically in z.
double Hyp2F1MinusOneOverB(double A, double B, double C, double z) {
  if (z <= 0) return 0;
  // First term: A z / C (the B factor divided out).
  double term = A * z / C;
  double sum = term;
  for (int n = 1; n < 10'000'000; ++n) {
    const double dn = static_cast<double>(n);
    // Next term: times (A+n)(B+n) z / ((C+n)(n+1)); the first B factor was (B+0).
    term *= (A + dn) * (B + dn) / ((C + dn) * (dn + 1.0)) * z;
    sum += term;
    if (std::abs(term) <= 1e-16 * std::abs(sum)) break;
  }
  return sum;
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
  const double log_odds_dead = std::log(params.a) - std::log(params.b + xd - 1.0) +
                               (params.r + xd) * (std::log(params.alpha + customer.T) -
                                                  std::log(params.alpha + customer.t_x));
  // 1 / (1 + e^d), written so that a large d gives a tiny positive number, not 0/0.
  return log_odds_dead > 0 ? std::exp(-log_odds_dead) / (1.0 + std::exp(-log_odds_dead))
                           : 1.0 / (1.0 + std::exp(log_odds_dead));
}

double ExpectedPurchases(const BgNbdParams& params, const RepeatSummary& customer, double t) {
  if (t <= 0) return 0;
  const double xd = static_cast<double>(customer.x);
  const double a1 = params.a - 1.0;
  const double c = params.a + params.b + xd - 1.0;
  // Eq. (10): (c / (a-1)) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; c; z)] / D
  // with z = t / (alpha+T+t). Euler's transform turns the bracket into
  // 1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z), whose series has small, bounded terms
  // whatever x; dividing by (a-1) analytically keeps a = 1 finite.
  const double z = t / (params.alpha + customer.T + t);
  const double log1m_z = std::log1p(-z);
  const double power_term = std::abs(a1) < 1e-12 ? -log1m_z : -std::expm1(a1 * log1m_z) / a1;
  const double series = std::exp(a1 * log1m_z) * Hyp2F1MinusOneOverB(params.a + params.b - 1.0 - params.r, a1, c, z);
  const double bracket_over_a1 = power_term - series;
  const double alive = ProbabilityAlive(params, customer);  // 1 / D
  return c * bracket_over_a1 * alive;
}

Result<BgNbdFit> FitBgNbd(std::span<const RepeatSummary> customers) {
  if (customers.empty()) return Status::InvalidArgument("customers", "no customers to fit");
  double max_T = 0;
  for (size_t i = 0; i < customers.size(); ++i) {
    const RepeatSummary& c = customers[i];
    if (!Valid(c)) {
      return Status::InvalidArgument("customers", "customer " + std::to_string(i) + " has x=" +
                                                      std::to_string(c.x) + " t_x=" + std::to_string(c.t_x) +
                                                      " T=" + std::to_string(c.T) +
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
  if (!std::isfinite(fit.log_likelihood)) return Status::Internal("BG/NBD fit did not reach a finite likelihood");
  return fit;
}

}  // namespace rapport::projections
