#pragma once
// `rapport diff`: which customers two stores of the same projection disagree on,
// field by field. Each customer is described by the projection module's customer
// answer (projections/runtime/module.h via DescribeCustomer, the query API's JSON),
// evaluated with each side's own settings, so a what-if replay with other
// thresholds shows exactly what those thresholds change. Read-only; stateless.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/status.h"
#include "projections/domain/domain_settings.h"
#include "storage/store.h"

namespace rapport::services {

// One differing leaf: a JSON path ("$.value.tier", "$.purchases_by_channel[2]") and
// the value on each side; null with *_present false where the side has no such field.
struct FieldDifference {
  std::string path;
  nlohmann::json left, right;
  bool left_present = true;
  bool right_present = true;
};

struct CustomerDifference {
  std::string customer_id;
  std::vector<FieldDifference> fields;  // in path order; a customer on one side only: path "$"
};

struct DiffSide {
  const projections::Store* store = nullptr;
  projections::DomainSettings settings;
};

struct DiffCounts {
  int64_t customers = 0;  // on either side
  int64_t differing = 0;
};

// Every leaf where `left` and `right` differ (objects by key, arrays by index).
std::vector<FieldDifference> DiffJson(const nlohmann::json& left, const nlohmann::json& right);

// Walks the customers of both stores in id order; calls `visit` for each that differs.
Result<DiffCounts> DiffStores(std::string_view projection, const DiffSide& left, const DiffSide& right,
                              const std::function<void(const CustomerDifference&)>& visit);

// "  $.value.tier: \"A\" -> \"B\"" lines, for the terminal.
std::string FormatDifference(const FieldDifference& difference);

}  // namespace rapport::services
