#include "projections/churn/churn_periods.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "events/time_format.h"
#include "projections/domain/customer_lifecycle.h"
#include "storage/binary_codec.h"

namespace rapport::projections {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string MonthLabel(int64_t start_ms) { return events::FormatRfc3339(start_ms).substr(0, 7); }

// Whether the customer became lost (DOMAIN.md §2 `lost`) at some instant in
// [from_ms, to_ms): after some purchase the lapse threshold passed inside the
// period with no purchase before it.
bool LapsedWithin(const PurchaseHistory& history, int64_t from_ms, int64_t to_ms,
                  const CustomerStateSettings& settings) {
  const auto& records = history.records();
  std::vector<double> intervals;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) {
      const double gap = static_cast<double>(records[i].at_ms - records[i - 1].at_ms) / events::kMillisPerDay;
      intervals.insert(std::upper_bound(intervals.begin(), intervals.end(), gap), gap);
    }
    std::optional<double> median;
    if (!intervals.empty()) {
      const size_t mid = intervals.size() / 2;
      median = intervals.size() % 2 ? intervals[mid] : (intervals[mid - 1] + intervals[mid]) / 2.0;
    }
    // The lapse instant: the first ms at which IsLapsed holds after this purchase.
    double threshold_days = settings.lost_after_days;
    if (i + 1 >= static_cast<size_t>(std::max(2, settings.lost_min_purchases)) && median) {
      threshold_days = std::min(threshold_days, settings.lost_interval_factor * *median);
    }
    int64_t lapse = records[i].at_ms + static_cast<int64_t>(threshold_days * events::kMillisPerDay) + 1;
    while (lapse > records[i].at_ms &&
           IsLapsed(static_cast<double>(lapse - 1 - records[i].at_ms) / events::kMillisPerDay, i + 1, median,
                    settings)) {
      --lapse;  // rounding: step back to the first instant that counts
    }
    const int64_t next = i + 1 < records.size() ? records[i + 1].at_ms : INT64_MAX;
    if (next <= lapse) continue;  // bought again in time
    if (lapse >= from_ms && lapse < to_ms) return true;
  }
  return false;
}

}  // namespace

int64_t MonthStartMs(int64_t at_ms) {
  const events::CivilDate date = events::CivilFromDays(FloorDiv(at_ms, events::kMillisPerDay));
  return events::DaysFromCivil(date.year, date.month, 1) * events::kMillisPerDay;
}

int64_t NextMonthStartMs(int64_t at_ms) {
  const events::CivilDate date = events::CivilFromDays(FloorDiv(at_ms, events::kMillisPerDay));
  if (date.month == 12) return events::DaysFromCivil(date.year + 1, 1, 1) * events::kMillisPerDay;
  return events::DaysFromCivil(date.year, date.month + 1, 1) * events::kMillisPerDay;
}

PurchaseHistory HistoryUpTo(const PurchaseHistory& history, int64_t as_of_ms) {
  if (history.empty() || history.last_ms() <= as_of_ms) return history;
  PurchaseHistory out;
  for (const PurchaseRecord& record : history.records()) {
    if (record.at_ms <= as_of_ms) out.Add(record);
  }
  return out;
}

std::string EncodeChurnPeriod(const ChurnPeriod& period) {
  BinaryWriter w;
  w.PutU8(1);
  w.PutString(period.period);
  w.PutSigned(period.start_ms);
  w.PutSigned(period.end_ms);
  for (const ChurnCounts& c : period.counts) {
    w.PutSigned(c.current_at_start);
    w.PutSigned(c.lost);
  }
  return w.Release();
}

Result<ChurnPeriod> DecodeChurnPeriod(std::string_view bytes) {
  BinaryReader r(bytes);
  ChurnPeriod p;
  uint8_t version = 0;
  r.GetU8(&version);
  r.GetString(&p.period);
  r.GetSigned(&p.start_ms);
  r.GetSigned(&p.end_ms);
  for (ChurnCounts& c : p.counts) {
    r.GetSigned(&c.current_at_start);
    r.GetSigned(&c.lost);
  }
  if (version != 1 || !r.ok() || !r.at_end()) return Status::Corruption("churn period: malformed");
  return p;
}

ChurnPeriodCounter::ChurnPeriodCounter(int64_t start_ms, int64_t end_ms, const DomainSettings& settings)
    : start_ms_(start_ms), end_ms_(end_ms), settings_(settings), params_(RankingParams::From(settings.value)) {}

void ChurnPeriodCounter::Add(const ChurnState& state) {
  if (state.customer_id.empty() || state.is_pointer() || state.first_seen_ms > start_ms_) return;
  const PurchaseHistory before = HistoryUpTo(state.purchases, start_ms_);
  ValueInputs in = InputsOf(state.customer_id, before, start_ms_, params_);
  inputs_.push_back(in);
  const CustomerState at_start = StateAsOf(before, start_ms_, settings_.state);
  if (at_start != CustomerState::kCurrent && at_start != CustomerState::kWonBack) return;
  const bool lost = LapsedWithin(HistoryUpTo(state.purchases, end_ms_ - 1), start_ms_, end_ms_, settings_.state);
  current_.emplace_back(std::move(in), lost);
}

ChurnPeriod ChurnPeriodCounter::Finish() const {
  const ValueSnapshot snapshot = BuildValueSnapshot(inputs_, start_ms_, params_);
  ChurnPeriod period;
  period.period = MonthLabel(start_ms_);
  period.start_ms = start_ms_;
  period.end_ms = end_ms_;
  for (const auto& [in, lost] : current_) {
    for (size_t group : {static_cast<size_t>(TierOf(in, snapshot)), static_cast<size_t>(kTierCount)}) {
      period.counts[group].current_at_start += 1;
      period.counts[group].lost += lost ? 1 : 0;
    }
  }
  return period;
}

}  // namespace rapport::projections
