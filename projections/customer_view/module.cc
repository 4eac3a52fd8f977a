#include "projections/customer_view/module.h"

#include "projections/customer_view/customer_view_projection.h"
#include "projections/customer_view/customer_view_routes.h"

namespace rapport::projections {

// Its settings are the shared domain.lifecycle / state / value sections.
const ProjectionModule kCustomerViewModule{
    .name = CustomerViewProjection::kName,
    .create = CreateProjection<CustomerViewProjection>,
    .customer = CustomerViewOfCustomer,
    .routes = CustomerViewRoutes,
    .routes_queries = true,
};

}  // namespace rapport::projections
