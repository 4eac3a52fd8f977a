#pragma once
// The loyalty reads of the query API (issue #3), from the loyalty store
// (projections/loyalty/loyalty_projection.h): one customer's loyalty indicators, score,
// value x loyalty quadrant and `inactive` mark, evaluated as of the store's
// watermark against its ranking. Stateless and thread-safe.

#include <string_view>

#include "projections/domain/domain_settings.h"
#include "storage/store.h"
#include "services/http/http_response.h"

namespace rapport::services {

// GET /v1/customers/{id}/loyalty; a merged duplicate answers a pointer to its
// survivor; 404 for an unknown id.
HttpResponse GetCustomerLoyalty(const projections::Store& store, std::string_view customer_id,
                                const projections::DomainSettings& settings);

// GET /v1/segments/loyalty: customers per value x loyalty quadrant, per tier and
// quadrant, and inactive, each evaluated as of the watermark. Reads every customer
// of the store (an analyst's query, not a call-centre one).
HttpResponse GetLoyaltySegments(const projections::Store& store, const projections::DomainSettings& settings);

}  // namespace rapport::services
