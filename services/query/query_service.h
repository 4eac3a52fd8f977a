#pragma once
// The read side: the query API of every registered projection module, over the
// stores this process can read. In `rapport up` the stores are the projectors' own
// instances; in `rapport serve` they are secondary instances following the
// projectors' databases on the same disk. A module whose store is absent still has
// its routes; they answer 503. Thread-safe (RocksDB reads are).

#include <atomic>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "projections/domain/domain_settings.h"
#include "projections/runtime/module.h"
#include "services/http/http_response.h"
#include "services/model/model_parameters_cache.h"
#include "storage/store.h"

namespace rapport::services {

// One module and the store this process reads it from (null: not available here).
struct ServedProjection {
  const projections::ProjectionModule* module = nullptr;
  const projections::Store* store = nullptr;
};

class QueryService {
 public:
  // `model_parameters`: the published parameters (p_alive, predictive value); null
  // without Kafka. `stopping` ends long answers (event streams) at shutdown.
  QueryService(std::vector<ServedProjection> served, projections::DomainSettings settings,
               const ModelParametersCache* model_parameters, const std::atomic<bool>& stopping);

  // Every route of every module, in registration order.
  const std::vector<projections::Route>& routes() const { return routes_; }

  // GET /v1/customers/{id} of the module whose partitions route queries (the one a
  // scaled-out instance forwards, services/cluster/customer_router.h).
  HttpResponse GetCustomer(std::string_view customer_id) const;

 private:
  std::vector<projections::Route> routes_;
  std::function<HttpResponse(std::string_view)> routed_customer_;
};

}  // namespace rapport::services
