#include "events/json_codec.h"

#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>

#include "events/flat_json.h"
#include "events/json_nesting.h"
#include "events/names.h"
#include "events/time_format.h"
#include "events/utf8.h"

namespace rapport::events {
namespace {

using nlohmann::json;

using Kind = FlatJsonObject::Kind;
using Member = FlatJsonObject::Member;

std::string TypeName(Kind kind) {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBoolean: return "a boolean";
    case Kind::kString: return "a string";
    case Kind::kArray: return "an array";
    case Kind::kObject: return "an object";
    case Kind::kFloat: return "a fractional number";
    default: return "a number";
  }
}

// Reads the fields of one flat JSON object, marking which ones were consumed so
// that leftovers (typos, fields of another type) can be rejected.
class FieldReader {
 public:
  explicit FieldReader(FlatJsonObject& object) : object_(object) {}

  Result<std::string> String(const char* field, bool required) {
    const Member* member = Find(field);
    if (member == nullptr) {
      if (required) return Status::InvalidArgument(field, "is required");
      return std::string();
    }
    if (member->value.kind != Kind::kString) {
      return Status::InvalidArgument(field, "must be a string, got " + TypeName(member->value.kind));
    }
    return std::string(member->value.text);
  }

  Result<std::optional<int64_t>> Integer(const char* field, bool required) {
    const Member* member = Find(field);
    if (member == nullptr) {
      if (required) return Status::InvalidArgument(field, "is required");
      return std::optional<int64_t>();
    }
    if (member->value.kind == Kind::kUnsigned) {
      const uint64_t raw = member->value.unsigned_value;
      if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Status::InvalidArgument(field, "is too large");
      }
      return std::optional<int64_t>(static_cast<int64_t>(raw));
    }
    if (member->value.kind == Kind::kInteger) return std::optional<int64_t>(member->value.integer);
    return Status::InvalidArgument(field, "must be an integer, got " + TypeName(member->value.kind));
  }

  // An integer field that must fit 32 bits (counts, scores).
  Result<std::optional<int32_t>> SmallInteger(const char* field, bool required) {
    auto wide = Integer(field, required);
    if (!wide.ok()) return wide.status();
    if (!*wide) return std::optional<int32_t>();
    if (**wide < std::numeric_limits<int32_t>::min() || **wide > std::numeric_limits<int32_t>::max()) {
      return Status::InvalidArgument(field, "is out of range, got " + std::to_string(**wide));
    }
    return std::optional<int32_t>(static_cast<int32_t>(**wide));
  }

  Result<bool> Boolean(const char* field) {
    const Member* member = Find(field);
    if (member == nullptr) return Status::InvalidArgument(field, "is required");
    if (member->value.kind != Kind::kBoolean) {
      return Status::InvalidArgument(field, "must be true or false, got " + TypeName(member->value.kind));
    }
    return member->value.boolean;
  }

  // A snake_case enum name; `parse` maps it, `allowed` lists the names for the error.
  template <typename Enum>
  Result<Enum> Name(const char* field, std::optional<Enum> (*parse)(std::string_view), const char* allowed) {
    auto text = String(field, true);
    if (!text.ok()) return text.status();
    if (auto parsed = parse(*text)) return *parsed;
    return Status::InvalidArgument(field, "must be one of " + std::string(allowed) + ", got \"" +
                                              std::string(Utf8Prefix(*text, 40)) + "\"");
  }

  // True when `field` is present with a string value (not consumed).
  bool HasString(const char* field) const {
    const Member* member = object_.Find(field);
    return member != nullptr && member->value.kind == Kind::kString;
  }

  // The first field (in byte order, as a JSON document's object lists them) nobody
  // asked for, or empty.
  std::string FirstUnread() const {
    const Member* first = nullptr;
    for (const Member& member : object_.members()) {
      if (!member.read && (first == nullptr || member.key < first->key)) first = &member;
    }
    return first == nullptr ? std::string() : std::string(first->key);
  }

 private:
  // The member named `field`, marked read; null when absent or null.
  const Member* Find(const char* field) {
    Member* member = object_.Find(field);
    if (member == nullptr) return nullptr;
    member->read = true;
    return member->value.kind == Kind::kNull ? nullptr : member;
  }

  FlatJsonObject& object_;
};

#define RAPPORT_ASSIGN_OR_RETURN(lhs, expr)      \
  do {                                           \
    auto _rapport_result = (expr);               \
    if (!_rapport_result.ok()) return _rapport_result.status(); \
    lhs = std::move(*_rapport_result);           \
  } while (0)

Result<int64_t> ReadTime(FieldReader& reader, const char* field, bool required) {
  if (reader.HasString(field)) {
    auto text = reader.String(field, true);
    return ParseRfc3339(*text, field);
  }
  auto millis = reader.Integer(field, required);
  if (!millis.ok()) {
    if (millis.status().message().starts_with("must be")) {
      return Status::InvalidArgument(field, "must be RFC 3339 text or integer epoch milliseconds");
    }
    return millis.status();
  }
  return millis->value_or(0);
}

// One reader per payload with more than a field or two; ReadPayload picks by type.
Result<Payload> ReadCustomerRegistered(FieldReader& r) {
  CustomerRegistered p;
  RAPPORT_ASSIGN_OR_RETURN(p.display_name, r.String("display_name", false));
  RAPPORT_ASSIGN_OR_RETURN(p.email, r.String("email", false));
  RAPPORT_ASSIGN_OR_RETURN(p.phone, r.String("phone", false));
  RAPPORT_ASSIGN_OR_RETURN(p.region, r.String("region", false));
  RAPPORT_ASSIGN_OR_RETURN(p.postal_code, r.String("postal_code", false));
  RAPPORT_ASSIGN_OR_RETURN(p.age_band, r.String("age_band", false));
  RAPPORT_ASSIGN_OR_RETURN(p.wallet_estimate, r.Integer("wallet_estimate", false));
  return Payload(std::move(p));
}

Result<Payload> ReadPurchase(FieldReader& r) {
  Purchase p;
  RAPPORT_ASSIGN_OR_RETURN(p.order_id, r.String("order_id", true));
  std::optional<int64_t> number;
  RAPPORT_ASSIGN_OR_RETURN(number, r.Integer("amount", true));
  p.amount = *number;
  RAPPORT_ASSIGN_OR_RETURN(number, r.Integer("cost", false));
  p.cost = number.value_or(0);
  RAPPORT_ASSIGN_OR_RETURN(p.currency, r.String("currency", true));
  std::optional<int32_t> items;
  RAPPORT_ASSIGN_OR_RETURN(items, r.SmallInteger("items", false));
  p.items = items.value_or(1);
  RAPPORT_ASSIGN_OR_RETURN(p.category, r.String("category", false));
  return Payload(std::move(p));
}

Result<Payload> ReadRefund(FieldReader& r) {
  Refund p;
  RAPPORT_ASSIGN_OR_RETURN(p.order_id, r.String("order_id", true));
  std::optional<int64_t> number;
  RAPPORT_ASSIGN_OR_RETURN(number, r.Integer("amount", true));
  p.amount = *number;
  return Payload(std::move(p));
}

Result<Payload> ReadComplaint(FieldReader& r) {
  Complaint p;
  RAPPORT_ASSIGN_OR_RETURN(p.complaint_id, r.String("complaint_id", true));
  RAPPORT_ASSIGN_OR_RETURN(
      p.category, r.Name("category", &ParseComplaintCategory,
                         "product, service, staff, price, inconvenience, billing, other"));
  std::optional<int32_t> severity;
  RAPPORT_ASSIGN_OR_RETURN(severity, r.SmallInteger("severity", true));
  p.severity = *severity;
  RAPPORT_ASSIGN_OR_RETURN(p.text, r.String("text", false));
  return Payload(std::move(p));
}

Result<Payload> ReadVisit(FieldReader& r) {
  Visit p;
  RAPPORT_ASSIGN_OR_RETURN(p.location, r.String("location", false));
  std::optional<int32_t> duration;
  RAPPORT_ASSIGN_OR_RETURN(duration, r.SmallInteger("duration_seconds", false));
  p.duration_seconds = duration.value_or(0);
  RAPPORT_ASSIGN_OR_RETURN(p.outcome, r.Name("outcome", &ParseVisitOutcome, "browsed, inquiry, intent"));
  return Payload(std::move(p));
}

Result<Payload> ReadCareContact(FieldReader& r) {
  CareContact p;
  RAPPORT_ASSIGN_OR_RETURN(p.stage, r.Name("stage", &ParseCareStage, "pre_sale, in_sale, after_sale"));
  RAPPORT_ASSIGN_OR_RETURN(
      p.purpose, r.Name("purpose", &ParseCarePurpose, "welcome, follow_up, greeting, win_back, survey, support"));
  RAPPORT_ASSIGN_OR_RETURN(p.direction, r.Name("direction", &ParseDirection, "inbound, outbound"));
  RAPPORT_ASSIGN_OR_RETURN(p.survey.expectation, r.SmallInteger("expectation", false));
  RAPPORT_ASSIGN_OR_RETURN(p.survey.perception, r.SmallInteger("perception", false));
  RAPPORT_ASSIGN_OR_RETURN(p.survey.nps, r.SmallInteger("nps", false));
  RAPPORT_ASSIGN_OR_RETURN(p.survey.csat, r.SmallInteger("csat", false));
  RAPPORT_ASSIGN_OR_RETURN(p.survey.effort, r.SmallInteger("effort", false));
  return Payload(std::move(p));
}

Result<Payload> ReadPayload(EventType type, FieldReader& r) {
  switch (type) {
    case EventType::kCustomerRegistered: return ReadCustomerRegistered(r);
    case EventType::kPurchase: return ReadPurchase(r);
    case EventType::kRefund: return ReadRefund(r);
    case EventType::kComplaint: return ReadComplaint(r);
    case EventType::kComplaintResolved: {
      ComplaintResolved p;
      RAPPORT_ASSIGN_OR_RETURN(p.complaint_id, r.String("complaint_id", true));
      RAPPORT_ASSIGN_OR_RETURN(p.accepted, r.Boolean("accepted"));
      return Payload(std::move(p));
    }
    case EventType::kVisit: return ReadVisit(r);
    case EventType::kCareContact: return ReadCareContact(r);
    case EventType::kReferral: {
      Referral p;
      RAPPORT_ASSIGN_OR_RETURN(p.referred_customer_id, r.String("referred_customer_id", true));
      return Payload(std::move(p));
    }
    case EventType::kCustomersMerged: {
      CustomersMerged p;
      RAPPORT_ASSIGN_OR_RETURN(p.merged_customer_id, r.String("merged_customer_id", true));
      return Payload(std::move(p));
    }
    case EventType::kCustomerErased:
      return Payload(CustomerErased{});
  }
  return Status::Internal("unhandled event type");
}

struct PayloadWriter {
  json& out;

  void operator()(const CustomerRegistered& p) const {
    PutIfSet("display_name", p.display_name);
    PutIfSet("email", p.email);
    PutIfSet("phone", p.phone);
    PutIfSet("region", p.region);
    PutIfSet("postal_code", p.postal_code);
    PutIfSet("age_band", p.age_band);
    if (p.wallet_estimate) out["wallet_estimate"] = *p.wallet_estimate;
  }
  void operator()(const Purchase& p) const {
    out["order_id"] = p.order_id;
    out["amount"] = p.amount;
    out["cost"] = p.cost;
    out["currency"] = p.currency;
    out["items"] = p.items;
    PutIfSet("category", p.category);
  }
  void operator()(const Refund& p) const {
    out["order_id"] = p.order_id;
    out["amount"] = p.amount;
  }
  void operator()(const Complaint& p) const {
    out["complaint_id"] = p.complaint_id;
    out["category"] = Name(p.category);
    out["severity"] = p.severity;
    PutIfSet("text", p.text);
  }
  void operator()(const ComplaintResolved& p) const {
    out["complaint_id"] = p.complaint_id;
    out["accepted"] = p.accepted;
  }
  void operator()(const Visit& p) const {
    PutIfSet("location", p.location);
    out["duration_seconds"] = p.duration_seconds;
    out["outcome"] = Name(p.outcome);
  }
  void operator()(const CareContact& p) const {
    out["stage"] = Name(p.stage);
    out["purpose"] = Name(p.purpose);
    out["direction"] = Name(p.direction);
    if (p.survey.expectation) out["expectation"] = *p.survey.expectation;
    if (p.survey.perception) out["perception"] = *p.survey.perception;
    if (p.survey.nps) out["nps"] = *p.survey.nps;
    if (p.survey.csat) out["csat"] = *p.survey.csat;
    if (p.survey.effort) out["effort"] = *p.survey.effort;
  }
  void operator()(const Referral& p) const { out["referred_customer_id"] = p.referred_customer_id; }
  void operator()(const CustomersMerged& p) const { out["merged_customer_id"] = p.merged_customer_id; }
  void operator()(const CustomerErased&) const {}

 private:
  void PutIfSet(const char* field, const std::string& value) const {
    if (!value.empty()) out[field] = value;
  }
};

// The event in a flat object, whichever parser read it.
Result<Event> DecodeFlatObject(FlatJsonObject& object, const Limits& limits) {
  FieldReader reader(object);
  Event event;
  std::string text;
  RAPPORT_ASSIGN_OR_RETURN(text, reader.String("event_id", true));
  event.event_id = EventId(std::move(text));
  RAPPORT_ASSIGN_OR_RETURN(text, reader.String("customer_id", true));
  event.customer_id = CustomerId(std::move(text));
  RAPPORT_ASSIGN_OR_RETURN(event.occurred_at_ms, ReadTime(reader, "occurred_at", true));
  RAPPORT_ASSIGN_OR_RETURN(event.recorded_at_ms, ReadTime(reader, "recorded_at", false));
  RAPPORT_ASSIGN_OR_RETURN(event.channel,
                           reader.Name("channel", &ParseChannel, "call_centre, web, store, mobile, email, other"));
  RAPPORT_ASSIGN_OR_RETURN(event.agent_id, reader.String("agent_id", false));
  EventType type;
  RAPPORT_ASSIGN_OR_RETURN(type, reader.Name("type", &ParseEventType,
                                             "customer_registered, purchase, refund, complaint, complaint_resolved, "
                                             "visit, care_contact, referral, customers_merged, customer_erased"));
  RAPPORT_ASSIGN_OR_RETURN(event.payload, ReadPayload(type, reader));
  if (std::string unknown = reader.FirstUnread(); !unknown.empty()) {
    return Status::InvalidArgument(unknown, "is not a field of a " + std::string(Name(type)) + " event");
  }
  RAPPORT_RETURN_IF_ERROR(ValidateEvent(event, limits));
  return event;
}

}  // namespace

Result<Event> DecodeJsonObject(const json& object, const Limits& limits) {
  if (!object.is_object()) return Status::InvalidArgument("", "an event must be a JSON object");
  FlatJsonObject flat;
  FlatJsonFromDocument(object, &flat);
  return DecodeFlatObject(flat, limits);
}

Result<Event> DecodeJsonEvent(std::string_view text, const Limits& limits) {
  // Nearly every event is a flat object of strings and integers: read those in
  // place; the full parser decides everything else (and reports invalid JSON).
  FlatJsonObject flat;
  if (ParseFlatJson(text, &flat)) return DecodeFlatObject(flat, limits);
  if (auto deep = FindDeepNesting(text)) {
    return Status::InvalidArgument(deep->field, "JSON nests deeper than " + std::to_string(kMaxJsonNesting) +
                                                    " levels");
  }
  json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return Status::InvalidArgument("", "body is not valid JSON");
  return DecodeJsonObject(object, limits);
}

json EventToJson(const Event& event) {
  json out = json::object();
  out["event_id"] = event.event_id.str();
  out["customer_id"] = event.customer_id.str();
  out["occurred_at"] = FormatRfc3339(event.occurred_at_ms);
  if (event.recorded_at_ms != 0) out["recorded_at"] = FormatRfc3339(event.recorded_at_ms);
  out["channel"] = Name(event.channel);
  if (!event.agent_id.empty()) out["agent_id"] = event.agent_id;
  out["type"] = Name(event.type());
  std::visit(PayloadWriter{out}, event.payload);
  return out;
}

std::string EncodeJsonEvent(const Event& event) { return EventToJson(event).dump(); }

NdjsonBatch DecodeNdjson(std::string_view body, size_t max_lines, const Limits& limits) {
  NdjsonBatch batch;
  size_t line_number = 0;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.size() > kMaxNdjsonLineBytes) {
      batch.error = NdjsonError{line_number, Status::InvalidArgument("", "line is " + std::to_string(line.size()) +
                                                                             " bytes; a line holds at most " +
                                                                             std::to_string(kMaxNdjsonLineBytes))};
      batch.events.clear();
      return batch;
    }
    if (batch.events.size() == max_lines) {
      batch.error = NdjsonError{line_number, Status::ResourceExhausted("a batch holds at most " +
                                                                       std::to_string(max_lines) + " events")};
      batch.events.clear();
      return batch;
    }
    auto event = DecodeJsonEvent(line, limits);
    if (!event.ok()) {
      batch.error = NdjsonError{line_number, event.status()};
      batch.events.clear();
      return batch;
    }
    batch.events.push_back(std::move(*event));
    batch.lines.push_back(line_number);
  }
  return batch;
}

}  // namespace rapport::events
