#pragma once
// The satisfaction reads of the query API (issue #3), from the satisfaction store
// (projections/satisfaction/satisfaction_projection.h): one customer's satisfaction, and the
// per-day cells summed into day or week buckets with their trends. Stateless and
// thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"
#include "projections/domain/domain_settings.h"
#include "storage/store.h"
#include "projections/domain/tier.h"
#include "projections/runtime/http_answer.h"
#include "projections/runtime/module.h"

namespace rapport::projections {

struct SatisfactionTrendQuery {
  static constexpr int kMaxBuckets = 1000;
  bool weeks = false;  // bucket=week: ISO weeks, Monday 00:00 UTC
  std::optional<events::Channel> channel;
  std::optional<Tier> tier;
  std::optional<int64_t> from_day;  // UTC day numbers, inclusive; defaults from the watermark
  std::optional<int64_t> to_day;
};

// Errors name the parameter: unknown names, repeats and bad values are rejected.
// `from` and `to` are dates (2025-03-01) or RFC 3339 times (their UTC day counts).
Result<SatisfactionTrendQuery> ParseSatisfactionTrendQuery(const QueryParams& params);

// GET /v1/customers/{id}/satisfaction; a merged duplicate answers a pointer to its
// survivor; 404 for an unknown id.
HttpResponse GetCustomerSatisfaction(const Store& store, std::string_view customer_id,
                                     const DomainSettings& settings);

// GET /v1/trends/satisfaction?bucket=day|week&channel=&tier=&from=&to=
HttpResponse GetSatisfactionTrends(const Store& store, const SatisfactionTrendQuery& query,
                                   const DomainSettings& settings);

// The module's answers over its ServeContext: 503 without a store.
HttpResponse SatisfactionOfCustomer(const ServeContext& context, std::string_view customer_id);
// GET /v1/customers/{id}/satisfaction and GET /v1/trends/satisfaction.
std::vector<Route> SatisfactionRoutes(const ServeContext& context);

}  // namespace rapport::projections
