#include "projections/churn/module.h"

#include "events/kafka_settings.h"
#include "projections/churn/churn_projection.h"
#include "projections/churn/churn_routes.h"

namespace rapport::projections {
namespace {

// The rules and the alert delivery (projections/domain/churn_settings.h).
void BindSettings(SettingsSection& b, DomainSettings& settings) {
  auto& churn = settings.churn;
  b.Bind("domain.churn.overdue_interval_factor", &churn.overdue_interval_factor);
  b.Bind("domain.churn.overdue_min_purchases", &churn.overdue_min_purchases);
  b.Bind("domain.churn.overdue_p_alive_below", &churn.overdue_p_alive_below);
  b.Bind("domain.churn.p_alive_fit_delay_hours", &churn.p_alive_fit_delay_hours);
  b.Bind("domain.churn.satisfaction_half_life_days", &churn.satisfaction_half_life_days);
  b.Bind("domain.churn.satisfaction_drop_points", &churn.satisfaction_drop_points);
  b.Bind("domain.churn.satisfaction_drop_window_days", &churn.satisfaction_drop_window_days);
  b.Bind("domain.churn.nps_detractor_max", &churn.nps_detractor_max);
  b.Bind("domain.churn.complaint_severity_min", &churn.complaint_severity_min);
  b.Bind("domain.churn.complaint_open_days", &churn.complaint_open_days);
  b.Bind("domain.churn.complaint_count", &churn.complaint_count);
  b.Bind("domain.churn.complaint_window_days", &churn.complaint_window_days);
  b.Bind("domain.churn.wall_tick_seconds", &churn.wall_tick_seconds);
  b.Bind("domain.churn.wall_tick_lag_seconds", &churn.wall_tick_lag_seconds);
  b.Bind("domain.churn.wall_tick_live_within_hours", &churn.wall_tick_live_within_hours);
  b.Bind("domain.churn.partitions", &churn.partitions);
  b.Bind("domain.churn.webhooks.urls", &churn.webhook_urls);
  b.Bind("domain.churn.webhooks.timeout_ms", &churn.webhook_timeout_ms);
  b.Bind("domain.churn.webhooks.max_attempts", &churn.webhook_max_attempts);
  b.Bind("domain.churn.webhooks.backoff_ms", &churn.webhook_backoff_ms);
  b.Bind("domain.churn.webhooks.backoff_max_ms", &churn.webhook_backoff_max_ms);
  b.Bind("domain.churn.outbox_batch", &churn.outbox_batch);
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
