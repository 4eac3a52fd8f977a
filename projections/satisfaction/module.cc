#include "projections/satisfaction/module.h"

#include "projections/satisfaction/satisfaction_projection.h"
#include "projections/satisfaction/satisfaction_routes.h"

namespace rapport::projections {
namespace {

void BindSettings(SettingsSection& section, DomainSettings& settings) {
  auto& sat = settings.satisfaction;
  BindTable(section, "domain.satisfaction.", {
                               {"gap_half_life_days", &sat.gap_half_life_days},
                               {"repurchase_window_days", &sat.repurchase_window_days},
                               {"trend_buckets", &sat.trend_buckets},
                               {"trend_threshold.csat", &sat.trend_threshold.csat},
                               {"trend_threshold.nps", &sat.trend_threshold.nps},
                               {"trend_threshold.mean_gap", &sat.trend_threshold.mean_gap},
                               {"trend_threshold.complaint_rate", &sat.trend_threshold.complaint_rate},
                               {"trend_threshold.resolution_acceptance", &sat.trend_threshold.resolution_acceptance},
                               {"trend_threshold.repurchase_rate", &sat.trend_threshold.repurchase_rate},
                           });
}

}  // namespace

const ProjectionModule kSatisfactionModule{
    .name = SatisfactionProjection::kName,
    .bind_settings = BindSettings,
    .check_settings = CheckSatisfactionSettings,
    .create = CreateProjection<SatisfactionProjection>,
    .customer = SatisfactionOfCustomer,
    .routes = SatisfactionRoutes,
};

}  // namespace rapport::projections
