#include "projections/domain/value_snapshot.h"

#include "events/time_format.h"
#include "storage/binary_codec.h"
#include "projections/domain/customer_lifecycle.h"
#include "projections/domain/money_sum.h"

namespace rapport::projections {
namespace {

constexpr uint8_t kFormatVersion = 1;

int64_t WindowStart(int64_t as_of_ms, int days) {
  return as_of_ms - static_cast<int64_t>(days) * events::kMillisPerDay + 1;
}

int Quintile(const RankCutoffs& cutoffs, int64_t score, std::string_view id) {
  return 5 - cutoffs.BucketOf(score, id);
}

RankCutoffs QuintilesOf(std::vector<RankEntry>& entries) { return RankCutoffs::FromEntries(entries, kQuintileCuts); }

}  // namespace

RankingParams RankingParams::From(const ValueSettings& settings) {
  return RankingParams{settings.pyramid_by_profit, settings.pyramid_window_days, settings.rfm_window_days,
                       settings.tier_cuts};
}

std::string RfmScores::Code() const { return std::to_string(r) + std::to_string(f) + std::to_string(m); }

ValueInputs InputsOf(std::string_view customer_id, const PurchaseHistory& history, int64_t as_of_ms,
                     const RankingParams& params) {
  ValueInputs in;
  in.customer_id = std::string(customer_id);
  in.has_purchases = !history.empty();
  const int64_t pyramid_from = WindowStart(as_of_ms, params.pyramid_window_days);
  in.window_revenue = history.RevenueBetween(pyramid_from, as_of_ms + 1);
  in.window_profit = history.ProfitBetween(pyramid_from, as_of_ms + 1);
  in.pyramid_value = params.pyramid_by_profit ? in.window_profit : in.window_revenue;
  if (in.has_purchases) {
    in.recency_day = history.last_ms() / events::kMillisPerDay;
    in.recency_days = WholeDaysBetween(history.last_ms(), as_of_ms);
  }
  const int64_t rfm_from = WindowStart(as_of_ms, params.rfm_window_days);
  in.frequency = history.CountBetween(rfm_from, as_of_ms + 1);
  in.monetary = history.RevenueBetween(rfm_from, as_of_ms + 1);
  return in;
}

Tier TierOf(const ValueInputs& inputs, const ValueSnapshot& snapshot) {
  return snapshot.tiers.TierOf(inputs.pyramid_value, inputs.customer_id);
}

std::optional<RfmScores> ScoreRfm(const ValueInputs& inputs, const ValueSnapshot& snapshot) {
  if (!inputs.has_purchases || snapshot.recency.population() == 0) return std::nullopt;
  return RfmScores{Quintile(snapshot.recency, inputs.recency_day, inputs.customer_id),
                   Quintile(snapshot.frequency, inputs.frequency, inputs.customer_id),
                   Quintile(snapshot.monetary, inputs.monetary, inputs.customer_id)};
}

ValueSnapshot BuildValueSnapshot(const std::vector<ValueInputs>& inputs, int64_t as_of_ms,
                                 const RankingParams& params) {
  ValueSnapshot snapshot;
  snapshot.as_of_ms = as_of_ms;
  snapshot.params = params;

  std::vector<RankEntry> value, recency, frequency, monetary;
  value.reserve(inputs.size());
  for (const ValueInputs& in : inputs) {
    value.emplace_back(in.pyramid_value, in.customer_id);
    if (!in.has_purchases) continue;
    recency.emplace_back(in.recency_day, in.customer_id);
    frequency.emplace_back(in.frequency, in.customer_id);
    monetary.emplace_back(in.monetary, in.customer_id);
  }
  snapshot.tiers = TierCutoffs::FromEntries(value, params.tier_cuts);
  snapshot.recency = QuintilesOf(recency);
  snapshot.frequency = QuintilesOf(frequency);
  snapshot.monetary = QuintilesOf(monetary);

  for (const ValueInputs& in : inputs) {
    TierTotals& totals = snapshot.pyramid[static_cast<size_t>(TierOf(in, snapshot))];
    ++totals.customers;
    totals.revenue = AddMoney(totals.revenue, in.window_revenue);  // saturates (money_sum.h)
    totals.profit = AddMoney(totals.profit, in.window_profit);
    if (auto rfm = ScoreRfm(in, snapshot)) ++snapshot.rfm_cells[rfm->Code()];
  }
  return snapshot;
}

std::string EncodeValueSnapshot(const ValueSnapshot& s) {
  BinaryWriter w;
  w.PutU8(kFormatVersion);
  w.PutSigned(s.as_of_ms);
  w.PutBool(s.params.pyramid_by_profit);
  w.PutSigned(s.params.pyramid_window_days);
  w.PutSigned(s.params.rfm_window_days);
  for (double cut : s.params.tier_cuts) w.PutDouble(cut);
  s.tiers.Encode(w);
  s.recency.Encode(w);
  s.frequency.Encode(w);
  s.monetary.Encode(w);
  for (const TierTotals& t : s.pyramid) {
    w.PutSigned(t.customers);
    w.PutSigned(t.revenue);
    w.PutSigned(t.profit);
  }
  w.PutVarint(s.rfm_cells.size());
  for (const auto& [cell, customers] : s.rfm_cells) {
    w.PutString(cell);
    w.PutSigned(customers);
  }
  return w.Release();
}

Result<ValueSnapshot> DecodeValueSnapshot(std::string_view bytes) {
  BinaryReader r(bytes);
  ValueSnapshot s;
  uint8_t version = 0;
  if (!r.GetU8(&version) || version != kFormatVersion) {
    return Status::Corruption("value snapshot: unknown format version " + std::to_string(version));
  }
  int64_t pyramid_days = 0, rfm_days = 0;
  bool ok = r.GetSigned(&s.as_of_ms) && r.GetBool(&s.params.pyramid_by_profit) && r.GetSigned(&pyramid_days) &&
            r.GetSigned(&rfm_days);
  for (double& cut : s.params.tier_cuts) ok = ok && r.GetDouble(&cut);
  s.params.pyramid_window_days = static_cast<int>(pyramid_days);
  s.params.rfm_window_days = static_cast<int>(rfm_days);
  ok = ok && s.tiers.Decode(r) && s.recency.Decode(r) && s.frequency.Decode(r) && s.monetary.Decode(r);
  for (TierTotals& t : s.pyramid) ok = ok && r.GetSigned(&t.customers) && r.GetSigned(&t.revenue) && r.GetSigned(&t.profit);
  uint64_t cells = 0;
  ok = ok && r.GetVarint(&cells) && cells <= 125;
  for (uint64_t i = 0; ok && i < cells; ++i) {
    std::string cell;
    int64_t customers = 0;
    ok = r.GetString(&cell) && r.GetSigned(&customers);
    s.rfm_cells[cell] = customers;
  }
  // Bucket indexes become tiers and scores: their counts must be the expected ones.
  const bool shaped = s.recency.cut_count() == 4 && s.frequency.cut_count() == 4 && s.monetary.cut_count() == 4;
  if (!ok || !r.at_end() || !shaped) return Status::Corruption("value snapshot: truncated or malformed");
  return s;
}

}  // namespace rapport::projections
