// The example projection (tests/example_projection/channel_counts/) plugs in with
// its folder and one registration line only: the platform gives it a consumer
// group, a store and its route, `rapport replay` rebuilds it and `rapport diff`
// compares two of its stores, and no file outside its folder names it.
// It registers itself (RAPPORT_REGISTER_PROJECTION in its module.cc), which works
// because this binary links its object files directly (docs/extending.md).

#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/json_codec.h"
#include "projections/registry/registered_projections.h"
#include "services/analyst/replay.h"
#include "services/analyst/store_diff.h"
#include "services/config/config.h"
#include "services/platform/projection_registry.h"
#include "storage/offsets.h"
#include "tests/example_projection/channel_counts/channel_counts.h"
#include "tests/example_projection/channel_counts/module.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/event_builders.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using example::kChannelCountsModule;
using testing::Day;
using testing::Purchase;
using testing::Visit;

const std::string kName(kChannelCountsModule.name);

events::Event On(events::Channel channel, events::Event event) {
  event.channel = channel;
  return event;
}

std::vector<events::Event> History() {
  return {On(events::Channel::kWeb, Visit("c-1", Day(1))), On(events::Channel::kWeb, Visit("c-1", Day(2))),
          On(events::Channel::kStore, Purchase("c-1", Day(3), 1200)),
          On(events::Channel::kEmail, Visit("c-2", Day(4)))};
}

std::unique_ptr<projections::Store> OpenReadOnly(const std::filesystem::path& dir) {
  auto store = projections::Store::Open(dir, projections::OpenMode::kReadOnly);
  REQUIRE(store.ok());
  return std::move(store).value();
}

TEST_CASE("a projection registered with one line is found by name with the built-in ones", "[modules]") {
  CHECK(projections::FindProjection(kName) == &kChannelCountsModule);
  const auto names = services::ProjectionNames();
  CHECK(names.back() == kName);
  CHECK(names.size() == projections::RegisteredProjections().size());
  CHECK(services::ProjectionModuleNamed("no-such-projection").status().field() == "projection");
}

TEST_CASE("the example projection runs live, answers its route, replays and diffs", "[modules][integration]") {
  testing::TempDir dir;
  services::Config config = testing::TestConfig(dir);
  services::Roles roles{.embedded_broker = true, .gateway = true, .query = true, .projections = {kName}};
  auto started = services::Platform::Start(config, roles);
  REQUIRE(started.ok());
  auto& platform = **started;
  auto http = testing::HttpClient(platform);
  std::string body;
  for (const auto& e : History()) body += events::EncodeJsonEvent(e) + "\n";
  auto posted = http.Post("/v1/events", body, "application/x-ndjson");
  REQUIRE(posted);
  REQUIRE(posted->status == 202);

  // Its route, from its module: counts per channel.
  nlohmann::json answer;
  REQUIRE(testing::WaitFor([&] {
    auto got = http.Get("/v1/customers/c-1/channels");
    if (!got || got->status != 200) return false;
    answer = nlohmann::json::parse(got->body);
    return answer["channels"]["store"] == 1;
  }));
  CHECK(answer["channels"]["web"] == 2);
  CHECK(answer["channels"]["email"] == 0);
  CHECK(http.Get("/v1/customers/nobody/channels")->status == 404);
  // Its projector, under its name (consumer group rapport.<name>).
  CHECK(platform.ReadinessJson()["projectors"].contains(kName));
  REQUIRE(testing::WaitFor([&] { return platform.ready(); }));
  platform.Stop();

  // Its store folder, named by the module, with its committed offsets.
  const auto live_dir = std::filesystem::path(config.data_dir) / kName;
  REQUIRE(std::filesystem::exists(live_dir / "CURRENT"));

  // Replay from the journal into a separate store: the same states.
  services::ReplayRequest request;
  request.projection = kName;
  request.data_dir = config.data_dir;
  request.into = dir.path() / "replay";
  request.config = config;
  auto replay = services::RunReplay(request);
  REQUIRE(replay.ok());
  CHECK(replay->complete);
  CHECK(replay->applied == 4);

  // And diff compares the two stores through the module's customer answer.
  auto live = OpenReadOnly(live_dir);
  auto rebuilt = OpenReadOnly(replay->store_dir);
  std::vector<std::string> differing;
  auto same = services::DiffStores(kName, {live.get(), {}}, {rebuilt.get(), {}},
                                   [&](const services::CustomerDifference& d) { differing.push_back(d.customer_id); });
  REQUIRE(same.ok());
  CHECK(same->customers == 2);
  CHECK(differing.empty());
  auto described = services::DescribeCustomer(kName, *rebuilt, "c-2", {});
  REQUIRE(described.ok());
  REQUIRE(described->has_value());
  CHECK((**described)["channels"]["email"] == 1);
}

}  // namespace
}  // namespace rapport
