// The model parameters path end to end on the embedded broker: purchases posted
// over HTTP reach the journal, a fit over them is published to the compacted
// topic, the reader returns the latest valid parameters, and the customer view
// gains p_alive / expected purchases / predictive value computed with them.

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "events/json_codec.h"
#include "models/bgnbd.h"
#include "projections/domain/clv.h"
#include "services/model/model_fit.h"
#include "services/model/model_parameters_topic.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/event_builders.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using nlohmann::json;
using testing::Day;

struct Posted {
  std::vector<events::Event> events;
  int64_t last_ms = 0;
};

// 200 customers with 1-6 purchases over a year, amounts 10.00-60.00, cost 60 %.
Posted Population() {
  Posted out;
  std::mt19937_64 rng(17);
  std::uniform_int_distribution<int> count(1, 6);
  std::uniform_real_distribution<double> day(0, 365);
  std::uniform_int_distribution<int64_t> amount(1000, 6000);
  for (int c = 0; c < 200; ++c) {
    const int n = count(rng);
    for (int k = 0; k < n; ++k) {
      const int64_t a = amount(rng);
      out.events.push_back(testing::Purchase("c-" + std::to_string(c), Day(day(rng)), a, a * 6 / 10));
      out.last_ms = std::max(out.last_ms, out.events.back().occurred_at_ms);
    }
  }
  return out;
}

events::KafkaSettings KafkaOf(services::Platform& platform) {
  events::KafkaSettings kafka = platform.config().kafka;
  kafka.bootstrap_servers = platform.bootstrap_servers();
  return kafka;
}

TEST_CASE("fitted parameters are published, read back as the latest, and score customers",
          "[integration][model]") {
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  config.model.refresh_seconds = 1;
  auto platform = testing::StartEmbeddedPlatform(config);
  auto client = testing::HttpClient(*platform);
  const Posted posted = Population();
  std::string body;
  for (const auto& event : posted.events) body += events::EncodeJsonEvent(event) + "\n";
  REQUIRE(client.Post("/v1/events", body, "application/x-ndjson")->status == 202);

  // Before any fit: the fields are there, null.
  REQUIRE(testing::WaitFor([&] {
    auto r = client.Get("/v1/customers/c-0");
    return r && r->status == 200 && json::parse(r->body)["purchases"].get<int64_t>() > 0;
  }));
  const json before = json::parse(client.Get("/v1/customers/c-0")->body);
  CHECK(before.contains("p_alive"));
  CHECK(before["p_alive"].is_null());
  CHECK(before["predictive_value"].is_null());
  auto none = services::ReadLatestModelParameters(KafkaOf(*platform), "clv", std::chrono::seconds(20));
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  // The fit reads what the gateway journaled.
  auto purchases = services::CollectPurchases(*platform->journal(), std::nullopt);
  REQUIRE(purchases.ok());
  CHECK(purchases->max_occurred_at_ms == posted.last_ms);
  CHECK(purchases->by_customer.size() == 200);
  auto report = services::FitModel(*purchases, posted.last_ms);
  REQUIRE(report.ok());
  projections::ModelParameters first = report->parameters;
  REQUIRE(services::PublishModelParameters(*platform->publisher(), platform->config().kafka, first).ok());

  // A later fit, then a message that is not model parameters at all: the reader
  // keeps the latest valid one.
  projections::ModelParameters second = first;
  second.as_of_ms += 1;
  second.bgnbd.r *= 1.5;
  REQUIRE(services::PublishModelParameters(*platform->publisher(), platform->config().kafka, second).ok());
  events::OutgoingMessage junk{config.kafka.topics.model_parameters, "clv", "not a flatbuffer", 0, {}, {}};
  REQUIRE(platform->publisher()->PublishAndWait({&junk, 1}).ok());

  auto latest = services::ReadLatestModelParameters(KafkaOf(*platform), "clv", std::chrono::seconds(20));
  REQUIRE(latest.ok());
  REQUIRE(latest->has_value());
  CHECK(**latest == second);
  auto other =
      services::ReadLatestModelParameters(KafkaOf(*platform), "another-model", std::chrono::seconds(20));
  REQUIRE(other.ok());
  CHECK_FALSE(other->has_value());

  // The query API picks them up on its next refresh and scores c-0 with them, as of
  // the customer view's watermark (the highest event time it saw).
  REQUIRE(testing::WaitFor(
      [&] { return !json::parse(client.Get("/v1/customers/c-0")->body)["p_alive"].is_null(); }));
  const json after = json::parse(client.Get("/v1/customers/c-0")->body);
  double amount = 0, cost = 0, repeat_amount = 0;
  std::vector<std::pair<int64_t, int64_t>> mine;
  for (const auto& e : posted.events) {
    if (e.customer_id.str() != "c-0") continue;
    const auto& p = std::get<events::Purchase>(e.payload);
    mine.push_back({e.occurred_at_ms, p.amount});
    amount += p.amount;
    cost += p.cost;
  }
  std::sort(mine.begin(), mine.end());
  for (size_t i = 1; i < mine.size(); ++i) repeat_amount += mine[i].second;
  const int64_t x = static_cast<int64_t>(mine.size()) - 1;
  const projections::RepeatSummary summary{x, (mine.back().first - mine.front().first) / 86'400'000.0,
                                           (posted.last_ms - mine.front().first) / 86'400'000.0};
  CHECK(after["p_alive"].get<double>() == Approx(projections::ProbabilityAlive(second.bgnbd, summary)));
  CHECK(after["expected_purchases_12m"].get<double>() ==
        Approx(projections::ExpectedPurchases(second.bgnbd, summary, 365.25)));
  const double spend = projections::ExpectedMeanSpend(
      second.gamma_gamma, {x, x > 0 ? repeat_amount / static_cast<double>(x) : 0.0});
  const double value = (amount - cost) / amount * spend *
                       projections::DiscountedExpectedPurchases(second.bgnbd, summary, 12, 0.01);
  CHECK(after["predictive_value"].get<double>() == Approx(value).margin(1.0));
}

}  // namespace
}  // namespace rapport
