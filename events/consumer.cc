#include "events/consumer.h"

#include <spdlog/spdlog.h>

#include <cstring>

namespace rapport::events {
namespace {

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  out.reserve(list->cnt);
  for (int i = 0; i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, Partition(list->elems[i].partition)});
  }
  return out;
}

}  // namespace

std::string_view ConsumedMessage::topic() const {
  return message_->rkt ? std::string_view(rd_kafka_topic_name(message_->rkt)) : std::string_view();
}

std::string_view ConsumedMessage::key() const {
  return message_->key ? std::string_view(static_cast<const char*>(message_->key), message_->key_len)
                       : std::string_view();
}

std::string_view ConsumedMessage::value() const {
  return message_->payload ? std::string_view(static_cast<const char*>(message_->payload), message_->len)
                           : std::string_view();
}

int64_t ConsumedMessage::timestamp_ms() const { return rd_kafka_message_timestamp(message_.get(), nullptr); }

std::optional<std::string_view> ConsumedMessage::header(std::string_view name) const {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message_.get(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  const void* value = nullptr;
  size_t size = 0;
  std::string name_z(name);
  if (rd_kafka_header_get_last(headers, name_z.c_str(), &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  return std::string_view(static_cast<const char*>(value), size);
}

std::string ConsumedMessage::error_text() const {
  if (message_->err == RD_KAFKA_RESP_ERR_NO_ERROR) return "";
  return rd_kafka_message_errstr(message_.get());
}

Result<std::unique_ptr<Consumer>> Consumer::Create(const KafkaSettings& settings, const std::string& group_id,
                                                   const std::string& client_id,
                                                   RebalanceListener* listener) {
  auto conf = MakeConsumerConf(settings, group_id, client_id);
  if (!conf.ok()) return conf.status();
  std::unique_ptr<Consumer> consumer(new Consumer());
  consumer->listener_ = listener;
  rd_kafka_conf_set_opaque(conf->get(), consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Consumer::RebalanceCallback);

  char error[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), error, sizeof(error));
  if (raw == nullptr) return Status::InvalidArgument("kafka", error);
  conf->release();
  consumer->consumer_.reset(raw);
  // All events (messages, rebalances, errors) arrive on the consumer queue.
  rd_kafka_poll_set_consumer(raw);
  consumer->queue_.reset(rd_kafka_queue_get_consumer(raw));
  return consumer;
}

Consumer::~Consumer() {
  Status closed = Close();
  if (!closed.ok()) spdlog::warn("consumer close: {}", closed.ToString());
  queue_.reset();  // the queue reference must go before the handle
}

Status Consumer::Subscribe(const std::vector<std::string>& topics) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& topic : topics)
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  return FromKafka(rd_kafka_subscribe(consumer_.get(), list.get()), "subscribe");
}

std::vector<ConsumedMessage> Consumer::Poll(size_t max_messages, std::chrono::milliseconds timeout) {
  std::vector<rd_kafka_message_t*> raw(max_messages);
  ssize_t count =
      rd_kafka_consume_batch_queue(queue_.get(), static_cast<int>(timeout.count()), raw.data(), raw.size());
  std::vector<ConsumedMessage> out;
  if (count <= 0) return out;
  out.reserve(static_cast<size_t>(count));
  for (ssize_t i = 0; i < count; ++i) out.emplace_back(KafkaMessagePtr(raw[i]));
  return out;
}

Status Consumer::CommitAsync(const std::vector<PartitionOffset>& offsets) {
  if (offsets.empty()) return Status::Ok();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& po : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), po.tp.topic.c_str(), po.tp.partition.value())->offset =
        po.next_offset.value();
  }
  return FromKafka(rd_kafka_commit(consumer_.get(), list.get(), 1), "commit");
}

Status Consumer::Seek(const TopicPartition& tp, Offset offset) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value())->offset =
      offset.value();
  rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_.get(), list.get(), 5000);
  if (error) {
    const bool timed_out = rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__TIMED_OUT;
    std::string text = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    // Under load the seek of a stopped partition can go unanswered (seen at 1M
    // customers in bench/up_rss_bench); the restart below positions it either way,
    // and a late seek reply is dropped by its stale op version.
    if (!timed_out) return Status::Unavailable("seek: " + text);
    spdlog::info("seek {}[{}]: {}; restarting the partition instead", tp.topic, tp.partition.value(), text);
  } else if (list->elems[0].err != RD_KAFKA_RESP_ERR__STATE) {
    return FromKafka(list->elems[0].err, "seek");
  }
  // A partition stopped by an error (auto.offset.reset=error after its offset left
  // the topic) cannot seek; assigning it again at `offset` restarts its fetcher.
  // The group's assignment is unchanged: this only re-positions it locally.
  list->elems[0].err = RD_KAFKA_RESP_ERR_NO_ERROR;
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(consumer_.get()), "COOPERATIVE") == 0;
  if (!cooperative) return Status::Unavailable("seek of a stopped partition needs the cooperative protocol");
  for (auto* change : {rd_kafka_incremental_unassign, rd_kafka_incremental_assign}) {
    if (rd_kafka_error_t* failed = change(consumer_.get(), list.get())) {
      std::string text = rd_kafka_error_string(failed);
      rd_kafka_error_destroy(failed);
      return Status::Unavailable("restart of " + tp.topic + "[" + std::to_string(tp.partition.value()) +
                                 "]: " + text);
    }
  }
  return Status::Ok();
}

Status Consumer::Close() {
  if (closed_ || !consumer_) return Status::Ok();
  closed_ = true;
  return FromKafka(rd_kafka_consumer_close(consumer_.get()), "close");
}

void Consumer::RebalanceCallback(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Consumer*>(opaque)->OnRebalance(err, partitions);
}

namespace {

// Takes (`take`) or gives up the partitions under the group's protocol: the
// cooperative one changes the assignment incrementally, the eager one replaces it.
void ChangeAssignment(rd_kafka_t* consumer, rd_kafka_topic_partition_list_t* partitions, bool take) {
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(consumer), "COOPERATIVE") == 0;
  if (!cooperative) {
    rd_kafka_assign(consumer, take ? partitions : nullptr);
    return;
  }
  rd_kafka_error_t* error = take ? rd_kafka_incremental_assign(consumer, partitions)
                                 : rd_kafka_incremental_unassign(consumer, partitions);
  if (error) {
    spdlog::error("incremental {}: {}", take ? "assign" : "unassign", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

}  // namespace

void Consumer::OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    auto starts = listener_ ? listener_->OnAssigned(ToVector(partitions))
                            : std::vector<std::optional<Offset>>(partitions->cnt);
    for (int i = 0; i < partitions->cnt; ++i) {
      partitions->elems[i].offset = starts[i] ? starts[i]->value() : RD_KAFKA_OFFSET_BEGINNING;
    }
    ChangeAssignment(consumer_.get(), partitions, /*take=*/true);
    spdlog::info("assigned {} partition(s)", partitions->cnt);
    return;
  }
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    // The partitions go away all the same: the listener must forget them (and drop
    // cached state) as on a revocation.
    spdlog::error("rebalance error: {}", rd_kafka_err2str(err));
  }
  if (listener_ && partitions) listener_->OnRevoked(ToVector(partitions));
  ChangeAssignment(consumer_.get(), partitions, /*take=*/false);
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) spdlog::info("revoked {} partition(s)", partitions->cnt);
}

}  // namespace rapport::events
