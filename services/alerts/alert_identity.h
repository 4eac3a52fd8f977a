#pragma once
// What makes an alert on the alert topic the same alert: its id and its kind (a
// raise and the clear of it share the id; an alert is raised once and cleared at
// most once). The outbox (alert_outbox.h) and every rapport reader of the topic
// (`rapport alerts`, alert_follow.h) use it to drop repeats.

#include <string>

#include "projections/churn/churn_alert.h"

namespace rapport::services {

inline std::string AlertIdentity(const projections::AlertEvent& alert) {
  return alert.alert_id + (alert.kind == projections::AlertKind::kRaised ? "/raised" : "/cleared");
}

}  // namespace rapport::services
