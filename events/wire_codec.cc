#include "events/wire_codec.h"

#include <flatbuffers/flatbuffers.h>

#include "events/aligned_bytes.h"
#include "schemas/interaction_generated.h"

namespace rapport::events {
namespace {

namespace fb = ::flatbuffers;
namespace wire = ::rapport::wire;

// Empty strings are left out of the buffer; readers treat absent as empty.
fb::Offset<fb::String> Text(fb::FlatBufferBuilder& builder, const std::string& value) {
  return value.empty() ? fb::Offset<fb::String>() : builder.CreateString(value);
}

std::string Text(const fb::String* value) { return value == nullptr ? std::string() : value->str(); }

fb::Optional<int8_t> Small(const std::optional<int32_t>& value) {
  return value ? fb::Optional<int8_t>(static_cast<int8_t>(*value)) : fb::nullopt;
}

std::optional<int32_t> Small(const fb::Optional<int8_t>& value) {
  return value ? std::optional<int32_t>(*value) : std::nullopt;
}

struct PayloadEncoder {
  fb::FlatBufferBuilder& b;

  fb::Offset<void> operator()(const CustomerRegistered& p) const {
    auto name = Text(b, p.display_name), email = Text(b, p.email), phone = Text(b, p.phone);
    auto region = Text(b, p.region), postal = Text(b, p.postal_code), age = Text(b, p.age_band);
    fb::Optional<int64_t> wallet = p.wallet_estimate ? fb::Optional<int64_t>(*p.wallet_estimate) : fb::nullopt;
    return wire::CreateCustomerRegistered(b, name, email, phone, region, postal, age, wallet).Union();
  }
  fb::Offset<void> operator()(const Purchase& p) const {
    auto order = Text(b, p.order_id), currency = Text(b, p.currency), category = Text(b, p.category);
    return wire::CreatePurchase(b, order, p.amount, p.cost, currency, p.items, category).Union();
  }
  fb::Offset<void> operator()(const Refund& p) const {
    return wire::CreateRefund(b, Text(b, p.order_id), p.amount).Union();
  }
  fb::Offset<void> operator()(const Complaint& p) const {
    auto id = Text(b, p.complaint_id), text = Text(b, p.text);
    return wire::CreateComplaint(b, id, static_cast<wire::ComplaintCategory>(p.category),
                                 static_cast<int8_t>(p.severity), text)
        .Union();
  }
  fb::Offset<void> operator()(const ComplaintResolved& p) const {
    return wire::CreateComplaintResolved(b, Text(b, p.complaint_id), p.accepted).Union();
  }
  fb::Offset<void> operator()(const Visit& p) const {
    return wire::CreateVisit(b, Text(b, p.location), p.duration_seconds, static_cast<wire::VisitOutcome>(p.outcome))
        .Union();
  }
  fb::Offset<void> operator()(const CareContact& p) const {
    return wire::CreateCareContact(b, static_cast<wire::CareStage>(p.stage), static_cast<wire::CarePurpose>(p.purpose),
                                   static_cast<wire::Direction>(p.direction), Small(p.survey.expectation),
                                   Small(p.survey.perception), Small(p.survey.nps), Small(p.survey.csat),
                                   Small(p.survey.effort))
        .Union();
  }
  fb::Offset<void> operator()(const Referral& p) const {
    return wire::CreateReferral(b, Text(b, p.referred_customer_id)).Union();
  }
  fb::Offset<void> operator()(const CustomersMerged& p) const {
    return wire::CreateCustomersMerged(b, Text(b, p.merged_customer_id)).Union();
  }
  fb::Offset<void> operator()(const CustomerErased&) const { return wire::CreateCustomerErased(b).Union(); }
};

Result<Payload> DecodePayload(const wire::Envelope& envelope) {
  switch (envelope.payload_type()) {
    case wire::Payload::CustomerRegistered: {
      const auto* w = envelope.payload_as_CustomerRegistered();
      CustomerRegistered p{Text(w->display_name()), Text(w->email()),       Text(w->phone()),
                           Text(w->region()),       Text(w->postal_code()), Text(w->age_band()),
                           std::nullopt};
      if (auto wallet = w->wallet_estimate()) p.wallet_estimate = *wallet;
      return Payload(std::move(p));
    }
    case wire::Payload::Purchase: {
      const auto* w = envelope.payload_as_Purchase();
      return Payload(Purchase{Text(w->order_id()), w->amount(), w->cost(), Text(w->currency()), w->items(),
                              Text(w->category())});
    }
    case wire::Payload::Refund: {
      const auto* w = envelope.payload_as_Refund();
      return Payload(Refund{Text(w->order_id()), w->amount()});
    }
    case wire::Payload::Complaint: {
      const auto* w = envelope.payload_as_Complaint();
      return Payload(Complaint{Text(w->complaint_id()), static_cast<ComplaintCategory>(w->category()), w->severity(),
                               Text(w->text())});
    }
    case wire::Payload::ComplaintResolved: {
      const auto* w = envelope.payload_as_ComplaintResolved();
      return Payload(ComplaintResolved{Text(w->complaint_id()), w->accepted()});
    }
    case wire::Payload::Visit: {
      const auto* w = envelope.payload_as_Visit();
      return Payload(Visit{Text(w->location()), w->duration_seconds(), static_cast<VisitOutcome>(w->outcome())});
    }
    case wire::Payload::CareContact: {
      const auto* w = envelope.payload_as_CareContact();
      CareContact p{static_cast<CareStage>(w->stage()), static_cast<CarePurpose>(w->purpose()),
                    static_cast<Direction>(w->direction()), {}};
      p.survey = {Small(w->expectation()), Small(w->perception()), Small(w->nps()), Small(w->csat()),
                  Small(w->effort())};
      return Payload(std::move(p));
    }
    case wire::Payload::Referral:
      return Payload(Referral{Text(envelope.payload_as_Referral()->referred_customer_id())});
    case wire::Payload::CustomersMerged:
      return Payload(CustomersMerged{Text(envelope.payload_as_CustomersMerged()->merged_customer_id())});
    case wire::Payload::CustomerErased:
      return Payload(CustomerErased{});
    default:
      return Status::InvalidArgument("type", "unknown payload type " +
                                                 std::to_string(static_cast<int>(envelope.payload_type())));
  }
}

}  // namespace

std::string EncodeWire(const Event& event) {
  fb::FlatBufferBuilder builder(256);
  auto payload = std::visit(PayloadEncoder{builder}, event.payload);
  auto event_id = builder.CreateString(event.event_id.str());
  auto customer_id = builder.CreateString(event.customer_id.str());
  auto agent_id = Text(builder, event.agent_id);
  // Payload enum values are the variant index + 1 (0 is NONE).
  auto envelope = wire::CreateEnvelope(builder, kSchemaVersion, event_id, customer_id, event.occurred_at_ms,
                                       event.recorded_at_ms, static_cast<wire::Channel>(event.channel), agent_id,
                                       static_cast<wire::Payload>(event.payload.index() + 1), payload);
  wire::FinishEnvelopeBuffer(builder, envelope);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

Result<Event> DecodeWire(std::string_view bytes, const Limits& limits) {
  bytes = AlignedForFlatBuffers(bytes);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (bytes.size() < 8 || !fb::BufferHasIdentifier(data, wire::EnvelopeIdentifier())) {
    return Status::Corruption("not a rapport event envelope (missing \"RPEV\" identifier)");
  }
  fb::Verifier verifier(data, bytes.size());
  if (!wire::VerifyEnvelopeBuffer(verifier)) return Status::Corruption("envelope fails FlatBuffers verification");
  const wire::Envelope* envelope = wire::GetEnvelope(data);
  if (envelope->schema_version() != kSchemaVersion) {
    return Status::InvalidArgument("schema_version", "unsupported schema version " +
                                                         std::to_string(envelope->schema_version()) + ", this build reads " +
                                                         std::to_string(kSchemaVersion));
  }
  auto payload = DecodePayload(*envelope);
  if (!payload.ok()) return payload.status();
  Event event;
  event.event_id = EventId(envelope->event_id()->str());
  event.customer_id = CustomerId(envelope->customer_id()->str());
  event.occurred_at_ms = envelope->occurred_at_ms();
  event.recorded_at_ms = envelope->recorded_at_ms();
  event.channel = static_cast<Channel>(envelope->channel());
  event.agent_id = Text(envelope->agent_id());
  event.payload = std::move(*payload);
  RAPPORT_RETURN_IF_ERROR(ValidateEvent(event, limits));
  return event;
}

}  // namespace rapport::events
