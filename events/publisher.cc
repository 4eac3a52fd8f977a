#include "events/publisher.h"

#include <condition_variable>
#include <mutex>

#include <spdlog/spdlog.h>

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
};

void DeliveryReport(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* /*opaque*/) {
  auto* slot = static_cast<MessageSlot*>(message->_private);
  if (slot == nullptr) return;
  if (slot->delivery && message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    *slot->delivery = Delivery{Partition(message->partition), Offset(message->offset)};
  }
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

Status Publisher::PublishAndWait(std::span<const OutgoingMessage> messages, std::vector<Delivery>* deliveries) {
  if (deliveries) deliveries->assign(messages.size(), Delivery{Partition(-1), Offset(-1)});
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
  if (enqueue_error != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafka(enqueue_error, "produce");
  return FromKafka(tracker.first_error, "delivery");
}

Status Publisher::Flush(std::chrono::milliseconds timeout) {
  return FromKafka(rd_kafka_flush(producer_.get(), static_cast<int>(timeout.count())), "flush");
}

}  // namespace rapport::events
