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
#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_fit_book.h"
#include "projections/domain/decayed_average.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/purchase_history.h"

namespace rapport::projections {

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
  int64_t last_event_ms = 0;  // the newest event time folded (how far this customer's own time got)
  // customers_merged: the survivor this id was merged into (empty: not merged). A
  // pointer keeps no inputs; later events of the id are folded into the survivor.
  std::string merged_into;
  int64_t merged_at_ms = 0;
  bool is_pointer() const { return !merged_into.empty(); }
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
  // The fitted BG/NBD parameters by event time (the P(alive) half of `overdue`,
  // projections/churn/churn_fit_book.h); null or empty: only the interval half applies.
  const ChurnFitBook* fits = nullptr;
};

// Folds `event` into the inputs. Returns the event rules that hold at it; a purchase
// moves the customer's open alerts into `*cleared` (ids) and closes them.
std::vector<Finding> ApplyChurnEvent(ChurnState& state, const events::Event& event, const ChurnRules& rules,
                                     std::vector<std::string>* cleared);

// A late resolution: `resolved` (at `at_ms`) closes a severe complaint whose
// "open too long" alert is open, but the resolution came before that alert's
// deadline, so the alert should never have been raised. Returns that alert's id.
// Call before ApplyChurnEvent folds the resolution.
std::optional<std::string> AlertVoidedByResolution(const ChurnState& state, const events::ComplaintResolved& resolved,
                                                   int64_t at_ms, const ChurnRules& rules);

// Evaluates the time rules as of `at_ms` and records which hold; returns those that
// started to hold since the last evaluation.
std::vector<Finding> EvaluateTimeRules(ChurnState& state, int64_t at_ms, const ChurnRules& rules);

// The earliest time after `after_ms` at which a time rule may start or stop holding
// without a new event; 0 when none can. With fits: the instant P(alive) crosses the
// threshold under the fit in effect, and the next fit's effective time (while
// `overdue` does not hold and the customer has >= 2 purchases).
int64_t NextDeadline(const ChurnState& state, int64_t after_ms, const ChurnRules& rules);

// Checks every churn setting; the error names it ("domain.churn.complaint_count").
Status CheckChurnSettings(const ChurnSettings& settings);

}  // namespace rapport::projections
