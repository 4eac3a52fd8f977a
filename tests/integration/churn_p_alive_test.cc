// The P(alive) half of the churn rule `overdue` end to end on the embedded mock
// cluster: a fit published on the model parameters topic reaches the live churn
// projection (its own reader thread), is stored with its inputs, raises a P(alive)
// alert for a customer who fades, and `rapport replay churn` over the journal gives
// the same alert log byte for byte, reading the fits the live store holds.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "events/json_codec.h"
#include "projections/churn/churn_fit_book.h"
#include "projections/churn/churn_projection.h"
#include "services/model/model_parameters_topic.h"
#include "services/analyst/replay.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using testing::Day;

events::Event Buy(const std::string& customer, int64_t at) {
  static int next = 0;
  events::Event e;
  e.event_id = EventId("pa-" + std::to_string(++next));
  e.customer_id = CustomerId(customer);
  e.occurred_at_ms = at;
  e.channel = events::Channel::kStore;
  e.payload = events::Purchase{"o-" + std::to_string(next), 1'000, 400, "EUR", 1, "tea"};
  return e;
}

void Post(httplib::Client& http, const std::vector<events::Event>& events) {
  std::string body;
  for (const auto& e : events) body += events::EncodeJsonEvent(e) + "\n";
  auto response = http.Post("/v1/events", body, "application/x-ndjson");
  REQUIRE(response);
  REQUIRE(response->status == 202);
}

std::vector<std::string> LogBytes(const std::filesystem::path& dir) {
  auto store = projections::Store::Open(dir, projections::OpenMode::kSecondary);
  REQUIRE(store.ok());
  auto log = projections::ReadAlertLog(**store, 0, 100'000);
  REQUIRE(log.ok());
  std::vector<std::string> out;
  for (const auto& a : *log) out.push_back(projections::EncodeAlertWire(a));
  return out;
}

TEST_CASE("churn P(alive): a published fit reaches the live projection and replay gives the same alerts",
          "[integration][churn][p_alive]") {
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  config.domain.churn.wall_tick_seconds = 0;  // event time only
  config.model.refresh_seconds = 1;
  auto platform = testing::StartEmbeddedPlatform(config);
  auto http = testing::HttpClient(*platform);
  const auto churn_dir = dir.path() / "churn";

  projections::ModelParameters fit;
  fit.as_of_ms = Day(10);  // in effect from day 11
  fit.fitted_at_ms = 1;
  fit.customers = 100;
  fit.bgnbd = {0.25, 4.0, 2.0, 2.5};
  fit.gamma_gamma = {6.0, 4.0, 15.0};
  REQUIRE(services::PublishModelParameters(*platform->publisher(), platform->config().kafka, fit).ok());

  // The live projection takes the fit in before its next batch: nudge it with an
  // event until the fit is in its store.
  int warm = 0;
  REQUIRE(testing::WaitFor(
      [&] {
        Post(http, {Buy("warm-" + std::to_string(warm++), Day(0))});
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        if (!std::filesystem::exists(churn_dir / "CURRENT")) return false;
        auto store = projections::Store::Open(churn_dir, projections::OpenMode::kSecondary);
        if (!store.ok()) return false;
        auto fits = projections::ReadChurnFits(**store);
        return fits.ok() && fits->size() == 1 && (*fits)[0] == fit;
      },
      std::chrono::seconds(60)));

  // Steady buyers every 3 days on every partition, and one who fades after day 30.
  std::vector<events::Event> history;
  for (int d = 1; d <= 90; d += 3) {
    for (int i = 0; i < 150; ++i) history.push_back(Buy("steady-" + std::to_string(i), Day(d) + i * 60'000));
  }
  for (int d : {20, 25, 30}) history.push_back(Buy("fade", Day(d)));
  std::stable_sort(history.begin(), history.end(),
                   [](const auto& a, const auto& b) { return a.occurred_at_ms < b.occurred_at_ms; });
  for (size_t i = 0; i < history.size(); i += 500) {
    Post(http, std::vector<events::Event>(history.begin() + i,
                                          history.begin() + std::min(history.size(), i + 500)));
  }

  // The replay of the journal, with the fits of the live store (and the topic).
  services::ReplayRequest request;
  request.projection = "churn";
  request.data_dir = dir.path();
  request.into = dir.path() / "replay";
  request.config = platform->config();
  request.batch_events = 512;
  auto summary = services::RunReplay(request);
  REQUIRE(summary.ok());
  const auto replayed = LogBytes(request.into / "churn");

  // The live service catches up to the same alerts.
  std::vector<std::string> live;
  REQUIRE(testing::WaitFor(
      [&] {
        live = LogBytes(churn_dir);
        return live.size() >= replayed.size();
      },
      std::chrono::seconds(120)));
  CHECK(live == replayed);

  // And the fit mattered: `fade` is overdue by P(alive), at the crossing, well before
  // 2 x its 5-day interval.
  projections::PurchaseHistory fade;
  for (int d : {20, 25, 30}) fade.Add({Day(d), 1'000, 400});
  const int64_t crossing = projections::PAliveCrossingMs(fit.bgnbd, fade, 0.5);
  REQUIRE(crossing < Day(40));
  bool found = false;
  for (const std::string& bytes : replayed) {
    auto alert = projections::DecodeAlertWire(bytes);
    REQUIRE(alert.ok());
    // (An earlier one, after days 20 and 25, was cleared by the purchase of day 30.)
    if (alert->customer_id != "fade" || alert->kind != projections::AlertKind::kRaised) continue;
    if (alert->at_ms != crossing) continue;
    REQUIRE(!alert->reasons.empty());
    CHECK(alert->reasons[0].detail.rfind("P(alive) 0.49 below 0.50 under the fit of ", 0) == 0);
    found = true;
    break;
  }
  CHECK(found);
}

}  // namespace
}  // namespace rapport
