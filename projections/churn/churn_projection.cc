#include "projections/churn/churn_projection.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "events/time_format.h"
#include "projections/churn/churn_merge.h"
#include "projections/runtime/merged_states.h"
#include "projections/runtime/projection_meta.h"

namespace rapport::projections {

// ---- The projection ---------------------------------------------------------------

Result<std::unique_ptr<ChurnProjection>> ChurnProjection::Create(Store& store, DomainSettings settings,
                                                                 ChurnDeps deps) {
  RAPPORT_RETURN_IF_ERROR(CheckChurnSettings(settings.churn));
  if (deps.partitions < 1)
    return Status::InvalidArgument("partitions", "the churn clock needs >= 1 partition");
  auto projection = std::make_unique<ChurnProjection>(store, std::move(settings), deps);
  RAPPORT_RETURN_IF_ERROR(projection->Start());
  return projection;
}

ChurnProjection::ChurnProjection(Store& store, DomainSettings settings, ChurnDeps deps)
    : store_(store),
      settings_(std::move(settings)),
      deps_(deps),
      cache_(store, Family::kState, EncodeChurnState, DecodeChurnState),
      schedule_(settings_.value.ranking_refresh_hours, settings_.value.ranking_time_share) {
  deps_.partitions = std::max(1, deps_.partitions);
}

Status ChurnProjection::Start() {
  if (started_) return Status::Ok();
  index_.Clear();
  snapshot_.reset();
  schedule_ = RankingSchedule(settings_.value.ranking_refresh_hours, settings_.value.ranking_time_share);
  book_ = ChurnFitBook(int64_t{settings_.churn.p_alive_fit_delay_hours} * 3'600'000);
  auto fits = ReadChurnFits(store_);
  if (!fits.ok()) return fits.status();
  for (const ModelParameters& fit : *fits) book_.Add(fit);
  RAPPORT_RETURN_IF_ERROR(clock_.Load(store_, deps_.partitions));
  auto next_month = ReadMetaNumber(store_, kChurnNextMonthKey, 0);
  if (!next_month.ok()) return next_month.status();
  next_month_ms_ = *next_month;
  RAPPORT_RETURN_IF_ERROR(timers_.Load(store_));
  RAPPORT_RETURN_IF_ERROR(release_.Load(store_));
  started_ = true;
  fits_polled_ = true;
  return IngestFits();
}

Status ChurnProjection::IngestFits() {
  if (!deps_.fits) return Status::Ok();
  for (const ModelParameters& fit : deps_.fits()) {
    if (fit.model != kClvModelName || !book_.Add(fit)) continue;
    index_.Put(std::string(kChurnFitPrefix) + PaddedNumber(fit.as_of_ms), EncodeModelParameters(fit));
    const int64_t effective = fit.as_of_ms + book_.delay_ms();
    if (effective <= clock_.event_time_ms()) {
      // Too late to apply from its effective time here; a replay will. Alerts
      // between the two differ: the delay setting is what to raise.
      spdlog::warn("churn: model fit as of {} takes effect at {}, but event time is already {}: "
                   "applied from now on (raise domain.churn.p_alive_fit_delay_hours)",
                   events::FormatRfc3339(fit.as_of_ms), events::FormatRfc3339(effective),
                   events::FormatRfc3339(clock_.event_time_ms()));
      continue;
    }
    // Customers whose next deadline would have been this fit's effective time had it
    // been known all along (NextDeadline): the same timers as in a replay.
    std::vector<std::string> due;
    constexpr uint8_t kOverdueBit = 1u << static_cast<int>(ChurnReason::kOverdue);
    RAPPORT_RETURN_IF_ERROR(ForEachState([&](const ChurnState& state) {
      if (state.customer_id.empty() || state.is_pointer() || state.purchases.count() < 2) return;
      if ((state.held & kOverdueBit) != 0 || state.last_event_ms >= effective) return;
      if (state.timer_ms != 0 && state.timer_ms <= effective) return;
      due.push_back(state.customer_id);
    }));
    for (const std::string& customer : due) {
      auto loaded = cache_.Load(customer);
      if (!loaded.ok()) return loaded.status();
      SetTimer(**loaded, effective);
      cache_.MarkDirty(customer);
    }
  }
  return Status::Ok();
}

Status ChurnProjection::Apply(const events::Event& event, const EventSource& source) {
  RAPPORT_RETURN_IF_ERROR(Start());
  if (!fits_polled_) {  // once per batch, before its first event
    fits_polled_ = true;
    RAPPORT_RETURN_IF_ERROR(IngestFits());
  }
  CachedStates<ChurnState> states(cache_);
  // The customer holding this id's history now (merged duplicates point to it).
  auto survivor = ResolveSurvivorIn(states, event.customer_id.str());
  if (!survivor.ok()) return survivor.status();
  const std::string& customer = *survivor;
  const int64_t t = event.occurred_at_ms;
  if (const auto* merged = std::get_if<events::CustomersMerged>(&event.payload)) {
    RAPPORT_RETURN_IF_ERROR(MergeCustomer(customer, merged->merged_customer_id, event));
  }
  auto loaded = cache_.Load(customer);
  if (!loaded.ok()) return loaded.status();
  ChurnState& state = **loaded;
  if (state.customer_id.empty()) state.customer_id = customer;

  // The customer's own timer first: what held before this event held then.
  FireTimer(state, t);
  const std::string trigger = event.event_id.str();
  // A late event clears what it invalidates no earlier than it was raised, so the
  // clear is released after the raise (pending alerts go out in time order).
  const auto raised_at = [open = state.open_alerts, t](const std::string& id) {
    int64_t at = t;
    for (const OpenAlert& a : open)
      if (a.alert_id == id) at = std::max(at, a.raised_ms);
    return at;
  };
  std::optional<std::string> voided;
  if (const auto* resolved = std::get_if<events::ComplaintResolved>(&event.payload)) {
    voided = AlertVoidedByResolution(state, *resolved, t, rules());
  }
  std::vector<std::string> cleared;
  std::vector<Finding> findings = ApplyChurnEvent(state, event, rules(), &cleared);
  for (const std::string& id : cleared) Clear(state, {id}, raised_at(id), trigger);
  if (voided) {
    const int64_t at = raised_at(*voided);
    for (OpenAlert& open : state.open_alerts)
      if (open.alert_id == *voided) open = OpenAlert{};
    Clear(state, {*voided}, at, trigger, "complaint_resolved: resolved before the alert's deadline");
  }
  for (Finding& finding : EvaluateTimeRules(state, t, rules())) findings.push_back(std::move(finding));
  Raise(state, std::move(findings), t, trigger);
  Reschedule(state, t);
  cache_.MarkDirty(customer);

  return AdvanceTo(clock_.Observe(source.partition.value(), t));
}

Status ChurnProjection::MergeCustomer(const std::string& survivor_id, const std::string& duplicate_id,
                                     const events::Event& event) {
  CachedStates<ChurnState> states(cache_);
  auto folds_duplicate = MergeFoldsDuplicate(states, survivor_id, duplicate_id);  // the rules of merged_states.h
  if (!folds_duplicate.ok()) return folds_duplicate.status();
  if (!*folds_duplicate) return Status::Ok();  // a repeat, or the survivor itself
  auto duplicate_loaded = cache_.Load(duplicate_id);
  if (!duplicate_loaded.ok()) return duplicate_loaded.status();
  ChurnState& duplicate = **duplicate_loaded;
  auto survivor_loaded = cache_.Load(survivor_id);
  if (!survivor_loaded.ok()) return survivor_loaded.status();
  ChurnState& survivor = **survivor_loaded;
  if (survivor.customer_id.empty()) survivor.customer_id = survivor_id;
  const int64_t t = event.occurred_at_ms;
  const std::string trigger = event.event_id.str();

  // What held for either before the merge held then.
  FireTimer(survivor, t);
  if (!duplicate.customer_id.empty()) {
    FireTimer(duplicate, t);
    // The duplicate id is retired: its open alerts close, its timer goes.
    // One alert may hold several reasons (one slot each): it is cleared once, not
    // once per slot (a repeated alert_cleared on the topic was this).
    std::vector<std::string> retired;
    for (OpenAlert& open : duplicate.open_alerts) {
      if (!open.alert_id.empty() && std::find(retired.begin(), retired.end(), open.alert_id) == retired.end())
        retired.push_back(open.alert_id);
      open = OpenAlert{};
    }
    Clear(duplicate, retired, t, trigger, "customers_merged: merged into " + survivor_id);
    SetTimer(duplicate, 0);
    // A purchase of the duplicate after one of the survivor's alerts was raised is a
    // purchase of the same person: it clears that alert, as it would have.
    std::vector<std::string> cleared;
    if (!duplicate.purchases.empty()) {
      for (OpenAlert& open : survivor.open_alerts) {
        if (open.alert_id.empty() || duplicate.purchases.last_ms() < open.raised_ms) continue;
        if (std::find(cleared.begin(), cleared.end(), open.alert_id) == cleared.end())
          cleared.push_back(open.alert_id);
      }
      for (OpenAlert& open : survivor.open_alerts) {
        if (std::find(cleared.begin(), cleared.end(), open.alert_id) != cleared.end()) open = OpenAlert{};
      }
    }
    Clear(survivor, cleared, t, trigger, "purchase of merged customer " + duplicate_id);
    MergeChurnInputs(survivor, duplicate);
  }
  duplicate = ChurnPointer(duplicate, duplicate_id, survivor_id, t);
  cache_.MarkDirty(duplicate_id);
  cache_.MarkDirty(survivor_id);
  return Status::Ok();
}

Status ChurnProjection::AdvanceEventTime(int64_t floor_ms) {
  RAPPORT_RETURN_IF_ERROR(Start());
  return AdvanceTo(floor_ms);
}

void ChurnProjection::FireTimer(ChurnState& state, int64_t up_to_ms) {
  while (state.timer_ms != 0 && state.timer_ms <= up_to_ms) {
    const int64_t deadline = state.timer_ms;
    std::vector<Finding> findings = EvaluateTimeRules(state, deadline, rules());
    const std::string trigger = findings.empty() ? std::string() : findings.front().trigger_event_id;
    Raise(state, std::move(findings), deadline, trigger);
    Reschedule(state, deadline);
  }
}

void ChurnProjection::Reschedule(ChurnState& state, int64_t after_ms) {
  SetTimer(state, NextDeadline(state, after_ms, rules()));
}

void ChurnProjection::SetTimer(ChurnState& state, int64_t next) {
  timers_.Move(state.customer_id, state.timer_ms, next, index_);
  state.timer_ms = next;
}

void ChurnProjection::Raise(ChurnState& state, std::vector<Finding> findings, int64_t at_ms,
                            const std::string& trigger) {
  std::vector<AlertReason> reasons;
  std::vector<double> strengths;
  for (Finding& finding : findings) {
    const auto index = static_cast<size_t>(finding.reason.reason);
    if (!state.open_alerts[index].alert_id.empty()) continue;  // one open alert per customer and reason
    if (std::any_of(reasons.begin(), reasons.end(),
                    [&](const AlertReason& r) { return r.reason == finding.reason.reason; })) {
      continue;
    }
    reasons.push_back(std::move(finding.reason));
    strengths.push_back(finding.strength);
  }
  if (reasons.empty()) return;
  std::sort(reasons.begin(), reasons.end(),
            [](const AlertReason& a, const AlertReason& b) { return a.reason < b.reason; });
  AlertEvent alert;
  alert.kind = AlertKind::kRaised;
  alert.customer_id = state.customer_id;
  alert.at_ms = at_ms;
  alert.triggering_event_id = trigger;
  alert.alert_id = AlertId(state.customer_id, reasons, trigger);
  alert.risk_score = RiskScore(strengths);
  alert.reasons = std::move(reasons);
  for (const AlertReason& reason : alert.reasons) {
    state.open_alerts[static_cast<size_t>(reason.reason)] = OpenAlert{alert.alert_id, at_ms};
  }
  Produce(state, std::move(alert));
}

void ChurnProjection::Clear(ChurnState& state, const std::vector<std::string>& ids, int64_t at_ms,
                            const std::string& trigger, const std::string& cleared_by) {
  for (const std::string& id : ids) {
    AlertEvent alert;
    alert.kind = AlertKind::kCleared;
    alert.alert_id = id;
    alert.customer_id = state.customer_id;
    alert.at_ms = at_ms;
    alert.triggering_event_id = trigger;
    alert.cleared_by = cleared_by;
    Produce(state, std::move(alert));
  }
}

void ChurnProjection::Produce(ChurnState& state, AlertEvent alert) {
  release_.Queue(++state.emitted, std::move(alert), index_);
}

Status ChurnProjection::AdvanceTo(int64_t event_time_ms) {
  clock_.RaiseTo(event_time_ms);
  const int64_t now = clock_.event_time_ms();
  // Timers up to E: every partition has delivered everything before them.
  while (const auto due = timers_.EarliestDue(now)) {
    const auto& [deadline, customer] = *due;
    auto loaded = cache_.Load(customer);
    if (!loaded.ok()) return loaded.status();
    ChurnState& state = **loaded;
    if (state.timer_ms != deadline) {  // stale entry: drop it
      timers_.Move(customer, deadline, 0, index_);
      continue;
    }
    FireTimer(state, deadline);
    cache_.MarkDirty(customer);
  }
  // Alerts strictly before E, in (time, customer, n) order.
  while (auto alert = release_.TakeBefore(now, index_)) {
    RAPPORT_RETURN_IF_ERROR(Release(std::move(*alert)));
  }
  // Churn rates of every month that ended before E.
  if (next_month_ms_ == 0 && clock_.min_event_ms() != 0) next_month_ms_ = MonthStartMs(clock_.min_event_ms());
  while (next_month_ms_ != 0 && NextMonthStartMs(next_month_ms_) < now) {
    const int64_t end = NextMonthStartMs(next_month_ms_);
    RAPPORT_RETURN_IF_ERROR(ComputeMonth(next_month_ms_, end));
    next_month_ms_ = end;
  }
  return Status::Ok();
}

Status ChurnProjection::Release(AlertEvent alert) {
  const int64_t at = alert.at_ms;
  if (alert.kind == AlertKind::kRaised) {
    if (schedule_.Due(at)) {
      const int64_t refresh_ms = std::max<int64_t>(1, settings_.value.ranking_refresh_hours) * 3'600'000;
      RAPPORT_RETURN_IF_ERROR(RebuildRanking(at - (at % refresh_ms + refresh_ms) % refresh_ms));
    }
    // A duplicate merged since: its purchases are the survivor's now.
    CachedStates<ChurnState> states(cache_);
    auto holder = ResolveSurvivorIn(states, alert.customer_id);
    if (!holder.ok()) return holder.status();
    auto loaded = cache_.Load(*holder);
    if (!loaded.ok()) return loaded.status();
    const ValueInputs inputs = InputsOf(alert.customer_id, (*loaded)->purchases, at, snapshot_->params);
    alert.tier = TierOf(inputs, *snapshot_);
    alert.action = std::string(RecommendedAction(alert.tier));
  }
  return release_.Release(std::move(alert), store_, index_);
}

Status ChurnProjection::ForEachState(const std::function<void(const ChurnState&)>& fn) const {
  // Rankings and monthly rates scan every customer; walking a store whose every
  // state is cached anyway was most of a replay's time.
  return ForEachStoredState(store_, cache_, DecodeChurnState, fn);
}

Status ChurnProjection::RebuildRanking(int64_t as_of_ms) {
  const auto started = std::chrono::steady_clock::now();
  const RankingParams params = RankingParams::From(settings_.value);
  std::vector<ValueInputs> inputs;
  // Only what had happened by as_of: customers seen by then, purchases up to then.
  RAPPORT_RETURN_IF_ERROR(ForEachState([&](const ChurnState& state) {
    if (state.customer_id.empty() || state.is_pointer() || state.first_seen_ms > as_of_ms) return;
    inputs.push_back(InputsOf(state.customer_id, HistoryUpTo(state.purchases, as_of_ms), as_of_ms, params));
  }));
  snapshot_ = BuildValueSnapshot(inputs, as_of_ms, params);
  schedule_.RebuiltAndCommitted(as_of_ms, started);
  return Status::Ok();
}

Status ChurnProjection::ComputeMonth(int64_t start_ms, int64_t end_ms) {
  ChurnPeriodCounter counter(start_ms, end_ms, settings_);
  RAPPORT_RETURN_IF_ERROR(ForEachState([&](const ChurnState& state) { counter.Add(state); }));
  const ChurnPeriod period = counter.Finish();
  index_.Put(std::string(kChurnStatsPrefix) + period.period, EncodeChurnPeriod(period));
  return Status::Ok();
}

Status ChurnProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(Start());
  cache_.Checkpoint(batch);
  index_.Write(store_, batch);
  clock_.Write(store_, batch);
  release_.Write(store_, batch);
  batch.Put(store_.handle(Family::kMeta), kChurnNextMonthKey, std::to_string(next_month_ms_));
  return Status::Ok();
}

void ChurnProjection::Committed() {
  cache_.Committed();
  index_.Clear();
  fits_polled_ = false;
}

void ChurnProjection::SetStateCacheLimit(size_t max_entries) {
  cache_.set_max_entries(max_entries);
}

void ChurnProjection::DropCache() {
  // Timers, pending alerts and the clock are re-read from the store with the states.
  cache_.DropAll();
  started_ = false;
}

Status ChurnProjection::Idle() {
  if (!deps_.wall_clock || settings_.churn.wall_tick_seconds <= 0) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (now - last_tick_ < std::chrono::seconds(settings_.churn.wall_tick_seconds)) return Status::Ok();
  last_tick_ = now;
  RAPPORT_RETURN_IF_ERROR(Start());
  RAPPORT_RETURN_IF_ERROR(IngestFits());
  const int64_t wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  const int64_t floor = TickFloor(wall_ms);
  if (floor <= clock_.event_time_ms()) return Status::Ok();
  RAPPORT_RETURN_IF_ERROR(AdvanceTo(floor));
  rocksdb::WriteBatch batch;
  RAPPORT_RETURN_IF_ERROR(Checkpoint(batch));
  Status written = store_.Write(batch);
  if (!written.ok()) {
    DropCache();
    return written;
  }
  Committed();
  return Status::Ok();
}

}  // namespace rapport::projections
