#include "projections/loyalty/loyalty.h"

#include <algorithm>

#include "events/time_format.h"
#include "storage/binary_codec.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/merge_fields_codec.h"
#include "projections/domain/overloaded.h"
#include "projections/domain/state_codec_parts.h"

namespace rapport::projections {
namespace {

constexpr uint8_t kFormatVersion = 1;

int64_t EarliestNonZero(int64_t a, int64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

double Capped(double value) { return std::clamp(value, 0.0, 1.0); }

double Days(int64_t ms) { return static_cast<double>(ms) / static_cast<double>(events::kMillisPerDay); }

Status Positive(const char* name, double value) {
  if (value > 0) return Status::Ok();
  return Status::InvalidArgument(name, "must be greater than 0, got " + std::to_string(value));
}

}  // namespace

std::string_view Name(LoyaltyComponent component) {
  constexpr std::string_view kNames[] = {"repeat_purchase",      "frequency", "interval",
                                         "share_of_wallet",      "tenure",    "referrals",
                                         "resolution_acceptance"};
  return kNames[static_cast<int>(component)];
}

std::string_view Name(Quadrant quadrant) {
  constexpr std::string_view kNames[] = {"core", "at_risk_of_poaching", "steady", "transactional"};
  return kNames[static_cast<int>(quadrant)];
}

Quadrant QuadrantOf(bool high_value, bool high_loyalty) {
  if (high_value) return high_loyalty ? Quadrant::kCore : Quadrant::kAtRiskOfPoaching;
  return high_loyalty ? Quadrant::kSteady : Quadrant::kTransactional;
}

CustomerLoyalty ApplyLoyalty(CustomerLoyalty s, const std::string& id, const events::Event& event) {
  if (s.customer_id.empty()) s.customer_id = id;
  const int64_t at = event.occurred_at_ms;
  const bool interaction = CountAsInteraction(event, s);
  std::visit(Overloaded{
                 [&](const events::CustomerRegistered& e) {
                   // The customer's own registration sets the estimate; a duplicate's only fills it.
                   const bool own = event.customer_id.str() == id;
                   if (e.wallet_estimate && (own || !s.wallet_estimate))
                     s.wallet_estimate = e.wallet_estimate;
                 },
                 [&](const events::Purchase& e) {
                   s.purchase_history.Add({at, e.amount, e.cost});
                 },
                 [&](const events::ComplaintResolved& e) {
                   ++s.resolutions;
                   if (e.accepted) ++s.resolutions_accepted;
                 },
                 [&](const events::Referral&) { ++s.referrals; },
                 [&](const auto&) {},
             },
             event.payload);
  if (interaction) {
    ++s.interactions;
    s.first_interaction_ms = s.interactions == 1 ? at : std::min(s.first_interaction_ms, at);
    s.last_interaction_ms = s.interactions == 1 ? at : std::max(s.last_interaction_ms, at);
  }
  return s;
}

CustomerLoyalty MergeLoyalty(CustomerLoyalty s, const CustomerLoyalty& d, const std::string& duplicate_id) {
  s.purchase_history.Merge(d.purchase_history);
  if (!s.wallet_estimate) s.wallet_estimate = d.wallet_estimate;
  if (d.interactions > 0) {
    s.first_interaction_ms = s.interactions == 0
                                 ? d.first_interaction_ms
                                 : EarliestNonZero(s.first_interaction_ms, d.first_interaction_ms);
    s.last_interaction_ms = std::max(s.last_interaction_ms, d.last_interaction_ms);
  }
  s.interactions += d.interactions;
  s.referrals += d.referrals;
  s.resolutions += d.resolutions;
  s.resolutions_accepted += d.resolutions_accepted;
  s.erased = s.erased || d.erased;
  s.merged_from.push_back(duplicate_id);
  s.merged_from.insert(s.merged_from.end(), d.merged_from.begin(), d.merged_from.end());
  return s;
}

LoyaltyIndicators IndicatorsOf(const CustomerLoyalty& s, int64_t as_of_ms, const LoyaltySettings& settings) {
  LoyaltyIndicators in;
  const PurchaseHistory& history = s.purchase_history;
  in.purchases = static_cast<int64_t>(history.count());
  if (in.purchases > 0) {
    in.repeat_purchase_ratio = static_cast<double>(in.purchases - 1) / static_cast<double>(in.purchases);
  }
  // The trailing window ends at as_of, inclusive: (as_of - days, as_of].
  const int64_t from = as_of_ms - static_cast<int64_t>(settings.window_days) * events::kMillisPerDay + 1;
  in.window_purchases = history.CountBetween(from, as_of_ms + 1);
  in.window_revenue = history.RevenueBetween(from, as_of_ms + 1);
  in.mean_interval_days = history.MeanIntervalDays();
  in.median_interval_days = history.MedianIntervalDays();
  in.wallet_estimate = s.wallet_estimate;
  if (s.wallet_estimate && *s.wallet_estimate > 0) {
    in.share_of_wallet = static_cast<double>(in.window_revenue) / static_cast<double>(*s.wallet_estimate);
  }
  if (s.interactions > 0) {
    in.tenure_days = std::max(0.0, Days(as_of_ms - s.first_interaction_ms));
    in.days_since_last_interaction = std::max(0.0, Days(as_of_ms - s.last_interaction_ms));
  }
  in.referrals = s.referrals;
  in.resolutions = s.resolutions;
  in.resolutions_accepted = s.resolutions_accepted;
  if (s.resolutions > 0) {
    in.resolution_acceptance =
        static_cast<double>(s.resolutions_accepted) / static_cast<double>(s.resolutions);
  }
  return in;
}

LoyaltyScore ScoreOf(const LoyaltyIndicators& in, const LoyaltySettings& settings) {
  LoyaltyScore out;
  auto& c = out.components;
  c[static_cast<int>(LoyaltyComponent::kRepeatPurchase)] = in.repeat_purchase_ratio.value_or(0.0);
  c[static_cast<int>(LoyaltyComponent::kFrequency)] =
      Capped(static_cast<double>(in.window_purchases) / settings.frequency_target);
  double interval = 0;  // fewer than 2 purchases: no rhythm yet
  if (in.median_interval_days) {
    interval = *in.median_interval_days <= settings.interval_target_days
                   ? 1.0
                   : settings.interval_target_days / *in.median_interval_days;
  }
  c[static_cast<int>(LoyaltyComponent::kInterval)] = interval;
  if (in.share_of_wallet) c[static_cast<int>(LoyaltyComponent::kShareOfWallet)] = Capped(*in.share_of_wallet);
  c[static_cast<int>(LoyaltyComponent::kTenure)] = Capped(in.tenure_days / settings.tenure_target_days);
  c[static_cast<int>(LoyaltyComponent::kReferrals)] =
      Capped(static_cast<double>(in.referrals) / settings.referrals_target);
  if (in.resolution_acceptance) {
    c[static_cast<int>(LoyaltyComponent::kResolutionAcceptance)] = *in.resolution_acceptance;
  }
  const LoyaltyWeights& w = settings.weights;
  const std::array<double, kLoyaltyComponentCount> weights = {
      w.repeat_purchase,      w.frequency, w.interval, w.share_of_wallet, w.tenure, w.referrals,
      w.resolution_acceptance};
  double weighted = 0, total = 0;
  for (int i = 0; i < kLoyaltyComponentCount; ++i) {
    if (!c[static_cast<size_t>(i)]) continue;
    weighted += weights[static_cast<size_t>(i)] * *c[static_cast<size_t>(i)];
    total += weights[static_cast<size_t>(i)];
  }
  out.score = total > 0 ? Capped(weighted / total) : 0.0;
  return out;
}

LoyaltyValue EvaluateLoyalty(const CustomerLoyalty& state, int64_t as_of_ms, const ValueSnapshot& ranking,
                             const DomainSettings& settings) {
  LoyaltyValue v;
  v.as_of_ms = as_of_ms;
  v.ranking_as_of_ms = ranking.as_of_ms;
  v.indicators = IndicatorsOf(state, as_of_ms, settings.loyalty);
  v.score = ScoreOf(v.indicators, settings.loyalty);
  // With the ranking's own parameters, so the inputs compare with its cut-offs.
  v.tier = TierOf(InputsOf(state.customer_id, state.purchase_history, as_of_ms, ranking.params), ranking);
  v.high_value = v.tier == Tier::kA || v.tier == Tier::kB;
  v.high_loyalty = v.score.score >= settings.value.high_loyalty_score;
  v.quadrant = QuadrantOf(v.high_value, v.high_loyalty);
  // Never interacted counts as inactive; else a full inactive_after_days without one.
  v.inactive = !v.indicators.days_since_last_interaction ||
               *v.indicators.days_since_last_interaction >= settings.value.inactive_after_days;
  return v;
}

Status CheckLoyaltySettings(const DomainSettings& settings) {
  RAPPORT_RETURN_IF_ERROR(CheckCustomerValueSettings(settings));
  const LoyaltySettings& l = settings.loyalty;
  RAPPORT_RETURN_IF_ERROR(Positive("domain.loyalty.window_days", l.window_days));
  RAPPORT_RETURN_IF_ERROR(Positive("domain.loyalty.frequency_target", l.frequency_target));
  RAPPORT_RETURN_IF_ERROR(Positive("domain.loyalty.interval_target_days", l.interval_target_days));
  RAPPORT_RETURN_IF_ERROR(Positive("domain.loyalty.tenure_target_days", l.tenure_target_days));
  RAPPORT_RETURN_IF_ERROR(Positive("domain.loyalty.referrals_target", l.referrals_target));
  const LoyaltyWeights& w = l.weights;
  const std::pair<const char*, double> weights[] = {
      {"domain.loyalty.weights.repeat_purchase", w.repeat_purchase},
      {"domain.loyalty.weights.frequency", w.frequency},
      {"domain.loyalty.weights.interval", w.interval},
      {"domain.loyalty.weights.share_of_wallet", w.share_of_wallet},
      {"domain.loyalty.weights.tenure", w.tenure},
      {"domain.loyalty.weights.referrals", w.referrals},
      {"domain.loyalty.weights.resolution_acceptance", w.resolution_acceptance}};
  for (const auto& [name, weight] : weights) {
    if (weight < 0) return Status::InvalidArgument(name, "must be at least 0, got " + std::to_string(weight));
  }
  // The components every customer has must carry weight, or a score could be 0/0.
  if (w.repeat_purchase + w.frequency + w.interval + w.tenure + w.referrals <= 0) {
    return Status::InvalidArgument(
        "domain.loyalty.weights.repeat_purchase",
        "repeat_purchase, frequency, interval, tenure and referrals weigh 0 together");
  }
  const double high = settings.value.high_loyalty_score;
  if (high < 0 || high > 1) {
    return Status::InvalidArgument("domain.value.high_loyalty_score",
                                   "must be from 0 to 1, got " + std::to_string(high));
  }
  if (settings.value.inactive_after_days < 1) {
    return Status::InvalidArgument(
        "domain.value.inactive_after_days",
        "must be at least 1, got " + std::to_string(settings.value.inactive_after_days));
  }
  return Status::Ok();
}

std::string EncodeCustomerLoyalty(const CustomerLoyalty& s) {
  BinaryWriter w;
  w.PutU8(kFormatVersion);
  w.PutString(s.customer_id);
  s.purchase_history.Encode(w);
  w.PutOptionalSigned(s.wallet_estimate);
  for (int64_t n : {s.interactions, s.first_interaction_ms, s.last_interaction_ms, s.referrals, s.resolutions,
                    s.resolutions_accepted}) {
    w.PutSigned(n);
  }
  PutMergeFields(w, s);
  return w.Release();
}

Result<CustomerLoyalty> DecodeCustomerLoyalty(std::string_view bytes) {
  BinaryReader r(bytes);
  CustomerLoyalty s;
  RAPPORT_RETURN_IF_ERROR(ReadStateVersion(r, kFormatVersion, "customer loyalty", "rebuild the projection"));
  bool ok =
      r.GetString(&s.customer_id) && s.purchase_history.Decode(r) && r.GetOptionalSigned(&s.wallet_estimate);
  for (int64_t* n : {&s.interactions, &s.first_interaction_ms, &s.last_interaction_ms, &s.referrals,
                     &s.resolutions, &s.resolutions_accepted}) {
    ok = ok && r.GetSigned(n);
  }
  ok = ok && GetMergeFields(r, &s, bytes.size());
  if (!ok || !r.ok() || !r.at_end())
    return Status::Corruption("customer loyalty: truncated or malformed state");
  return s;
}

}  // namespace rapport::projections
