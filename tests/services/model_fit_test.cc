#include "services/model/model_fit.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "events/wire_codec.h"
#include "projections/domain/model_inputs.h"
#include "models/model_simulation.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

using testing::Day;

// Journals events as the gateway does: one entry per event, offsets in order.
void Journal(projections::Journal& journal, const std::vector<events::Event>& history) {
  std::vector<projections::JournalEntry> entries;
  int64_t offset = 0;
  for (const auto& event : history) {
    entries.push_back({Partition(0), Offset(offset++), event.customer_id.str(), events::EncodeWire(event),
                       event.occurred_at_ms, "purchase"});
  }
  REQUIRE(journal.Append(entries, true).ok());
}

TEST_CASE("purchases are collected per customer after merges, once per event id", "[model_fit]") {
  testing::TempDir dir;
  auto journal = projections::Journal::Open(dir.path() / "journal", projections::OpenMode::kReadWrite);
  REQUIRE(journal.ok());
  auto twice = testing::Purchase("c-1", Day(10), 1000, 600);
  std::vector<events::Event> history{testing::Purchase("c-1", Day(30), 2000, 500),
                                     twice,
                                     twice,  // a retried publish: one event
                                     testing::Purchase("c-dup", Day(20), 3000, 1000),
                                     testing::Merge("c-1", "c-dup", Day(40)),
                                     testing::Purchase("c-2", Day(5), 700),
                                     testing::Visit("c-3", Day(50))};
  Journal(**journal, history);
  REQUIRE(
      (*journal)
          ->Append(std::vector<projections::JournalEntry>{{Partition(1), Offset(0), "c-x", "garbage", 0, ""}},
                   true)
          .ok());

  auto all = CollectPurchases(**journal, std::nullopt);
  REQUIRE(all.ok());
  CHECK(all->max_occurred_at_ms == Day(50));
  CHECK(all->undecodable == 1);
  REQUIRE(all->by_customer.size() == 2);
  const auto& c1 = all->by_customer.at("c-1");
  REQUIRE(c1.size() == 3);
  CHECK(c1[0].at_ms == Day(10));
  CHECK(c1[1].at_ms == Day(20));
  CHECK(c1[1].amount == 3000);
  CHECK(c1[2].at_ms == Day(30));

  // Before the merge happened, the duplicate is a customer of its own.
  auto before = CollectPurchases(**journal, Day(35));
  REQUIRE(before.ok());
  CHECK(before->by_customer.size() == 3);
  CHECK(before->by_customer.at("c-dup").size() == 1);
}

TEST_CASE("a model fit on the journal's purchases summarises customers as of the event time", "[model_fit]") {
  // A population drawn from known day-unit parameters, as purchase events.
  const projections::BgNbdParams truth{0.9, 25.0, 0.7, 3.0};
  const auto summaries = projections::SimulateBgNbd(truth, 1500, 200, 400, 99);
  PurchaseCollector collector;
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> amount(500, 5000);
  const int64_t as_of = Day(400);
  int64_t purchases = 0;
  for (size_t i = 0; i < summaries.size(); ++i) {
    const auto& s = summaries[i];
    const std::string id = "c-" + std::to_string(i);
    const int64_t first = as_of - static_cast<int64_t>(s.T * projections::kMsPerDay);
    collector.Add(testing::Purchase(id, first, amount(rng), 100));
    for (int64_t k = 1; k <= s.x; ++k) {
      // Repeat purchases spread up to t_x; only the count and the last time matter.
      const double at = s.t_x * static_cast<double>(k) / static_cast<double>(s.x);
      collector.Add(
          testing::Purchase(id, first + static_cast<int64_t>(at * projections::kMsPerDay), amount(rng), 100));
    }
    purchases += s.x + 1;
  }
  collector.Add(testing::Purchase("c-late", as_of + 1, 100));  // after the as-of time: ignored
  auto report = FitModel(std::move(collector).Finish(as_of), as_of);
  REQUIRE(report.ok());
  const auto& p = report->parameters;
  CHECK(p.as_of_ms == as_of);
  CHECK(p.customers == 1500);
  CHECK(report->purchases == purchases);
  CHECK(p.time_unit == "day");
  // 1,500 customers: within 35 % of the truth (the projections tests check the
  // fit itself at a tolerance from the standard errors).
  CHECK(p.bgnbd.r == Approx(truth.r).epsilon(0.35));
  CHECK(p.bgnbd.alpha == Approx(truth.alpha).epsilon(0.35));
  CHECK(p.bgnbd.a == Approx(truth.a).epsilon(0.35));
  CHECK(p.bgnbd.b == Approx(truth.b).epsilon(0.35));
  CHECK(std::isfinite(p.gamma_gamma_log_likelihood));
  CHECK(p.gamma_gamma_customers > 0);
}

TEST_CASE("a model fit without purchases or repeat buyers says why", "[model_fit]") {
  PurchaseCollector nobody;
  nobody.Add(testing::Visit("c-1", Day(1)));
  auto none = FitModel(std::move(nobody).Finish(std::nullopt), Day(1));
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().field() == "customers");

  PurchaseCollector once;
  once.Add(testing::Purchase("c-1", Day(1), 100));
  once.Add(testing::Purchase("c-2", Day(2), 100));
  auto no_repeat = FitModel(std::move(once).Finish(std::nullopt), Day(3));
  REQUIRE_FALSE(no_repeat.ok());
  CHECK(no_repeat.status().message().find("repeat") != std::string::npos);
}

}  // namespace
}  // namespace rapport::services
