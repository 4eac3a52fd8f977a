// Late events in the churn projection (event time below what the customer or the
// clock had reached): what they invalidate is cleared, and a clear never goes out
// before the alert it clears.

#include <catch2/catch.hpp>

#include "projections/churn/churn_projection.h"
#include "tests/support/churn_harness.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using namespace projections;
using testing::Day;

struct Fixture : testing::ChurnHarness {
  using ChurnHarness::ChurnHarness;
  std::string Status(const std::string& customer, size_t i = 0) {
    auto records = CustomerAlerts(*store, customer);
    REQUIRE(records.ok());
    REQUIRE(records->size() > i);
    return (*records)[i]["status"];
  }
};

events::Event Complaint(const std::string& customer, int64_t at, const std::string& id, int severity) {
  return testing::Base(customer, at, events::Complaint{id, events::ComplaintCategory::kService, severity, "late"});
}

events::Event Resolved(const std::string& customer, int64_t at, const std::string& id) {
  return testing::Base(customer, at, events::ComplaintResolved{id, true});
}

TEST_CASE("churn late resolution: a complaint resolved before its deadline clears the alert it raised",
          "[churn][late]") {
  for (const bool in_time : {true, false}) {
    Fixture f(1);
    f.Apply(Complaint("c", Day(0), "k", 5));
    f.Apply(Complaint("other", Day(0), "o", 5));
    for (int d = 1; d <= 10; ++d) f.Apply(testing::Purchase("busy", Day(d), 100));
    f.Commit();
    REQUIRE(f.Of("c").size() == 1);  // open more than 7 days by event time
    CHECK(f.Of("c")[0].at_ms == Day(7) + 1);
    // Resolutions arrive late; c's was resolved on day 3 (in time), other's on day 8.
    f.Apply(Resolved("c", in_time ? Day(3) : Day(8), "k"));
    f.Apply(Resolved("other", Day(8), "o"));
    f.Apply(testing::Purchase("busy", Day(11), 100));
    f.Commit();
    const auto c = f.Of("c");
    if (in_time) {
      REQUIRE(c.size() == 2);
      CHECK(c[1].kind == AlertKind::kCleared);
      CHECK(c[1].alert_id == c[0].alert_id);
      CHECK(c[1].cleared_by == "complaint_resolved: resolved before the alert's deadline");
      CHECK(c[1].at_ms == c[0].at_ms);  // not before the alert it clears
      CHECK(f.Status("c") == "cleared");
    } else {
      CHECK(c.size() == 1);
      CHECK(f.Status("c") == "open");
    }
    CHECK(f.Of("other").size() == 1);  // resolved after its deadline: the alert stands
  }
}

TEST_CASE("churn late purchase: its clear is released after the pending alert it clears", "[churn][late]") {
  Fixture f(2);
  f.Apply(testing::Purchase("c", Day(0), 100), 0);
  f.Apply(testing::Purchase("c", Day(10), 100), 0);
  f.Apply(Complaint("c", Day(35), "k", 1), 0);       // fires c's own overdue timer (day 30): pending, E is low
  f.Apply(testing::Purchase("c", Day(25), 100), 0);  // published late, dated before the alert
  f.Apply(testing::Purchase("slow", Day(5), 100), 1);
  f.Commit();
  CHECK(f.Of("c").empty());  // E = day 5: nothing released yet
  f.Apply(testing::Purchase("slow", Day(50), 100), 1);
  f.Commit();
  const auto c = f.Of("c");
  REQUIRE(c.size() >= 2);
  CHECK(c[0].kind == AlertKind::kRaised);
  CHECK(c[0].at_ms == Day(30) + 1);
  CHECK(c[1].kind == AlertKind::kCleared);
  CHECK(c[1].alert_id == c[0].alert_id);
  CHECK(c[1].at_ms == c[0].at_ms);
  CHECK(c[0].sequence < c[1].sequence);
  CHECK(f.Status("c") == "cleared");  // the record saw the raise, then the clear
}

}  // namespace
}  // namespace rapport
