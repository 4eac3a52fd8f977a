// Satisfaction and loyalty end to end: a year of a generated population (2,000
// customers, merges, erasures, complaints, surveys) posted over HTTP into the
// embedded platform, then every answer of the satisfaction and loyalty API checked
// against an independent computation of DOMAIN.md §3–§4 written here from the
// events alone: no production fold, ranking, trend or score code computes what is
// expected.
//
// The tier of a per-day cell is the customer's tier against the ranking current
// when the event was folded, which depends on how partitions interleave. So after
// the year (and a restart, which ranks as of the final watermark) the test posts
// probe surveys and complaints on a day of its own, before the sample year: the
// watermark does not move, the ranking stays the final one, and the tier of every
// probe cell is known exactly. For the rest, tier-filtered answers must add up to
// the unfiltered ones.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "events/json_codec.h"
#include "events/names.h"
#include "events/time_format.h"
#include "services/ingest/sample_data.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/merged_customers.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using events::Event;
using nlohmann::json;

constexpr int64_t kDay = events::kMillisPerDay;
constexpr const char* kTiers = "ABCD";

// ---- The expected answers, from the spec -------------------------------------------

// The counts every answer shows, computed here.
struct Counts {
  int64_t interactions = 0, complaints = 0, resolutions = 0, accepted = 0, surveys = 0, csat_answers = 0,
          csat_satisfied = 0, nps_answers = 0, promoters = 0, detractors = 0, gap_answers = 0, gap_sum = 0,
          purchases = 0, repurchased = 0;
  void Add(const Counts& o) {
    interactions += o.interactions, complaints += o.complaints, resolutions += o.resolutions;
    accepted += o.accepted, surveys += o.surveys, csat_answers += o.csat_answers;
    csat_satisfied += o.csat_satisfied, nps_answers += o.nps_answers, promoters += o.promoters;
    detractors += o.detractors, gap_answers += o.gap_answers, gap_sum += o.gap_sum;
    purchases += o.purchases, repurchased += o.repurchased;
  }
};

std::optional<double> Share(int64_t part, int64_t whole, double scale = 1) {
  if (whole == 0) return std::nullopt;
  return scale * static_cast<double>(part) / static_cast<double>(whole);
}

struct Measures {
  std::optional<double> csat, nps, gap, complaint_rate, acceptance, repurchase;
};
Measures MeasuresOf(const Counts& c) {
  return {Share(c.csat_satisfied, c.csat_answers), Share(c.promoters - c.detractors, c.nps_answers, 100),
          Share(c.gap_sum, c.gap_answers),         Share(c.complaints, c.interactions),
          Share(c.accepted, c.resolutions),        Share(c.repurchased, c.purchases)};
}

struct Bought {
  int64_t at = 0, amount = 0;
  events::Channel channel{};
};

struct Customer {
  Counts counts;
  std::vector<Bought> purchases;
  std::vector<std::pair<int64_t, int>> gaps;  // (at, perception - expectation)
  int64_t last_survey_at = -1;
  events::SurveyAnswers last_survey;
  std::optional<int64_t> own_wallet, any_wallet;
  int64_t first_interaction = 0, last_interaction = 0, referrals = 0;
  bool erased = false;
  std::set<std::string> merged_from;
  // Derived
  std::string tier;
  int64_t window_revenue = 0;
};

struct World {
  std::map<std::string, Customer> roots;
  std::map<std::string, std::string> pointer_to_root;
  int64_t now = 0;
  std::map<std::pair<int64_t, int>, Counts> cells;  // (day, channel) -> counts
};

int64_t DayOf(int64_t ms) { return ms >= 0 ? ms / kDay : -((-ms + kDay - 1) / kDay); }

double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  const size_t n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

World Expect(const std::vector<Event>& history) {
  World w;
  const testing::MergedCustomers merged = testing::SeedWorld(history, w);
  auto apply = [&](const Event& e, const std::string& owner, Customer& x) {
    if (std::holds_alternative<events::CustomersMerged>(e.payload)) return;
    if (std::holds_alternative<events::CustomerErased>(e.payload)) {
      x.erased = true;
      return;
    }
    Counts c;
    c.interactions = 1;
    if (x.counts.interactions == 0 || e.occurred_at_ms < x.first_interaction)
      x.first_interaction = e.occurred_at_ms;
    x.last_interaction = std::max(x.last_interaction, e.occurred_at_ms);
    if (auto* p = std::get_if<events::Purchase>(&e.payload)) {
      c.purchases = 1;
      x.purchases.push_back({e.occurred_at_ms, p->amount, e.channel});
    } else if (std::holds_alternative<events::Complaint>(e.payload)) {
      c.complaints = 1;
    } else if (auto* r = std::get_if<events::ComplaintResolved>(&e.payload)) {
      c.resolutions = 1;
      c.accepted = r->accepted ? 1 : 0;
    } else if (auto* contact = std::get_if<events::CareContact>(&e.payload)) {
      const events::SurveyAnswers& a = contact->survey;
      if (!a.empty()) {
        c.surveys = 1;
        if (a.csat) c.csat_answers = 1, c.csat_satisfied = *a.csat >= 4;
        if (a.nps) c.nps_answers = 1, c.promoters = *a.nps >= 9, c.detractors = *a.nps <= 6;
        if (a.expectation && a.perception) {
          c.gap_answers = 1;
          c.gap_sum = *a.perception - *a.expectation;
          x.gaps.push_back({e.occurred_at_ms, *a.perception - *a.expectation});
        }
        if (e.occurred_at_ms > x.last_survey_at) {
          x.last_survey_at = e.occurred_at_ms;
          x.last_survey = a;
        }
      }
    } else if (std::holds_alternative<events::Referral>(e.payload)) {
      ++x.referrals;
    } else if (auto* reg = std::get_if<events::CustomerRegistered>(&e.payload)) {
      if (reg->wallet_estimate) {
        if (e.customer_id.str() == owner) x.own_wallet = reg->wallet_estimate;
        if (!x.any_wallet) x.any_wallet = reg->wallet_estimate;
      }
    }
    x.counts.Add(c);
    w.cells[{DayOf(e.occurred_at_ms), static_cast<int>(e.channel)}].Add(c);
  };
  testing::ForEachByOwner(history, merged, w.roots, apply);
  // Repurchases: a purchase followed by another of the same (merged) customer
  // within 90 days, counted on the purchase's own day and channel.
  for (auto& [id, x] : w.roots) {
    std::stable_sort(x.purchases.begin(), x.purchases.end(), [](auto& a, auto& b) { return a.at < b.at; });
    for (const Bought& b : x.purchases) {
      const bool again = std::any_of(x.purchases.begin(), x.purchases.end(), [&](const Bought& o) {
        return o.at > b.at && o.at - b.at <= 90 * kDay;
      });
      if (!again) continue;
      ++x.counts.repurchased;
      ++w.cells[{DayOf(b.at), static_cast<int>(b.channel)}].repurchased;
    }
  }
  // Tiers: pyramid by revenue of (now - 365 d, now], ties by id; 1 / 5 / 20 %.
  std::vector<std::pair<int64_t, std::string>> value;
  for (auto& [id, x] : w.roots) {
    for (const Bought& b : x.purchases) {
      if (b.at > w.now - 365 * kDay && b.at <= w.now) x.window_revenue += b.amount;
    }
    value.push_back({x.window_revenue, id});
  }
  std::sort(value.begin(), value.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  const double n = static_cast<double>(value.size());
  for (size_t rank = 0; rank < value.size(); ++rank) {
    int tier = 3;
    for (int t = 0; t < 3; ++t) {
      if (rank < static_cast<size_t>(std::llround(n * std::array<double, 3>{0.01, 0.05, 0.20}[t]))) {
        tier = t;
        break;
      }
    }
    Customer& x = w.roots.at(value[rank].second);
    x.tier = std::string(1, kTiers[x.window_revenue <= 0 ? 3 : tier]);
  }
  return w;
}

// The gap EWMA: every gap weighted 2^(-(newest - t) / 30 days).
std::optional<double> Ewma(const std::vector<std::pair<int64_t, int>>& gaps) {
  if (gaps.empty()) return std::nullopt;
  int64_t newest = gaps.front().first;
  for (const auto& g : gaps) newest = std::max(newest, g.first);
  double sum = 0, weight = 0;
  for (const auto& [at, gap] : gaps) {
    const double w = std::pow(0.5, static_cast<double>(newest - at) / (30.0 * kDay));
    sum += w * gap;
    weight += w;
  }
  return sum / weight;
}

struct Loyalty {
  double score = 0;
  std::optional<double> repeat, mean_interval, median_interval, share_of_wallet, acceptance;
  int64_t frequency = 0;
  double tenure_days = 0;
  bool inactive = false;
  std::string quadrant;
};

// DOMAIN §4's loyalty score as docs/domain.md defines it, with the default weights.
Loyalty LoyaltyOf(const Customer& x, int64_t now) {
  Loyalty l;
  const size_t n = x.purchases.size();
  if (n > 0) l.repeat = static_cast<double>(n - 1) / static_cast<double>(n);
  std::vector<double> intervals;
  for (size_t i = 1; i < n; ++i)
    intervals.push_back(static_cast<double>(x.purchases[i].at - x.purchases[i - 1].at) / kDay);
  if (!intervals.empty()) {
    l.mean_interval = static_cast<double>(x.purchases.back().at - x.purchases.front().at) / kDay /
                      static_cast<double>(intervals.size());
    l.median_interval = Median(intervals);
  }
  int64_t window_revenue = 0;
  for (const Bought& b : x.purchases) {
    if (b.at > now - 365 * kDay && b.at <= now) ++l.frequency, window_revenue += b.amount;
  }
  const std::optional<int64_t> wallet = x.own_wallet ? x.own_wallet : x.any_wallet;
  if (wallet && *wallet > 0)
    l.share_of_wallet = static_cast<double>(window_revenue) / static_cast<double>(*wallet);
  l.tenure_days = x.counts.interactions > 0 ? static_cast<double>(now - x.first_interaction) / kDay : 0;
  l.acceptance = Share(x.counts.accepted, x.counts.resolutions);
  auto cap = [](double v) { return std::min(1.0, std::max(0.0, v)); };
  double weighted =
      0.2 * l.repeat.value_or(0) + 0.2 * cap(l.frequency / 12.0) +
      0.1 * (l.median_interval ? (*l.median_interval <= 30 ? 1.0 : 30.0 / *l.median_interval) : 0.0) +
      0.15 * cap(l.tenure_days / 365.0) + 0.05 * cap(x.referrals / 2.0);
  double total = 0.2 + 0.2 + 0.1 + 0.15 + 0.05;
  if (l.share_of_wallet) weighted += 0.2 * cap(*l.share_of_wallet), total += 0.2;
  if (l.acceptance) weighted += 0.1 * *l.acceptance, total += 0.1;
  l.score = weighted / total;
  l.inactive = x.counts.interactions == 0 || now - x.last_interaction >= 730 * kDay;
  const bool high_value = x.tier == "A" || x.tier == "B", high_loyalty = l.score >= 0.6;
  l.quadrant = high_value ? (high_loyalty ? "core" : "at_risk_of_poaching")
                          : (high_loyalty ? "steady" : "transactional");
  return l;
}

// The least-squares slope of the present values, at their index.
std::optional<double> Slope(const std::vector<std::optional<double>>& ys) {
  double sx = 0, sy = 0, n = 0;
  for (size_t i = 0; i < ys.size(); ++i) {
    if (ys[i]) sx += static_cast<double>(i), sy += *ys[i], n += 1;
  }
  if (n < 2) return std::nullopt;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < ys.size(); ++i) {
    if (!ys[i]) continue;
    sxy += (static_cast<double>(i) - sx / n) * (*ys[i] - sy / n);
    sxx += (static_cast<double>(i) - sx / n) * (static_cast<double>(i) - sx / n);
  }
  return sxx > 0 ? std::optional<double>(sxy / sxx) : std::nullopt;
}

// ---- HTTP helpers -------------------------------------------------------------------

json Get(httplib::Client& client, const std::string& path, int expect_status = 200) {
  auto response = client.Get(path.c_str());
  REQUIRE(response);
  INFO(path << " -> " << response->body.substr(0, 2000));
  REQUIRE(response->status == expect_status);
  return json::parse(response->body);
}

void Post(httplib::Client& client, const std::vector<Event>& events) {
  for (size_t begin = 0; begin < events.size(); begin += 2000) {
    std::string body;
    for (size_t i = begin; i < std::min(events.size(), begin + 2000); ++i)
      body += events::EncodeJsonEvent(events[i]) + "\n";
    auto response = client.Post("/v1/events", body, "application/x-ndjson");
    REQUIRE(response);
    REQUIRE(response->status == 202);
  }
}

void CheckOptional(const json& actual, const std::optional<double>& expected, const std::string& what) {
  INFO(what << ": " << actual.dump());
  if (!expected) {
    CHECK(actual.is_null());
  } else {
    REQUIRE(actual.is_number());
    CHECK(actual.get<double>() == Approx(*expected).epsilon(1e-9).margin(1e-12));
  }
}

void CheckCounts(const json& answer, const Counts& c) {
  CHECK(answer["interactions"] == c.interactions);
  CHECK(answer["complaints"] == c.complaints);
  CHECK(answer["resolutions"] == c.resolutions);
  CHECK(answer["resolutions_accepted"] == c.accepted);
  CHECK(answer["surveys"] == c.surveys);
  CHECK(answer["csat_answers"] == c.csat_answers);
  CHECK(answer["csat_satisfied"] == c.csat_satisfied);
  CHECK(answer["nps_answers"] == c.nps_answers);
  CHECK(answer["promoters"] == c.promoters);
  CHECK(answer["detractors"] == c.detractors);
  CHECK(answer["gap_answers"] == c.gap_answers);
  CHECK(answer["purchases"] == c.purchases);
  CHECK(answer["repurchased"] == c.repurchased);
  const Measures m = MeasuresOf(c);
  CheckOptional(answer["csat"], m.csat, "csat");
  CheckOptional(answer["nps"], m.nps, "nps");
  CheckOptional(answer["mean_gap"], m.gap, "mean_gap");
  CheckOptional(answer["complaint_rate"], m.complaint_rate, "complaint_rate");
  CheckOptional(answer["resolution_acceptance"], m.acceptance, "resolution_acceptance");
  CheckOptional(answer["repurchase_rate"], m.repurchase, "repurchase_rate");
}

std::string Date(int64_t day) { return events::FormatRfc3339(day * kDay).substr(0, 10); }

// ---- The test ----------------------------------------------------------------------

TEST_CASE("satisfaction and loyalty answers equal an independent computation over a year of 2,000 customers",
          "[integration][satisfaction][loyalty]") {
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  services::SampleOptions options;
  options.customers = 2030;  // 20 of them are merged duplicates
  std::vector<Event> history = services::GenerateSampleHistory(options);
  const World before = Expect(history);
  REQUIRE(before.roots.size() >= 2000);

  // The probes: one survey and one complaint, on a day no sample event has, for
  // every buyer of tiers A-C and some of D, on every channel in turn.
  const int64_t probe_day = DayOf(options.start_ms) - 30;
  std::vector<Event> probes;
  {
    int n = 0;
    for (const auto& [id, x] : before.roots) {
      if (x.purchases.empty() || (x.tier == "D" && n % 7 != 0)) {
        ++n;
        continue;
      }
      const auto channel = static_cast<events::Channel>(n % events::kChannelCount);
      Event survey;
      survey.event_id = EventId("probe-s-" + id);
      survey.customer_id = CustomerId(id);
      survey.occurred_at_ms = probe_day * kDay + 3'600'000 + n;
      survey.channel = channel;
      events::CareContact contact;
      contact.survey.nps = n % 11;
      contact.survey.csat = 1 + n % 5;
      contact.survey.expectation = 1 + n % 10;
      contact.survey.perception = 1 + (n * 3) % 10;
      survey.payload = contact;
      Event complaint = survey;
      complaint.event_id = EventId("probe-k-" + id);
      complaint.occurred_at_ms += 1;
      complaint.payload = events::Complaint{"probe-" + id, events::ComplaintCategory::kService, 2, "probe"};
      probes.push_back(survey);
      probes.push_back(complaint);
      ++n;
    }
  }
  std::vector<Event> everything = history;
  everything.insert(everything.end(), probes.begin(), probes.end());
  const World world = Expect(everything);
  REQUIRE(world.now == before.now);
  // Expected probe cells per (channel, tier): the tiers of the final ranking.
  std::map<std::pair<int, std::string>, Counts> probe_cells;
  for (const Event& e : probes) {
    const std::string& tier = world.roots.at(e.customer_id.str()).tier;
    REQUIRE(tier == before.roots.at(e.customer_id.str()).tier);  // probes buy nothing
    Counts c;
    c.interactions = 1;
    if (const auto* contact = std::get_if<events::CareContact>(&e.payload)) {
      const auto& a = contact->survey;
      c.surveys = 1, c.csat_answers = 1, c.csat_satisfied = *a.csat >= 4, c.nps_answers = 1;
      c.promoters = *a.nps >= 9, c.detractors = *a.nps <= 6, c.gap_answers = 1;
      c.gap_sum = *a.perception - *a.expectation;
    } else {
      c.complaints = 1;
    }
    probe_cells[{static_cast<int>(e.channel), tier}].Add(c);
  }

  auto applied = [](services::Platform& platform, const char* name) {
    return platform.ReadinessJson()["projectors"][name]["applied"].get<int64_t>();
  };
  auto platform = testing::StartEmbeddedPlatform(config);
  {
    auto client = testing::HttpClient(*platform);
    REQUIRE(testing::WaitFor([&] { return platform->ready(); }));
    Post(client, history);
    const auto total = static_cast<int64_t>(history.size());
    REQUIRE(testing::WaitFor(
        [&] { return applied(*platform, "satisfaction") == total && applied(*platform, "loyalty") == total; },
        std::chrono::seconds(120)));
    CHECK(platform->ReadinessJson()["projectors"]["satisfaction"]["dead_lettered"] == 0);
    CHECK(platform->ReadinessJson()["projectors"]["loyalty"]["dead_lettered"] == 0);
  }
  // A restart ranks again from the stores, as of the final watermark; the probes
  // then fold against that ranking.
  platform->Stop();
  platform = testing::StartEmbeddedPlatform(config);
  auto client = testing::HttpClient(*platform);
  REQUIRE(testing::WaitFor([&] { return platform->ready(); }));
  Post(client, probes);
  REQUIRE(testing::WaitFor([&] {
    return applied(*platform, "satisfaction") == static_cast<int64_t>(probes.size()) &&
           applied(*platform, "loyalty") == static_cast<int64_t>(probes.size());
  }));
  const std::string now = events::FormatRfc3339(world.now);

  std::map<std::string, int> quadrants;  // segment: inactive, else the quadrant
  std::map<std::string, int64_t> by_quadrant, by_tier_quadrant;
  int64_t inactive = 0;
  {  // every customer's satisfaction and loyalty
    for (const auto& [id, x] : world.roots) {
      const json s = Get(client, "/v1/customers/" + id + "/satisfaction");
      INFO("customer " << id << ": " << s.dump());
      CheckCounts(s, x.counts);
      CHECK(s["open_complaints"] == std::max<int64_t>(0, x.counts.complaints - x.counts.resolutions));
      CheckOptional(s["gap_ewma"], Ewma(x.gaps), "gap_ewma");
      if (x.last_survey_at < 0) {
        CHECK(s["last_survey"].is_null());
      } else {
        CHECK(s["last_survey"]["at"] == events::FormatRfc3339(x.last_survey_at));
        CHECK(s["last_survey"]["nps"] == (x.last_survey.nps ? json(*x.last_survey.nps) : json(nullptr)));
        CHECK(s["last_survey"]["csat"] == (x.last_survey.csat ? json(*x.last_survey.csat) : json(nullptr)));
      }
      CHECK(s["tier"] == x.tier);
      CHECK(s["erased"] == x.erased);
      CHECK(std::set<std::string>(s["merged_from"].begin(), s["merged_from"].end()) == x.merged_from);
      CHECK(s["as_of"] == now);
      CHECK(s["ranking_as_of"] == now);

      const json l = Get(client, "/v1/customers/" + id + "/loyalty");
      INFO("loyalty " << l.dump());
      const Loyalty expected = LoyaltyOf(x, world.now);
      CHECK(l["loyalty_score"].get<double>() == Approx(expected.score).epsilon(1e-9));
      const json& in = l["indicators"];
      CHECK(in["purchases"] == static_cast<int64_t>(x.purchases.size()));
      CheckOptional(in["repeat_purchase_ratio"], expected.repeat, "repeat");
      CHECK(in["purchase_frequency"] == expected.frequency);
      CheckOptional(in["mean_interval_days"], expected.mean_interval, "mean interval");
      CheckOptional(in["median_interval_days"], expected.median_interval, "median interval");
      CheckOptional(in["share_of_wallet"], expected.share_of_wallet, "share of wallet");
      CHECK(in["tenure_days"].get<double>() == Approx(expected.tenure_days));
      CHECK(in["referrals"] == x.referrals);
      CheckOptional(in["resolution_acceptance"], expected.acceptance, "acceptance");
      CHECK(l["tier"] == x.tier);
      CHECK(l["quadrant"] == expected.quadrant);
      CHECK(l["inactive"] == expected.inactive);
      CHECK(l["segment"] == (expected.inactive ? "inactive" : expected.quadrant));
      CHECK(l["as_of"] == now);
      ++quadrants[expected.inactive ? "inactive" : expected.quadrant];
      ++by_quadrant[expected.quadrant];
      ++by_tier_quadrant[x.tier + expected.quadrant];
      if (expected.inactive) ++inactive;
    }
    for (const auto& [id, survivor] : world.pointer_to_root) {
      CHECK(Get(client, "/v1/customers/" + id + "/satisfaction")["merged_into"] == survivor);
      CHECK(Get(client, "/v1/customers/" + id + "/loyalty")["merged_into"] == survivor);
    }
    CHECK_FALSE(world.pointer_to_root.empty());
    CHECK(Get(client, "/v1/customers/nobody/satisfaction", 404)["error"] == "not_found");
    CHECK(Get(client, "/v1/customers/nobody/loyalty", 404)["error"] == "not_found");
    for (const char* q : {"core", "at_risk_of_poaching", "steady", "transactional", "inactive"}) {
      INFO(q);
      CHECK(quadrants[q] > 0);
    }
    const json segments = Get(client, "/v1/segments/loyalty");
    CHECK(segments["customers"] == static_cast<int64_t>(world.roots.size()));
    CHECK(segments["as_of"] == now);
    CHECK(segments["inactive"] == inactive);
    for (const char* q : {"core", "at_risk_of_poaching", "steady", "transactional"}) {
      INFO(q);
      CHECK(segments["quadrants"][q] == by_quadrant[q]);
      for (int t = 0; t < 4; ++t) {
        CHECK(segments["tiers"][std::string(1, kTiers[t])][q] ==
              by_tier_quadrant[std::string(1, kTiers[t]) + q]);
      }
    }
  }

  // Day buckets over the whole history, per channel and in total.
  const int64_t first_day = probe_day - 5, last_day = DayOf(world.now);
  auto expected_bucket = [&](int64_t from, int64_t days, std::optional<int> channel) {
    Counts c;
    for (int64_t d = from; d < from + days; ++d) {
      for (int ch = 0; ch < events::kChannelCount; ++ch) {
        if (channel && *channel != ch) continue;
        if (auto it = world.cells.find({d, ch}); it != world.cells.end()) c.Add(it->second);
      }
    }
    return c;
  };
  for (int channel = -1; channel < events::kChannelCount; ++channel) {
    std::string path = "/v1/trends/satisfaction?bucket=day&from=" + Date(first_day) + "&to=" + Date(last_day);
    if (channel >= 0) path += "&channel=" + std::string(events::Name(static_cast<events::Channel>(channel)));
    const json answer = Get(client, path);
    INFO(path);
    REQUIRE(answer["buckets"].size() == static_cast<size_t>(last_day - first_day + 1));
    CHECK(answer["as_of"] == now);
    std::vector<std::optional<double>> csat, nps;
    for (int64_t d = first_day; d <= last_day; ++d) {
      const json& bucket = answer["buckets"][static_cast<size_t>(d - first_day)];
      INFO("day " << Date(d) << ": " << bucket.dump());
      CHECK(bucket["start"] == Date(d));
      const Counts c = expected_bucket(d, 1, channel >= 0 ? std::optional<int>(channel) : std::nullopt);
      CheckCounts(bucket, c);
      CHECK(bucket["repurchase_final"] == ((d + 1) * kDay + 90 * kDay <= world.now + 1));
      if (d > last_day - 8) csat.push_back(MeasuresOf(c).csat), nps.push_back(MeasuresOf(c).nps);
    }
    CheckOptional(answer["trend"]["csat"]["slope"], Slope(csat), "csat slope");
    CheckOptional(answer["trend"]["nps"]["slope"], Slope(nps), "nps slope");
    if (auto slope = Slope(nps)) {
      CHECK(answer["trend"]["nps"]["label"] == (*slope < -1.0  ? "falling"
                                                : *slope > 1.0 ? "rising"
                                                               : "steady"));
    }
  }

  {  // week buckets (ISO weeks from Monday), and the default range: the last 8
    const json weeks =
        Get(client, "/v1/trends/satisfaction?bucket=week&from=" + Date(first_day) + "&to=" + Date(last_day));
    int64_t monday = first_day - ((first_day + 3) % 7 + 7) % 7;
    CHECK(weeks["from"] == Date(monday));
    std::vector<std::optional<double>> gap;
    for (const json& bucket : weeks["buckets"]) {
      INFO("week " << bucket["start"]);
      CHECK(bucket["start"] == Date(monday));
      const Counts c = expected_bucket(monday, 7, std::nullopt);
      CheckCounts(bucket, c);
      gap.push_back(MeasuresOf(c).gap);
      monday += 7;
    }
    CHECK(monday > last_day);
    CHECK(monday - 7 <= last_day);
    const std::vector<std::optional<double>> last8(gap.end() - 8, gap.end());
    CheckOptional(weeks["trend"]["mean_gap"]["slope"], Slope(last8), "gap slope");
    const json recent = Get(client, "/v1/trends/satisfaction?bucket=week");
    REQUIRE(recent["buckets"].size() == 8);
    CHECK(recent["buckets"][7]["start"] == weeks["buckets"].back()["start"]);
    CHECK(recent["trend"]["mean_gap"] == weeks["trend"]["mean_gap"]);
    CHECK(recent["trend"]["complaint_rate"] == weeks["trend"]["complaint_rate"]);
  }

  {  // tiers: exact on the probe day, and the four tiers add up to the whole everywhere
    std::vector<json> per_tier;
    const std::string range = "&from=" + Date(first_day) + "&to=" + Date(last_day);
    for (int t = 0; t < 4; ++t) {
      per_tier.push_back(
          Get(client, "/v1/trends/satisfaction?bucket=day&tier=" + std::string(1, kTiers[t]) + range));
    }
    const json all = Get(client, "/v1/trends/satisfaction?bucket=day" + range);
    for (size_t b = 0; b < all["buckets"].size(); ++b) {
      for (const char* field : {"interactions", "complaints", "csat_answers", "promoters", "detractors",
                                "purchases", "repurchased", "resolutions_accepted"}) {
        int64_t sum = 0;
        for (const json& tier : per_tier) sum += tier["buckets"][b][field].get<int64_t>();
        INFO("bucket " << all["buckets"][b]["start"] << " " << field);
        CHECK(sum == all["buckets"][b][field].get<int64_t>());
      }
    }
    CHECK(per_tier[0]["buckets"][0]["interactions"] == 0);  // before any event
    for (int t = 0; t < 4; ++t) {
      for (int channel = 0; channel < events::kChannelCount; ++channel) {
        const json answer =
            Get(client, "/v1/trends/satisfaction?bucket=day&tier=" + std::string(1, kTiers[t]) +
                            "&channel=" + std::string(events::Name(static_cast<events::Channel>(channel))) +
                            "&from=" + Date(probe_day) + "&to=" + Date(probe_day));
        INFO("probe day, tier " << kTiers[t] << ", channel " << channel);
        REQUIRE(answer["buckets"].size() == 1);
        const auto it = probe_cells.find({channel, std::string(1, kTiers[t])});
        CheckCounts(answer["buckets"][0], it == probe_cells.end() ? Counts{} : it->second);
      }
    }
    CHECK(probe_cells.count({0, "A"}) + probe_cells.count({1, "A"}) > 0);
  }

  {  // bad parameters name themselves
    CHECK(Get(client, "/v1/trends/satisfaction?bucket=month", 400)["field"] == "bucket");
    CHECK(Get(client, "/v1/trends/satisfaction?channel=fax", 400)["field"] == "channel");
    CHECK(Get(client, "/v1/trends/satisfaction?tier=Z", 400)["field"] == "tier");
    CHECK(Get(client, "/v1/trends/satisfaction?from=yesterday", 400)["field"] == "from");
    CHECK(Get(client, "/v1/trends/satisfaction?to=2025-13-01", 400)["field"] == "to");
    CHECK(Get(client, "/v1/trends/satisfaction?from=2025-03-02&to=2025-03-01", 400)["field"] == "from");
    CHECK(Get(client, "/v1/trends/satisfaction?from=2000-01-01&to=2025-03-01", 400)["field"] == "from");
    CHECK(Get(client, "/v1/trends/satisfaction?bucket=day&bucket=week", 400)["field"] == "bucket");
    CHECK(Get(client, "/v1/trends/satisfaction?colour=red", 400)["field"] == "colour");
  }
}

}  // namespace
}  // namespace rapport
