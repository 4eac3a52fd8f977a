#include "services/ingest/gateway.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "events/event_time_bound.h"
#include "events/json_codec.h"
#include "events/names.h"
#include "events/wire_codec.h"
#include "services/ingest/archiver.h"

namespace rapport::services {

int64_t WallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Gateway::Gateway(events::Publisher& publisher, events::TopicNames topics, GatewayLimits limits,
                 projections::Journal* journal, Clock clock)
    : publisher_(publisher),
      topics_(std::move(topics)),
      limits_(limits),
      journal_(journal),
      clock_(std::move(clock)) {}

events::OutgoingMessage ToKafkaMessage(const events::Event& event, const std::string& topic) {
  events::OutgoingMessage message;
  message.topic = topic;
  message.key = event.customer_id.str();
  message.value = events::EncodeWire(event);
  message.timestamp_ms = event.occurred_at_ms;
  message.headers = {{std::string(events::kHeaderEventType), std::string(events::Name(event.type()))},
                     {std::string(events::kHeaderSchemaVersion), std::to_string(events::kSchemaVersion)}};
  return message;
}

Status Gateway::Publish(std::vector<events::Event>& events) {
  const int64_t now = clock_();
  std::vector<events::OutgoingMessage> messages;
  messages.reserve(events.size());
  for (events::Event& event : events) {
    event.recorded_at_ms = now;
    messages.push_back(ToKafkaMessage(event, topics_.interactions));
    // Journaled below, before the 202: the embedded-mode archiver skips it.
    if (journal_ != nullptr) messages.back().headers.emplace_back(kHeaderJournaled, ProcessJournaledMark());
  }
  if (journal_ == nullptr) return outbox_ ? outbox_->Publish(messages) : publisher_.PublishAndWait(messages);

  std::vector<events::Delivery> deliveries;
  RAPPORT_RETURN_IF_ERROR(publisher_.PublishAndWait(messages, &deliveries));
  std::vector<projections::JournalEntry> entries;
  entries.reserve(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    entries.push_back({deliveries[i].partition, deliveries[i].offset, std::move(messages[i].key),
                       std::move(messages[i].value), messages[i].timestamp_ms,
                       std::string(events::Name(events[i].type()))});
  }
  // Idempotent: a retried or re-published event is journaled once.
  return journal_->AppendEvents(entries, /*sync=*/true);
}

namespace {

// The 400 for an invalid line of a batch: the error body with the line number.
HttpResponse LineError(size_t line, const Status& status) {
  HttpResponse response = ErrorResponse(status);
  auto json = nlohmann::json::parse(response.body);
  json["line"] = line;
  response.body = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

bool AdminOnly(events::EventType type) {
  return type == events::EventType::kCustomersMerged || type == events::EventType::kCustomerErased;
}

// 403 for the first admin-only event of `events` when the caller is no admin;
// `lines` (NDJSON only) are the events' line numbers.
std::optional<HttpResponse> RefuseAdminOnly(const std::vector<events::Event>& events,
                                            const std::vector<size_t>& lines, const AdminCheck& is_admin) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (!AdminOnly(events[i].type()) || is_admin()) continue;
    nlohmann::json refusal = {
        {"error", "forbidden"},
        {"reason", std::string(events::Name(events[i].type())) + " events need the admin role"},
        {"role", "admin"}};
    if (i < lines.size()) {
      refusal["line"] = lines[i];
      refusal["reason"] = "line " + std::to_string(lines[i]) + ": " + refusal["reason"].get<std::string>() +
                          "; nothing of the batch was published";
    }
    return JsonResponse(403, refusal);
  }
  return std::nullopt;
}

}  // namespace

HttpResponse Gateway::Accept(std::string_view body, std::string_view content_type,
                             const AdminCheck& is_admin) {
  if (static_cast<int64_t>(body.size()) > limits_.max_body_bytes) {
    return ErrorResponse(
        Status::ResourceExhausted("body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes"));
  }
  std::vector<events::Event> events;
  std::vector<size_t> lines;  // NDJSON only
  const bool ndjson = content_type.starts_with("application/x-ndjson");
  if (ndjson) {
    events::NdjsonBatch batch = events::DecodeNdjson(body, static_cast<size_t>(limits_.max_batch_events));
    if (batch.error) return LineError(batch.error->line, batch.error->status);
    events = std::move(batch.events);
    lines = std::move(batch.lines);
  } else {
    auto event = events::DecodeJsonEvent(body);
    if (!event.ok()) return ErrorResponse(event.status());
    events.push_back(std::move(event).value());
  }
  if (events.empty()) return ErrorResponse(Status::InvalidArgument("", "no events in the body"));
  // Event time must be believable (DOMAIN.md §7): checked before anything of the
  // request is published.
  const int64_t now = clock_();
  for (size_t i = 0; i < events.size(); ++i) {
    Status bound = events::CheckEventTimeBound(events[i], now, limits_.max_future_skew_ms, "gateway");
    if (!bound.ok()) return ndjson ? LineError(lines[i], bound) : ErrorResponse(bound);
  }
  if (is_admin) {
    if (auto refusal = RefuseAdminOnly(events, lines, is_admin)) return *refusal;
  }

  Status published = Publish(events);
  if (!published.ok()) {
    // Kafka did not acknowledge everything: the client must retry (event ids make
    // the retry count once).
    return ErrorResponse(Status::Unavailable(published.ToString()));
  }
  return JsonResponse(202, {{"accepted", events.size()}});
}

}  // namespace rapport::services
