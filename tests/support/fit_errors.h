#pragma once
// The error a model fit gives for input it cannot use: it names the field
// "customers" and, where one customer is to blame, that customer's position.

#include <string>

#include <catch2/catch.hpp>

namespace rapport::testing {

// `fit` failed, blaming "customers"; with `mention`, its message says it too
// ("customer 1": the second summary).
template <typename FitResult>
void CheckCustomersRejected(const FitResult& fit, const std::string& mention = "") {
  REQUIRE_FALSE(fit.ok());
  CHECK(fit.status().field() == "customers");
  if (!mention.empty()) CHECK(fit.status().message().find(mention) != std::string::npos);
}

}  // namespace rapport::testing
