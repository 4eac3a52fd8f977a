#include "events/publisher.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include <spdlog/spdlog.h>

#include "events/topic_spool.h"

namespace rapport::events {
namespace {

// Counts the outstanding acknowledgements of one PublishAndWait call. Each message
// carries a pointer to it as its opaque; the delivery-report callback counts down.
struct BatchTracker {
  std::mutex mutex;
  std::condition_variable done;
  size_t outstanding = 0;
  rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;

  void Acknowledge(rd_kafka_resp_err_t err) {
    std::lock_guard lock(mutex);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && first_error == RD_KAFKA_RESP_ERR_NO_ERROR) first_error = err;
    if (--outstanding == 0) done.notify_all();
  }
};

// One message of a batch: where its acknowledgement goes.
struct MessageSlot {
  BatchTracker* tracker = nullptr;
  Delivery* delivery = nullptr;  // null when the caller did not ask
  bool not_persisted = false;    // Kafka surely did not store it
};

void DeliveryReport(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* /*opaque*/) {
  auto* slot = static_cast<MessageSlot*>(message->_private);
  if (slot == nullptr) return;
  if (slot->delivery && message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    *slot->delivery = Delivery{Partition(message->partition), Offset(message->offset)};
  }
  slot->not_persisted = message->err != RD_KAFKA_RESP_ERR_NO_ERROR &&
                        rd_kafka_message_status(message) == RD_KAFKA_MSG_STATUS_NOT_PERSISTED;
  slot->tracker->Acknowledge(message->err);
}

KafkaHeadersPtr MakeHeaders(const OutgoingMessage& message) {
  if (message.headers.empty()) return nullptr;
  KafkaHeadersPtr headers(rd_kafka_headers_new(message.headers.size()));
  for (const auto& [name, value] : message.headers) {
    rd_kafka_header_add(headers.get(), name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  return headers;
}

}  // namespace

Result<std::unique_ptr<Publisher>> Publisher::Create(const KafkaSettings& settings, const std::string& client_id) {
  auto conf = MakeProducerConf(settings, client_id);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), DeliveryReport);

  char error[512];
  // rd_kafka_new takes ownership of the conf only on success.
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), error, sizeof(error));
  if (raw == nullptr) return Status::InvalidArgument("kafka", error);
  conf->release();

  std::unique_ptr<Publisher> publisher(new Publisher());
  publisher->producer_.reset(raw);
  if (!settings.topic_spool_dir.empty()) {
    publisher->spool_ = std::make_unique<TopicSpool>(settings.topic_spool_dir);
    for (const ArchivedTopic& topic : ArchivedTopics(settings.topics)) publisher->spooled_topics_.push_back(topic.name);
  }
  publisher->poller_ = std::thread([p = publisher.get()] { p->PollLoop(); });
  return publisher;
}

Publisher::~Publisher() {
  Status flushed = Flush(std::chrono::seconds(10));
  if (!flushed.ok()) spdlog::warn("publisher: {}", flushed.ToString());
  stopping_ = true;
  if (poller_.joinable()) poller_.join();
}

void Publisher::PollLoop() {
  while (!stopping_) rd_kafka_poll(producer_.get(), 100);
}

Result<std::vector<std::string>> Publisher::Spool(std::vector<OutgoingMessage>& messages) {
  std::vector<std::string> ids(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    if (std::find(spooled_topics_.begin(), spooled_topics_.end(), messages[i].topic) == spooled_topics_.end()) continue;
    auto id = spool_->Write(messages[i]);
    if (!id.ok()) {
      for (size_t j = 0; j < i; ++j) {
        if (!ids[j].empty()) spool_->Remove(ids[j]);
      }
      return id.status();
    }
    ids[i] = std::move(id).value();
  }
  return ids;
}

Status Publisher::PublishAndWait(std::span<const OutgoingMessage> messages, std::vector<Delivery>* deliveries) {
  if (!spool_) return Produce(messages, deliveries, nullptr);
  const bool any = std::any_of(messages.begin(), messages.end(), [&](const OutgoingMessage& m) {
    return std::find(spooled_topics_.begin(), spooled_topics_.end(), m.topic) != spooled_topics_.end();
  });
  if (!any) return Produce(messages, deliveries, nullptr);
  // Spooled before produced: from here on a kill loses none of them.
  std::vector<OutgoingMessage> copies(messages.begin(), messages.end());
  auto ids = Spool(copies);
  if (!ids.ok()) return ids.status();
  std::vector<bool> stored;
  Status status = Produce(copies, deliveries, &stored);
  // What Kafka surely did not take must not come back at the next start either;
  // what it may have taken stays spooled (at least once, like a caller's retry).
  for (size_t i = 0; i < ids->size(); ++i) {
    if (!(*ids)[i].empty() && !stored[i]) spool_->Remove((*ids)[i]);
  }
  return status;
}

Status Publisher::Produce(std::span<const OutgoingMessage> messages, std::vector<Delivery>* deliveries,
                          std::vector<bool>* stored) {
  if (deliveries) deliveries->assign(messages.size(), Delivery{Partition(-1), Offset(-1)});
  if (stored) stored->assign(messages.size(), false);
  if (messages.empty()) return Status::Ok();
  BatchTracker tracker;
  tracker.outstanding = messages.size();
  std::vector<MessageSlot> slots(messages.size());

  size_t enqueued = 0;
  rd_kafka_resp_err_t enqueue_error = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (const OutgoingMessage& message : messages) {
    MessageSlot& slot = slots[enqueued];
    slot.tracker = &tracker;
    slot.delivery = deliveries ? &(*deliveries)[enqueued] : nullptr;
    const int32_t partition = message.partition ? message.partition->value() : RD_KAFKA_PARTITION_UA;
    KafkaHeadersPtr headers = MakeHeaders(message);
    rd_kafka_resp_err_t err;
    while (true) {
      err = rd_kafka_producev(
          producer_.get(), RD_KAFKA_V_TOPIC(message.topic.c_str()),
          RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY(message.key.data(), message.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(message.value.data()), message.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(message.timestamp_ms),
          RD_KAFKA_V_HEADERS(headers.get()), RD_KAFKA_V_OPAQUE(&slot), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
      // Back-pressure: the local queue drains as brokers acknowledge.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      enqueue_error = err;
      break;
    }
    headers.release();  // the message owns its headers once produced
    ++enqueued;
  }

  std::unique_lock lock(tracker.mutex);
  // Messages never enqueued will never be acknowledged.
  tracker.outstanding -= messages.size() - enqueued;
  tracker.done.wait(lock, [&] { return tracker.outstanding == 0; });
  if (stored) {
    for (size_t i = 0; i < enqueued; ++i) (*stored)[i] = !slots[i].not_persisted;
  }
  if (enqueue_error != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafka(enqueue_error, "produce");
  return FromKafka(tracker.first_error, "delivery");
}

Status Publisher::Flush(std::chrono::milliseconds timeout) {
  return FromKafka(rd_kafka_flush(producer_.get(), static_cast<int>(timeout.count())), "flush");
}

}  // namespace rapport::events
