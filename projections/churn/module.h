#pragma once
// The churn projection as a module (projections/runtime/module.h).

#include "projections/runtime/module.h"

namespace rapport::projections {

extern const ProjectionModule kChurnModule;

// The setting that lists the alert webhooks, for errors about its value.
inline constexpr const char* kChurnWebhookUrlsSetting = "domain.churn.webhooks.urls";
inline constexpr const char* kChurnWebhookSecretsSetting = "domain.churn.webhooks.secrets";
inline constexpr const char* kChurnWebhookAllowHostsSetting = "domain.churn.webhooks.allow_hosts";

}  // namespace rapport::projections
