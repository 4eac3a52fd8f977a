#pragma once
// Assembles the pieces a rapport process runs, by role: the embedded broker (only
// `rapport up` without --brokers), the gateway, projectors, the query API and the
// health endpoints on one HTTP listener. `rapport up` is all roles in one process;
// `rapport gateway | project NAME | serve` are one role each. Integration tests
// start a Platform exactly as the binary does.
//
// Lifecycle: Start, then Stop (or destroy). Thread-safe accessors.

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "events/embedded_broker.h"
#include "events/publisher.h"
#include "storage/journal.h"
#include "projections/runtime/module.h"
#include "projections/runtime/projector.h"
#include "services/ingest/archiver.h"
#include "services/ingest/durable_topics.h"
#include "storage/store.h"
#include "services/access/credential_store.h"
#include "services/config/config.h"
#include "services/cluster/customer_router.h"
#include "services/cluster/instance_registry.h"
#include "services/ingest/gateway.h"
#include "services/http/http_server.h"
#include "services/query/query_service.h"

namespace rapport::services {

struct Roles {
  // `rapport up`: start a broker when config.brokers is empty; create the cluster
  // secret and the first credential on the first start.
  bool embedded_broker = false;
  bool gateway = false;
  bool archive = false;  // write the journal from the topic (real clusters)
  bool query = false;
  // Scale-out (docs/scaling.md): announce this instance's partitions in
  // rapport.instances and route customer queries to their owners.
  bool cluster = false;
  std::vector<std::string> projections;  // projectors to run
};

class Platform {
 public:
  static Result<std::unique_ptr<Platform>> Start(const Config& config, const Roles& roles);
  ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  void Stop();

  // Every projector assigned and caught up with the end of its partitions once.
  bool ready() const;
  nlohmann::json ReadinessJson() const;

  const std::string& bootstrap_servers() const { return config_.brokers; }
  int http_port() const { return http_ ? http_->port() : 0; }
  const Config& config() const { return config_; }
  Gateway* gateway() { return gateway_.get(); }
  events::EmbeddedBroker* embedded_broker() { return broker_.get(); }
  events::Publisher* publisher() { return publisher_.get(); }
  projections::Journal* journal() { return journal_.get(); }
  // Messages re-published from the journal into the embedded broker at start.
  int64_t restored() const { return restored_; }
  // Scale-out only (Roles::cluster); null otherwise.
  const InstanceRegistry* registry() const { return registry_.get(); }
  // The credentials this process accepts (services/access/credential_store.h).
  const CredentialStore& credentials() const { return *credentials_; }
  // Every route the HTTP listener serves, as mounted: method and pattern. Each has a
  // line in services/access/route_roles.h. Empty before the listener starts.
  std::vector<HttpServer::MountedRoute> mounted_routes() const {
    return http_ ? http_->Routes() : std::vector<HttpServer::MountedRoute>{};
  }

 private:
  struct RunningProjection {
    const projections::ProjectionModule* module = nullptr;
    std::string name;
    std::unique_ptr<projections::Store> store;
    std::unique_ptr<projections::Projection> projection;
    std::unique_ptr<projections::Projector> projector;
    std::thread thread;
    std::vector<std::unique_ptr<projections::SideProcess>> side_processes;  // started after the projector
  };

  explicit Platform(Config config) : config_(std::move(config)) {}
  Status StartBroker();
  Status OpenJournal(const Roles& roles);
  Status StartArchiver();
  Status StartProjection(const std::string& name);
  Status StartSideProcesses(RunningProjection& running);
  // The store of `module` this process reads: its projector's, else a secondary
  // following its folder; null when there is none.
  Result<const projections::Store*> StoreToServe(const projections::ProjectionModule& module);
  Status StartQuery();
  // The cluster secret (services/access/cluster_secret.h) into config_.kafka.
  Status LoadSecret(const Roles& roles);
  // The credential store; `rapport up` (Roles::embedded_broker) also creates the
  // first credential on its first start (services/access/first_credential.h).
  Status StartAccess(const Roles& roles);
  // The process's one reader of the model parameters topic (when Kafka is known),
  // shared by the query API and the churn projection; started on first use.
  Result<std::shared_ptr<ModelParametersCache>> ModelCache();
  Status StartHttp(const Roles& roles);
  void CatchUpLoop();
  // services/platform/platform_cluster.cc
  Status StartCluster();
  void AdvertiseCluster();
  projections::ProjectorOptions ProjectorOptionsFor(const projections::ProjectionModule& module);

  Config config_;
  std::unique_ptr<events::EmbeddedBroker> broker_;
  std::unique_ptr<events::Publisher> publisher_;
  std::unique_ptr<projections::Journal> journal_;
  std::unique_ptr<Archiver> archiver_;
  std::unique_ptr<DurableTopics> durable_topics_;  // embedded mode: every other topic's durable copy
  std::thread archiver_thread_;
  std::unique_ptr<Gateway> gateway_;
  std::vector<std::unique_ptr<RunningProjection>> running_;
  std::vector<std::unique_ptr<projections::Store>> followers_;  // secondary stores for `serve`
  std::shared_ptr<ModelParametersCache> model_cache_;  // see ModelCache()
  std::unique_ptr<QueryService> query_;
  std::unique_ptr<CredentialStore> credentials_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<InstanceRegistry> registry_;  // scale-out only
  std::unique_ptr<CustomerRouter> router_;
  std::atomic<bool> stopping_{false};
  std::thread catch_up_;
  bool stopped_ = false;
  int64_t restored_ = 0;
  // What modules' side processes borrow (alert delivery); set with the publisher.
  std::unique_ptr<projections::SideProcessHost> side_host_;
};

// `<data-dir>/bootstrap.servers`, written by `rapport up` for other clients.
std::filesystem::path BootstrapFile(const Config& config);

}  // namespace rapport::services
