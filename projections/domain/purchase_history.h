#pragma once
// One customer's purchases, kept for the windowed measures of DOMAIN.md §2–§5
// (lifecycle decline, RFM, pyramid value, inter-purchase intervals, churn).
// Pure value type; sorted by event time whatever the arrival order.

#include <cstdint>
#include <optional>
#include <vector>

#include "storage/binary_codec.h"

namespace rapport::projections {

struct PurchaseRecord {
  int64_t at_ms = 0;
  int64_t amount = 0;  // minor units
  int64_t cost = 0;
  bool operator==(const PurchaseRecord&) const = default;
};

class PurchaseHistory {
 public:
  void Add(const PurchaseRecord& record);        // keeps time order
  void Merge(const PurchaseHistory& other);      // customers_merged

  size_t count() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  int64_t first_ms() const;  // 0 when empty
  int64_t last_ms() const;   // 0 when empty
  const std::vector<PurchaseRecord>& records() const { return records_; }

  // Purchases with from_ms <= at_ms < to_ms.
  int64_t CountBetween(int64_t from_ms, int64_t to_ms) const;
  int64_t RevenueBetween(int64_t from_ms, int64_t to_ms) const;
  int64_t ProfitBetween(int64_t from_ms, int64_t to_ms) const;

  // Intervals between consecutive purchases, in days; nullopt with fewer than 2.
  std::optional<double> MedianIntervalDays() const;
  std::optional<double> MeanIntervalDays() const;

  void Encode(BinaryWriter& writer) const;
  bool Decode(BinaryReader& reader);

  bool operator==(const PurchaseHistory&) const = default;

 private:
  std::vector<PurchaseRecord> records_;
};

}  // namespace rapport::projections
