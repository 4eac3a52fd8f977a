#pragma once
// Churn and retention per UTC calendar month and value tier (DOMAIN.md §5): when
// event time passes a month's end, the projection counts the customers current (or
// won back) at the month's start, by their tier then, and those of them who became
// lost during the month. Periods are kept in the index family ("stats/month/<label>").

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/churn/churn_rules.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/purchase_history.h"
#include "projections/domain/tier.h"
#include "projections/domain/value_snapshot.h"

namespace rapport::projections {

struct ChurnCounts {
  int64_t current_at_start = 0;  // customers current (or won back) at the period's start
  int64_t lost = 0;              // of those, lost during the period
  bool operator==(const ChurnCounts&) const = default;
};
struct ChurnPeriod {
  std::string period;  // "2026-03"
  int64_t start_ms = 0;
  int64_t end_ms = 0;                                // exclusive
  std::array<ChurnCounts, kTierCount + 1> counts{};  // A, B, C, D (tier at the start), all
  bool operator==(const ChurnPeriod&) const = default;
};

std::string EncodeChurnPeriod(const ChurnPeriod& period);
Result<ChurnPeriod> DecodeChurnPeriod(std::string_view bytes);

// UTC calendar months: the start of the month containing `at_ms`, and of the next.
int64_t MonthStartMs(int64_t at_ms);
int64_t NextMonthStartMs(int64_t at_ms);

// The purchases made by `as_of_ms`.
PurchaseHistory HistoryUpTo(const PurchaseHistory& history, int64_t as_of_ms);

// Counts one period from every known customer's state, one at a time.
class ChurnPeriodCounter {
 public:
  ChurnPeriodCounter(int64_t start_ms, int64_t end_ms, const DomainSettings& settings);
  void Add(const ChurnState& state);
  // The period, with tiers from a ranking of every customer as of its start.
  ChurnPeriod Finish() const;

 private:
  int64_t start_ms_;
  int64_t end_ms_;
  const DomainSettings& settings_;
  RankingParams params_;
  std::vector<ValueInputs> inputs_;                     // every customer seen by the start
  std::vector<std::pair<ValueInputs, bool>> current_;  // current at the start: lost in the month?
};

}  // namespace rapport::projections
