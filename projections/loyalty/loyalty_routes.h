#pragma once
// The loyalty reads of the query API (issue #3), from the loyalty store
// (projections/loyalty/loyalty_projection.h): one customer's loyalty indicators, score,
// value x loyalty quadrant and `inactive` mark, evaluated as of the store's
// watermark against its ranking. Stateless and thread-safe.

#include <string_view>

#include "projections/domain/domain_settings.h"
#include "storage/store.h"
#include "projections/runtime/http_answer.h"
#include "projections/runtime/module.h"

namespace rapport::projections {

// GET /v1/customers/{id}/loyalty; a merged duplicate answers a pointer to its
// survivor; 404 for an unknown id.
HttpResponse GetCustomerLoyalty(const Store& store, std::string_view customer_id,
                                const DomainSettings& settings);

// GET /v1/segments/loyalty: customers per value x loyalty quadrant, per tier and
// quadrant, and inactive, each evaluated as of the watermark. Reads every customer
// of the store (an analyst's query, not a call-centre one).
HttpResponse GetLoyaltySegments(const Store& store, const DomainSettings& settings);

// The module's answers over its ServeContext: 503 without a store.
HttpResponse LoyaltyOfCustomer(const ServeContext& context, std::string_view customer_id);
// GET /v1/customers/{id}/loyalty and GET /v1/segments/loyalty.
std::vector<Route> LoyaltyRoutes(const ServeContext& context);

}  // namespace rapport::projections
