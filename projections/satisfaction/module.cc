#include "projections/satisfaction/module.h"

#include "projections/satisfaction/satisfaction_projection.h"
#include "projections/satisfaction/satisfaction_routes.h"

namespace rapport::projections {
namespace {

void BindSettings(SettingsSection& b, DomainSettings& settings) {
  auto& sat = settings.satisfaction;
  b.Bind("domain.satisfaction.gap_half_life_days", &sat.gap_half_life_days);
  b.Bind("domain.satisfaction.repurchase_window_days", &sat.repurchase_window_days);
  b.Bind("domain.satisfaction.trend_buckets", &sat.trend_buckets);
  b.Bind("domain.satisfaction.trend_threshold.csat", &sat.trend_threshold.csat);
  b.Bind("domain.satisfaction.trend_threshold.nps", &sat.trend_threshold.nps);
  b.Bind("domain.satisfaction.trend_threshold.mean_gap", &sat.trend_threshold.mean_gap);
  b.Bind("domain.satisfaction.trend_threshold.complaint_rate", &sat.trend_threshold.complaint_rate);
  b.Bind("domain.satisfaction.trend_threshold.resolution_acceptance", &sat.trend_threshold.resolution_acceptance);
  b.Bind("domain.satisfaction.trend_threshold.repurchase_rate", &sat.trend_threshold.repurchase_rate);
}

Result<std::unique_ptr<Projection>> Create(Store& store, const DomainSettings& settings, const ProjectionDeps&) {
  return AsProjection(SatisfactionProjection::Create(store, settings));
}

}  // namespace

const ProjectionModule kSatisfactionModule{
    .name = SatisfactionProjection::kName,
    .bind_settings = BindSettings,
    .check_settings = CheckSatisfactionSettings,
    .create = Create,
    .customer = SatisfactionOfCustomer,
    .routes = SatisfactionRoutes,
};

}  // namespace rapport::projections
