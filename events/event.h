#pragma once
// The event model: what every interaction carries (DOMAIN.md §1). Events are
// immutable values; a correction is a new event. This is the in-memory form; the
// wire forms are JSON (events/json_codec.h) and FlatBuffers (events/wire_codec.h).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "events/strong_types.h"

namespace rapport::events {

// Enum order matches schemas/interaction.fbs; never reorder.
enum class Channel : uint8_t { kCallCentre, kWeb, kStore, kMobile, kEmail, kOther };
enum class ComplaintCategory : uint8_t { kProduct, kService, kStaff, kPrice, kInconvenience, kBilling, kOther };
enum class VisitOutcome : uint8_t { kBrowsed, kInquiry, kIntent };
enum class CareStage : uint8_t { kPreSale, kInSale, kAfterSale };
enum class CarePurpose : uint8_t { kWelcome, kFollowUp, kGreeting, kWinBack, kSurvey, kSupport };
enum class Direction : uint8_t { kInbound, kOutbound };

inline constexpr int kChannelCount = 6;

struct CustomerRegistered {
  std::string display_name;  // personal data
  std::string email;         // personal data
  std::string phone;         // personal data
  std::string region;
  std::string postal_code;
  std::string age_band;
  std::optional<int64_t> wallet_estimate;  // minor units a year, all suppliers
  bool operator==(const CustomerRegistered&) const = default;
};

struct Purchase {
  std::string order_id;
  int64_t amount = 0;  // minor currency units
  int64_t cost = 0;    // minor currency units
  std::string currency;
  int32_t items = 0;
  std::string category;
  bool operator==(const Purchase&) const = default;
};

struct Refund {
  std::string order_id;
  int64_t amount = 0;
  bool operator==(const Refund&) const = default;
};

struct Complaint {
  std::string complaint_id;
  ComplaintCategory category = ComplaintCategory::kOther;
  int32_t severity = 1;  // 1..5
  std::string text;
  bool operator==(const Complaint&) const = default;
};

struct ComplaintResolved {
  std::string complaint_id;
  bool accepted = false;
  bool operator==(const ComplaintResolved&) const = default;
};

struct Visit {
  std::string location;  // store id or page
  int32_t duration_seconds = 0;
  VisitOutcome outcome = VisitOutcome::kBrowsed;
  bool operator==(const Visit&) const = default;
};

struct SurveyAnswers {
  std::optional<int32_t> expectation;  // 1..10
  std::optional<int32_t> perception;   // 1..10
  std::optional<int32_t> nps;          // 0..10
  std::optional<int32_t> csat;         // 1..5
  std::optional<int32_t> effort;       // 1..7
  bool empty() const { return !expectation && !perception && !nps && !csat && !effort; }
  bool operator==(const SurveyAnswers&) const = default;
};

struct CareContact {
  CareStage stage = CareStage::kAfterSale;
  CarePurpose purpose = CarePurpose::kSupport;
  Direction direction = Direction::kInbound;
  SurveyAnswers survey;
  bool operator==(const CareContact&) const = default;
};

struct Referral {
  std::string referred_customer_id;
  bool operator==(const Referral&) const = default;
};

struct CustomersMerged {
  std::string merged_customer_id;  // the duplicate folded into this customer
  bool operator==(const CustomersMerged&) const = default;
};

struct CustomerErased {
  bool operator==(const CustomerErased&) const = default;
};

// Variant order defines EventType and matches the FlatBuffers union; never reorder.
using Payload = std::variant<CustomerRegistered, Purchase, Refund, Complaint, ComplaintResolved, Visit,
                             CareContact, Referral, CustomersMerged, CustomerErased>;

enum class EventType : uint8_t {
  kCustomerRegistered,
  kPurchase,
  kRefund,
  kComplaint,
  kComplaintResolved,
  kVisit,
  kCareContact,
  kReferral,
  kCustomersMerged,
  kCustomerErased,
};
inline constexpr int kEventTypeCount = 10;

struct Event {
  EventId event_id;        // publisher's idempotency key, 1..64 printable ASCII
  CustomerId customer_id;  // 1..64 chars; the Kafka message key
  int64_t occurred_at_ms = 0;  // event time, UTC epoch ms
  int64_t recorded_at_ms = 0;  // when the gateway accepted it (0 if unknown)
  Channel channel = Channel::kOther;
  std::string agent_id;  // optional, empty when absent
  Payload payload;

  EventType type() const { return static_cast<EventType>(payload.index()); }
  bool operator==(const Event&) const = default;
};

}  // namespace rapport::events
