// Customer value end to end: a year of a generated population (2,000+ customers,
// merges, erasures, win-backs) posted over HTTP into the embedded platform, then
// every answer of the value API checked against an independent computation of
// DOMAIN.md §2–§3 written here from the events alone: no production fold, ranking
// or lifecycle code is called to compute what is expected.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/json_codec.h"
#include "events/time_format.h"
#include "services/ingest/sample_data.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/merged_customers.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using events::Event;
using nlohmann::json;

constexpr double kDayMs = 86'400'000.0;

// ---- The expected answers, from the spec ------------------------------------

struct Bought {
  int64_t at = 0, amount = 0, cost = 0;
};

struct Expected {
  int64_t events = 0, revenue = 0, cost = 0;
  std::vector<Bought> purchases;  // sorted by time
  bool erased = false;
  std::string own_name, any_name;
  std::set<std::string> merged_from;
  // Derived
  std::string state, stage, tier;
  int64_t window_revenue = 0, r_days = 0, f = 0, m = 0;
  std::string rfm;  // "" without purchases
};

double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  const size_t n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

// Lost: more than 365 days since the last purchase, or (with >= 2 purchases) more
// than twice the median interval between them.
bool Lapsed(double gap_days, const std::vector<double>& intervals) {
  if (gap_days > 365) return true;
  return !intervals.empty() && gap_days > 2 * Median(intervals);
}

std::string StateOf(const std::vector<Bought>& p, int64_t now) {
  if (p.empty()) return "potential";
  bool won_back = false;
  std::vector<double> intervals;
  for (size_t i = 1; i < p.size(); ++i) {
    const double gap = (p[i].at - p[i - 1].at) / kDayMs;
    if (Lapsed(gap, intervals)) won_back = true;
    intervals.push_back(gap);
  }
  if (Lapsed((now - p.back().at) / kDayMs, intervals)) return "lost";
  return won_back ? "won_back" : "current";
}

std::string StageOf(const std::vector<Bought>& p, int64_t now) {
  if (p.size() < 2) return "exploration";
  std::vector<double> intervals;
  for (size_t i = 1; i < p.size(); ++i) intervals.push_back((p[i].at - p[i - 1].at) / kDayMs);
  int last90 = 0, previous90 = 0;
  for (const Bought& b : p) {
    const double ago = (now - b.at) / kDayMs;  // purchases in (now - 90 d, now] and the 90 days before
    if (ago >= 0 && ago < 90) ++last90;
    if (ago >= 90 && ago < 180) ++previous90;
  }
  if ((now - p.back().at) / kDayMs > 2 * Median(intervals) || last90 < 0.5 * previous90) return "decline";
  if (p.size() >= 4 && (now - p.front().at) / kDayMs >= 180) return "stability";
  return "formation";
}

// Ranks (score desc, id asc) and gives each id its bucket for cumulative cuts.
std::map<std::string, int> Buckets(std::vector<std::pair<int64_t, std::string>> scores,
                                   const std::vector<double>& cuts) {
  std::sort(scores.begin(), scores.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::map<std::string, int> out;
  const double n = static_cast<double>(scores.size());
  for (size_t rank = 0; rank < scores.size(); ++rank) {
    int bucket = static_cast<int>(cuts.size());
    for (size_t c = 0; c < cuts.size(); ++c) {
      if (rank < static_cast<size_t>(std::llround(n * cuts[c]))) {
        bucket = static_cast<int>(c);
        break;
      }
    }
    out[scores[rank].second] = bucket;
  }
  return out;
}

struct World {
  std::map<std::string, Expected> roots;
  std::map<std::string, std::string> pointer_to_root;
  int64_t now = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> pyramid;  // tier -> customers, revenue
  std::map<std::string, int64_t> rfm_cells;
};

World Expect(const std::vector<Event>& history) {
  World w;
  const testing::MergedCustomers merged = testing::SeedWorld(history, w);
  auto apply = [&](const Event& e, const std::string& owner, Expected& x) {
    ++x.events;
    if (auto* p = std::get_if<events::Purchase>(&e.payload)) {
      x.revenue += p->amount;
      x.cost += p->cost;
      x.purchases.push_back({e.occurred_at_ms, p->amount, p->cost});
    } else if (auto* r = std::get_if<events::CustomerRegistered>(&e.payload)) {
      if (e.customer_id.str() == owner && !r->display_name.empty()) x.own_name = r->display_name;
      if (x.any_name.empty()) x.any_name = r->display_name;
    } else if (std::holds_alternative<events::CustomerErased>(e.payload)) {
      x.erased = true;
    }
  };
  testing::ForEachByOwner(history, merged, w.roots, apply);

  const int64_t window_start = w.now - 365 * events::kMillisPerDay;  // windows are (start, now]
  std::vector<std::pair<int64_t, std::string>> value, recency, frequency, monetary;
  for (auto& [id, x] : w.roots) {
    std::stable_sort(x.purchases.begin(), x.purchases.end(),
                     [](const Bought& a, const Bought& b) { return a.at < b.at; });
    x.state = StateOf(x.purchases, w.now);
    x.stage = StageOf(x.purchases, w.now);
    for (const Bought& b : x.purchases) {
      if (b.at > window_start && b.at <= w.now) {
        x.window_revenue += b.amount;
        ++x.f;
      }
    }
    x.m = x.window_revenue;
    value.push_back({x.window_revenue, id});
    if (x.purchases.empty()) continue;
    x.r_days = (w.now - x.purchases.back().at) / events::kMillisPerDay;
    recency.push_back({x.purchases.back().at / events::kMillisPerDay, id});
    frequency.push_back({x.f, id});
    monetary.push_back({x.m, id});
  }
  const auto tiers = Buckets(value, {0.01, 0.05, 0.20});
  const std::vector<double> quintiles = {0.2, 0.4, 0.6, 0.8};
  const auto r = Buckets(recency, quintiles), f = Buckets(frequency, quintiles), m = Buckets(monetary, quintiles);
  for (auto& [id, x] : w.roots) {
    x.tier = std::string(1, "ABCD"[x.window_revenue <= 0 ? 3 : tiers.at(id)]);
    w.pyramid[x.tier].first += 1;
    w.pyramid[x.tier].second += x.window_revenue;
    if (x.purchases.empty()) continue;
    x.rfm = std::to_string(5 - r.at(id)) + std::to_string(5 - f.at(id)) + std::to_string(5 - m.at(id));
    ++w.rfm_cells[x.rfm];
  }
  return w;
}

// ---- The population -------------------------------------------------------------

Event Make(const std::string& id, int64_t at, events::Payload payload, int n) {
  Event e;
  e.event_id = EventId("extra-" + std::to_string(n));
  e.customer_id = CustomerId(id);
  e.occurred_at_ms = at;
  e.channel = events::Channel::kStore;
  e.payload = std::move(payload);
  return e;
}

// The generated year, plus merges the sample does not have: a chain (z-a into z-b
// into z-c, then z-a buys again) and a duplicate whose events are posted after its
// merge.
std::vector<Event> Population(const services::SampleOptions& options) {
  std::vector<Event> history = services::GenerateSampleHistory(options);
  const int64_t day = events::kMillisPerDay, t0 = options.start_ms;
  int n = 0;
  auto buy = [&](const std::string& id, int64_t at, int64_t amount) {
    return Make(id, at, events::Purchase{"o-x" + std::to_string(n), amount, amount / 2, "EUR", 1, "x"}, ++n);
  };
  std::vector<Event> extra = {
      buy("z-a", t0 + 10 * day, 90'000),        buy("z-b", t0 + 20 * day, 1'000),
      Make("z-b", t0 + 30 * day, events::CustomersMerged{"z-a"}, ++n),
      buy("z-c", t0 + 40 * day, 2'000),         Make("z-c", t0 + 50 * day, events::CustomersMerged{"z-b"}, ++n),
      buy("z-a", t0 + 300 * day, 400'000),      Make("z-c", t0 + 320 * day, events::CustomersMerged{"z-late"}, ++n),
  };
  history.insert(history.end(), extra.begin(), extra.end());
  // Posted last: these follow the pointer written by the merge above.
  history.push_back(Make("z-late", t0 + 100 * day, events::CustomerRegistered{"Late Dup", "", "", "", "", "", {}}, ++n));
  history.push_back(buy("z-late", t0 + 200 * day, 3'000));
  return history;
}

// ---- The test --------------------------------------------------------------------

json Get(httplib::Client& client, const std::string& path, int expect_status = 200) {
  auto response = client.Get(path.c_str());
  REQUIRE(response);
  INFO(path << " -> " << response->body);
  REQUIRE(response->status == expect_status);
  return json::parse(response->body);
}

std::vector<std::string> ListAll(httplib::Client& client, const std::string& filter, int limit, int* pages) {
  std::vector<std::string> ids;
  std::string cursor;
  *pages = 0;
  while (true) {
    std::string path = "/v1/customers?limit=" + std::to_string(limit) + filter;
    if (!cursor.empty()) path += "&cursor=" + cursor;
    json page = Get(client, path);
    ++*pages;
    for (const auto& c : page["customers"]) ids.push_back(c["customer_id"]);
    if (page["next_cursor"].is_null()) return ids;
    cursor = page["next_cursor"];
  }
}

TEST_CASE("customer value answers equal an independent computation over a year of 2,000 customers",
          "[integration][value]") {
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  services::SampleOptions options;
  options.customers = 2100;
  const std::vector<Event> history = Population(options);
  const World world = Expect(history);
  REQUIRE(world.roots.size() >= 2000);

  auto platform = testing::StartEmbeddedPlatform(config);
  {
    auto client = testing::HttpClient(*platform);
    REQUIRE(testing::WaitFor([&] { return platform->ready(); }));
    for (size_t begin = 0; begin < history.size(); begin += 2000) {
      std::string body;
      for (size_t i = begin; i < std::min(history.size(), begin + 2000); ++i) {
        body += events::EncodeJsonEvent(history[i]) + "\n";
      }
      auto response = client.Post("/v1/events", body, "application/x-ndjson");
      REQUIRE(response);
      REQUIRE(response->status == 202);
    }
    REQUIRE(testing::WaitFor([&] {
      return platform->ReadinessJson()["projectors"]["customer-view"]["applied"] ==
             static_cast<int64_t>(history.size());
    }));
    CHECK(platform->ReadinessJson()["projectors"]["customer-view"]["dead_lettered"] == 0);
    // Live, once the projector is idle, the rankings trail the watermark by less
    // than ranking_refresh_hours (a rebuild held back while catching up runs then).
    CHECK(testing::WaitFor([&] {
      const json pyramid = Get(client, "/v1/segments/pyramid");
      const int64_t as_of = *events::ParseRfc3339(pyramid["as_of"].get<std::string>(), "as_of");
      return as_of <= world.now && world.now - as_of < config.domain.value.ranking_refresh_hours * 3'600'000LL;
    }));
  }
  // A restart ranks again from the store, as of the final watermark: the answers
  // below no longer depend on how the partitions interleaved.
  platform->Stop();
  platform = testing::StartEmbeddedPlatform(config);
  auto client = testing::HttpClient(*platform);
  REQUIRE(testing::WaitFor([&] { return platform->ready(); }));
  const std::string now = events::FormatRfc3339(world.now);

  {  // every customer view
    int checked = 0;
    for (const auto& [id, x] : world.roots) {
      const json view = Get(client, "/v1/customers/" + id);
      INFO("customer " << id << ": " << view.dump());
      CHECK(view["events"] == x.events);
      CHECK(view["purchases"] == static_cast<int64_t>(x.purchases.size()));
      CHECK(view["revenue"] == x.revenue);
      CHECK(view["historic_value"] == x.revenue - x.cost);
      CHECK(view["erased"] == x.erased);
      const std::string name = x.erased ? "" : (x.own_name.empty() ? x.any_name : x.own_name);
      CHECK(view["profile"].value("display_name", "") == name);
      const json merged_from = view.value("merged_from", json::array());
      CHECK(std::set<std::string>(merged_from.begin(), merged_from.end()) == x.merged_from);
      CHECK(view["state"] == x.state);
      CHECK(view["lifecycle_stage"] == x.stage);
      CHECK(view["tier"] == x.tier);
      CHECK(view["pyramid_value"] == x.window_revenue);
      CHECK(view["as_of"] == now);
      CHECK(view["ranking_as_of"] == now);
      if (x.purchases.empty()) {
        CHECK(view["rfm"].is_null());
      } else {
        CHECK(view["rfm"]["r"] == x.r_days);
        CHECK(view["rfm"]["f"] == x.f);
        CHECK(view["rfm"]["m"] == x.m);
        CHECK(view["rfm"]["score"] == x.rfm);
      }
      ++checked;
    }
    CHECK(checked == static_cast<int>(world.roots.size()));
    for (const auto& [id, survivor] : world.pointer_to_root) {
      const json pointer = Get(client, "/v1/customers/" + id);
      CHECK(pointer["merged_into"] == survivor);
    }
    CHECK(world.pointer_to_root.at("z-a") == "z-c");
    CHECK(world.roots.at("z-c").revenue == 90'000 + 1'000 + 2'000 + 400'000 + 3'000);
  }

  {  // pyramid and RFM cells
    const json pyramid = Get(client, "/v1/segments/pyramid");
    CHECK(pyramid["customers"] == static_cast<int64_t>(world.roots.size()));
    CHECK(pyramid["as_of"] == now);
    for (const std::string tier : {"A", "B", "C", "D"}) {
      INFO("tier " << tier);
      const auto expected = world.pyramid.count(tier) ? world.pyramid.at(tier) : std::pair<int64_t, int64_t>{};
      CHECK(pyramid["tiers"][tier]["customers"] == expected.first);
      CHECK(pyramid["tiers"][tier]["revenue"] == expected.second);
    }
    const json rfm = Get(client, "/v1/segments/rfm");
    std::map<std::string, int64_t> cells = rfm["cells"];
    CHECK(cells == world.rfm_cells);
  }

  {  // paged lists
    struct Filter {
      std::string query, tier, stage, state;
      int limit;
    };
    for (const Filter& filter : {Filter{"&tier=A", "A", "", "", 7}, Filter{"&tier=B&stage=stability", "B", "stability", "", 10},
                                 Filter{"&stage=decline", "", "decline", "", 100}, Filter{"&state=won_back", "", "", "won_back", 50},
                                 Filter{"&tier=C&state=lost", "C", "", "lost", 3}, Filter{"", "", "", "", 1000}}) {
      std::vector<std::string> expected;
      for (const auto& [id, x] : world.roots) {
        if ((filter.tier.empty() || x.tier == filter.tier) && (filter.stage.empty() || x.stage == filter.stage) &&
            (filter.state.empty() || x.state == filter.state)) {
          expected.push_back(id);
        }
      }
      INFO("filter " << filter.query << ": " << expected.size() << " customers");
      CHECK_FALSE(expected.empty());
      int pages = 0;
      CHECK(ListAll(client, filter.query, filter.limit, &pages) == expected);
      CHECK(pages == static_cast<int>(expected.size()) / filter.limit + 1);
    }
    const json error = Get(client, "/v1/customers?tier=Z", 400);
    CHECK(error["field"] == "tier");
    CHECK(Get(client, "/v1/customers?limit=5000", 400)["field"] == "limit");
    CHECK(Get(client, "/v1/customers?colour=red", 400)["field"] == "colour");
  }
}

}  // namespace
}  // namespace rapport
