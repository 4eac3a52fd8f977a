#include "services/platform/platform.h"

#include <fstream>

#include <spdlog/spdlog.h>

#include "events/topic_spool.h"
#include "services/http/listen_policy.h"
#include "services/access/access_gate.h"
#include "services/access/cluster_secret.h"
#include "services/access/first_credential.h"
#include "services/access/private_file.h"
#include "services/ingest/journal_restore.h"
#include "services/platform/alert_delivery.h"
#include "services/platform/projection_registry.h"
#include "services/platform/routes.h"
#include "services/process/thread_name.h"
#include "services/process/thread_priority.h"

namespace rapport::services {

std::filesystem::path BootstrapFile(const Config& config) {
  return std::filesystem::path(config.data_dir) / "bootstrap.servers";
}

Result<std::unique_ptr<Platform>> Platform::Start(const Config& config, const Roles& roles) {
  std::unique_ptr<Platform> platform(new Platform(config));
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::InvalidArgument("data_dir", "cannot create " + config.data_dir + ": " + ec.message());
  RAPPORT_RETURN_IF_ERROR(CheckBackgroundNice(config.background_nice, "background_nice"));
  // Before anything slow starts: a refused listen address ends the process at once.
  auto listen = ParseHostPort(config.listen, "listen");
  if (!listen.ok()) return listen.status();
  RAPPORT_RETURN_IF_ERROR(CheckListenPolicy(*listen, config.http));
  // Every store this process opens shares one memory budget (storage.*).
  RAPPORT_RETURN_IF_ERROR(projections::ConfigureStoreMemory(config.storage));
  RAPPORT_RETURN_IF_ERROR(platform->LoadSecret(roles));

  if (platform->config_.brokers.empty()) {
    if (roles.embedded_broker) {
      RAPPORT_RETURN_IF_ERROR(platform->StartBroker());
    } else if (!roles.gateway && roles.projections.empty()) {
      // The query API alone needs no Kafka.
    } else {
      return Status::InvalidArgument("brokers", "no Kafka brokers: pass --brokers (or RAPPORT_BROKERS)");
    }
  }
  if (!platform->config_.brokers.empty()) {
    auto publisher = events::Publisher::Create(platform->config_.kafka, "rapport");
    if (!publisher.ok()) return publisher.status();
    platform->publisher_ = std::move(publisher).value();
  }
  RAPPORT_RETURN_IF_ERROR(platform->OpenJournal(roles));
  if (platform->broker_) {
    // Every other topic rapport writes: restored into the fresh broker, then archived.
    auto durable = DurableTopics::Start(config.data_dir, platform->config_.kafka, config.background_nice);
    if (!durable.ok()) return durable.status();
    platform->durable_topics_ = std::move(durable).value();
  }
  if (platform->publisher_) {
    // After the restore: the alert outbox reads the whole alert topic back at start.
    const events::TopicHistory* history = platform->durable_topics_ ? &platform->durable_topics_->log() : nullptr;
    platform->side_host_ =
        std::make_unique<PlatformSideProcessHost>(*platform->publisher_, platform->config_.kafka, history,
                                                  std::filesystem::path(config.data_dir));
  }
  RAPPORT_RETURN_IF_ERROR(platform->StartAccess(roles));
  // The archive consumer journals what other Kafka clients publish straight to the
  // topic. In embedded mode it runs too: the gateway journals its own events before
  // answering 202, and kcat/Java publishers reach the journal through the archiver.
  if (roles.archive || platform->broker_) RAPPORT_RETURN_IF_ERROR(platform->StartArchiver());
  if (roles.gateway) {
    // In embedded mode the gateway keeps the history itself; with a real cluster
    // the archive consumer does.
    projections::Journal* journal = platform->broker_ ? platform->journal_.get() : nullptr;
    platform->gateway_ =
        std::make_unique<Gateway>(*platform->publisher_, platform->config_.kafka.topics, config.gateway, journal);
    if (!platform->broker_) {
      // A real cluster may be away: accepted events wait in the outbox meanwhile.
      auto outbox = Outbox::Open(std::filesystem::path(config.data_dir) / "outbox", platform->config_.kafka,
                                 config.gateway.outbox);
      if (!outbox.ok()) return outbox.status();
      platform->gateway_->UseOutbox(std::move(outbox).value());
    }
  }
  if (roles.cluster) RAPPORT_RETURN_IF_ERROR(platform->StartCluster());
  for (const std::string& name : roles.projections) RAPPORT_RETURN_IF_ERROR(platform->StartProjection(name));
  if (roles.query) RAPPORT_RETURN_IF_ERROR(platform->StartQuery());
  RAPPORT_RETURN_IF_ERROR(platform->StartHttp(roles));
  if (platform->registry_) platform->AdvertiseCluster();
  return platform;
}

Status Platform::StartBroker() {
  std::vector<events::TopicSpec> topics;
  for (const std::string& topic :
       {config_.kafka.topics.interactions, config_.kafka.topics.churn_alerts, config_.kafka.topics.dead_letter,
        config_.kafka.topics.model_parameters}) {
    topics.push_back({topic, config_.kafka.partitions, config_.kafka.replication_factor});
  }
  topics.push_back({config_.kafka.topics.instances, 1, config_.kafka.replication_factor});  // docs/scaling.md
  topics.push_back({config_.kafka.topics.credentials, 1, config_.kafka.replication_factor});  // docs/security.md
  auto broker = events::EmbeddedBroker::Start(config_.embedded_brokers, topics);
  if (!broker.ok()) return broker.status();
  broker_ = std::move(broker).value();
  config_.brokers = broker_->bootstrap_servers();
  config_.kafka.bootstrap_servers = config_.brokers;
  // Every publisher of this process spools what goes to the archived topics
  // (events/topic_spool.h): no record is lost to a SIGKILL before it is archived.
  config_.kafka.topic_spool_dir = events::TopicSpoolDir(config_.data_dir).string();

  std::ofstream out(BootstrapFile(config_), std::ios::trunc);
  out << config_.brokers << "\n";
  if (!out) return Status::Unavailable("cannot write " + BootstrapFile(config_).string());
  return Status::Ok();
}

Status Platform::OpenJournal(const Roles& roles) {
  const auto dir = std::filesystem::path(config_.data_dir) / "journal";
  const bool writer = broker_ != nullptr || roles.archive;
  if (!writer && !std::filesystem::exists(dir / "CURRENT")) return Status::Ok();  // none to read
  if (!writer && roles.projections.empty()) return Status::Ok();
  auto journal = projections::Journal::Open(dir, writer ? projections::OpenMode::kReadWrite
                                                        : projections::OpenMode::kSecondary);
  if (!journal.ok()) return journal.status();
  journal_ = std::move(journal).value();
  if (broker_) {
    // A fresh embedded broker: give it back the history, at the same offsets.
    auto floors = StoredOffsetFloors(config_.data_dir, ProjectionNames(), config_.kafka.topics.interactions);
    if (!floors.ok()) return floors.status();
    auto restored = RestoreIntoBroker(*journal_, *publisher_, config_.kafka.topics.interactions, *floors);
    if (!restored.ok()) return restored.status();
    restored_ = *restored;
  }
  return Status::Ok();
}

Status Platform::LoadSecret(const Roles& roles) {
  if (!config_.kafka.record_secret.empty()) return Status::Ok();  // given by the caller
  auto secret = LoadClusterSecret(config_, /*create_if_missing=*/roles.embedded_broker);
  if (secret.ok()) {
    config_.kafka.record_secret = std::move(secret).value();
    return Status::Ok();
  }
  // Without Kafka (`serve` alone) nothing is signed or read: no secret needed.
  return config_.brokers.empty() && !roles.embedded_broker ? Status::Ok() : secret.status();
}

Status Platform::StartAccess(const Roles& roles) {
  if (config_.brokers.empty()) {
    // No credentials topic to read: every token is refused (fail closed).
    credentials_ = CredentialStore::Detached(config_.kafka.record_secret);
    return Status::Ok();
  }
  auto store = CredentialStore::Start(config_.kafka, durable_topics_ ? &durable_topics_->log() : nullptr,
                                      std::filesystem::path(config_.data_dir) / "credentials.cache");
  if (!store.ok()) return store.status();
  credentials_ = std::move(store).value();
  if (!roles.embedded_broker) return Status::Ok();
  auto created = EnsureFirstCredential(config_, *publisher_, *credentials_);
  return created.ok() ? Status::Ok() : created.status();
}

Status Platform::StartArchiver() {
  auto archiver = Archiver::Create(config_.kafka, *journal_, /*skip_journaled=*/broker_ != nullptr);
  if (!archiver.ok()) return archiver.status();
  archiver_ = std::move(archiver).value();
  archiver_thread_ = std::thread([this] {
    NameThisThread("archiver");
    SetThisThreadNice(config_.background_nice);
    Status result = archiver_->Run();
    if (!result.ok()) spdlog::error("archive stopped: {}", result.ToString());
  });
  return Status::Ok();
}

Status Platform::StartProjection(const std::string& name) {
  auto module = ProjectionModuleNamed(name);
  if (!module.ok()) return module.status();
  auto running = std::make_unique<RunningProjection>();
  running->module = *module;
  running->name = name;
  auto store = projections::Store::Open(std::filesystem::path(config_.data_dir) / name,
                                        projections::OpenMode::kReadWrite);
  if (!store.ok()) return store.status();
  running->store = std::move(store).value();
  ProjectionDeps deps;
  deps.partitions = config_.kafka.partitions;
  deps.live = true;
  if (running->module->uses_model_fits && !config_.brokers.empty()) {
    // The model fits; the reader lives as long as the projection that polls it.
    auto fits = ModelCache();
    if (!fits.ok()) return fits.status();
    deps.model_fits = [fits = *fits] { return fits->History(); };
  }
  auto projection = running->module->create(*running->store, config_.domain, deps);
  if (!projection.ok()) return projection.status();
  running->projection = std::move(projection).value();
  auto projector = projections::Projector::Create(config_.kafka, ProjectorOptionsFor(*running->module),
                                                  *running->store, *running->projection, *publisher_, journal_.get());
  if (!projector.ok()) return projector.status();
  running->projector = std::move(projector).value();
  running->thread = std::thread([r = running.get(), nice = config_.background_nice] {
    NameThisThread("p:" + r->name);
    SetThisThreadNice(nice);
    Status result = r->projector->Run();
    if (!result.ok()) spdlog::error("projector {} stopped: {}", r->name, result.ToString());
  });
  RunningProjection& started = *running;
  running_.push_back(std::move(running));
  return StartSideProcesses(started);
}

Status Platform::StartSideProcesses(RunningProjection& running) {
  if (!running.module->side_processes) return Status::Ok();
  auto started = running.module->side_processes(*running.store, config_.domain, *side_host_);
  if (!started.ok()) return started.status();
  running.side_processes = std::move(started).value();
  return Status::Ok();
}

Result<std::shared_ptr<ModelParametersCache>> Platform::ModelCache() {
  if (!model_cache_) {
    auto cache = ModelParametersCache::Start(config_.kafka, config_.model,
                                             durable_topics_ ? &durable_topics_->log() : nullptr);
    if (!cache.ok()) return cache.status();
    model_cache_ = std::move(cache).value();
  }
  return model_cache_;
}

Result<const projections::Store*> Platform::StoreToServe(const projections::ProjectionModule& module) {
  for (const auto& running : running_) {
    if (running->module == &module) return static_cast<const projections::Store*>(running->store.get());
  }
  const auto dir = std::filesystem::path(config_.data_dir) / std::string(module.name);
  if (!std::filesystem::exists(dir / "CURRENT")) return static_cast<const projections::Store*>(nullptr);
  auto follower = projections::Store::Open(dir, projections::OpenMode::kSecondary);
  if (!follower.ok()) return follower.status();
  followers_.push_back(std::move(follower).value());
  return static_cast<const projections::Store*>(followers_.back().get());
}

Status Platform::StartQuery() {
  std::vector<ServedProjection> served;
  for (const projections::ProjectionModule* module : projections::RegisteredProjections()) {
    auto store = StoreToServe(*module);
    if (!store.ok()) return store.status();
    // The query service evaluates with its own settings (`serve`): check them.
    if (*store && module->check_settings) RAPPORT_RETURN_IF_ERROR(module->check_settings(config_.domain));
    served.push_back({module, *store});
  }
  const ModelParametersCache* model = nullptr;
  if (!config_.brokers.empty()) {
    auto cache = ModelCache();
    if (!cache.ok()) return cache.status();
    model = cache->get();
  }
  query_ = std::make_unique<QueryService>(std::move(served), config_.domain, model, stopping_);
  if (!followers_.empty()) catch_up_ = std::thread([this] {
    NameThisThread("catch-up");
    CatchUpLoop();
  });
  return Status::Ok();
}

void Platform::CatchUpLoop() {
  while (!stopping_) {
    for (auto& follower : followers_) {
      Status status = follower->CatchUp();
      if (!status.ok()) spdlog::warn("catch up {}: {}", follower->dir().string(), status.ToString());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Status Platform::StartHttp(const Roles& roles) {
  auto address = ParseHostPort(config_.listen, "listen");
  if (!address.ok()) return address.status();
  if (config_.gateway.max_pending_connections < 1) {
    return Status::InvalidArgument("gateway.max_pending_connections", "must be at least 1");
  }
  http_ = std::make_unique<HttpServer>(config_.gateway, config_.http);
  http_->SetGate(std::make_shared<AccessGate>(*credentials_, config_.access));
  AddHealthRoutes(*http_, *this);
  if (roles.gateway) AddGatewayRoutes(*http_, *gateway_, *credentials_);
  if (registry_ && query_) {
    router_ = std::make_unique<CustomerRouter>(*registry_, *query_,
                                               std::chrono::milliseconds(config_.cluster.forward_patience_ms),
                                               config_.http.tls_cert);
    AddClusterRoutes(*http_, *router_, *registry_);
  }
  if (query_) AddQueryRoutes(*http_, *query_);
  RAPPORT_RETURN_IF_ERROR(http_->Start(*address));
  // `rapport keys create` asks this listener whether it accepts a new token yet.
  if (roles.embedded_broker) {
    RAPPORT_RETURN_IF_ERROR(WritePrivateFile(HttpAddressFile(config_), address->host + ":" +
                                                                           std::to_string(http_->port()) + "\n"));
  }
  return Status::Ok();
}

bool Platform::ready() const {
  if (archiver_ && !archiver_->ready()) return false;
  for (const auto& running : running_) {
    if (!running->projector->ready()) return false;
  }
  return true;
}

nlohmann::json Platform::ReadinessJson() const {
  nlohmann::json projectors = nlohmann::json::object();
  for (const auto& running : running_) {
    auto stats = running->projector->stats();
    projectors[running->name] = {{"ready", running->projector->ready()},
                                 {"applied", stats.applied},
                                 {"duplicates", stats.duplicates},
                                 {"dead_lettered", stats.dead_lettered},
                                 {"repeated_dropped", stats.repeated_dropped},
                                 {"offset_gaps", stats.offset_gaps}};
  }
  nlohmann::json out = {{"ready", ready()}, {"projectors", projectors}};
  if (gateway_ && gateway_->outbox()) out["outbox"] = {{"waiting", gateway_->outbox()->size()}};
  return out;
}

void Platform::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_ = true;
  if (http_) http_->Stop();
  credentials_.reset();
  for (auto& running : running_) running->projector->Stop();
  if (archiver_) archiver_->Stop();
  if (archiver_thread_.joinable()) archiver_thread_.join();
  for (auto& running : running_) {
    if (running->thread.joinable()) running->thread.join();
  }
  for (auto& running : running_) {
    for (auto& side : running->side_processes) side->Stop();
    running->side_processes.clear();
  }
  if (catch_up_.joinable()) catch_up_.join();
  model_cache_.reset();
  running_.clear();
  router_.reset();
  registry_.reset();  // after the projectors: their revocations reach it
  followers_.clear();
  archiver_.reset();
  gateway_.reset();
  durable_topics_.reset();  // after every writer of its topics, before the broker
  if (publisher_) {
    Status flushed = publisher_->Flush(std::chrono::seconds(10));
    if (!flushed.ok()) spdlog::warn("flush on stop: {}", flushed.ToString());
  }
  side_host_.reset();
  publisher_.reset();
  broker_.reset();
  journal_.reset();
}

Platform::~Platform() { Stop(); }

}  // namespace rapport::services
