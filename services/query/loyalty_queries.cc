#include "services/query/loyalty_queries.h"

#include <map>

#include "events/time_format.h"
#include "projections/loyalty/loyalty.h"
#include "projections/loyalty/loyalty_projection.h"
#include "projections/runtime/projection_meta.h"
#include "services/query/merge_pointer_answer.h"

namespace rapport::services {
namespace {

using nlohmann::json;

constexpr std::string_view kProjection = projections::LoyaltyProjection::kName;

json TimeOrNull(int64_t epoch_ms) {
  return epoch_ms == 0 ? json(nullptr) : json(events::FormatRfc3339(epoch_ms));
}
template <typename T>
json Optional(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

HttpResponse GetCustomerLoyalty(const projections::Store& store, std::string_view customer_id,
                                const projections::DomainSettings& settings) {
  auto state = projections::ReadCustomerLoyalty(store, customer_id);
  if (!state.ok()) return ErrorResponse(state.status());
  if (!state->has_value())
    return ErrorResponse(Status::NotFound("unknown customer " + std::string(customer_id)));
  const projections::CustomerLoyalty& s = **state;
  if (s.is_pointer()) return PointerAnswer(projections::ReadCustomerLoyalty, store, s, "/loyalty");
  auto watermark = projections::ReadWatermarkOf(store, kProjection);
  if (!watermark.ok()) return ErrorResponse(watermark.status());
  auto ranking = projections::ReadSharedSnapshotOf(store, kProjection);
  if (!ranking.ok()) return ErrorResponse(ranking.status());
  const projections::ValueSnapshot& snapshot = **ranking;
  const projections::LoyaltyValue v = projections::EvaluateLoyalty(s, *watermark, snapshot, settings);
  const projections::LoyaltyIndicators& in = v.indicators;

  json components = json::object();
  for (int i = 0; i < projections::kLoyaltyComponentCount; ++i) {
    components[std::string(projections::Name(static_cast<projections::LoyaltyComponent>(i)))] =
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
  const std::string quadrant(projections::Name(v.quadrant));
  return JsonResponse(200, {{"customer_id", s.customer_id},
                            {"loyalty_score", v.score.score},
                            {"components", components},
                            {"indicators", indicators},
                            {"tier", projections::TierName(v.tier)},
                            {"high_value", v.high_value},
                            {"high_loyalty", v.high_loyalty},
                            {"quadrant", quadrant},
                            {"inactive", v.inactive},
                            {"segment", v.inactive ? std::string("inactive") : quadrant},
                            {"first_interaction", TimeOrNull(s.first_interaction_ms)},
                            {"last_interaction", TimeOrNull(s.last_interaction_ms)},
                            {"erased", s.erased},
                            {"merged_from", s.merged_from},
                            {"as_of", TimeOrNull(*watermark)},
                            {"ranking_as_of", TimeOrNull(snapshot.as_of_ms)}});
}

HttpResponse GetLoyaltySegments(const projections::Store& store,
                                const projections::DomainSettings& settings) {
  auto watermark = projections::ReadWatermarkOf(store, kProjection);
  if (!watermark.ok()) return ErrorResponse(watermark.status());
  auto ranking = projections::ReadSharedSnapshotOf(store, kProjection);
  if (!ranking.ok()) return ErrorResponse(ranking.status());
  const projections::ValueSnapshot& snapshot = **ranking;
  constexpr projections::Quadrant kQuadrants[] = {
      projections::Quadrant::kCore, projections::Quadrant::kAtRiskOfPoaching, projections::Quadrant::kSteady,
      projections::Quadrant::kTransactional};
  std::map<std::string, int64_t> quadrants, by_tier;
  int64_t customers = 0, inactive = 0;
  double score_sum = 0;
  auto it = store.NewIterator(projections::Family::kState);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto state = projections::DecodeCustomerLoyalty(std::string_view(it->value().data(), it->value().size()));
    if (!state.ok())
      return ErrorResponse(state.status().WithContext("stored state of " + it->key().ToString()));
    if (state->customer_id.empty() || state->is_pointer()) continue;
    const projections::LoyaltyValue v = projections::EvaluateLoyalty(*state, *watermark, snapshot, settings);
    ++customers;
    score_sum += v.score.score;
    ++quadrants[std::string(projections::Name(v.quadrant))];
    ++by_tier[std::string(projections::TierName(v.tier)) + "/" + std::string(projections::Name(v.quadrant))];
    if (v.inactive) ++inactive;
  }
  if (!it->status().ok()) return ErrorResponse(projections::FromRocks(it->status(), "scan loyalty states"));
  json quadrant_json = json::object(), tiers = json::object();
  for (projections::Quadrant q : kQuadrants)
    quadrant_json[std::string(projections::Name(q))] = quadrants[std::string(projections::Name(q))];
  for (int t = 0; t < projections::kTierCount; ++t) {
    const std::string tier(projections::TierName(static_cast<projections::Tier>(t)));
    json row = json::object();
    for (projections::Quadrant q : kQuadrants) {
      row[std::string(projections::Name(q))] = by_tier[tier + "/" + std::string(projections::Name(q))];
    }
    tiers[tier] = row;
  }
  return JsonResponse(200,
                      {{"as_of", TimeOrNull(*watermark)},
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

}  // namespace rapport::services
