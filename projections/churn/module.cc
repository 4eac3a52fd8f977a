#include "projections/churn/module.h"

#include "events/kafka_settings.h"
#include "projections/churn/churn_projection.h"
#include "projections/churn/churn_routes.h"

namespace rapport::projections {
namespace {

// The rules and the alert delivery (projections/domain/churn_settings.h).
void BindSettings(SettingsSection& section, DomainSettings& settings) {
  auto& churn = settings.churn;
  BindTable(section, "domain.churn.", {
                               {"overdue_interval_factor", &churn.overdue_interval_factor},
                               {"overdue_min_purchases", &churn.overdue_min_purchases},
                               {"overdue_p_alive_below", &churn.overdue_p_alive_below},
                               {"p_alive_fit_delay_hours", &churn.p_alive_fit_delay_hours},
                               {"satisfaction_half_life_days", &churn.satisfaction_half_life_days},
                               {"satisfaction_drop_points", &churn.satisfaction_drop_points},
                               {"satisfaction_drop_window_days", &churn.satisfaction_drop_window_days},
                               {"nps_detractor_max", &churn.nps_detractor_max},
                               {"complaint_severity_min", &churn.complaint_severity_min},
                               {"complaint_open_days", &churn.complaint_open_days},
                               {"complaint_count", &churn.complaint_count},
                               {"complaint_window_days", &churn.complaint_window_days},
                               {"wall_tick_seconds", &churn.wall_tick_seconds},
                               {"wall_tick_lag_seconds", &churn.wall_tick_lag_seconds},
                               {"wall_tick_live_within_hours", &churn.wall_tick_live_within_hours},
                               {"partitions", &churn.partitions},
                               {"webhooks.urls", &churn.webhook_urls},
                               {"webhooks.secrets", &churn.webhook_secrets},
                               {"webhooks.allow_hosts", &churn.webhook_allow_hosts},
                               {"webhooks.ca_file", &churn.webhook_ca_file},
                               {"webhooks.timeout_ms", &churn.webhook_timeout_ms},
                               {"webhooks.max_attempts", &churn.webhook_max_attempts},
                               {"webhooks.backoff_ms", &churn.webhook_backoff_ms},
                               {"webhooks.backoff_max_ms", &churn.webhook_backoff_max_ms},
                               {"outbox_batch", &churn.outbox_batch},
                           });
}

Result<std::unique_ptr<Projection>> Create(Store& store, const DomainSettings& settings, const ProjectionDeps& deps) {
  ChurnDeps churn;
  // An explicit domain.churn.partitions wins over the topic's count the caller knows.
  churn.partitions = settings.churn.partitions > 0 ? settings.churn.partitions
                     : deps.partitions > 0         ? deps.partitions
                                                   : events::KafkaSettings{}.partitions;
  churn.wall_clock = deps.live;
  churn.fits = deps.model_fits;
  return AsProjection(ChurnProjection::Create(store, settings, churn));
}

// Alert delivery beside the projector: the outbox to Kafka, and webhooks.
Result<std::vector<std::unique_ptr<SideProcess>>> SideProcesses(Store& store, const DomainSettings& settings,
                                                                SideProcessHost& host) {
  auto delivery = host.StartAlertDelivery(store, settings);
  if (!delivery.ok()) return delivery.status();
  std::vector<std::unique_ptr<SideProcess>> out;
  out.push_back(std::move(delivery).value());
  return out;
}

}  // namespace

const ProjectionModule kChurnModule{
    .name = ChurnProjection::kName,
    .bind_settings = BindSettings,
    .create = Create,
    .customer = ChurnOfCustomer,
    .routes = ChurnRoutes,
    .side_processes = SideProcesses,
    .uses_model_fits = true,
};

}  // namespace rapport::projections
