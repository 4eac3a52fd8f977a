#include "projections/loyalty/module.h"

#include "projections/loyalty/loyalty.h"
#include "projections/loyalty/loyalty_projection.h"
#include "projections/loyalty/loyalty_routes.h"

namespace rapport::projections {
namespace {

void BindSettings(SettingsSection& section, DomainSettings& settings) {
  auto& loyalty = settings.loyalty;
  BindTable(section, "domain.loyalty.", {
                               {"window_days", &loyalty.window_days},
                               {"frequency_target", &loyalty.frequency_target},
                               {"interval_target_days", &loyalty.interval_target_days},
                               {"tenure_target_days", &loyalty.tenure_target_days},
                               {"referrals_target", &loyalty.referrals_target},
                               {"weights.repeat_purchase", &loyalty.weights.repeat_purchase},
                               {"weights.frequency", &loyalty.weights.frequency},
                               {"weights.interval", &loyalty.weights.interval},
                               {"weights.share_of_wallet", &loyalty.weights.share_of_wallet},
                               {"weights.tenure", &loyalty.weights.tenure},
                               {"weights.referrals", &loyalty.weights.referrals},
                               {"weights.resolution_acceptance", &loyalty.weights.resolution_acceptance},
                           });
}

}  // namespace

const ProjectionModule kLoyaltyModule{
    .name = LoyaltyProjection::kName,
    .bind_settings = BindSettings,
    .check_settings = CheckLoyaltySettings,
    .create = CreateProjection<LoyaltyProjection>,
    .customer = LoyaltyOfCustomer,
    .routes = LoyaltyRoutes,
};

}  // namespace rapport::projections
