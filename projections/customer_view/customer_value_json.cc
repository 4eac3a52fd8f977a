#include "projections/customer_view/customer_value_json.h"

#include "events/time_format.h"

namespace rapport::projections {
namespace {

nlohmann::json TimeOrNull(int64_t epoch_ms) {
  return epoch_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(events::FormatRfc3339(epoch_ms));
}

std::string TierKey(int tier) { return std::string(TierName(static_cast<Tier>(tier))); }

// Per score 5..2, the score of the last customer inside it (ties there go by id).
template <typename Show>
nlohmann::json QuintileThresholds(const RankCutoffs& cutoffs, Show show) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < cutoffs.last_keys().size(); ++i) {
    const auto& key = cutoffs.last_keys()[i];
    out[std::to_string(5 - i)] = key ? show(key->score) : nlohmann::json(nullptr);
  }
  return out;
}

nlohmann::json Plain(int64_t score) { return score; }
nlohmann::json Day(int64_t day) { return events::FormatRfc3339(day * events::kMillisPerDay); }

}  // namespace

nlohmann::json CustomerValueToJson(const CustomerValue& value) {
  nlohmann::json rfm = nullptr;
  if (value.inputs.has_purchases) {
    rfm = {{"r", value.inputs.recency_days}, {"f", value.inputs.frequency}, {"m", value.inputs.monetary}};
    if (value.rfm) {
      rfm["r_score"] = value.rfm->r;
      rfm["f_score"] = value.rfm->f;
      rfm["m_score"] = value.rfm->m;
      rfm["score"] = value.rfm->Code();
    } else {
      rfm["score"] = nullptr;
    }
  }
  // Member by member, not an initializer list (see CustomerViewToJson): no copies.
  nlohmann::json out = nlohmann::json::object();
  out["state"] = Name(value.state);
  out["lifecycle_stage"] = Name(value.stage);
  out["tier"] = TierName(value.tier);
  out["rfm"] = std::move(rfm);
  out["historic_value"] = value.historic_value;
  out["pyramid_value"] = value.inputs.pyramid_value;
  out["as_of"] = TimeOrNull(value.as_of_ms);
  out["ranking_as_of"] = TimeOrNull(value.ranking_as_of_ms);
  return out;
}

nlohmann::json CustomerSummaryToJson(const CustomerView& view, const CustomerValue& value) {
  return {{"customer_id", view.customer_id},
          {"state", Name(value.state)},
          {"lifecycle_stage", Name(value.stage)},
          {"tier", TierName(value.tier)},
          {"rfm", value.rfm ? nlohmann::json(value.rfm->Code()) : nlohmann::json(nullptr)},
          {"revenue", view.revenue},
          {"historic_value", value.historic_value},
          {"pyramid_value", value.inputs.pyramid_value},
          {"last_purchase", TimeOrNull(view.last_purchase_ms)}};
}

nlohmann::json PyramidToJson(const ValueSnapshot& snapshot) {
  nlohmann::json tiers = nlohmann::json::object();
  nlohmann::json thresholds = nlohmann::json::object();
  for (int t = 0; t < kTierCount; ++t) {
    const TierTotals& totals = snapshot.pyramid[static_cast<size_t>(t)];
    tiers[TierKey(t)] = {{"customers", totals.customers}, {"revenue", totals.revenue}, {"profit", totals.profit}};
    if (t == kTierCount - 1) continue;
    const double share = snapshot.params.tier_cuts[static_cast<size_t>(t)];
    auto last = snapshot.tiers.LastValue(static_cast<Tier>(t));
    thresholds[TierKey(t)] = {{"top_share", share},
                              {"min_value", last ? nlohmann::json(*last) : nlohmann::json(nullptr)}};
  }
  return {{"as_of", TimeOrNull(snapshot.as_of_ms)},
          {"basis", snapshot.params.pyramid_by_profit ? "profit" : "revenue"},
          {"window_days", snapshot.params.pyramid_window_days},
          {"customers", snapshot.tiers.population()},
          {"tiers", tiers},
          {"thresholds", thresholds}};
}

nlohmann::json RfmCellsToJson(const ValueSnapshot& snapshot) {
  nlohmann::json cells = nlohmann::json::object();
  for (const auto& [cell, customers] : snapshot.rfm_cells) cells[cell] = customers;
  return {{"as_of", TimeOrNull(snapshot.as_of_ms)},
          {"window_days", snapshot.params.rfm_window_days},
          {"customers", snapshot.recency.population()},
          {"cells", cells},
          {"thresholds",
           {{"r_last_purchase_day", QuintileThresholds(snapshot.recency, Day)},
            {"f", QuintileThresholds(snapshot.frequency, Plain)},
            {"m", QuintileThresholds(snapshot.monetary, Plain)}}}};
}

}  // namespace rapport::projections
