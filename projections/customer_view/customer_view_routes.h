#pragma once
// The customer-value reads of the query API (issue #3): one customer with its
// derived fields, paged lists filtered by tier / stage / state, and the pyramid and
// RFM segments. Each reads the customer-view store: states, the event-time
// watermark and the ranking snapshot (projections/customer_view/customer_view_projection.h), and
// evaluates customers as of that watermark. Stateless and thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/status.h"
#include "projections/domain/customer_lifecycle.h"
#include "projections/domain/domain_settings.h"
#include "models/model_parameters.h"
#include "storage/store.h"
#include "projections/domain/tier.h"
#include "projections/runtime/http_answer.h"
#include "projections/runtime/module.h"

namespace rapport::projections {

struct CustomerListQuery {
  static constexpr int kDefaultLimit = 100;
  static constexpr int kMaxLimit = 1000;
  std::optional<Tier> tier;
  std::optional<LifecycleStage> stage;
  std::optional<CustomerState> state;
  int limit = kDefaultLimit;
  std::string cursor;  // the last customer id of the previous page; empty: from the start
};

// Errors name the parameter: unknown names, repeats and bad values are rejected.
Result<CustomerListQuery> ParseCustomerListQuery(const QueryParams& params);

// GET /v1/customers/{id}: the view and its value; a merged duplicate answers with a
// pointer to its survivor (the end of the merge chain).
// With `model` (the published parameters, projections/customer_view/model_prediction_json.h) it
// adds p_alive, expected_purchases_12m and predictive_value; null without.
HttpResponse GetCustomerWithValue(const Store& store, std::string_view customer_id,
                                  const DomainSettings& settings,
                                  const ModelParameters* model = nullptr);

// GET /v1/customers?tier=&stage=&state=&limit=&cursor=: customers in id order whose
// value matches; `next_cursor` is set when the page is full (a following page may
// be empty). Merge pointers are not listed.
HttpResponse ListCustomers(const Store& store, const CustomerListQuery& query,
                           const DomainSettings& settings);

// GET /v1/segments/pyramid and GET /v1/segments/rfm, from the ranking snapshot.
HttpResponse GetPyramid(const Store& store);
HttpResponse GetRfmSegments(const Store& store);

// GET /v1/customers/{id} with the process's latest model parameters; 503 without a store.
HttpResponse CustomerViewOfCustomer(const ServeContext& context, std::string_view customer_id);

// GET /v1/customers/{id}, GET /v1/customers?..., GET /v1/segments/pyramid and /rfm.
std::vector<Route> CustomerViewRoutes(const ServeContext& context);

}  // namespace rapport::projections
