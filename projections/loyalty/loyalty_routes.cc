#include "projections/loyalty/loyalty_routes.h"

#include <map>

#include "events/time_format.h"
#include "projections/loyalty/loyalty.h"
#include "projections/loyalty/loyalty_projection.h"
#include "projections/runtime/customer_reader.h"
#include "projections/runtime/projection_meta.h"

namespace rapport::projections {
namespace {

using nlohmann::json;

constexpr std::string_view kProjection = LoyaltyProjection::kName;

template <typename T>
json Optional(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json LoyaltyJson(const CustomerLoyalty& s, const AsOfContext& context, const DomainSettings& settings) {
  const LoyaltyValue v = EvaluateLoyalty(s, context.as_of_ms, *context.snapshot, settings);
  const LoyaltyIndicators& in = v.indicators;
  json components = json::object();
  for (int i = 0; i < kLoyaltyComponentCount; ++i) {
    components[std::string(Name(static_cast<LoyaltyComponent>(i)))] =
        Optional(v.score.components[static_cast<size_t>(i)]);
  }
  json indicators = {{"purchases", in.purchases},
                     {"repeat_purchase_ratio", Optional(in.repeat_purchase_ratio)},
                     {"purchase_frequency", in.window_purchases},
                     {"window_days", settings.loyalty.window_days},
                     {"window_revenue", in.window_revenue},
                     {"mean_interval_days", Optional(in.mean_interval_days)},
                     {"median_interval_days", Optional(in.median_interval_days)},
                     {"wallet_estimate", Optional(in.wallet_estimate)},
                     {"share_of_wallet", Optional(in.share_of_wallet)},
                     {"tenure_days", in.tenure_days},
                     {"referrals", in.referrals},
                     {"resolutions", in.resolutions},
                     {"resolutions_accepted", in.resolutions_accepted},
                     {"resolution_acceptance", Optional(in.resolution_acceptance)},
                     {"days_since_last_interaction", Optional(in.days_since_last_interaction)}};
  const std::string quadrant(Name(v.quadrant));
  return json{{"customer_id", s.customer_id},
              {"loyalty_score", v.score.score},
              {"components", components},
              {"indicators", indicators},
              {"tier", TierName(v.tier)},
              {"high_value", v.high_value},
              {"high_loyalty", v.high_loyalty},
              {"quadrant", quadrant},
              {"inactive", v.inactive},
              {"segment", v.inactive ? std::string("inactive") : quadrant},
              {"first_interaction", TimeOrNull(s.first_interaction_ms)},
              {"last_interaction", TimeOrNull(s.last_interaction_ms)},
              {"erased", s.erased},
              {"merged_from", s.merged_from},
              {"as_of", TimeOrNull(context.as_of_ms)},
              {"ranking_as_of", TimeOrNull(context.snapshot->as_of_ms)}};
}

}  // namespace

HttpResponse GetCustomerLoyalty(const Store& store, std::string_view customer_id,
                                const DomainSettings& settings) {
  return AnswerCustomer(ReadCustomerLoyalty, store, kProjection, customer_id, "/loyalty",
                        [&](const CustomerLoyalty& s, const AsOfContext& context) {
                          return JsonResponse(200, LoyaltyJson(s, context, settings));
                        });
}

HttpResponse GetLoyaltySegments(const Store& store, const DomainSettings& settings) {
  auto context = ReadAsOfContext(store, kProjection);
  if (!context.ok()) return ErrorResponse(context.status());
  const ValueSnapshot& snapshot = *context->snapshot;
  const int64_t as_of_ms = context->as_of_ms;
  constexpr Quadrant kQuadrants[] = {Quadrant::kCore, Quadrant::kAtRiskOfPoaching, Quadrant::kSteady,
                                     Quadrant::kTransactional};
  std::map<std::string, int64_t> quadrants, by_tier;
  int64_t customers = 0, inactive = 0;
  double score_sum = 0;
  auto it = store.NewIterator(Family::kState);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto state = DecodeCustomerLoyalty(std::string_view(it->value().data(), it->value().size()));
    if (!state.ok())
      return ErrorResponse(state.status().WithContext("stored state of " + it->key().ToString()));
    if (state->customer_id.empty() || state->is_pointer()) continue;
    const LoyaltyValue v = EvaluateLoyalty(*state, as_of_ms, snapshot, settings);
    ++customers;
    score_sum += v.score.score;
    ++quadrants[std::string(Name(v.quadrant))];
    ++by_tier[std::string(TierName(v.tier)) + "/" + std::string(Name(v.quadrant))];
    if (v.inactive) ++inactive;
  }
  if (!it->status().ok()) return ErrorResponse(FromRocks(it->status(), "scan loyalty states"));
  json quadrant_json = json::object(), tiers = json::object();
  for (Quadrant q : kQuadrants) quadrant_json[std::string(Name(q))] = quadrants[std::string(Name(q))];
  for (int t = 0; t < kTierCount; ++t) {
    const std::string tier(TierName(static_cast<Tier>(t)));
    json row = json::object();
    for (Quadrant q : kQuadrants) {
      row[std::string(Name(q))] = by_tier[tier + "/" + std::string(Name(q))];
    }
    tiers[tier] = row;
  }
  return JsonResponse(200,
                      {{"as_of", TimeOrNull(as_of_ms)},
                       {"ranking_as_of", TimeOrNull(snapshot.as_of_ms)},
                       {"customers", customers},
                       {"high_loyalty_score", settings.value.high_loyalty_score},
                       {"mean_loyalty_score",
                        customers > 0 ? json(score_sum / static_cast<double>(customers)) : json(nullptr)},
                       {"quadrants", quadrant_json},
                       {"tiers", tiers},
                       {"inactive", inactive},
                       {"inactive_after_days", settings.value.inactive_after_days}});
}

HttpResponse LoyaltyOfCustomer(const ServeContext& context, std::string_view customer_id) {
  if (!context.store) return NotServed(kProjection);
  return GetCustomerLoyalty(*context.store, customer_id, context.settings);
}

std::vector<Route> LoyaltyRoutes(const ServeContext& context) {
  const ServeContext c = context;
  return ServedRoutes(
      c, kProjection,
      {{.pattern = R"(/v1/customers/([^/]+)/loyalty)",
        .answer = [c](const HttpRequest& request) { return LoyaltyOfCustomer(c, request.matches[1]); },
        .customer_in_path = true},
       {"/v1/segments/loyalty",
        [c](const HttpRequest&) { return GetLoyaltySegments(*c.store, c.settings); }}});
}

}  // namespace rapport::projections
