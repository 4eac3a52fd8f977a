#include "services/platform/projection_registry.h"

#include "events/kafka_settings.h"

#include "projections/churn/churn_projection.h"
#include "projections/customer_view/customer_view_projection.h"
#include "projections/loyalty/loyalty_projection.h"
#include "projections/satisfaction/satisfaction_projection.h"
#include "services/alerts/alert_routes.h"
#include "services/query/customer_queries.h"
#include "services/query/loyalty_queries.h"
#include "services/query/satisfaction_queries.h"

namespace rapport::services {

const std::vector<std::string>& ProjectionNames() {
  static const std::vector<std::string> kNames = {std::string(projections::CustomerViewProjection::kName),
                                                  std::string(projections::SatisfactionProjection::kName),
                                                  std::string(projections::LoyaltyProjection::kName),
                                                  std::string(projections::ChurnProjection::kName)};
  return kNames;
}

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings) {
  return MakeProjection(name, store, settings, ProjectionDeps{});
}

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings,
                                                                const ProjectionDeps& deps) {
  if (name == projections::ChurnProjection::kName) {
    projections::ChurnDeps churn;
    // An explicit domain.churn.partitions wins over the topic's count the caller knows.
    churn.partitions = settings.churn.partitions > 0 ? settings.churn.partitions
                       : deps.partitions > 0         ? deps.partitions
                                                     : events::KafkaSettings{}.partitions;
    churn.wall_clock = deps.live;
    churn.fits = deps.model_fits;
    auto projection = projections::ChurnProjection::Create(store, settings, churn);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  if (name == projections::CustomerViewProjection::kName) {
    auto projection = projections::CustomerViewProjection::Create(store, settings);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  if (name == projections::SatisfactionProjection::kName) {
    auto projection = projections::SatisfactionProjection::Create(store, settings);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  if (name == projections::LoyaltyProjection::kName) {
    auto projection = projections::LoyaltyProjection::Create(store, settings);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  return Status::InvalidArgument("projection", "unknown projection \"" + std::string(name) + "\"");
}

Result<std::optional<nlohmann::json>> DescribeCustomer(std::string_view name, const projections::Store& store,
                                                       std::string_view customer_id,
                                                       const projections::DomainSettings& settings) {
  // Exactly the body of the projection's GET /v1/customers/{id}[/...] answer.
  using Answer = HttpResponse (*)(const projections::Store&, std::string_view, const projections::DomainSettings&);
  Answer answer = nullptr;
  if (name == projections::CustomerViewProjection::kName) {
    answer = [](const projections::Store& s, std::string_view id, const projections::DomainSettings& d) {
      return GetCustomerWithValue(s, id, d);
    };
  }
  if (name == projections::SatisfactionProjection::kName) answer = GetCustomerSatisfaction;
  if (name == projections::LoyaltyProjection::kName) answer = GetCustomerLoyalty;
  if (name == projections::ChurnProjection::kName) {
    answer = [](const projections::Store& s, std::string_view id, const projections::DomainSettings&) {
      return CustomerAlertsResponse(&s, id);  // the customer's alerts: what a what-if changes
    };
  }
  if (!answer) {
    return Status::InvalidArgument("projection", "projection \"" + std::string(name) +
                                                     "\" cannot describe a customer yet (services/platform/projection_registry.cc)");
  }
  HttpResponse response = answer(store, customer_id, settings);
  if (response.status == 404) return std::optional<nlohmann::json>();
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200 || body.is_discarded()) {
    return Status::Internal("describe " + std::string(customer_id) + ": " + response.body);
  }
  return std::optional<nlohmann::json>(std::move(body));
}

}  // namespace rapport::services
