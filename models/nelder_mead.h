#pragma once
// A small derivative-free minimizer (Nelder & Mead 1965, standard coefficients),
// used to fit the probabilistic models by maximum likelihood on log-parameters.
// Pure: no I/O, deterministic for the same start and objective.

#include <functional>
#include <vector>

namespace rapport::projections {

struct NelderMeadOptions {
  double initial_step = 0.5;   // simplex edge around the start, per coordinate
  double f_tolerance = 1e-10;  // stop when the simplex' values agree this well (relative)
  double x_tolerance = 1e-8;   // ... and its vertices this well (absolute)
  // A flat likelihood (data the model barely constrains, e.g. no dropout at all)
  // lets the simplex crawl towards the bounds; this caps the time that costs.
  int max_evaluations = 5'000;
  int restarts = 2;  // re-start from the best point: guards against a collapsed simplex
};

struct NelderMeadResult {
  std::vector<double> x;
  double value = 0;
  int evaluations = 0;
  bool converged = false;  // false: max_evaluations was hit
};

// Minimizes `f` from `start`. `f` may return +infinity (or NaN) for points outside
// its domain; those are never accepted as the best point.
NelderMeadResult MinimizeNelderMead(const std::function<double(const std::vector<double>&)>& f,
                                    std::vector<double> start, const NelderMeadOptions& options = {});

}  // namespace rapport::projections
