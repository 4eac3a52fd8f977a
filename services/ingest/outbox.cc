#include "services/ingest/outbox.h"

#include <cstring>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "storage/store.h"
#include "services/process/thread_name.h"

namespace rapport::services {
namespace {

using projections::FromRocks;

// Keys are big-endian sequence numbers, so RocksDB's order is arrival order.
std::string SequenceKey(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, sequence >>= 8) key[i] = static_cast<char>(sequence & 0xff);
  return key;
}

uint64_t KeySequence(std::string_view key) {
  uint64_t sequence = 0;
  for (unsigned char c : key.substr(0, 8)) sequence = (sequence << 8) | c;
  return sequence;
}

void PutFixed(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void PutText(std::string& out, std::string_view text) {
  PutFixed(out, text.size(), 4);
  out.append(text);
}

struct Reader {
  std::string_view in;
  bool ok = true;
  uint64_t Fixed(int bytes) {
    if (in.size() < static_cast<size_t>(bytes)) {
      ok = false;
      return 0;
    }
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= uint64_t(static_cast<unsigned char>(in[i])) << (8 * i);
    in.remove_prefix(bytes);
    return value;
  }
  std::string Text() {
    const uint64_t size = Fixed(4);
    if (!ok || in.size() < size) {
      ok = false;
      return "";
    }
    std::string text(in.substr(0, size));
    in.remove_prefix(size);
    return text;
  }
};

constexpr uint8_t kFormat = 1;

}  // namespace

std::string EncodeOutboxMessage(const events::OutgoingMessage& message) {
  std::string out;
  out.reserve(message.value.size() + message.key.size() + message.topic.size() + 64);
  out.push_back(static_cast<char>(kFormat));
  PutText(out, message.topic);
  PutText(out, message.key);
  PutText(out, message.value);
  PutFixed(out, static_cast<uint64_t>(message.timestamp_ms), 8);
  PutFixed(out, static_cast<uint32_t>(message.partition ? message.partition->value() : -1), 4);
  PutFixed(out, message.headers.size(), 4);
  for (const auto& [name, value] : message.headers) {
    PutText(out, name);
    PutText(out, value);
  }
  return out;
}

Result<events::OutgoingMessage> DecodeOutboxMessage(std::string_view bytes) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != kFormat) {
    return Status::Corruption("outbox entry: unknown format");
  }
  Reader r{bytes.substr(1)};
  events::OutgoingMessage message;
  message.topic = r.Text();
  message.key = r.Text();
  message.value = r.Text();
  message.timestamp_ms = static_cast<int64_t>(r.Fixed(8));
  const auto partition = static_cast<int32_t>(r.Fixed(4));
  if (partition >= 0) message.partition = Partition(partition);
  const uint64_t headers = r.Fixed(4);
  for (uint64_t i = 0; r.ok && i < headers; ++i) {
    std::string name = r.Text();
    std::string value = r.Text();
    message.headers.emplace_back(std::move(name), std::move(value));
  }
  if (!r.ok || !r.in.empty()) return Status::Corruption("outbox entry: truncated or malformed");
  return message;
}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::filesystem::path& dir, const events::KafkaSettings& kafka,
                                             const OutboxSettings& settings) {
  if (settings.max_events < 1) return Status::InvalidArgument("gateway.outbox.max_events", "must be at least 1");
  if (settings.publish_timeout_ms < 100) {
    return Status::InvalidArgument("gateway.outbox.publish_timeout_ms", "must be at least 100");
  }
  if (settings.drain_batch < 1) return Status::InvalidArgument("gateway.outbox.drain_batch", "must be at least 1");
  std::unique_ptr<Outbox> outbox(new Outbox());
  outbox->settings_ = settings;

  events::KafkaSettings quick = kafka;
  quick.delivery_timeout_ms = settings.publish_timeout_ms;
  auto publisher = events::Publisher::Create(quick, "rapport-gateway");
  if (!publisher.ok()) return publisher.status();
  outbox->publisher_ = std::move(publisher).value();

  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  RAPPORT_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, dir.string(), &raw), "open outbox " + dir.string()));
  outbox->db_.reset(raw);

  // What a previous run left: count it and continue its sequence.
  std::unique_ptr<rocksdb::Iterator> it(outbox->db_->NewIterator(rocksdb::ReadOptions()));
  int64_t size = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++size;
  RAPPORT_RETURN_IF_ERROR(FromRocks(it->status(), "scan outbox"));
  it->SeekToLast();
  if (it->Valid()) outbox->next_sequence_ = KeySequence(it->key().ToStringView()) + 1;
  outbox->size_ = size;
  if (size > 0) spdlog::warn("outbox: {} event(s) from a previous run wait for Kafka", size);
  outbox->drainer_ = std::thread([o = outbox.get()] {
    NameThisThread("outbox-drain");
    o->DrainLoop();
  });
  return outbox;
}

Outbox::~Outbox() {
  stopping_ = true;
  wake_.notify_all();
  if (drainer_.joinable()) drainer_.join();
  publisher_.reset();
  if (db_) {
    rocksdb::Status closed = db_->Close();
    if (!closed.ok()) spdlog::warn("outbox close: {}", closed.ToString());
  }
}

Status Outbox::Publish(std::span<const events::OutgoingMessage> messages) {
  {
    std::lock_guard lock(mutex_);
    // Something waits already: queue behind it, never overtake it.
    if (size_ > 0) return Enqueue(messages);
  }
  Status direct = publisher_->PublishAndWait(messages);
  if (direct.ok()) return direct;
  std::lock_guard lock(mutex_);
  Status queued = Enqueue(messages);
  if (!queued.ok()) return queued.WithContext("Kafka: " + direct.ToString());
  spdlog::warn("outbox: Kafka did not acknowledge ({}); {} event(s) queued", direct.ToString(), size_.load());
  return Status::Ok();
}

Status Outbox::Enqueue(std::span<const events::OutgoingMessage> messages) {
  const auto count = static_cast<int64_t>(messages.size());
  if (size_ + count > settings_.max_events) {
    return Status::ResourceExhausted("the gateway outbox is full (" + std::to_string(size_.load()) + " of " +
                                     std::to_string(settings_.max_events) +
                                     " events wait for Kafka); retry later");
  }
  rocksdb::WriteBatch batch;
  uint64_t sequence = next_sequence_;
  for (const events::OutgoingMessage& message : messages) batch.Put(SequenceKey(sequence++), EncodeOutboxMessage(message));
  rocksdb::WriteOptions durable;
  durable.sync = true;  // accepted means on disk
  RAPPORT_RETURN_IF_ERROR(FromRocks(db_->Write(durable, &batch), "outbox append"));
  next_sequence_ = sequence;
  size_ += count;
  wake_.notify_one();
  return Status::Ok();
}

void Outbox::DrainLoop() {
  while (!stopping_) {
    if (size_ == 0) {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_ || size_ > 0; });
      continue;
    }
    bool drained_any = false;
    Status status = DrainOnce(drained_any);
    if (!status.ok()) {
      spdlog::warn("outbox: drain: {}", status.ToString());
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(settings_.retry_ms), [&] { return stopping_.load(); });
    }
  }
}

Status Outbox::DrainOnce(bool& drained_any) {
  std::vector<events::OutgoingMessage> messages;
  std::string first, last;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid() && static_cast<int>(messages.size()) < settings_.drain_batch; it->Next()) {
      auto message = DecodeOutboxMessage(it->value().ToStringView());
      if (!message.ok()) return message.status().WithContext("outbox entry " + std::to_string(KeySequence(it->key().ToStringView())));
      if (first.empty()) first = it->key().ToString();
      last = it->key().ToString();
      messages.push_back(std::move(message).value());
    }
    RAPPORT_RETURN_IF_ERROR(FromRocks(it->status(), "outbox scan"));
  }
  if (messages.empty()) return Status::Ok();
  RAPPORT_RETURN_IF_ERROR(publisher_->PublishAndWait(messages));
  std::lock_guard lock(mutex_);
  rocksdb::WriteBatch batch;
  RAPPORT_RETURN_IF_ERROR(FromRocks(batch.DeleteRange(db_->DefaultColumnFamily(), first,
                                                      SequenceKey(KeySequence(last) + 1)),
                                    "outbox delete"));
  RAPPORT_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "outbox delete"));
  size_ -= static_cast<int64_t>(messages.size());
  drained_ += static_cast<int64_t>(messages.size());
  drained_any = true;
  if (size_ == 0) spdlog::warn("outbox: drained; publishing straight to Kafka again");
  return Status::Ok();
}

}  // namespace rapport::services
