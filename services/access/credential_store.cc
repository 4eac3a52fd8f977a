#include "services/access/credential_store.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "events/record_signature.h"
#include "services/access/private_file.h"
#include "services/access/token.h"
#include "services/process/thread_name.h"

namespace rapport::services {

Result<std::unique_ptr<CredentialStore>> CredentialStore::Start(const events::KafkaSettings& kafka,
                                                                const events::TopicHistory* durable_copy,
                                                                std::filesystem::path cache_file) {
  std::unique_ptr<CredentialStore> store(new CredentialStore(kafka, durable_copy));
  store->cache_file_ = std::move(cache_file);
  // With a local copy a Kafka that is away is not waited for long: the copy serves.
  const bool cached = store->LoadCache();
  events::TopicReadOptions options;
  options.timeout = cached ? std::chrono::seconds(3) : std::chrono::seconds(15);
  options.client_id = "rapport-credentials";
  options.history = durable_copy;
  Status loaded =
      events::ReadTopicToEnd(kafka, kafka.topics.credentials, options, [&](events::TopicRecord&& record) {
        store->Apply(record);
        return Status::Ok();
      });
  store->thread_ = std::thread([s = store.get()] {
    NameThisThread("credentials");
    s->Follow();
  });
  if (!loaded.ok()) {
    spdlog::error("credentials: reading {}: {}; {} until it is read", kafka.topics.credentials,
                  loaded.ToString(), cached ? "the local copy serves" : "every token is refused");
  }
  return store;
}

namespace {

nlohmann::json CacheLine(const events::TopicRecord& record) {
  auto signature = record.header(events::kHeaderSignature);
  return {{"partition", record.partition.value()},
          {"offset", record.offset.value()},
          {"key", record.key.value_or("")},
          {"value", record.value.value_or("")},
          {"signature", signature ? std::string(*signature) : std::string()}};
}

std::optional<events::TopicRecord> FromCacheLine(const std::string& line) {
  auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  events::TopicRecord record;
  try {
    record.partition = Partition(json.at("partition").get<int32_t>());
    record.offset = Offset(json.at("offset").get<int64_t>());
    record.key = json.at("key").get<std::string>();
    record.value = json.at("value").get<std::string>();
    record.headers.emplace_back(std::string(events::kHeaderSignature),
                                json.at("signature").get<std::string>());
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return record;
}

}  // namespace

bool CredentialStore::LoadCache() {
  if (cache_file_.empty()) return false;
  std::ifstream in(cache_file_);
  std::string line;
  bool any = false;
  while (in && std::getline(in, line)) {
    auto record = FromCacheLine(line);
    if (!record) continue;
    ApplyRecord(*record);  // verified like a record of the topic
    any = true;
  }
  return any;
}

void CredentialStore::SaveCache() const {
  if (cache_file_.empty()) return;
  std::string content;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [name, record] : records_) content += CacheLine(record).dump() + "\n";
  }
  Status saved = WritePrivateFile(cache_file_, content);
  if (!saved.ok()) spdlog::warn("credentials: {}", saved.ToString());
}

std::unique_ptr<CredentialStore> CredentialStore::Detached(std::string record_secret) {
  events::KafkaSettings kafka;
  kafka.record_secret = std::move(record_secret);
  return std::unique_ptr<CredentialStore>(new CredentialStore(std::move(kafka), nullptr));
}

void CredentialStore::Follow() {
  while (!stop_.stopped()) {
    events::TopicReadOptions options;
    options.client_id = "rapport-credentials";
    options.history = durable_copy_;
    options.follow_until = stop_.flag();
    Status read =
        events::ReadTopicToEnd(kafka_, kafka_.topics.credentials, options, [this](events::TopicRecord&& r) {
          Apply(r);
          return Status::Ok();
        });
    if (!read.ok() && !stop_.stopped()) spdlog::warn("credentials: {} (reading again)", read.ToString());
    // The topic may not exist yet, or Kafka was away: try again in a moment.
    stop_.WaitFor(std::chrono::seconds(1));
  }
}

void CredentialStore::Apply(const events::TopicRecord& record) {
  if (ApplyRecord(record)) SaveCache();
}

bool CredentialStore::ApplyRecord(const events::TopicRecord& record) {
  if (!record.key) return false;
  const std::string& name = *record.key;
  std::unique_lock lock(mutex_);
  auto [last, fresh] = applied_.try_emplace(record.partition.value(), record.offset.value());
  if (!fresh && record.offset.value() <= last->second)
    return false;  // read again after a restart of the follow
  last->second = record.offset.value();
  if (!record.value) {
    // A tombstone only takes access away, so it needs no signature.
    records_.erase(name);
    const bool removed = by_name_.erase(name) > 0;
    if (removed) spdlog::info("credentials: {} removed (tombstone)", name);
    changed_.notify_all();
    return removed;
  }
  Status verified = events::VerifyRecordSignature(kafka_.record_secret, name, *record.value,
                                                  record.header(events::kHeaderSignature));
  if (!verified.ok()) {
    spdlog::error("credentials: rejected the record for \"{}\" at partition {} offset {}: {}", name,
                  record.partition.value(), record.offset.value(), verified.message());
    return false;
  }
  auto credential = DecodeCredential(*record.value);
  if (!credential.ok() || credential->name != name) {
    spdlog::error("credentials: rejected the record for \"{}\" at offset {}: {}", name, record.offset.value(),
                  credential.ok() ? "its name differs from its key" : credential.status().ToString());
    return false;
  }
  ++valid_records_;
  by_name_[name] = std::move(credential).value();
  records_[name] = record;
  changed_.notify_all();
  return true;
}

Authentication CredentialStore::Authenticate(std::string_view authorization) const {
  if (authorization.empty()) return {std::nullopt, "no bearer token (send Authorization: Bearer <token>)"};
  const std::string_view token = BearerToken(authorization);
  if (token.empty()) return {std::nullopt, "the Authorization header is not \"Bearer <token>\""};
  const std::string hash = TokenHash(token);
  std::shared_lock lock(mutex_);
  const Credential* match = nullptr;
  // Every entry is compared, in constant time each: no early exit to time.
  for (const auto& [name, credential] : by_name_) {
    if (SameHash(credential.token_hash, hash)) match = &credential;
  }
  if (!match) return {std::nullopt, "unknown token"};
  if (match->revoked) return {std::nullopt, "the credential \"" + match->name + "\" was revoked"};
  return {*match, ""};
}

std::vector<Credential> CredentialStore::List() const {
  std::shared_lock lock(mutex_);
  std::vector<Credential> out;
  for (const auto& [name, credential] : by_name_) out.push_back(credential);
  return out;
}

bool CredentialStore::WaitUntilKnown(const std::string& name, const std::string& token_hash,
                                     std::chrono::milliseconds timeout) const {
  std::shared_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    auto it = by_name_.find(name);
    return it != by_name_.end() && !it->second.revoked && SameHash(it->second.token_hash, token_hash);
  });
}

void CredentialStore::Stop() {
  stop_.Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rapport::services
