#include "projections/churn/churn_projection.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <spdlog/spdlog.h>

#include "events/time_format.h"
#include "storage/binary_codec.h"
#include "projections/churn/churn_merge.h"
#include "projections/domain/customer_lifecycle.h"
#include "projections/runtime/merged_states.h"
#include "projections/runtime/projection_meta.h"

namespace rapport::projections {
namespace {

// kMeta keys; the runtime's own keys start with "offset/".
constexpr std::string_view kEventTimeKey = "churn/event-time";
constexpr std::string_view kWatermarkPrefix = "churn/watermark/";
constexpr std::string_view kMinEventKey = "churn/min-event";
constexpr std::string_view kNextSequenceKey = "churn/next-sequence";
constexpr std::string_view kNextMonthKey = "churn/next-month";

// kIndex prefixes.
constexpr std::string_view kTimerPrefix = "timer/";
constexpr std::string_view kPendingPrefix = "pending/";
constexpr std::string_view kRecordPrefix = "alert/";
constexpr std::string_view kCustomerPrefix = "customer-alert/";
constexpr std::string_view kOpenPrefix = "open/";
constexpr std::string_view kStatsPrefix = "stats/month/";
constexpr std::string_view kWebhookDeadPrefix = "webhook-dead/";
constexpr std::string_view kFitPrefix = "fit/";

std::string Padded(int64_t value) {
  char text[24];
  std::snprintf(text, sizeof(text), "%020lld", static_cast<long long>(value));
  return text;
}

std::string TimerKey(int64_t deadline, const std::string& customer) {
  return std::string(kTimerPrefix) + Padded(deadline) + "/" + customer;
}

std::string PendingKeyText(int64_t at, const std::string& customer, int64_t n) {
  std::string key = std::string(kPendingPrefix) + Padded(at) + "/" + customer;
  key.push_back('\0');
  return key + Padded(n);
}

std::string RecordKey(int64_t at, const std::string& id) {
  return std::string(kRecordPrefix) + Padded(at) + "/" + id;
}

std::string CustomerKeyPrefix(std::string_view customer) {
  std::string key = std::string(kCustomerPrefix) + std::string(customer);
  key.push_back('\0');
  return key;
}

std::string OpenKey(const std::string& customer, const std::string& id) {
  std::string key = std::string(kOpenPrefix) + customer;
  key.push_back('\0');
  return key + id;
}

bool StartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

Result<int64_t> ParseNumber(const std::string& text, std::string_view what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::Corruption("stored " + std::string(what) + " is not a number: " + text);
  }
  return value;
}

Result<int64_t> ReadMetaNumber(const Store& store, std::string_view key, int64_t fallback) {
  auto stored = store.Get(Family::kMeta, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return fallback;
  return ParseNumber(**stored, key);
}

PurchaseHistory HistoryUpTo(const PurchaseHistory& history, int64_t as_of_ms) {
  if (history.empty() || history.last_ms() <= as_of_ms) return history;
  PurchaseHistory out;
  for (const PurchaseRecord& record : history.records()) {
    if (record.at_ms <= as_of_ms) out.Add(record);
  }
  return out;
}

// Days since 1970-01-01 <-> civil date (H. Hinnant's algorithms), UTC.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string MonthLabel(int64_t start_ms) { return events::FormatRfc3339(start_ms).substr(0, 7); }

std::string EncodePeriod(const ChurnPeriod& period) {
  BinaryWriter w;
  w.PutU8(1);
  w.PutString(period.period);
  w.PutSigned(period.start_ms);
  w.PutSigned(period.end_ms);
  for (const ChurnCounts& c : period.counts) {
    w.PutSigned(c.current_at_start);
    w.PutSigned(c.lost);
  }
  return w.Release();
}

Result<ChurnPeriod> DecodePeriod(std::string_view bytes) {
  BinaryReader r(bytes);
  ChurnPeriod p;
  uint8_t version = 0;
  r.GetU8(&version);
  r.GetString(&p.period);
  r.GetSigned(&p.start_ms);
  r.GetSigned(&p.end_ms);
  for (ChurnCounts& c : p.counts) {
    r.GetSigned(&c.current_at_start);
    r.GetSigned(&c.lost);
  }
  if (version != 1 || !r.ok() || !r.at_end()) return Status::Corruption("churn period: malformed");
  return p;
}

// Whether the customer became lost (DOMAIN.md §2 `lost`) at some instant in
// [from_ms, to_ms): after some purchase the lapse threshold passed inside the
// period with no purchase before it.
bool LapsedWithin(const PurchaseHistory& history, int64_t from_ms, int64_t to_ms,
                  const CustomerStateSettings& settings) {
  const auto& records = history.records();
  std::vector<double> intervals;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) {
      const double gap = static_cast<double>(records[i].at_ms - records[i - 1].at_ms) / events::kMillisPerDay;
      intervals.insert(std::upper_bound(intervals.begin(), intervals.end(), gap), gap);
    }
    std::optional<double> median;
    if (!intervals.empty()) {
      const size_t mid = intervals.size() / 2;
      median = intervals.size() % 2 ? intervals[mid] : (intervals[mid - 1] + intervals[mid]) / 2.0;
    }
    // The lapse instant: the first ms at which IsLapsed holds after this purchase.
    double threshold_days = settings.lost_after_days;
    if (i + 1 >= static_cast<size_t>(std::max(2, settings.lost_min_purchases)) && median) {
      threshold_days = std::min(threshold_days, settings.lost_interval_factor * *median);
    }
    int64_t lapse = records[i].at_ms + static_cast<int64_t>(threshold_days * events::kMillisPerDay) + 1;
    while (lapse > records[i].at_ms &&
           IsLapsed(static_cast<double>(lapse - 1 - records[i].at_ms) / events::kMillisPerDay, i + 1, median,
                    settings)) {
      --lapse;  // rounding: step back to the first instant that counts
    }
    const int64_t next = i + 1 < records.size() ? records[i + 1].at_ms : INT64_MAX;
    if (next <= lapse) continue;  // bought again in time
    if (lapse >= from_ms && lapse < to_ms) return true;
  }
  return false;
}

}  // namespace

int64_t MonthStartMs(int64_t at_ms) {
  int64_t y = 0;
  unsigned m = 0;
  CivilFromDays(FloorDiv(at_ms, events::kMillisPerDay), &y, &m);
  return DaysFromCivil(y, m, 1) * events::kMillisPerDay;
}

int64_t NextMonthStartMs(int64_t at_ms) {
  int64_t y = 0;
  unsigned m = 0;
  CivilFromDays(FloorDiv(at_ms, events::kMillisPerDay), &y, &m);
  if (m == 12) return DaysFromCivil(y + 1, 1, 1) * events::kMillisPerDay;
  return DaysFromCivil(y, m + 1, 1) * events::kMillisPerDay;
}

std::string AlertLogKey(int64_t sequence) { return std::string(kAlertLogPrefix) + Padded(sequence); }
std::string OutboxKey(int64_t sequence) { return std::string(kOutboxPrefix) + Padded(sequence); }
std::string WebhookDeadLetterKey(int64_t sequence, std::string_view url) {
  return std::string(kWebhookDeadPrefix) + Padded(sequence) + "/" + std::string(url);
}

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
  watermarks_.assign(static_cast<size_t>(deps_.partitions), 0);
  timers_.clear();
  pending_.clear();
  index_writes_.clear();
  snapshot_.reset();
  schedule_ = RankingSchedule(settings_.value.ranking_refresh_hours, settings_.value.ranking_time_share);

  book_ = ChurnFitBook(int64_t{settings_.churn.p_alive_fit_delay_hours} * 3'600'000);
  {
    auto fits = ReadChurnFits(store_);
    if (!fits.ok()) return fits.status();
    for (const ModelParameters& fit : *fits) book_.Add(fit);
  }

  {
    // A store without states (a fresh replay): every state will pass through the
    // cache, so scans need not read the store until the cache drops entries.
    auto it = store_.NewIterator(Family::kState);
    it->SeekToFirst();
    if (!it->status().ok()) return FromRocks(it->status(), "read churn states");
    cache_complete_ = !it->Valid();
  }

  auto event_time = ReadMetaNumber(store_, kEventTimeKey, 0);
  if (!event_time.ok()) return event_time.status();
  event_time_ms_ = *event_time;
  auto min_event = ReadMetaNumber(store_, kMinEventKey, 0);
  if (!min_event.ok()) return min_event.status();
  min_event_ms_ = *min_event;
  auto next_sequence = ReadMetaNumber(store_, kNextSequenceKey, 1);
  if (!next_sequence.ok()) return next_sequence.status();
  next_sequence_ = *next_sequence;
  auto next_month = ReadMetaNumber(store_, kNextMonthKey, 0);
  if (!next_month.ok()) return next_month.status();
  next_month_ms_ = *next_month;
  {
    auto it = store_.NewIterator(Family::kMeta);
    for (it->Seek(kWatermarkPrefix); it->Valid() && StartsWith(it->key(), kWatermarkPrefix); it->Next()) {
      auto p = ParseNumber(it->key().ToString().substr(kWatermarkPrefix.size()), "watermark partition");
      auto w = ParseNumber(it->value().ToString(), "watermark");
      if (!p.ok()) return p.status();
      if (!w.ok()) return w.status();
      if (*p >= static_cast<int64_t>(watermarks_.size())) watermarks_.resize(static_cast<size_t>(*p) + 1, 0);
      watermarks_[static_cast<size_t>(*p)] = *w;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "read churn watermarks");
  }
  {
    auto it = store_.NewIterator(Family::kIndex);
    for (it->Seek(kTimerPrefix); it->Valid() && StartsWith(it->key(), kTimerPrefix); it->Next()) {
      const std::string key = it->key().ToString();
      auto deadline = ParseNumber(key.substr(kTimerPrefix.size(), 20), "timer deadline");
      if (!deadline.ok()) return deadline.status();
      timers_.emplace(*deadline, key.substr(kTimerPrefix.size() + 21));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "read churn timers");
    for (it->Seek(kPendingPrefix); it->Valid() && StartsWith(it->key(), kPendingPrefix); it->Next()) {
      const std::string key = it->key().ToString();
      auto alert = DecodeAlertWire(std::string_view(it->value().data(), it->value().size()));
      if (!alert.ok()) return alert.status().WithContext("pending alert " + key);
      const size_t nul = key.find('\0');
      auto n = ParseNumber(key.substr(nul + 1), "pending alert number");
      if (!n.ok()) return n.status();
      pending_.emplace(PendingKey{alert->at_ms, alert->customer_id, *n}, std::move(alert).value());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "read pending alerts");
  }
  started_ = true;
  fits_polled_ = true;
  return IngestFits();
}

Status ChurnProjection::IngestFits() {
  if (!deps_.fits) return Status::Ok();
  for (const ModelParameters& fit : deps_.fits()) {
    if (fit.model != kClvModelName || !book_.Add(fit)) continue;
    PutIndex(std::string(kFitPrefix) + Padded(fit.as_of_ms), EncodeModelParameters(fit));
    const int64_t effective = fit.as_of_ms + book_.delay_ms();
    if (effective <= event_time_ms_) {
      // Too late to apply from its effective time here; a replay will. Alerts
      // between the two differ: the delay setting is what to raise.
      spdlog::warn("churn: model fit as of {} takes effect at {}, but event time is already {}: "
                   "applied from now on (raise domain.churn.p_alive_fit_delay_hours)",
                   events::FormatRfc3339(fit.as_of_ms), events::FormatRfc3339(effective),
                   events::FormatRfc3339(event_time_ms_));
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

Result<std::optional<std::string>> ChurnProjection::GetIndex(const std::string& key) const {
  if (auto it = index_writes_.find(key); it != index_writes_.end()) return it->second;
  return store_.Get(Family::kIndex, key);
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

  const auto p = static_cast<size_t>(std::max(0, source.partition.value()));
  if (p >= watermarks_.size()) watermarks_.resize(p + 1, 0);
  watermarks_[p] = std::max(watermarks_[p], t);
  min_event_ms_ = min_event_ms_ == 0 ? t : std::min(min_event_ms_, t);
  return AdvanceTo(*std::min_element(watermarks_.begin(), watermarks_.end()));
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
    std::vector<std::string> retired;
    for (OpenAlert& open : duplicate.open_alerts) {
      if (!open.alert_id.empty()) retired.push_back(open.alert_id);
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
  if (next == state.timer_ms) return;
  if (state.timer_ms != 0) {
    timers_.erase({state.timer_ms, state.customer_id});
    DeleteIndex(TimerKey(state.timer_ms, state.customer_id));
  }
  state.timer_ms = next;
  if (next != 0) {
    timers_.emplace(next, state.customer_id);
    PutIndex(TimerKey(next, state.customer_id), "");
  }
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
  const int64_t n = ++state.emitted;
  PutIndex(PendingKeyText(alert.at_ms, alert.customer_id, n), EncodeAlertWire(alert));
  pending_.emplace(PendingKey{alert.at_ms, alert.customer_id, n}, std::move(alert));
}

Status ChurnProjection::AdvanceTo(int64_t event_time_ms) {
  event_time_ms_ = std::max(event_time_ms_, event_time_ms);
  const int64_t now = event_time_ms_;
  // Timers up to E: every partition has delivered everything before them.
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const auto [deadline, customer] = *timers_.begin();
    auto loaded = cache_.Load(customer);
    if (!loaded.ok()) return loaded.status();
    ChurnState& state = **loaded;
    if (state.timer_ms != deadline) {  // stale entry: drop it
      timers_.erase(timers_.begin());
      DeleteIndex(TimerKey(deadline, customer));
      continue;
    }
    FireTimer(state, deadline);
    cache_.MarkDirty(customer);
  }
  // Alerts strictly before E, in (time, customer, n) order.
  while (!pending_.empty() && std::get<0>(pending_.begin()->first) < now) {
    auto node = pending_.extract(pending_.begin());
    RAPPORT_RETURN_IF_ERROR(Release(node.key(), std::move(node.mapped())));
  }
  // Churn rates of every month that ended before E.
  if (next_month_ms_ == 0 && min_event_ms_ != 0) next_month_ms_ = MonthStartMs(min_event_ms_);
  while (next_month_ms_ != 0 && NextMonthStartMs(next_month_ms_) < now) {
    const int64_t end = NextMonthStartMs(next_month_ms_);
    RAPPORT_RETURN_IF_ERROR(ComputeMonth(next_month_ms_, end));
    next_month_ms_ = end;
  }
  return Status::Ok();
}

Status ChurnProjection::Release(const PendingKey& key, AlertEvent alert) {
  const auto& [at, customer, n] = key;
  DeleteIndex(PendingKeyText(at, customer, n));
  alert.sequence = next_sequence_++;
  if (alert.kind == AlertKind::kRaised) {
    if (schedule_.Due(at)) {
      const int64_t refresh_ms = std::max<int64_t>(1, settings_.value.ranking_refresh_hours) * 3'600'000;
      RAPPORT_RETURN_IF_ERROR(RebuildRanking(at - (at % refresh_ms + refresh_ms) % refresh_ms));
    }
    // A duplicate merged since: its purchases are the survivor's now.
    CachedStates<ChurnState> states(cache_);
    auto holder = ResolveSurvivorIn(states, customer);
    if (!holder.ok()) return holder.status();
    auto loaded = cache_.Load(*holder);
    if (!loaded.ok()) return loaded.status();
    const ValueInputs inputs = InputsOf(customer, (*loaded)->purchases, at, snapshot_->params);
    alert.tier = TierOf(inputs, *snapshot_);
    alert.action = std::string(RecommendedAction(alert.tier));
    nlohmann::json record = AlertToJson(alert);
    record["status"] = "open";
    const std::string record_key = RecordKey(at, alert.alert_id);
    PutIndex(record_key, record.dump());
    PutIndex(CustomerKeyPrefix(customer) + Padded(at) + "/" + alert.alert_id, record_key);
    PutIndex(OpenKey(customer, alert.alert_id), record_key);
  } else {
    const std::string open_key = OpenKey(customer, alert.alert_id);
    auto record_key = GetIndex(open_key);
    if (!record_key.ok()) return record_key.status();
    if (record_key->has_value()) {
      auto stored = GetIndex(**record_key);
      if (!stored.ok()) return stored.status();
      if (stored->has_value()) {
        nlohmann::json record = nlohmann::json::parse(**stored, nullptr, false);
        if (record.is_discarded()) return Status::Corruption("alert record " + **record_key + " is not JSON");
        record["status"] = "cleared";
        record["cleared_at"] = events::FormatRfc3339(at);
        record["cleared_by_event_id"] = alert.triggering_event_id;
        PutIndex(**record_key, record.dump());
      }
      DeleteIndex(open_key);
    }
  }
  PutIndex(AlertLogKey(alert.sequence), EncodeAlertWire(alert));
  PutIndex(OutboxKey(alert.sequence), alert.customer_id);
  return Status::Ok();
}

Status ChurnProjection::ForEachState(const std::function<void(const ChurnState&)>& fn) const {
  // Rankings and monthly rates scan every customer; walking a store whose every
  // state is cached anyway was most of a replay's time.
  return ForEachStoredState(store_, cache_, cache_complete_, DecodeChurnState, fn);
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
  const RankingParams params = RankingParams::From(settings_.value);
  std::vector<ValueInputs> inputs;
  std::vector<std::pair<ValueInputs, bool>> current;  // customers current at the start: lost in the month?
  RAPPORT_RETURN_IF_ERROR(ForEachState([&](const ChurnState& state) {
    if (state.customer_id.empty() || state.is_pointer() || state.first_seen_ms > start_ms) return;
    const PurchaseHistory before = HistoryUpTo(state.purchases, start_ms);
    ValueInputs in = InputsOf(state.customer_id, before, start_ms, params);
    inputs.push_back(in);
    const CustomerState at_start = StateAsOf(before, start_ms, settings_.state);
    if (at_start != CustomerState::kCurrent && at_start != CustomerState::kWonBack) return;
    const bool lost =
        LapsedWithin(HistoryUpTo(state.purchases, end_ms - 1), start_ms, end_ms, settings_.state);
    current.emplace_back(std::move(in), lost);
  }));
  const ValueSnapshot snapshot = BuildValueSnapshot(inputs, start_ms, params);
  ChurnPeriod period;
  period.period = MonthLabel(start_ms);
  period.start_ms = start_ms;
  period.end_ms = end_ms;
  for (const auto& [in, lost] : current) {
    for (size_t group : {static_cast<size_t>(TierOf(in, snapshot)), static_cast<size_t>(kTierCount)}) {
      period.counts[group].current_at_start += 1;
      period.counts[group].lost += lost ? 1 : 0;
    }
  }
  PutIndex(std::string(kStatsPrefix) + period.period, EncodePeriod(period));
  return Status::Ok();
}

Status ChurnProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(Start());
  if (cache_complete_) {
    size_t existing = 0;  // every state the store will hold, all of them cached
    cache_.ForEachCached([&](const std::string&, const ChurnState&) { ++existing; });
    states_written_ = existing;
  }
  cache_.Checkpoint(batch);
  auto* index = store_.handle(Family::kIndex);
  for (const auto& [key, value] : index_writes_) {
    if (value) {
      batch.Put(index, key, *value);
    } else {
      batch.Delete(index, key);
    }
  }
  auto* meta = store_.handle(Family::kMeta);
  for (size_t p = 0; p < watermarks_.size(); ++p) {
    batch.Put(meta, std::string(kWatermarkPrefix) + std::to_string(p), std::to_string(watermarks_[p]));
  }
  batch.Put(meta, kEventTimeKey, std::to_string(event_time_ms_));
  batch.Put(meta, kMinEventKey, std::to_string(min_event_ms_));
  batch.Put(meta, kNextSequenceKey, std::to_string(next_sequence_));
  batch.Put(meta, kNextMonthKey, std::to_string(next_month_ms_));
  return Status::Ok();
}

void ChurnProjection::Committed() {
  cache_.Committed();
  if (cache_complete_) {
    // The cache may have let entries go (it bounds itself): then scans read the store.
    size_t cached = 0;
    cache_.ForEachCached([&](const std::string&, const ChurnState&) { ++cached; });
    if (cached < states_written_) cache_complete_ = false;
  }
  index_writes_.clear();
  fits_polled_ = false;
}

void ChurnProjection::SetStateCacheLimit(size_t max_entries) {
  cache_.set_max_entries(max_entries);
}

void ChurnProjection::DropCache() {
  // Timers, pending alerts and the clock are re-read from the store with the states.
  cache_.DropAll();
  cache_complete_ = false;
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
  if (floor <= event_time_ms_) return Status::Ok();
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

int64_t ChurnProjection::TickFloor(int64_t wall_ms) const {
  // Idle means caught up on every partition: nothing older is waiting anywhere, so
  // the newest event time seen is safe. The wall clock only counts for a stream of
  // current events; a history being loaded moves on its own events.
  const int64_t newest = watermarks_.empty() ? 0 : *std::max_element(watermarks_.begin(), watermarks_.end());
  if (newest == 0) return 0;
  int64_t floor = newest;
  const int64_t live_ms = int64_t{settings_.churn.wall_tick_live_within_hours} * 3'600'000;
  if (newest >= wall_ms - live_ms)
    floor = std::max(floor, wall_ms - int64_t{settings_.churn.wall_tick_lag_seconds} * 1000);
  return floor;
}

// ---- Readers ----------------------------------------------------------------------

Result<std::vector<AlertEvent>> ReadAlertLog(const Store& store, int64_t after_sequence, size_t limit) {
  std::vector<AlertEvent> out;
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(AlertLogKey(after_sequence + 1));
       it->Valid() && StartsWith(it->key(), kAlertLogPrefix) && out.size() < limit; it->Next()) {
    auto alert = DecodeAlertWire(std::string_view(it->value().data(), it->value().size()));
    if (!alert.ok()) return alert.status().WithContext(it->key().ToString());
    out.push_back(std::move(alert).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read the alert log");
  return out;
}

Result<int64_t> LastAlertSequence(const Store& store) {
  auto it = store.NewIterator(Family::kIndex);
  it->SeekForPrev(std::string(kAlertLogPrefix) + "~");
  if (!it->Valid() || !StartsWith(it->key(), kAlertLogPrefix)) return int64_t{0};
  return ParseNumber(it->key().ToString().substr(kAlertLogPrefix.size()), "alert log sequence");
}

Result<std::vector<nlohmann::json>> ListAlerts(const Store& store, const AlertFilter& filter,
                                               std::string* next_cursor) {
  std::vector<nlohmann::json> out;
  next_cursor->clear();
  auto it = store.NewIterator(Family::kIndex);
  if (!filter.cursor.empty()) {
    it->Seek(filter.cursor);
    if (it->Valid() && it->key().ToString() == filter.cursor) it->Next();
  } else {
    it->Seek(std::string(kRecordPrefix) + Padded(std::max<int64_t>(0, filter.since_ms)));
  }
  for (; it->Valid() && StartsWith(it->key(), kRecordPrefix); it->Next()) {
    nlohmann::json record = nlohmann::json::parse(it->value().ToString(), nullptr, false);
    if (record.is_discarded())
      return Status::Corruption("alert record " + it->key().ToString() + " is not JSON");
    if (filter.status && record.value("status", "") != *filter.status) continue;
    if (filter.tier && record.value("tier", "") != TierName(*filter.tier)) continue;
    if (out.size() == filter.limit) {
      // More match: the page ends at the last one returned.
      break;
    }
    out.push_back(std::move(record));
    *next_cursor = it->key().ToString();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "list alerts");
  if (!it->Valid() || !StartsWith(it->key(), kRecordPrefix)) next_cursor->clear();
  return out;
}

Result<std::vector<nlohmann::json>> CustomerAlerts(const Store& store, std::string_view customer_id) {
  std::vector<nlohmann::json> out;
  const std::string prefix = CustomerKeyPrefix(customer_id);
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    auto stored = store.Get(Family::kIndex, it->value().ToString());
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    nlohmann::json record = nlohmann::json::parse(**stored, nullptr, false);
    if (record.is_discarded()) return Status::Corruption("alert record of " + std::string(customer_id));
    out.push_back(std::move(record));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "customer alerts");
  return out;
}

Result<std::vector<ChurnPeriod>> ReadChurnPeriods(const Store& store) {
  std::vector<ChurnPeriod> out;
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(kStatsPrefix); it->Valid() && StartsWith(it->key(), kStatsPrefix); it->Next()) {
    auto period = DecodePeriod(std::string_view(it->value().data(), it->value().size()));
    if (!period.ok()) return period.status().WithContext(it->key().ToString());
    out.push_back(std::move(period).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "churn periods");
  return out;
}

Result<std::vector<ModelParameters>> ReadChurnFits(const Store& store) {
  std::vector<ModelParameters> out;
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(kFitPrefix); it->Valid() && StartsWith(it->key(), kFitPrefix); it->Next()) {
    auto fit = DecodeModelParameters(std::string_view(it->value().data(), it->value().size()));
    if (!fit.ok()) return fit.status().WithContext("stored churn fit " + it->key().ToString());
    out.push_back(std::move(fit).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read churn fits");
  return out;
}

Result<int64_t> ReadChurnEventTime(const Store& store) { return ReadMetaNumber(store, kEventTimeKey, 0); }

Result<std::vector<nlohmann::json>> ReadWebhookDeadLetters(const Store& store) {
  std::vector<nlohmann::json> out;
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(kWebhookDeadPrefix); it->Valid() && StartsWith(it->key(), kWebhookDeadPrefix); it->Next()) {
    nlohmann::json record = nlohmann::json::parse(it->value().ToString(), nullptr, false);
    if (!record.is_discarded()) out.push_back(std::move(record));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "webhook dead letters");
  return out;
}

}  // namespace rapport::projections
