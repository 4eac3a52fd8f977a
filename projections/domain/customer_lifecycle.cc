#include "projections/domain/customer_lifecycle.h"

#include <algorithm>
#include <array>
#include <vector>

#include "events/time_format.h"

namespace rapport::projections {
namespace {

constexpr std::array<std::string_view, kCustomerStateCount> kStateNames = {"potential", "current", "lost",
                                                                           "won_back"};
constexpr std::array<std::string_view, kLifecycleStageCount> kStageNames = {"exploration", "formation",
                                                                            "stability", "decline"};

double DaysBetween(int64_t from_ms, int64_t to_ms) {
  return static_cast<double>(to_ms - from_ms) / static_cast<double>(events::kMillisPerDay);
}

double Median(const std::vector<double>& sorted) {
  const size_t mid = sorted.size() / 2;
  return sorted.size() % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
}

// Purchases with at_ms in (end - days, end]: windows end at the evaluation time,
// inclusive, so a purchase at exactly as_of counts as "in the last N days".
int64_t CountInWindowEndingAt(const PurchaseHistory& purchases, int64_t end_ms, int days) {
  const int64_t span = static_cast<int64_t>(days) * events::kMillisPerDay;
  return purchases.CountBetween(end_ms - span + 1, end_ms + 1);
}

}  // namespace

std::string_view Name(CustomerState state) { return kStateNames[static_cast<size_t>(state)]; }
std::string_view Name(LifecycleStage stage) { return kStageNames[static_cast<size_t>(stage)]; }

std::optional<CustomerState> ParseCustomerState(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<CustomerState>(i);
  }
  return std::nullopt;
}

std::optional<LifecycleStage> ParseLifecycleStage(std::string_view name) {
  for (size_t i = 0; i < kStageNames.size(); ++i) {
    if (kStageNames[i] == name) return static_cast<LifecycleStage>(i);
  }
  return std::nullopt;
}

int64_t WholeDaysBetween(int64_t from_ms, int64_t to_ms) {
  return to_ms <= from_ms ? 0 : (to_ms - from_ms) / events::kMillisPerDay;
}

bool IsLapsed(double days_since_last, size_t purchases, std::optional<double> median_days,
              const CustomerStateSettings& settings) {
  if (purchases == 0) return false;
  if (days_since_last > static_cast<double>(settings.lost_after_days)) return true;
  return purchases >= static_cast<size_t>(std::max(2, settings.lost_min_purchases)) && median_days &&
         days_since_last > settings.lost_interval_factor * *median_days;
}

CustomerState StateAsOf(const PurchaseHistory& purchases, int64_t as_of_ms, const CustomerStateSettings& settings) {
  const auto& records = purchases.records();
  if (records.empty()) return CustomerState::kPotential;
  // Walk the purchases in time order, asking before each one whether the customer
  // was lost just before it; the intervals seen so far stay sorted for the median.
  bool won_back = false;
  std::vector<double> intervals;
  intervals.reserve(records.size());
  for (size_t i = 1; i < records.size(); ++i) {
    const double gap = DaysBetween(records[i - 1].at_ms, records[i].at_ms);
    const std::optional<double> median = intervals.empty() ? std::nullopt : std::optional<double>(Median(intervals));
    if (IsLapsed(gap, i, median, settings)) won_back = true;
    intervals.insert(std::upper_bound(intervals.begin(), intervals.end(), gap), gap);
  }
  const std::optional<double> median = intervals.empty() ? std::nullopt : std::optional<double>(Median(intervals));
  if (IsLapsed(DaysBetween(records.back().at_ms, as_of_ms), records.size(), median, settings)) {
    return CustomerState::kLost;
  }
  return won_back ? CustomerState::kWonBack : CustomerState::kCurrent;
}

LifecycleStage StageAsOf(const PurchaseHistory& purchases, int64_t as_of_ms, const LifecycleSettings& settings) {
  const auto count = static_cast<int64_t>(purchases.count());
  if (count < settings.formation_min_purchases || count == 0) return LifecycleStage::kExploration;

  const std::optional<double> median = purchases.MedianIntervalDays();
  const double since_last = DaysBetween(purchases.last_ms(), as_of_ms);
  const bool overdue = median && since_last > settings.decline_interval_factor * *median;
  const int64_t window_ms = static_cast<int64_t>(settings.decline_window_days) * events::kMillisPerDay;
  const int64_t last_window = CountInWindowEndingAt(purchases, as_of_ms, settings.decline_window_days);
  const int64_t previous_window =
      CountInWindowEndingAt(purchases, as_of_ms - window_ms, settings.decline_window_days);
  const bool slowing = static_cast<double>(last_window) < settings.decline_ratio * static_cast<double>(previous_window);
  if (overdue || slowing) return LifecycleStage::kDecline;

  const double tenure = DaysBetween(purchases.first_ms(), as_of_ms);
  if (count >= settings.stability_min_purchases && tenure >= static_cast<double>(settings.stability_min_tenure_days)) {
    return LifecycleStage::kStability;
  }
  return LifecycleStage::kFormation;
}

}  // namespace rapport::projections
