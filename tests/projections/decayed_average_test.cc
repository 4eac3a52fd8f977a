#include "projections/domain/decayed_average.h"

#include <catch2/catch.hpp>

#include "events/time_format.h"

using rapport::projections::DecayedAverage;
constexpr int64_t kDay = rapport::events::kMillisPerDay;

TEST_CASE("the first sample is the average", "[ewma]") {
  DecayedAverage average;
  CHECK_FALSE(average.value().has_value());
  average.Add(3.0, 10 * kDay, 30);
  CHECK(average.value() == Approx(3.0));
}

TEST_CASE("a sample one half-life older weighs half as much", "[ewma]") {
  DecayedAverage average;
  average.Add(0.0, 0, 30);
  average.Add(6.0, 30 * kDay, 30);
  // weights 0.5 and 1: (0.5 * 0 + 1 * 6) / 1.5
  CHECK(average.value() == Approx(4.0));
}

TEST_CASE("samples of one instant average plainly", "[ewma]") {
  DecayedAverage average;
  average.Add(2.0, kDay, 30);
  average.Add(-4.0, kDay, 30);
  CHECK(average.value() == Approx(-1.0));
}

TEST_CASE("arrival order does not change the average", "[ewma]") {
  DecayedAverage in_order, late;
  in_order.Add(1.0, 0, 30);
  in_order.Add(-2.0, 45 * kDay, 30);
  in_order.Add(5.0, 100 * kDay, 30);
  late.Add(5.0, 100 * kDay, 30);
  late.Add(1.0, 0, 30);
  late.Add(-2.0, 45 * kDay, 30);
  CHECK(late.value() == Approx(*in_order.value()));
  CHECK(late.reference_ms() == 100 * kDay);
}

TEST_CASE("a decayed average survives encoding", "[ewma]") {
  DecayedAverage average;
  average.Add(1.5, 0, 30);
  average.Add(-0.5, 12 * kDay, 30);
  rapport::projections::BinaryWriter writer;
  average.Encode(writer);
  DecayedAverage decoded;
  rapport::projections::BinaryReader reader(writer.data());
  REQUIRE(decoded.Decode(reader));
  CHECK(decoded == average);
}
