#pragma once
// The four churn rules of DOMAIN.md §5 over one customer's churn inputs. Pure and
// deterministic: the same state and event (or evaluation time) in, the same state
// and findings out. Time always comes from the event or from a timer's deadline.
//
// Two kinds of rule:
//  - event rules hold at an event: a satisfaction sample that makes the gap EWMA
//    fall by >= drop_points within the window, an NPS detractor answer, the
//    complaint that makes >= complaint_count within the window;
//  - time rules can start to hold with no event at all: `overdue`,
//    `frequency_decline` (lifecycle decline) and a severe complaint left open too
//    long. They are raised on the rising edge (false at the last evaluation, true
//    now), so a purchase that clears an alert does not re-raise it at once while the
//    condition is still true. NextDeadline says when the next one may start or stop
//    holding, for the projection's timer index.
// A purchase clears every open alert of the customer (ApplyChurnEvent returns them).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "projections/churn_alert.h"
#include "projections/decayed_average.h"
#include "projections/domain_settings.h"
#include "projections/purchase_history.h"

namespace rapport::projections {

// The P(alive) half of `overdue` (BG/NBD, projections/bgnbd.h). Absent by default:
// then only the interval half applies. An implementation must be pure (same
// history and time, same answer) to keep alerts deterministic.
class PAliveProvider {
 public:
  virtual ~PAliveProvider() = default;
  // nullopt when the model cannot say (no fitted parameters yet).
  virtual std::optional<double> PAlive(const PurchaseHistory& purchases, int64_t as_of_ms) const = 0;
};

struct OpenComplaint {
  std::string complaint_id;
  int severity = 1;
  int64_t opened_ms = 0;
  std::string event_id;
  bool alerted = false;  // already counted by the "open too long" rule
  bool operator==(const OpenComplaint&) const = default;
};

struct OpenAlert {
  std::string alert_id;  // empty: none open for this reason
  int64_t raised_ms = 0;
  bool operator==(const OpenAlert&) const = default;
};

struct ChurnState {
  std::string customer_id;
  int64_t first_seen_ms = 0;  // earliest event time of the customer (for rankings as of a time)
  PurchaseHistory purchases;
  std::string last_purchase_event_id;
  DecayedAverage satisfaction;                                  // gap EWMA
  std::vector<std::pair<int64_t, double>> satisfaction_recent;  // (sample time, EWMA after it) in the window
  std::vector<OpenComplaint> open_complaints;
  std::vector<int64_t> complaint_times;                  // within the complaint window
  std::array<OpenAlert, kChurnReasonCount> open_alerts;  // the one open alert per reason
  uint8_t held = 0;      // time rules that held at the last evaluation (bit per reason)
  int64_t timer_ms = 0;  // the deadline in the timer index; 0 = none
  int64_t emitted = 0;   // alert events produced so far (orders them within one time)
  bool operator==(const ChurnState&) const = default;
};

std::string EncodeChurnState(const ChurnState& state);
Result<ChurnState> DecodeChurnState(std::string_view bytes);

// One reason that holds, with its figures, its strength for the risk score
// (0.5 at the threshold, towards 1 further past it) and the event behind it.
struct Finding {
  AlertReason reason;
  double strength = 0.5;
  std::string trigger_event_id;
};

struct ChurnRules {
  const ChurnSettings& churn;
  const LifecycleSettings& lifecycle;
  const PAliveProvider* p_alive = nullptr;
};

// Folds `event` into the inputs. Returns the event rules that hold at it; a purchase
// moves the customer's open alerts into `*cleared` (ids) and closes them.
std::vector<Finding> ApplyChurnEvent(ChurnState& state, const events::Event& event, const ChurnRules& rules,
                                     std::vector<std::string>* cleared);

// Evaluates the time rules as of `at_ms` and records which hold; returns those that
// started to hold since the last evaluation.
std::vector<Finding> EvaluateTimeRules(ChurnState& state, int64_t at_ms, const ChurnRules& rules);

// The earliest time after `after_ms` at which a time rule may start or stop holding
// without a new event; 0 when none can.
int64_t NextDeadline(const ChurnState& state, int64_t after_ms, const ChurnRules& rules);

// Checks every churn setting; the error names it ("domain.churn.complaint_count").
Status CheckChurnSettings(const ChurnSettings& settings);

}  // namespace rapport::projections
