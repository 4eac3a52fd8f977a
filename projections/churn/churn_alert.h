#pragma once
// A churn alert as an event (DOMAIN.md §5): raised, or cleared by a purchase. The
// in-memory form; the wire form is schemas/alert.fbs (EncodeAlertWire /
// DecodeAlertWire, verified), the JSON form serves HTTP, the CLI and webhooks.
// Pure value types and functions.

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/domain/tier.h"

namespace rapport::projections {

// Order matches schemas/alert.fbs AlertReasonCode; never reorder.
enum class ChurnReason : uint8_t {
  kOverdue = 0,
  kSatisfactionDrop = 1,
  kComplaints = 2,
  kFrequencyDecline = 3
};
inline constexpr int kChurnReasonCount = 4;

std::string_view Name(ChurnReason reason);  // "overdue", "satisfaction_drop", ...

// One reason of an alert with the figures behind it.
struct AlertReason {
  ChurnReason reason = ChurnReason::kOverdue;
  std::string detail;    // "41 days since last purchase, usual interval 14"
  double value = 0;      // the measured figure
  double threshold = 0;  // what it was compared with
  bool operator==(const AlertReason&) const = default;
};

enum class AlertKind : uint8_t { kRaised = 0, kCleared = 1 };

struct AlertEvent {
  AlertKind kind = AlertKind::kRaised;
  std::string alert_id;
  std::string customer_id;
  int64_t at_ms = 0;  // event time
  std::string triggering_event_id;
  int64_t sequence = 0;  // position in the alert log; 0 until released
  // Raised only.
  Tier tier = Tier::kD;
  double risk_score = 0;
  std::vector<AlertReason> reasons;
  std::string action;
  // Cleared only.
  std::string cleared_by;  // "purchase"
  bool operator==(const AlertEvent&) const = default;
};

// The recommended action by tier (DOMAIN.md §5: win-back is not equal for all).
std::string_view RecommendedAction(Tier tier);

// Deterministic id: the same customer, reasons and triggering event give the same
// id in every run, so a re-raise after a restart is recognisably the same alert.
// "al-" + 16 hex digits of FNV-1a 64 over customer, reason names and event id.
std::string AlertId(std::string_view customer_id, const std::vector<AlertReason>& reasons,
                    std::string_view triggering_event_id);

// Risk score 0..1 from the reasons' strengths s_r (each 0.5..1, see churn_rules.h):
// 1 - prod(1 - s_r). docs/domain.md ("Risk score").
double RiskScore(const std::vector<double>& strengths);

// FlatBuffers (file identifier RPAL). Decode runs the verifier first and checks
// enum ranges; bad bytes are a Corruption error, never a crash.
std::string EncodeAlertWire(const AlertEvent& alert);
Result<AlertEvent> DecodeAlertWire(std::string_view bytes);

// {"type":"alert_raised"|"alert_cleared","alert_id":...,"occurred_at":"RFC 3339",...}
nlohmann::json AlertToJson(const AlertEvent& alert);

}  // namespace rapport::projections
