#include "services/loyalty_queries.h"

#include "events/time_format.h"
#include "projections/loyalty.h"
#include "projections/loyalty_projection.h"
#include "projections/projection_meta.h"

namespace rapport::services {
namespace {

using nlohmann::json;

constexpr std::string_view kProjection = projections::LoyaltyProjection::kName;
constexpr int kMaxChain = 64;

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
  if (s.is_pointer()) {
    std::string survivor = s.merged_into;
    for (int hop = 0; hop < kMaxChain; ++hop) {
      auto next = projections::ReadCustomerLoyalty(store, survivor);
      if (!next.ok()) return ErrorResponse(next.status());
      if (!next->has_value() || !(*next)->is_pointer()) break;
      survivor = (*next)->merged_into;
    }
    return JsonResponse(200, {{"customer_id", s.customer_id},
                              {"merged_into", survivor},
                              {"merged_at", TimeOrNull(s.merged_at_ms)},
                              {"location", "/v1/customers/" + survivor + "/loyalty"}});
  }
  auto watermark = projections::ReadWatermarkOf(store, kProjection);
  if (!watermark.ok()) return ErrorResponse(watermark.status());
  auto ranking = projections::ReadSnapshotOf(store, kProjection);
  if (!ranking.ok()) return ErrorResponse(ranking.status());
  const projections::ValueSnapshot snapshot = ranking->value_or(projections::ValueSnapshot{});
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

}  // namespace rapport::services
