#include "models/model_parameters.h"

#include <catch2/catch.hpp>

namespace rapport::projections {
namespace {

ModelParameters Sample() {
  ModelParameters p;
  p.as_of_ms = 1'772'360'100'000;
  p.fitted_at_ms = 1'772'400'000'000;
  p.customers = 2000;
  p.bgnbd = {0.243, 30.9, 0.793, 2.426};
  p.bgnbd_log_likelihood = -9582.43;
  p.gamma_gamma_customers = 946;
  p.gamma_gamma = {6.25, 3.74, 1544.0};
  p.gamma_gamma_log_likelihood = -4060.2;
  return p;
}

TEST_CASE("model parameters survive encoding and decoding", "[model_parameters]") {
  auto decoded = DecodeModelParameters(EncodeModelParameters(Sample()));
  REQUIRE(decoded.ok());
  CHECK(*decoded == Sample());
}

TEST_CASE("truncated or foreign bytes are corruption, never a crash", "[model_parameters]") {
  const std::string bytes = EncodeModelParameters(Sample());
  for (size_t cut : {size_t{0}, size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    auto decoded = DecodeModelParameters(std::string_view(bytes).substr(0, cut));
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == StatusCode::kCorruption);
  }
  std::string foreign = bytes;
  foreign[4] = 'X';  // the file identifier RPMP
  CHECK(DecodeModelParameters(foreign).status().code() == StatusCode::kCorruption);
}

TEST_CASE("unusable parameters are rejected naming the field", "[model_parameters]") {
  auto with = [](auto change) {
    ModelParameters p = Sample();
    change(p);
    return DecodeModelParameters(EncodeModelParameters(p));
  };
  CHECK(with([](ModelParameters& p) { p.bgnbd.r = 0; }).status().field() == "bgnbd_r");
  CHECK(with([](ModelParameters& p) { p.bgnbd.alpha = -1; }).status().field() == "bgnbd_alpha");
  CHECK(with([](ModelParameters& p) { p.bgnbd.b = NAN; }).status().field() == "bgnbd_b");
  CHECK(with([](ModelParameters& p) { p.gamma_gamma.gamma = INFINITY; }).status().field() ==
        "gamma_gamma_gamma");
  CHECK(with([](ModelParameters& p) { p.time_unit = "week"; }).status().field() == "time_unit");
  CHECK(with([](ModelParameters& p) { p.model = ""; }).status().field() == "model");
}

}  // namespace
}  // namespace rapport::projections
