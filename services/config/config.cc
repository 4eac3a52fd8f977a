#include "services/config/config.h"

#include <charconv>
#include <functional>
#include <initializer_list>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "projections/registry/registered_projections.h"

namespace rapport::services {

namespace {

// One table of settings under a dotted prefix (projections/runtime/settings_section.h).
void BindSection(SettingsBinder& binder, std::string_view prefix,
                 std::initializer_list<std::pair<const char*, projections::SettingField>> fields) {
  projections::BindTable(binder, prefix, fields);
}

void BindProcess(SettingsBinder& b, Config& c) {
  BindSection(b, "", {
                         {"brokers", &c.brokers},
                         {"data_dir", &c.data_dir},
                         {"listen", &c.listen},
                         {"log_level", &c.log_level},
                         {"embedded_brokers", &c.embedded_brokers},
                         {"background_nice", &c.background_nice},
                     });
  BindSection(b, "model.", {{"refresh_seconds", &c.model.refresh_seconds}});
  BindSection(b, "storage.", {
                                 {"memory_budget_mb", &c.storage.memory_budget_mb},
                                 {"write_buffer_share", &c.storage.write_buffer_share},
                                 {"state_cache_entries", &c.storage.state_cache_entries},
                                 {"replay_state_cache_entries", &c.storage.replay_state_cache_entries},
                             });
  BindSection(b, "malloc.", {
                                {"arenas", &c.malloc_tuning.arenas},
                                {"mmap_threshold_kb", &c.malloc_tuning.mmap_threshold_kb},
                                {"trim_interval_ms", &c.malloc_tuning.trim_interval_ms},
                                {"fastbin_max_bytes", &c.malloc_tuning.fastbin_max_bytes},
                            });
  BindSection(b, "access.", {{"cluster_secret_file", &c.access.cluster_secret_file}});
  for (auto [role, limit] : {std::pair{"publish", &c.access.rate_limits.publish},
                             std::pair{"read", &c.access.rate_limits.read},
                             std::pair{"alerts", &c.access.rate_limits.alerts},
                             std::pair{"analyst", &c.access.rate_limits.analyst},
                             std::pair{"metrics", &c.access.rate_limits.metrics},
                             std::pair{"admin", &c.access.rate_limits.admin}}) {
    const std::string prefix = std::string("access.rate_limits.") + role + ".";
    b.Bind(prefix + "per_second", &limit->per_second);
    b.Bind(prefix + "burst", &limit->burst);
  }
  BindSection(b, "cluster.", {
                                 {"advertise", &c.cluster.advertise},
                                 {"instance_id", &c.cluster.instance_id},
                                 {"forward_patience_ms", &c.cluster.forward_patience_ms},
                             });
}

void BindKafkaAndGateway(SettingsBinder& b, Config& c) {
  BindSection(b, "kafka.topics.", {
                                      {"interactions", &c.kafka.topics.interactions},
                                      {"churn_alerts", &c.kafka.topics.churn_alerts},
                                      {"dead_letter", &c.kafka.topics.dead_letter},
                                      {"model_parameters", &c.kafka.topics.model_parameters},
                                      {"instances", &c.kafka.topics.instances},
                                      {"credentials", &c.kafka.topics.credentials},
                                  });
  BindSection(b, "kafka.", {
                               {"partitions", &c.kafka.partitions},
                               {"replication_factor", &c.kafka.replication_factor},
                               {"session_timeout_ms", &c.kafka.session_timeout_ms},
                               {"delivery_timeout_ms", &c.kafka.delivery_timeout_ms},
                               {"consumer_queue_kbytes", &c.kafka.consumer_queue_kbytes},
                           });
  BindSection(b, "gateway.", {
                                 {"max_body_bytes", &c.gateway.max_body_bytes},
                                 {"max_batch_events", &c.gateway.max_batch_events},
                                 {"threads", &c.gateway.threads},
                                 {"max_pending_connections", &c.gateway.max_pending_connections},
                                 {"outbox.max_events", &c.gateway.outbox.max_events},
                                 {"outbox.publish_timeout_ms", &c.gateway.outbox.publish_timeout_ms},
                                 {"outbox.drain_batch", &c.gateway.outbox.drain_batch},
                                 {"outbox.retry_ms", &c.gateway.outbox.retry_ms},
                             });
  b.BindDurationMs("ingest.max_future_skew", &c.gateway.max_future_skew_ms);
}

void BindHttp(SettingsBinder& b, Config& c) {
  BindSection(b, "http.", {
                              {"tls_cert", &c.http.tls_cert},
                              {"tls_key", &c.http.tls_key},
                              {"insecure_http", &c.http.insecure_http},
                              {"access_log", &c.http.access_log},
                              {"max_connections", &c.http.max_connections},
                              {"idle_timeout_ms", &c.http.idle_timeout_ms},
                              {"header_timeout_ms", &c.http.header_timeout_ms},
                              {"body_timeout_ms", &c.http.body_timeout_ms},
                              {"write_timeout_ms", &c.http.write_timeout_ms},
                              {"stream_threads", &c.http.stream_threads},
                              {"io_threads", &c.http.io_threads},
                          });
}

// What every projection shares (projections/domain/domain_settings.h); each
// projection binds its own section in its module.cc.
void BindSharedDomain(SettingsBinder& b, projections::DomainSettings& d) {
  BindSection(b, "domain.lifecycle.", {
                                          {"formation_min_purchases", &d.lifecycle.formation_min_purchases},
                                          {"stability_min_purchases", &d.lifecycle.stability_min_purchases},
                                          {"stability_min_tenure_days", &d.lifecycle.stability_min_tenure_days},
                                          {"decline_interval_factor", &d.lifecycle.decline_interval_factor},
                                          {"decline_window_days", &d.lifecycle.decline_window_days},
                                          {"decline_ratio", &d.lifecycle.decline_ratio},
                                      });
  BindSection(b, "domain.state.", {
                                      {"lost_interval_factor", &d.state.lost_interval_factor},
                                      {"lost_min_purchases", &d.state.lost_min_purchases},
                                      {"lost_after_days", &d.state.lost_after_days},
                                  });
  BindSection(b, "domain.value.", {
                                      {"rfm_window_days", &d.value.rfm_window_days},
                                      {"pyramid_window_days", &d.value.pyramid_window_days},
                                      {"pyramid_by_profit", &d.value.pyramid_by_profit},
                                      {"tier_a_share", &d.value.tier_cuts[0]},
                                      {"tier_ab_share", &d.value.tier_cuts[1]},
                                      {"tier_abc_share", &d.value.tier_cuts[2]},
                                      {"ranking_refresh_hours", &d.value.ranking_refresh_hours},
                                      {"ranking_time_share", &d.value.ranking_time_share},
                                      {"clv_horizon_months", &d.value.clv_horizon_months},
                                      {"clv_monthly_discount", &d.value.clv_monthly_discount},
                                      {"high_loyalty_score", &d.value.high_loyalty_score},
                                      {"inactive_after_days", &d.value.inactive_after_days},
                                  });
}

}  // namespace

void BindConfig(SettingsBinder& b, Config& c) {
  BindProcess(b, c);
  BindKafkaAndGateway(b, c);
  BindHttp(b, c);
  BindSharedDomain(b, c.domain);
  for (const projections::ProjectionModule* module : projections::RegisteredProjections()) {
    if (module->bind_settings) module->bind_settings(b, c.domain);
  }
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
