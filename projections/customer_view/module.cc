#include "projections/customer_view/module.h"

#include "projections/customer_view/customer_view_projection.h"
#include "projections/customer_view/customer_view_routes.h"

namespace rapport::projections {
namespace {

Result<std::unique_ptr<Projection>> Create(Store& store, const DomainSettings& settings, const ProjectionDeps&) {
  return AsProjection(CustomerViewProjection::Create(store, settings));
}

}  // namespace

// Its settings are the shared domain.lifecycle / state / value sections.
const ProjectionModule kCustomerViewModule{
    .name = CustomerViewProjection::kName,
    .create = Create,
    .customer = CustomerViewOfCustomer,
    .routes = CustomerViewRoutes,
    .routes_queries = true,
};

}  // namespace rapport::projections
