#include "projections/loyalty/module.h"

#include "projections/loyalty/loyalty.h"
#include "projections/loyalty/loyalty_projection.h"
#include "projections/loyalty/loyalty_routes.h"

namespace rapport::projections {
namespace {

void BindSettings(SettingsSection& b, DomainSettings& settings) {
  auto& loyalty = settings.loyalty;
  b.Bind("domain.loyalty.window_days", &loyalty.window_days);
  b.Bind("domain.loyalty.frequency_target", &loyalty.frequency_target);
  b.Bind("domain.loyalty.interval_target_days", &loyalty.interval_target_days);
  b.Bind("domain.loyalty.tenure_target_days", &loyalty.tenure_target_days);
  b.Bind("domain.loyalty.referrals_target", &loyalty.referrals_target);
  b.Bind("domain.loyalty.weights.repeat_purchase", &loyalty.weights.repeat_purchase);
  b.Bind("domain.loyalty.weights.frequency", &loyalty.weights.frequency);
  b.Bind("domain.loyalty.weights.interval", &loyalty.weights.interval);
  b.Bind("domain.loyalty.weights.share_of_wallet", &loyalty.weights.share_of_wallet);
  b.Bind("domain.loyalty.weights.tenure", &loyalty.weights.tenure);
  b.Bind("domain.loyalty.weights.referrals", &loyalty.weights.referrals);
  b.Bind("domain.loyalty.weights.resolution_acceptance", &loyalty.weights.resolution_acceptance);
}

Result<std::unique_ptr<Projection>> Create(Store& store, const DomainSettings& settings, const ProjectionDeps&) {
  return AsProjection(LoyaltyProjection::Create(store, settings));
}

}  // namespace

const ProjectionModule kLoyaltyModule{
    .name = LoyaltyProjection::kName,
    .bind_settings = BindSettings,
    .check_settings = CheckLoyaltySettings,
    .create = Create,
    .customer = LoyaltyOfCustomer,
    .routes = LoyaltyRoutes,
};

}  // namespace rapport::projections
