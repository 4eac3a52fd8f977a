#include "projections/domain/domain_settings.h"

#include <string>

namespace rapport::projections {
namespace {

Status AtLeast(const char* name, double value, double min) {
  if (value >= min) return Status::Ok();
  return Status::InvalidArgument(name, "must be at least " + std::to_string(min) + ", got " + std::to_string(value));
}

}  // namespace

Status CheckCustomerValueSettings(const DomainSettings& s) {
  const LifecycleSettings& lc = s.lifecycle;
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.lifecycle.formation_min_purchases", lc.formation_min_purchases, 1));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.lifecycle.stability_min_purchases", lc.stability_min_purchases, 1));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.lifecycle.stability_min_tenure_days", lc.stability_min_tenure_days, 0));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.lifecycle.decline_interval_factor", lc.decline_interval_factor, 0));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.lifecycle.decline_window_days", lc.decline_window_days, 1));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.lifecycle.decline_ratio", lc.decline_ratio, 0));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.state.lost_interval_factor", s.state.lost_interval_factor, 0));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.state.lost_min_purchases", s.state.lost_min_purchases, 2));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.state.lost_after_days", s.state.lost_after_days, 1));
  const ValueSettings& v = s.value;
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.value.rfm_window_days", v.rfm_window_days, 1));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.value.pyramid_window_days", v.pyramid_window_days, 1));
  RAPPORT_RETURN_IF_ERROR(AtLeast("domain.value.ranking_refresh_hours", v.ranking_refresh_hours, 1));
  if (v.ranking_time_share < 0 || v.ranking_time_share > 1) {
    return Status::InvalidArgument("domain.value.ranking_time_share", "must be from 0 to 1");
  }
  const char* shares[] = {"domain.value.tier_a_share", "domain.value.tier_ab_share", "domain.value.tier_abc_share"};
  double previous = 0;
  for (size_t i = 0; i < v.tier_cuts.size(); ++i) {
    if (v.tier_cuts[i] < previous || v.tier_cuts[i] > 1) {
      return Status::InvalidArgument(shares[i], "shares must grow from A to ABC, within 0..1, got " +
                                                    std::to_string(v.tier_cuts[i]));
    }
    previous = v.tier_cuts[i];
  }
  return Status::Ok();
}

}  // namespace rapport::projections
