#include "events/validation.h"

#include <string>
#include <string_view>

#include "events/utf8.h"

namespace rapport::events {
namespace {

// Free text may carry line breaks and tabs.
bool IsCleanFreeText(std::string_view text) {
  std::string copy(text);
  for (char& c : copy) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return IsCleanUtf8(copy);
}

Status CheckText(std::string_view value, const char* field, size_t max, bool required) {
  if (value.empty()) {
    return required ? Status::InvalidArgument(field, "is required") : Status::Ok();
  }
  if (value.size() > max) {
    return Status::InvalidArgument(field, "must be at most " + std::to_string(max) + " bytes, got " +
                                              std::to_string(value.size()));
  }
  if (!IsCleanUtf8(value)) return Status::InvalidArgument(field, "must be UTF-8 without control characters");
  return Status::Ok();
}

Status CheckRange(int64_t value, const char* field, int64_t min, int64_t max) {
  if (value < min || value > max) {
    return Status::InvalidArgument(field, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                                              ", got " + std::to_string(value));
  }
  return Status::Ok();
}

Status CheckNonNegative(int64_t value, const char* field) {
  if (value < 0) return Status::InvalidArgument(field, "must be >= 0, got " + std::to_string(value));
  return Status::Ok();
}

// Money in minor units: never negative, and at most limits.max_money_minor_units, so
// that sums of realistic counts of amounts stay far from int64 overflow.
Status CheckMoney(int64_t value, const char* field, const Limits& limits) {
  RAPPORT_RETURN_IF_ERROR(CheckNonNegative(value, field));
  if (value > limits.max_money_minor_units) {
    return Status::InvalidArgument(field, "must be at most " + std::to_string(limits.max_money_minor_units) +
                                              " minor units, got " + std::to_string(value));
  }
  return Status::Ok();
}

Status CheckOptionalRange(const std::optional<int32_t>& value, const char* field, int min, int max) {
  return value ? CheckRange(*value, field, min, max) : Status::Ok();
}

Status CheckEventId(std::string_view id, size_t max) {
  if (id.empty()) return Status::InvalidArgument("event_id", "is required");
  if (id.size() > max) {
    return Status::InvalidArgument("event_id", "must be at most " + std::to_string(max) + " characters");
  }
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f) {
      return Status::InvalidArgument("event_id", "must be printable ASCII without spaces");
    }
  }
  return Status::Ok();
}

Status CheckCurrency(std::string_view currency) {
  if (currency.size() != 3) return Status::InvalidArgument("currency", "must be 3 upper-case letters (ISO 4217)");
  for (char c : currency) {
    if (c < 'A' || c > 'Z') return Status::InvalidArgument("currency", "must be 3 upper-case letters (ISO 4217)");
  }
  return Status::Ok();
}

struct PayloadValidator {
  const Event& event;
  const Limits& limits;

  Status operator()(const CustomerRegistered& p) const {
    RAPPORT_RETURN_IF_ERROR(CheckText(p.display_name, "display_name", limits.max_short_text, false));
    RAPPORT_RETURN_IF_ERROR(CheckText(p.email, "email", limits.max_short_text, false));
    RAPPORT_RETURN_IF_ERROR(CheckText(p.phone, "phone", limits.max_short_text, false));
    RAPPORT_RETURN_IF_ERROR(CheckText(p.region, "region", limits.max_short_text, false));
    RAPPORT_RETURN_IF_ERROR(CheckText(p.postal_code, "postal_code", limits.max_short_text, false));
    RAPPORT_RETURN_IF_ERROR(CheckText(p.age_band, "age_band", limits.max_short_text, false));
    if (p.wallet_estimate) RAPPORT_RETURN_IF_ERROR(CheckMoney(*p.wallet_estimate, "wallet_estimate", limits));
    return Status::Ok();
  }
  Status operator()(const Purchase& p) const {
    RAPPORT_RETURN_IF_ERROR(CheckText(p.order_id, "order_id", limits.max_id_length, true));
    RAPPORT_RETURN_IF_ERROR(CheckMoney(p.amount, "amount", limits));
    RAPPORT_RETURN_IF_ERROR(CheckMoney(p.cost, "cost", limits));
    RAPPORT_RETURN_IF_ERROR(CheckCurrency(p.currency));
    RAPPORT_RETURN_IF_ERROR(CheckNonNegative(p.items, "items"));
    return CheckText(p.category, "category", limits.max_short_text, false);
  }
  Status operator()(const Refund& p) const {
    RAPPORT_RETURN_IF_ERROR(CheckText(p.order_id, "order_id", limits.max_id_length, true));
    return CheckMoney(p.amount, "amount", limits);
  }
  Status operator()(const Complaint& p) const {
    RAPPORT_RETURN_IF_ERROR(CheckText(p.complaint_id, "complaint_id", limits.max_id_length, true));
    RAPPORT_RETURN_IF_ERROR(CheckRange(static_cast<int>(p.category), "category", 0, 6));
    RAPPORT_RETURN_IF_ERROR(CheckRange(p.severity, "severity", 1, 5));
    if (p.text.size() > limits.max_free_text) {
      return Status::InvalidArgument("text", "must be at most " + std::to_string(limits.max_free_text) + " bytes");
    }
    if (!IsCleanFreeText(p.text)) return Status::InvalidArgument("text", "must be UTF-8 without control characters");
    return Status::Ok();
  }
  Status operator()(const ComplaintResolved& p) const {
    return CheckText(p.complaint_id, "complaint_id", limits.max_id_length, true);
  }
  Status operator()(const Visit& p) const {
    RAPPORT_RETURN_IF_ERROR(CheckText(p.location, "location", limits.max_short_text, false));
    RAPPORT_RETURN_IF_ERROR(CheckNonNegative(p.duration_seconds, "duration_seconds"));
    return CheckRange(static_cast<int>(p.outcome), "outcome", 0, 2);
  }
  Status operator()(const CareContact& p) const {
    RAPPORT_RETURN_IF_ERROR(CheckRange(static_cast<int>(p.stage), "stage", 0, 2));
    RAPPORT_RETURN_IF_ERROR(CheckRange(static_cast<int>(p.purpose), "purpose", 0, 5));
    RAPPORT_RETURN_IF_ERROR(CheckRange(static_cast<int>(p.direction), "direction", 0, 1));
    RAPPORT_RETURN_IF_ERROR(CheckOptionalRange(p.survey.expectation, "expectation", 1, 10));
    RAPPORT_RETURN_IF_ERROR(CheckOptionalRange(p.survey.perception, "perception", 1, 10));
    RAPPORT_RETURN_IF_ERROR(CheckOptionalRange(p.survey.nps, "nps", 0, 10));
    RAPPORT_RETURN_IF_ERROR(CheckOptionalRange(p.survey.csat, "csat", 1, 5));
    return CheckOptionalRange(p.survey.effort, "effort", 1, 7);
  }
  Status operator()(const Referral& p) const {
    RAPPORT_RETURN_IF_ERROR(ValidateCustomerId(p.referred_customer_id, "referred_customer_id", limits));
    if (p.referred_customer_id == event.customer_id.str()) {
      return Status::InvalidArgument("referred_customer_id", "must differ from customer_id");
    }
    return Status::Ok();
  }
  Status operator()(const CustomersMerged& p) const {
    RAPPORT_RETURN_IF_ERROR(ValidateCustomerId(p.merged_customer_id, "merged_customer_id", limits));
    if (p.merged_customer_id == event.customer_id.str()) {
      return Status::InvalidArgument("merged_customer_id", "must differ from customer_id");
    }
    return Status::Ok();
  }
  Status operator()(const CustomerErased&) const { return Status::Ok(); }
};

}  // namespace

Status ValidateCustomerId(std::string_view id, const char* field, const Limits& limits) {
  RAPPORT_RETURN_IF_ERROR(CheckText(id, field, limits.max_id_length, true));
  // The id is one segment of /v1/customers/{id}/...: a slash would make the
  // customer unreachable (or reach another route).
  if (id.find('/') != std::string_view::npos) return Status::InvalidArgument(field, "must not contain '/'");
  return Status::Ok();
}

Status ValidateEvent(const Event& event, const Limits& limits) {
  RAPPORT_RETURN_IF_ERROR(CheckEventId(event.event_id.str(), limits.max_id_length));
  RAPPORT_RETURN_IF_ERROR(ValidateCustomerId(event.customer_id.str(), "customer_id", limits));
  RAPPORT_RETURN_IF_ERROR(
      CheckRange(event.occurred_at_ms, "occurred_at", limits.min_occurred_at_ms, limits.max_occurred_at_ms));
  if (event.recorded_at_ms < 0) return Status::InvalidArgument("recorded_at", "must be >= 0");
  // Found by fuzzing: a recorded_at past year 9999 passed here but cannot be written
  // as RFC 3339, so the event could not be exported or re-read as JSON.
  if (event.recorded_at_ms > limits.max_occurred_at_ms) {
    return Status::InvalidArgument("recorded_at", "must be at most 9999-12-31T23:59:59.999Z");
  }
  RAPPORT_RETURN_IF_ERROR(CheckRange(static_cast<int>(event.channel), "channel", 0, kChannelCount - 1));
  RAPPORT_RETURN_IF_ERROR(CheckText(event.agent_id, "agent_id", limits.max_id_length, false));
  return std::visit(PayloadValidator{event, limits}, event.payload);
}

}  // namespace rapport::events
