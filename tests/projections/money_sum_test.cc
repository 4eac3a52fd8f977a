// Sums of money saturate instead of wrapping (projections/domain/money_sum.h).

#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "events/json_codec.h"
#include "projections/customer_view/customer_merge.h"
#include "projections/customer_view/customer_view.h"
#include "projections/domain/money_sum.h"
#include "projections/domain/purchase_history.h"

namespace rapport::projections {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxAmount = 1'000'000'000'000'000;  // events/validation.h

events::Event Purchase(int n) {
  auto event = events::DecodeJsonEvent(
      R"({"event_id":"p)" + std::to_string(n) +
      R"(","customer_id":"c","occurred_at":1000,"channel":"web","type":"purchase","order_id":"o","amount":1000000000000000,"cost":0,"currency":"EUR"})");
  REQUIRE(event.ok());
  return *event;
}

TEST_CASE("money: sums clamp at the int64 bounds", "[money]") {
  CHECK(AddMoney(1, 2) == 3);
  CHECK(AddMoney(kMax - 1, 5) == kMax);
  CHECK(AddMoney(std::numeric_limits<int64_t>::min() + 1, -5) == std::numeric_limits<int64_t>::min());
  CHECK(SubtractMoney(-kMax, 5) == std::numeric_limits<int64_t>::min());
  CHECK(SubtractMoney(kMax, -5) == kMax);
}

TEST_CASE("money: a customer with 10,000 maximal purchases keeps a positive revenue", "[money][customer_view]") {
  CustomerView view;
  for (int i = 0; i < 10'000; ++i) view = Apply(std::move(view), Purchase(i), DomainSettings{});
  CHECK(view.purchases == 10'000);
  CHECK(view.revenue == kMax);  // 10^19 does not fit: saturated, not wrapped negative
  CHECK(view.purchase_history.RevenueBetween(0, 2000) == kMax);
  CHECK(view.purchase_history.ProfitBetween(0, 2000) == kMax);
  // Merging two such customers stays at the bound too.
  CustomerView other = view;
  other.customer_id = "d";
  CHECK(MergeInto(view, other, "d").revenue == kMax);
  CHECK(kMaxAmount * 9'000 < kMax);  // below ~9,223 maximal amounts nothing saturates
}

}  // namespace
}  // namespace rapport::projections
