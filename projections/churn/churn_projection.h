#pragma once
// The churn projection (DOMAIN.md §5): per-customer churn inputs (state family),
// a timer index, the alert records and the alert outbox (index family), all written
// in the runtime's one WriteBatch with the offsets, so an alert is never lost and
// never raised twice for the same history.
//
// Event time. Each partition's watermark is the highest occurred_at applied from
// it; the projection's event time E is the minimum over the interactions
// partitions (ChurnDeps::partitions), never decreasing. Every partition has then
// delivered everything up to E (events arrive in publish order within a partition),
// so what happens at E does not depend on how partitions interleave. A partition
// that has delivered nothing holds E back; the live service's wall-clock tick
// (Idle, settings wall_tick_*, see TickFloor) raises E on quiet partitions and
// quiet streams. Replays never tick.
//
// Evaluation, per customer, in that customer's event-time order:
//  - an event at t first fires the customer's own timer if its deadline <= t (the
//    rules as of the deadline), then folds the event and evaluates at t;
//  - when E reaches a deadline in the timer index, the customer is evaluated as of
//    the deadline: a customer who simply stops buying is alerted with no further
//    event from them.
// Alerts and clears are produced into a pending queue keyed by (event time,
// customer, n) and released when E passes their time, in that order: each raised
// alert gets its tier from a ranking as of the refresh boundary before it
// (projections/runtime/ranking_schedule.h; inputs as of that boundary), and its sequence
// number in the alert log. Released alerts go to the log (read by SSE, webhooks),
// the records (HTTP queries) and the outbox; services/alerts/alert_outbox.h drains the
// outbox to the alert topic in the live service. Without a drainer (a replay) the
// outbox just grows: no publisher is needed here.
//
// The P(alive) half of `overdue` uses the BG/NBD fit in effect at each evaluation
// time (projections/churn/churn_fit_book.h): fits come from ChurnDeps::fits and are kept
// in the index family (`fit/<as_of>`) with the inputs.
// customers_merged folds the duplicate's inputs into the survivor, retires the
// duplicate's alerts and timer, and leaves a pointer (projections/churn/churn_merge.h).
// Churn and retention per month and tier are computed when E passes a month's end.
// Threading: as projections/runtime/projection.h; the readers below are thread-safe.

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_fit_book.h"
#include "projections/churn/churn_rules.h"
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

  int64_t event_time_ms() const { return event_time_ms_; }

  // What the wall-clock tick raises event time to at wall time `wall_ms` (0: nothing
  // seen yet). Public for tests.
  int64_t TickFloor(int64_t wall_ms) const;

 private:
  using PendingKey = std::tuple<int64_t, std::string, int64_t>;  // time, customer, n

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
  Status Release(const PendingKey& key, AlertEvent alert);
  Status RebuildRanking(int64_t as_of_ms);
  Status ComputeMonth(int64_t start_ms, int64_t end_ms);
  // Every known customer: cached (newest) states first, then the rest of the store.
  Status ForEachState(const std::function<void(const ChurnState&)>& fn) const;

  // Index-family writes since the last checkpoint, readable before they are written.
  void PutIndex(std::string key, std::string value) { index_writes_[std::move(key)] = std::move(value); }
  void DeleteIndex(std::string key) { index_writes_[std::move(key)] = std::nullopt; }
  Result<std::optional<std::string>> GetIndex(const std::string& key) const;

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
  bool fits_polled_ = false;     // deps_.fits asked since the last commit
  bool cache_complete_ = false;  // every stored state is in cache_ (ForEachState skips the store)
  size_t states_written_ = 0;    // with cache_complete_: states in the store after the last checkpoint

  std::vector<int64_t> watermarks_;  // per partition
  int64_t event_time_ms_ = 0;
  int64_t min_event_ms_ = 0;  // earliest event time applied (0: none yet)
  int64_t next_sequence_ = 1;
  int64_t next_month_ms_ = 0;  // start of the next month whose churn rates are due (0: none yet)
  std::set<std::pair<int64_t, std::string>> timers_;
  std::map<PendingKey, AlertEvent> pending_;
  std::map<std::string, std::optional<std::string>> index_writes_;

  ChurnFitBook book_;
  RankingSchedule schedule_;
  std::optional<ValueSnapshot> snapshot_;
  std::chrono::steady_clock::time_point last_tick_{};
};

// ---- Readers (any open mode) -----------------------------------------------------

// Alert log entries with sequence > after_sequence, oldest first, at most `limit`.
Result<std::vector<AlertEvent>> ReadAlertLog(const Store& store, int64_t after_sequence, size_t limit);
// The sequence number of the newest log entry (0 when empty).
Result<int64_t> LastAlertSequence(const Store& store);

struct AlertFilter {
  std::optional<std::string> status;  // "open" | "cleared"
  std::optional<Tier> tier;
  int64_t since_ms = 0;  // raised at or after
  size_t limit = 100;
  std::string cursor;  // from a previous page
};
// Alert records (raised alerts with their status), oldest first. *next_cursor is
// empty on the last page.
Result<std::vector<nlohmann::json>> ListAlerts(const Store& store, const AlertFilter& filter,
                                               std::string* next_cursor);
Result<std::vector<nlohmann::json>> CustomerAlerts(const Store& store, std::string_view customer_id);

struct ChurnCounts {
  int64_t current_at_start = 0;  // customers current (or won back) at the period's start
  int64_t lost = 0;              // of those, lost during the period
  bool operator==(const ChurnCounts&) const = default;
};
struct ChurnPeriod {
  std::string period;  // "2026-03"
  int64_t start_ms = 0;
  int64_t end_ms = 0;                                // exclusive
  std::array<ChurnCounts, kTierCount + 1> counts{};  // A, B, C, D (tier at the start), all
  bool operator==(const ChurnPeriod&) const = default;
};
Result<std::vector<ChurnPeriod>> ReadChurnPeriods(const Store& store);

// The BG/NBD fits the projection has taken in, by as_of.
Result<std::vector<ModelParameters>> ReadChurnFits(const Store& store);

// The projection's event time at the last checkpoint.
Result<int64_t> ReadChurnEventTime(const Store& store);

// Webhook dead letters (written by services/alerts/alert_webhooks.h), oldest first.
std::string WebhookDeadLetterKey(int64_t sequence, std::string_view url);
Result<std::vector<nlohmann::json>> ReadWebhookDeadLetters(const Store& store);

// Key helpers shared with the outbox drainer.
std::string AlertLogKey(int64_t sequence);
inline constexpr std::string_view kAlertLogPrefix = "log/";
inline constexpr std::string_view kOutboxPrefix = "outbox/";
std::string OutboxKey(int64_t sequence);

// UTC calendar months: the start of the month containing `at_ms`, and of the next.
int64_t MonthStartMs(int64_t at_ms);
int64_t NextMonthStartMs(int64_t at_ms);

}  // namespace rapport::projections
