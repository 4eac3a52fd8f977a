#include "services/cluster/instance_registry.h"

#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "events/record.h"
#include "events/record_signature.h"
#include "events/topic_reader.h"
#include "services/process/thread_name.h"

namespace rapport::services {

Partition PartitionOfKey(std::string_view key, int32_t partitions) {
  // librdkafka's own murmur2 partitioner, the one the producer uses for keyed
  // messages under partitioner=murmur2_random (it reads neither topic nor opaques).
  return Partition(rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partitions, nullptr, nullptr));
}

namespace {

std::string EncodeRecord(const InstanceRecord& record) {
  return nlohmann::json{{"id", record.id},
                        {"address", record.address},
                        {"partitions", record.partitions},
                        {"serving", record.serving}}
      .dump();
}

bool ReadPartitions(const nlohmann::json& json, const char* name, std::vector<int32_t>& out) {
  auto it = json.find(name);
  if (it == json.end() || !it->is_array()) return false;
  for (const auto& partition : *it) {
    if (!partition.is_number_integer()) return false;
    out.push_back(partition.get<int32_t>());
  }
  return true;
}

// A record of another instance; nullopt when malformed (never throws).
std::optional<InstanceRecord> DecodeRecord(std::string_view bytes) {
  auto json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  auto id = json.find("id");
  auto address = json.find("address");
  if (id == json.end() || !id->is_string() || address == json.end() || !address->is_string()) return std::nullopt;
  InstanceRecord record;
  record.id = id->get<std::string>();
  record.address = address->get<std::string>();
  if (!ReadPartitions(json, "partitions", record.partitions) || !ReadPartitions(json, "serving", record.serving)) {
    return std::nullopt;
  }
  return record;
}

Result<int32_t> PartitionCount(rd_kafka_t* handle, const std::string& topic) {
  auto count = events::TopicPartitionCount(handle, topic, std::chrono::seconds(10));
  if (!count.ok()) return count.status();
  if (*count <= 0) return Status::Unavailable("topic " + topic + " does not exist");
  return *count;
}

}  // namespace

Result<std::unique_ptr<InstanceRegistry>> InstanceRegistry::Start(const events::KafkaSettings& kafka,
                                                                 std::string instance_id) {
  std::unique_ptr<InstanceRegistry> registry(new InstanceRegistry());
  registry->topic_ = kafka.topics.instances;
  registry->secret_ = kafka.record_secret;
  registry->id_ = std::move(instance_id);
  auto publisher = events::Publisher::Create(kafka, "rapport-instances");
  if (!publisher.ok()) return publisher.status();
  registry->publisher_ = std::move(publisher).value();
  auto partitions = PartitionCount(registry->publisher_->handle(), kafka.topics.interactions);
  if (!partitions.ok()) return partitions.status();
  registry->partitions_ = *partitions;
  auto instances = PartitionCount(registry->publisher_->handle(), registry->topic_);
  if (!instances.ok()) return instances.status();
  // Every instance reads the whole topic under a group of its own (it never
  // commits): ownership is everyone's claims, not a share of them.
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  const std::string group = "rapport.instances." + std::string(host) + "-" + std::to_string(getpid());
  // Everything claimed so far, before the first query: then the consumer follows
  // from where this read ended.
  RAPPORT_RETURN_IF_ERROR(registry->LoadToEnd(kafka));
  auto consumer = events::Consumer::Create(kafka, group, "rapport-instances", registry.get());
  if (!consumer.ok()) return consumer.status();
  registry->consumer_ = std::move(consumer).value();
  RAPPORT_RETURN_IF_ERROR(registry->consumer_->Subscribe({registry->topic_}));
  registry->thread_ = std::thread([r = registry.get()] {
    NameThisThread("registry");
    r->Run();
  });
  return registry;
}

Status InstanceRegistry::LoadToEnd(const events::KafkaSettings& kafka) {
  events::TopicReadOptions options;
  options.timeout = std::chrono::seconds(10);
  options.client_id = "rapport-instances";
  return events::ReadTopicToEnd(kafka, topic_, options, [this](events::TopicRecord&& message) {
    std::lock_guard lock(mutex_);
    loaded_end_[message.partition.value()] = message.offset.value() + 1;
    Take(message.key.value_or(""), message.value.value_or(""), message.header(events::kHeaderSignature),
         message.offset.value());
    return Status::Ok();
  });
}

void InstanceRegistry::Take(std::string_view key, std::string_view value, std::optional<std::string_view> signature,
                            int64_t offset) {
  // An unsigned or forged announcement could redirect customer queries.
  Status verified = events::VerifyRecordSignature(secret_, key, value, signature);
  if (!verified.ok()) {
    spdlog::error("instances: rejected the record at offset {}: {}", offset, verified.message());
    return;
  }
  auto record = DecodeRecord(value);
  if (!record || record->id != key) {
    spdlog::warn("instances: ignoring a malformed record at offset {}", offset);
    return;
  }
  record->topic_offset = offset;
  auto& slot = records_[record->id];
  if (record->topic_offset > slot.topic_offset) slot = std::move(*record);
}

std::vector<std::optional<Offset>> InstanceRegistry::OnAssigned(
    const std::vector<events::TopicPartition>& partitions) {
  // From where the load at start ended (a record it read again changes nothing).
  std::lock_guard lock(mutex_);
  std::vector<std::optional<Offset>> starts;
  for (const auto& tp : partitions) {
    auto it = loaded_end_.find(tp.partition.value());
    starts.push_back(it == loaded_end_.end() ? std::nullopt : std::optional<Offset>(Offset(it->second)));
  }
  return starts;
}

void InstanceRegistry::SetAddress(std::string address) {
  std::lock_guard lock(mutex_);
  address_ = std::move(address);
  if (id_.empty()) id_ = address_;
  dirty_ = true;
  changed_.notify_all();
}

void InstanceRegistry::SetAssignment(const std::vector<Partition>& assigned, const std::vector<Partition>& serving) {
  std::lock_guard lock(mutex_);
  assigned_.clear();
  serving_.clear();
  for (Partition p : assigned) assigned_.push_back(p.value());
  for (Partition p : serving) serving_.push_back(p.value());
  dirty_ = true;
  changed_.notify_all();
}

InstanceRegistry::~InstanceRegistry() {
  {
    // Leaving: claim nothing, so queries stop coming here before the group notices.
    std::lock_guard lock(mutex_);
    assigned_.clear();
    serving_.clear();
    dirty_ = true;
  }
  stopping_ = true;
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!address_.empty()) {
    Status published = PublishOwn();
    if (!published.ok()) spdlog::warn("instances: leaving: {}", published.ToString());
  }
  if (consumer_) (void)consumer_->Close();
}

Status InstanceRegistry::PublishOwn() {
  InstanceRecord record;
  {
    std::lock_guard lock(mutex_);
    record = InstanceRecord{id_, address_, assigned_, serving_};
    dirty_ = false;
  }
  events::OutgoingMessage message;
  message.topic = topic_;
  message.key = record.id;
  message.value = EncodeRecord(record);
  message.partition = Partition(0);
  events::SignMessage(message, secret_);
  std::vector<events::OutgoingMessage> messages{std::move(message)};
  Status published = publisher_->PublishAndWait(messages);
  if (!published.ok()) {
    std::lock_guard lock(mutex_);
    dirty_ = true;  // try again
  }
  return published;
}

void InstanceRegistry::Run() {
  while (!stopping_) {
    bool publish = false;
    {
      std::lock_guard lock(mutex_);
      publish = dirty_ && !address_.empty();
    }
    if (publish) {
      Status published = PublishOwn();
      if (!published.ok()) spdlog::warn("instances: publish: {}", published.ToString());
    }
    for (auto& message : consumer_->Poll(1'000, std::chrono::milliseconds(50))) {
      if (message.error()) continue;
      // A filler keeps a restored topic's offsets (events/record.h): no record.
      if (message.value().empty() && message.header(events::kHeaderFiller)) continue;
      std::lock_guard lock(mutex_);
      Take(message.key(), message.value(), message.header(events::kHeaderSignature), message.offset().value());
    }
  }
}

std::optional<InstanceRegistry::Owner> InstanceRegistry::OwnerOf(Partition partition) const {
  std::lock_guard lock(mutex_);
  // The group gave this instance the partition: that is authoritative, whatever
  // the topic says yet.
  if (std::find(assigned_.begin(), assigned_.end(), partition.value()) != assigned_.end()) {
    return Owner{id_, address_, std::find(serving_.begin(), serving_.end(), partition.value()) != serving_.end(),
                 true};
  }
  const InstanceRecord* newest = nullptr;
  for (const auto& [id, record] : records_) {
    if (std::find(record.partitions.begin(), record.partitions.end(), partition.value()) == record.partitions.end()) {
      continue;
    }
    if (!newest || record.topic_offset > newest->topic_offset) newest = &record;
  }
  if (!newest) return std::nullopt;
  // Our own stale claim (revoked since): no owner known yet.
  if (newest->id == id_) return std::nullopt;
  return Owner{newest->id, newest->address,
               std::find(newest->serving.begin(), newest->serving.end(), partition.value()) != newest->serving.end(),
               false};
}

nlohmann::json InstanceRegistry::ToJson() const {
  nlohmann::json instances = nlohmann::json::array();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, record] : records_) {
      instances.push_back({{"id", record.id},
                           {"address", record.address},
                           {"partitions", record.partitions},
                           {"serving", record.serving},
                           {"record_offset", record.topic_offset},
                           {"self", record.id == id_}});
    }
  }
  nlohmann::json owners = nlohmann::json::object();
  for (int32_t p = 0; p < partitions_; ++p) {
    auto owner = OwnerOf(Partition(p));
    owners[std::to_string(p)] =
        owner ? nlohmann::json{{"id", owner->id}, {"address", owner->address}, {"serving", owner->serving}}
              : nlohmann::json(nullptr);
  }
  std::lock_guard lock(mutex_);
  return {{"self", id_}, {"partitions", partitions_}, {"instances", instances}, {"owners", owners}};
}

}  // namespace rapport::services
