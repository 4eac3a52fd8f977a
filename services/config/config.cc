#include "services/config/config.h"

#include <charconv>
#include <functional>

#include <yaml-cpp/yaml.h>

namespace rapport::services {

void BindConfig(SettingsBinder& b, Config& c) {
  b.Bind("brokers", &c.brokers);
  b.Bind("data_dir", &c.data_dir);
  b.Bind("listen", &c.listen);
  b.Bind("log_level", &c.log_level);
  b.Bind("embedded_brokers", &c.embedded_brokers);
  b.Bind("background_nice", &c.background_nice);

  b.Bind("kafka.topics.interactions", &c.kafka.topics.interactions);
  b.Bind("kafka.topics.churn_alerts", &c.kafka.topics.churn_alerts);
  b.Bind("kafka.topics.dead_letter", &c.kafka.topics.dead_letter);
  b.Bind("kafka.topics.model_parameters", &c.kafka.topics.model_parameters);
  b.Bind("kafka.topics.instances", &c.kafka.topics.instances);
  b.Bind("kafka.partitions", &c.kafka.partitions);
  b.Bind("kafka.replication_factor", &c.kafka.replication_factor);
  b.Bind("kafka.session_timeout_ms", &c.kafka.session_timeout_ms);
  b.Bind("kafka.delivery_timeout_ms", &c.kafka.delivery_timeout_ms);
  b.Bind("kafka.consumer_queue_kbytes", &c.kafka.consumer_queue_kbytes);

  b.Bind("gateway.max_body_bytes", &c.gateway.max_body_bytes);
  b.Bind("gateway.max_batch_events", &c.gateway.max_batch_events);
  b.Bind("gateway.threads", &c.gateway.threads);
  b.Bind("gateway.max_pending_connections", &c.gateway.max_pending_connections);
  b.Bind("gateway.outbox.max_events", &c.gateway.outbox.max_events);
  b.Bind("gateway.outbox.publish_timeout_ms", &c.gateway.outbox.publish_timeout_ms);
  b.Bind("gateway.outbox.drain_batch", &c.gateway.outbox.drain_batch);
  b.Bind("gateway.outbox.retry_ms", &c.gateway.outbox.retry_ms);

  b.Bind("model.refresh_seconds", &c.model.refresh_seconds);

  b.Bind("storage.memory_budget_mb", &c.storage.memory_budget_mb);
  b.Bind("storage.write_buffer_share", &c.storage.write_buffer_share);
  b.Bind("storage.state_cache_entries", &c.storage.state_cache_entries);
  b.Bind("storage.replay_state_cache_entries", &c.storage.replay_state_cache_entries);

  b.Bind("malloc.arenas", &c.malloc_tuning.arenas);
  b.Bind("malloc.mmap_threshold_kb", &c.malloc_tuning.mmap_threshold_kb);
  b.Bind("malloc.trim_interval_ms", &c.malloc_tuning.trim_interval_ms);
  b.Bind("malloc.fastbin_max_bytes", &c.malloc_tuning.fastbin_max_bytes);

  b.Bind("cluster.advertise", &c.cluster.advertise);
  b.Bind("cluster.instance_id", &c.cluster.instance_id);
  b.Bind("cluster.forward_patience_ms", &c.cluster.forward_patience_ms);

  auto& lc = c.domain.lifecycle;
  b.Bind("domain.lifecycle.formation_min_purchases", &lc.formation_min_purchases);
  b.Bind("domain.lifecycle.stability_min_purchases", &lc.stability_min_purchases);
  b.Bind("domain.lifecycle.stability_min_tenure_days", &lc.stability_min_tenure_days);
  b.Bind("domain.lifecycle.decline_interval_factor", &lc.decline_interval_factor);
  b.Bind("domain.lifecycle.decline_window_days", &lc.decline_window_days);
  b.Bind("domain.lifecycle.decline_ratio", &lc.decline_ratio);

  auto& state = c.domain.state;
  b.Bind("domain.state.lost_interval_factor", &state.lost_interval_factor);
  b.Bind("domain.state.lost_min_purchases", &state.lost_min_purchases);
  b.Bind("domain.state.lost_after_days", &state.lost_after_days);

  auto& value = c.domain.value;
  b.Bind("domain.value.rfm_window_days", &value.rfm_window_days);
  b.Bind("domain.value.pyramid_window_days", &value.pyramid_window_days);
  b.Bind("domain.value.pyramid_by_profit", &value.pyramid_by_profit);
  b.Bind("domain.value.tier_a_share", &value.tier_cuts[0]);
  b.Bind("domain.value.tier_ab_share", &value.tier_cuts[1]);
  b.Bind("domain.value.tier_abc_share", &value.tier_cuts[2]);
  b.Bind("domain.value.ranking_refresh_hours", &value.ranking_refresh_hours);
  b.Bind("domain.value.ranking_time_share", &value.ranking_time_share);
  b.Bind("domain.value.clv_horizon_months", &value.clv_horizon_months);
  b.Bind("domain.value.clv_monthly_discount", &value.clv_monthly_discount);
  b.Bind("domain.value.high_loyalty_score", &value.high_loyalty_score);
  b.Bind("domain.value.inactive_after_days", &value.inactive_after_days);

  auto& sat = c.domain.satisfaction;
  b.Bind("domain.satisfaction.gap_half_life_days", &sat.gap_half_life_days);
  b.Bind("domain.satisfaction.repurchase_window_days", &sat.repurchase_window_days);
  b.Bind("domain.satisfaction.trend_buckets", &sat.trend_buckets);
  b.Bind("domain.satisfaction.trend_threshold.csat", &sat.trend_threshold.csat);
  b.Bind("domain.satisfaction.trend_threshold.nps", &sat.trend_threshold.nps);
  b.Bind("domain.satisfaction.trend_threshold.mean_gap", &sat.trend_threshold.mean_gap);
  b.Bind("domain.satisfaction.trend_threshold.complaint_rate", &sat.trend_threshold.complaint_rate);
  b.Bind("domain.satisfaction.trend_threshold.resolution_acceptance", &sat.trend_threshold.resolution_acceptance);
  b.Bind("domain.satisfaction.trend_threshold.repurchase_rate", &sat.trend_threshold.repurchase_rate);

  auto& loyalty = c.domain.loyalty;
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
  auto& churn = c.domain.churn;  // projections/domain/churn_settings.h
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

Status LoadConfigFile(const std::filesystem::path& path, Config& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("config", path.string() + ": " + e.what());
  }
  SettingsBinder binder;
  BindConfig(binder, config);

  // Kafka client properties pass through verbatim: kafka.client_properties.<name>.
  std::function<Status(const YAML::Node&, const std::string&)> walk = [&](const YAML::Node& node,
                                                                         const std::string& prefix) -> Status {
    if (node.IsMap()) {
      for (const auto& entry : node) {
        std::string key = entry.first.as<std::string>();
        std::string name = prefix.empty() ? key : prefix + "." + key;
        if (name == "kafka.client_properties") {
          if (!entry.second.IsMap()) return Status::InvalidArgument(name, "must be a map of librdkafka properties");
          for (const auto& property : entry.second) {
            config.kafka.client_properties[property.first.as<std::string>()] = property.second.as<std::string>();
          }
          continue;
        }
        RAPPORT_RETURN_IF_ERROR(walk(entry.second, name));
      }
      return Status::Ok();
    }
    if (node.IsScalar()) return binder.Set(prefix, node.as<std::string>());
    if (node.IsNull()) return Status::Ok();
    return Status::InvalidArgument(prefix, "must be a single value, not a list");
  };
  Status status = walk(root, "");
  return status.ok() ? status : status.WithContext(path.string());
}

Result<HostPort> ParseHostPort(std::string_view text, std::string_view field) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument(std::string(field), "expected host:port, got \"" + std::string(text) + "\"");
  }
  HostPort out;
  out.host = std::string(text.substr(0, colon));
  std::string_view port = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (ec != std::errc() || end != port.data() + port.size() || out.port < 0 || out.port > 65535) {
    return Status::InvalidArgument(std::string(field), "port must be 0..65535, got \"" + std::string(port) + "\"");
  }
  return out;
}

}  // namespace rapport::services
