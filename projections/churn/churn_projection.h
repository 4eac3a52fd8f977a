#pragma once
// The churn projection (DOMAIN.md §5): per-customer churn inputs (state family),
// a timer index, the alert records and the alert outbox (index family), all written
// in the runtime's one WriteBatch with the offsets, so an alert is never lost and
// never raised twice for the same history.
//
// Event time E: the minimum of the interactions partitions' watermarks
// (ChurnDeps::partitions), never decreasing (projections/churn/churn_clock.h). The
// live service's wall-clock tick (Idle, settings wall_tick_*, see TickFloor) raises
// E on quiet partitions and quiet streams. Replays never tick.
//
// Evaluation, per customer, in that customer's event-time order:
//  - an event at t first fires the customer's own timer if its deadline <= t (the
//    rules as of the deadline), then folds the event and evaluates at t;
//  - when E reaches a deadline in the timer index (projections/churn/churn_timers.h),
//    the customer is evaluated as of the deadline: a customer who simply stops
//    buying is alerted with no further event from them.
// Alerts and clears wait in a pending queue and are released when E passes their
// time (projections/churn/churn_alert_release.h): each raised alert gets its tier
// from a ranking as of the refresh boundary before it
// (projections/runtime/ranking_schedule.h; inputs as of that boundary).
//
// The P(alive) half of `overdue` uses the BG/NBD fit in effect at each evaluation
// time (projections/churn/churn_fit_book.h): fits come from ChurnDeps::fits and are kept
// in the index family (`fit/<as_of>`) with the inputs.
// customers_merged folds the duplicate's inputs into the survivor, retires the
// duplicate's alerts and timer, and leaves a pointer (projections/churn/churn_merge.h).
// Churn and retention per month and tier are computed when E passes a month's end
// (projections/churn/churn_periods.h). Store keys: projections/churn/churn_keys.h;
// reads: projections/churn/churn_readers.h.
// Threading: as projections/runtime/projection.h.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_alert_release.h"
#include "projections/churn/churn_clock.h"
#include "projections/churn/churn_fit_book.h"
#include "projections/churn/churn_index_writes.h"
#include "projections/churn/churn_keys.h"
#include "projections/churn/churn_periods.h"
#include "projections/churn/churn_readers.h"
#include "projections/churn/churn_rules.h"
#include "projections/churn/churn_timers.h"
#include "projections/domain/domain_settings.h"
#include "projections/runtime/projection.h"
#include "projections/runtime/ranking_schedule.h"
#include "projections/runtime/state_cache.h"
#include "storage/store.h"
#include "projections/domain/value_snapshot.h"

namespace rapport::projections {

struct ChurnDeps {
  int partitions = 1;                       // interactions partitions whose watermarks make event time
  bool wall_clock = false;                  // tick on idle (live service only, never in replays)
  // The published BG/NBD fits (the P(alive) half of `overdue`): every fit known so
  // far, polled at start, before the first event after each commit and on the
  // wall-clock tick; may repeat fits already given.
  // Each new one is kept in the store with the inputs. Absent: only the fits the
  // store already holds (none by default).
  std::function<std::vector<ModelParameters>()> fits;
};

class ChurnProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "churn";

  // Checks the settings and reads the stored clock, timers and pending alerts.
  static Result<std::unique_ptr<ChurnProjection>> Create(Store& store, DomainSettings settings,
                                                         ChurnDeps deps = {});
  ChurnProjection(Store& store, DomainSettings settings, ChurnDeps deps);

  std::string_view name() const override { return kName; }
  Status Apply(const events::Event& event, const EventSource& source) override;
  Status Checkpoint(rocksdb::WriteBatch& batch) override;
  void Committed() override;
  void DropCache() override;
  void SetStateCacheLimit(size_t max_entries) override;
  Status Idle() override;

  // Raises event time to at least `floor_ms` and does what became due (the
  // wall-clock tick; tools and tests). Changes wait for the next Checkpoint.
  Status AdvanceEventTime(int64_t floor_ms);

  int64_t event_time_ms() const { return clock_.event_time_ms(); }

  // What the wall-clock tick raises event time to at wall time `wall_ms` (0: nothing
  // seen yet). Public for tests.
  int64_t TickFloor(int64_t wall_ms) const { return clock_.TickFloor(wall_ms, settings_.churn); }

 private:
  Status Start();
  Status AdvanceTo(int64_t event_time_ms);
  // Evaluates `state`'s timer while its deadline is <= up_to_ms.
  void FireTimer(ChurnState& state, int64_t up_to_ms);
  void Reschedule(ChurnState& state, int64_t after_ms);
  void Raise(ChurnState& state, std::vector<Finding> findings, int64_t at_ms, const std::string& trigger);
  void Clear(ChurnState& state, const std::vector<std::string>& ids, int64_t at_ms,
             const std::string& trigger, const std::string& cleared_by = "purchase");
  // customers_merged: fires both timers up to the merge, retires the duplicate's
  // alerts and timer, folds its inputs into the survivor and leaves a pointer.
  Status MergeCustomer(const std::string& survivor_id, const std::string& duplicate_id,
                       const events::Event& event);
  void Produce(ChurnState& state, AlertEvent alert);
  // Gives a raised alert its tier, then releases it (projections/churn/churn_alert_release.h).
  Status Release(AlertEvent alert);
  Status RebuildRanking(int64_t as_of_ms);
  Status ComputeMonth(int64_t start_ms, int64_t end_ms);
  // Every known customer: cached (newest) states first, then the rest of the store.
  Status ForEachState(const std::function<void(const ChurnState&)>& fn) const;

  ChurnRules rules() const { return ChurnRules{settings_.churn, settings_.lifecycle, &book_}; }
  // Takes in fits the source has and the book has not; moves the timers a new fit
  // may change to its effective time (projections/churn/churn_fit_book.h).
  Status IngestFits();
  void SetTimer(ChurnState& state, int64_t deadline);

  Store& store_;
  DomainSettings settings_;
  ChurnDeps deps_;
  StateCache<ChurnState> cache_;
  bool started_ = false;
  bool fits_polled_ = false;  // deps_.fits asked since the last commit

  ChurnClock clock_;
  int64_t next_month_ms_ = 0;  // start of the next month whose churn rates are due (0: none yet)
  ChurnTimerIndex timers_;
  ChurnAlertRelease release_;
  ChurnIndexWrites index_;  // index-family writes since the last checkpoint

  ChurnFitBook book_;
  RankingSchedule schedule_;
  std::optional<ValueSnapshot> snapshot_;
  std::chrono::steady_clock::time_point last_tick_{};
};

}  // namespace rapport::projections
