#include "projections/domain/purchase_history.h"

#include <algorithm>

#include "events/time_format.h"
#include "projections/domain/money_sum.h"

namespace rapport::projections {
namespace {

bool EarlierThan(const PurchaseRecord& a, const PurchaseRecord& b) { return a.at_ms < b.at_ms; }

std::vector<double> IntervalsDays(const std::vector<PurchaseRecord>& records) {
  std::vector<double> intervals;
  for (size_t i = 1; i < records.size(); ++i) {
    intervals.push_back(static_cast<double>(records[i].at_ms - records[i - 1].at_ms) /
                        static_cast<double>(events::kMillisPerDay));
  }
  return intervals;
}

}  // namespace

void PurchaseHistory::Add(const PurchaseRecord& record) {
  // Events of one customer almost always arrive in time order: appending is the
  // common case, upper_bound keeps equal timestamps in arrival order.
  if (records_.empty() || records_.back().at_ms <= record.at_ms) {
    records_.push_back(record);
    return;
  }
  records_.insert(std::upper_bound(records_.begin(), records_.end(), record, EarlierThan), record);
}

void PurchaseHistory::Merge(const PurchaseHistory& other) {
  std::vector<PurchaseRecord> merged;
  merged.reserve(records_.size() + other.records_.size());
  std::merge(records_.begin(), records_.end(), other.records_.begin(), other.records_.end(),
             std::back_inserter(merged), EarlierThan);
  records_ = std::move(merged);
}

int64_t PurchaseHistory::first_ms() const { return records_.empty() ? 0 : records_.front().at_ms; }
int64_t PurchaseHistory::last_ms() const { return records_.empty() ? 0 : records_.back().at_ms; }

int64_t PurchaseHistory::CountBetween(int64_t from_ms, int64_t to_ms) const {
  auto first = std::lower_bound(records_.begin(), records_.end(), PurchaseRecord{from_ms}, EarlierThan);
  auto last = std::lower_bound(records_.begin(), records_.end(), PurchaseRecord{to_ms}, EarlierThan);
  return last > first ? last - first : 0;
}

int64_t PurchaseHistory::RevenueBetween(int64_t from_ms, int64_t to_ms) const {
  int64_t total = 0;
  for (const auto& r : records_) {
    if (r.at_ms >= from_ms && r.at_ms < to_ms) total = AddMoney(total, r.amount);  // saturates
  }
  return total;
}

int64_t PurchaseHistory::ProfitBetween(int64_t from_ms, int64_t to_ms) const {
  int64_t total = 0;
  for (const auto& r : records_) {
    if (r.at_ms >= from_ms && r.at_ms < to_ms) total = AddMoney(total, SubtractMoney(r.amount, r.cost));
  }
  return total;
}

std::optional<double> PurchaseHistory::MedianIntervalDays() const {
  std::vector<double> intervals = IntervalsDays(records_);
  if (intervals.empty()) return std::nullopt;
  std::sort(intervals.begin(), intervals.end());
  const size_t mid = intervals.size() / 2;
  return intervals.size() % 2 == 1 ? intervals[mid] : (intervals[mid - 1] + intervals[mid]) / 2.0;
}

std::optional<double> PurchaseHistory::MeanIntervalDays() const {
  if (records_.size() < 2) return std::nullopt;
  return static_cast<double>(records_.back().at_ms - records_.front().at_ms) /
         static_cast<double>(events::kMillisPerDay) / static_cast<double>(records_.size() - 1);
}

void PurchaseHistory::Encode(BinaryWriter& writer) const {
  writer.PutVarint(records_.size());
  int64_t previous = 0;
  for (const auto& r : records_) {
    writer.PutSigned(r.at_ms - previous);  // deltas keep long histories small
    writer.PutSigned(r.amount);
    writer.PutSigned(r.cost);
    previous = r.at_ms;
  }
}

bool PurchaseHistory::Decode(BinaryReader& reader) {
  uint64_t count = 0;
  if (!reader.GetVarint(&count)) return false;
  records_.clear();
  int64_t previous = 0;
  for (uint64_t i = 0; i < count; ++i) {
    PurchaseRecord r;
    int64_t delta = 0;
    if (!reader.GetSigned(&delta) || !reader.GetSigned(&r.amount) || !reader.GetSigned(&r.cost)) return false;
    r.at_ms = previous + delta;
    previous = r.at_ms;
    records_.push_back(r);
  }
  return true;
}

}  // namespace rapport::projections
