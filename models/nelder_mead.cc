#include "models/nelder_mead.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace rapport::projections {
namespace {

constexpr double kReflect = 1.0;
constexpr double kExpand = 2.0;
constexpr double kContract = 0.5;
constexpr double kShrink = 0.5;

double Clean(double value) { return std::isfinite(value) ? value : std::numeric_limits<double>::infinity(); }

// One Nelder–Mead run; returns true when it converged.
bool Run(const std::function<double(const std::vector<double>&)>& f, std::vector<double>& best,
         double& best_value, int& evaluations, const NelderMeadOptions& options) {
  const size_t n = best.size();
  std::vector<std::vector<double>> points(n + 1, best);
  std::vector<double> values(n + 1);
  auto eval = [&](const std::vector<double>& x) {
    ++evaluations;
    return Clean(f(x));
  };
  values[0] = eval(points[0]);
  for (size_t i = 0; i < n; ++i) {
    points[i + 1][i] += options.initial_step;
    values[i + 1] = eval(points[i + 1]);
  }
  std::vector<size_t> order(n + 1);
  std::vector<double> centroid(n), trial(n), second(n);
  auto along = [&](double coefficient, std::vector<double>& out, const std::vector<double>& worst) {
    for (size_t j = 0; j < n; ++j) out[j] = centroid[j] + coefficient * (worst[j] - centroid[j]);
  };
  bool converged = false;
  while (evaluations < options.max_evaluations) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t l, size_t r) { return values[l] < values[r]; });
    const size_t lo = order.front(), hi = order.back(), next_hi = order[n - 1];
    double spread = 0;
    for (size_t i = 0; i <= n; ++i) {
      for (size_t j = 0; j < n; ++j) spread = std::max(spread, std::abs(points[i][j] - points[lo][j]));
    }
    const double f_spread = values[hi] - values[lo];
    if (std::isfinite(values[hi]) && f_spread <= options.f_tolerance * (1.0 + std::abs(values[lo])) &&
        spread <= options.x_tolerance) {
      converged = true;
      break;
    }
    std::fill(centroid.begin(), centroid.end(), 0.0);
    for (size_t i = 0; i <= n; ++i) {
      if (i == hi) continue;
      for (size_t j = 0; j < n; ++j) centroid[j] += points[i][j] / static_cast<double>(n);
    }
    along(-kReflect, trial, points[hi]);
    const double reflected = eval(trial);
    if (reflected < values[lo]) {
      along(-kReflect * kExpand, second, points[hi]);
      const double expanded = eval(second);
      if (expanded < reflected) {
        points[hi] = second;
        values[hi] = expanded;
      } else {
        points[hi] = trial;
        values[hi] = reflected;
      }
      continue;
    }
    if (reflected < values[next_hi]) {
      points[hi] = trial;
      values[hi] = reflected;
      continue;
    }
    // Contract towards the better of the worst point and its reflection.
    const bool outside = reflected < values[hi];
    along(outside ? -kContract : kContract, second, points[hi]);
    const double contracted = eval(second);
    if (contracted < std::min(reflected, values[hi])) {
      points[hi] = second;
      values[hi] = contracted;
      continue;
    }
    for (size_t i = 0; i <= n; ++i) {
      if (i == lo) continue;
      for (size_t j = 0; j < n; ++j) points[i][j] = points[lo][j] + kShrink * (points[i][j] - points[lo][j]);
      values[i] = eval(points[i]);
    }
  }
  const size_t lo = static_cast<size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  best = points[lo];
  best_value = values[lo];
  return converged;
}

}  // namespace

NelderMeadResult MinimizeNelderMead(const std::function<double(const std::vector<double>&)>& f,
                                    std::vector<double> start, const NelderMeadOptions& options) {
  NelderMeadResult result;
  result.x = std::move(start);
  result.value = std::numeric_limits<double>::infinity();
  NelderMeadOptions run = options;
  for (int attempt = 0; attempt <= options.restarts; ++attempt) {
    const double before = result.value;
    result.converged = Run(f, result.x, result.value, result.evaluations, run);
    // A restart that changes nothing means the minimum is found.
    if (attempt > 0 && result.converged &&
        before - result.value <= options.f_tolerance * (1.0 + std::abs(result.value))) {
      break;
    }
    run.initial_step = std::max(options.initial_step * 0.1, 1e-3);
    if (result.evaluations >= options.max_evaluations) break;
  }
  return result;
}

}  // namespace rapport::projections
