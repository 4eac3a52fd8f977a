#pragma once
// Asymptotic standard errors of a maximum-likelihood estimate: the square roots of
// the diagonal of the inverse observed information (minus the Hessian of the
// log-likelihood, by central differences). The tolerance a fit test grants is a
// multiple of these, so it follows from the sample size instead of being guessed.

#include <cmath>
#include <functional>
#include <vector>

namespace rapport::testing {

inline std::vector<double> StandardErrors(
    const std::function<double(const std::vector<double>&)>& log_likelihood, const std::vector<double>& at) {
  const size_t n = at.size();
  std::vector<double> h(n);
  for (size_t i = 0; i < n; ++i) h[i] = 1e-4 * std::max(std::abs(at[i]), 1e-3);
  auto f = [&](int di, int dj, size_t i, size_t j) {
    std::vector<double> x = at;
    x[i] += di * h[i];
    x[j] += dj * h[j];
    return log_likelihood(x);
  };
  // information = -Hessian
  std::vector<std::vector<double>> info(n, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const double second =
          (f(1, 1, i, j) - f(1, -1, i, j) - f(-1, 1, i, j) + f(-1, -1, i, j)) / (4 * h[i] * h[j]);
      info[i][j] = -second;
    }
  }
  // Gauss–Jordan inverse with partial pivoting.
  std::vector<std::vector<double>> inv(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) inv[i][i] = 1.0;
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t row = col + 1; row < n; ++row) {
      if (std::abs(info[row][col]) > std::abs(info[pivot][col])) pivot = row;
    }
    std::swap(info[col], info[pivot]);
    std::swap(inv[col], inv[pivot]);
    const double d = info[col][col];
    for (size_t k = 0; k < n; ++k) {
      info[col][k] /= d;
      inv[col][k] /= d;
    }
    for (size_t row = 0; row < n; ++row) {
      if (row == col) continue;
      const double factor = info[row][col];
      for (size_t k = 0; k < n; ++k) {
        info[row][k] -= factor * info[col][k];
        inv[row][k] -= factor * inv[col][k];
      }
    }
  }
  std::vector<double> se(n);
  for (size_t i = 0; i < n; ++i) se[i] = std::sqrt(inv[i][i]);
  return se;
}

}  // namespace rapport::testing
