#pragma once
// The read side: answers the query API from the projections' stores. In `rapport
// up` the stores are the projectors' own instances; in `rapport serve` they are
// secondary instances following the projectors' databases on the same disk.
// Thread-safe (RocksDB reads are).

#include <string_view>

#include "projections/domain/domain_settings.h"
#include "storage/store.h"
#include "services/query/customer_queries.h"
#include "services/http/http_response.h"
#include "services/model/model_parameters_cache.h"

namespace rapport::services {

// The stores this process can read; null where that projection is not available.
struct QueryStores {
  const projections::Store* customer_view = nullptr;
  // The published model parameters (p_alive, predictive value); null without Kafka.
  const ModelParametersCache* model_parameters = nullptr;
  const projections::Store* satisfaction = nullptr;
  const projections::Store* loyalty = nullptr;
};

class QueryService {
 public:
  QueryService(QueryStores stores, projections::DomainSettings settings);

  // GET /v1/customers/{id}
  HttpResponse GetCustomer(std::string_view customer_id) const;
  // GET /v1/customers?tier=&stage=&state=&limit=&cursor= (services/query/customer_queries.h)
  HttpResponse ListCustomers(const QueryParams& params) const;
  // GET /v1/segments/pyramid, GET /v1/segments/rfm
  HttpResponse GetPyramid() const;
  HttpResponse GetRfmSegments() const;
  // GET /v1/customers/{id}/satisfaction, GET /v1/trends/satisfaction?... and
  // GET /v1/customers/{id}/loyalty (services/query/satisfaction_queries.h, loyalty_queries.h)
  HttpResponse GetCustomerSatisfaction(std::string_view customer_id) const;
  HttpResponse GetSatisfactionTrends(const QueryParams& params) const;
  HttpResponse GetCustomerLoyalty(std::string_view customer_id) const;
  // GET /v1/segments/loyalty
  HttpResponse GetLoyaltySegments() const;

 private:
  QueryStores stores_;
  projections::DomainSettings settings_;
};

}  // namespace rapport::services
