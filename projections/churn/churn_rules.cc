#include "projections/churn/churn_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "events/time_format.h"
#include "storage/binary_codec.h"
#include "projections/domain/customer_lifecycle.h"
#include "projections/domain/model_inputs.h"

namespace rapport::projections {
namespace {

constexpr uint8_t kFormatVersion = 2;  // 2 added last_event_ms, merged_into, merged_at_ms
constexpr double kDayMs = static_cast<double>(events::kMillisPerDay);

uint8_t Bit(ChurnReason reason) { return static_cast<uint8_t>(1u << static_cast<int>(reason)); }

int64_t Days(int days) { return static_cast<int64_t>(days) * events::kMillisPerDay; }

// "14" or "14.5": figures as an analyst would write them.
std::string Figure(double value) {
  char text[32];
  if (std::abs(value - std::round(value)) < 1e-9) {
    std::snprintf(text, sizeof(text), "%.0f", value);
  } else {
    std::snprintf(text, sizeof(text), "%.1f", value);
  }
  return text;
}

// 0.5 at the threshold, rising linearly to 1 at `excess_for_full` past it.
double Strength(double excess, double excess_for_full) {
  if (excess_for_full <= 0) return 1.0;
  return std::min(1.0, 0.5 + 0.5 * std::max(0.0, excess) / excess_for_full);
}

// The first instant (ms) at which more than `days` days have passed since `from_ms`.
// ceil + 1 ms keeps the timer strictly past the threshold however the days are
// rounded, so the rule evaluated at the deadline always sees it hold.
int64_t FirstInstantPast(int64_t from_ms, double days) {
  return from_ms + static_cast<int64_t>(std::ceil(days * kDayMs)) + 1;
}

std::optional<Finding> Overdue(const ChurnState& state, int64_t at_ms, const ChurnRules& rules) {
  const ChurnSettings& s = rules.churn;
  const PurchaseHistory& purchases = state.purchases;
  if (purchases.empty()) return std::nullopt;
  if (purchases.count() >= static_cast<size_t>(std::max(2, s.overdue_min_purchases))) {
    const std::optional<double> median = purchases.MedianIntervalDays();
    const double since = static_cast<double>(at_ms - purchases.last_ms()) / kDayMs;
    if (median && *median > 0 && since > s.overdue_interval_factor * *median) {
      const double limit = s.overdue_interval_factor * *median;
      Finding f;
      f.reason = {ChurnReason::kOverdue,
                  std::to_string(WholeDaysBetween(purchases.last_ms(), at_ms)) +
                      " days since last purchase, usual interval " + Figure(*median),
                  since, limit};
      f.strength = Strength(since / limit - 1.0, 1.0);
      f.trigger_event_id = state.last_purchase_event_id;
      return f;
    }
  }
  // The P(alive) half: under the fit in effect at at_ms (none: not applied), and
  // only after the last purchase (the purchase itself is evidence of life).
  if (rules.fits && purchases.count() >= 2 && at_ms > purchases.last_ms()) {
    if (const auto fit = rules.fits->InEffectAt(at_ms)) {
      const std::optional<double> p = PAliveAt(fit->params, purchases, at_ms);
      if (p && *p < s.overdue_p_alive_below) {
        char text[128];
        // Truncated, not rounded: a P(alive) just below 0.5 reads 0.49, not 0.50.
        std::snprintf(text, sizeof(text), "P(alive) %.2f below %.2f under the fit of %s, %lld days since last purchase",
                      std::floor(*p * 100.0) / 100.0, s.overdue_p_alive_below, events::FormatRfc3339(fit->as_of_ms).substr(0, 10).c_str(),
                      static_cast<long long>(WholeDaysBetween(purchases.last_ms(), at_ms)));
        Finding f;
        f.reason = {ChurnReason::kOverdue, text, *p, s.overdue_p_alive_below};
        f.strength = Strength(s.overdue_p_alive_below - *p, s.overdue_p_alive_below);
        f.trigger_event_id = state.last_purchase_event_id;
        return f;
      }
    }
  }
  return std::nullopt;
}

int64_t CountInWindowEndingAt(const PurchaseHistory& purchases, int64_t end_ms, int days) {
  return purchases.CountBetween(end_ms - Days(days) + 1, end_ms + 1);
}

std::optional<Finding> FrequencyDecline(const ChurnState& state, int64_t at_ms, const ChurnRules& rules) {
  const LifecycleSettings& l = rules.lifecycle;
  if (StageAsOf(state.purchases, at_ms, l) != LifecycleStage::kDecline) return std::nullopt;
  const int64_t last = CountInWindowEndingAt(state.purchases, at_ms, l.decline_window_days);
  const int64_t previous =
      CountInWindowEndingAt(state.purchases, at_ms - Days(l.decline_window_days), l.decline_window_days);
  Finding f;
  f.trigger_event_id = state.last_purchase_event_id;
  const bool slowing = static_cast<double>(last) < l.decline_ratio * static_cast<double>(previous);
  if (slowing) {
    f.reason = {ChurnReason::kFrequencyDecline,
                std::to_string(last) + " purchases in the last " + std::to_string(l.decline_window_days) +
                    " days, " + std::to_string(previous) + " in the " +
                    std::to_string(l.decline_window_days) + " before",
                static_cast<double>(last), l.decline_ratio * static_cast<double>(previous)};
    f.strength = Strength(1.0 - static_cast<double>(last) / static_cast<double>(previous), 1.0);
  } else {
    const double median = state.purchases.MedianIntervalDays().value_or(0);
    const double since = static_cast<double>(at_ms - state.purchases.last_ms()) / kDayMs;
    f.reason = {ChurnReason::kFrequencyDecline,
                "declining: " + std::to_string(WholeDaysBetween(state.purchases.last_ms(), at_ms)) +
                    " days since last purchase, usual interval " + Figure(median),
                since, l.decline_interval_factor * median};
    f.strength = 0.5;
  }
  return f;
}

void KeepWindow(std::vector<int64_t>& times, int64_t at_ms, int days) {
  std::erase_if(times, [&](int64_t t) { return t <= at_ms - Days(days); });
}

// A list in the state codec: its length, then each item as `put` writes it.
template <typename Items, typename Put>
void PutList(BinaryWriter& w, const Items& items, Put put) {
  w.PutVarint(items.size());
  for (const auto& item : items) put(item);
}

// The list PutList wrote. A length above `max` (more items than bytes) cannot be
// right: the list stays empty and no memory is reserved for it.
template <typename Items, typename Get>
void GetList(BinaryReader& r, size_t max, Items& items, Get get) {
  size_t n = 0;
  if (!r.GetCount(&n) || n > max) return;
  items.resize(n);
  for (auto& item : items) get(item);
}

// A purchase clears every open alert: the customer is buying again.
void ApplyPurchase(ChurnState& state, const events::Purchase& purchase, const events::Event& event,
                   std::vector<std::string>* cleared) {
  const int64_t t = event.occurred_at_ms;
  if (state.purchases.empty() || t >= state.purchases.last_ms()) state.last_purchase_event_id = event.event_id.str();
  state.purchases.Add({t, purchase.amount, purchase.cost});
  for (OpenAlert& open : state.open_alerts) {
    if (open.alert_id.empty()) continue;
    if (cleared && std::find(cleared->begin(), cleared->end(), open.alert_id) == cleared->end()) {
      cleared->push_back(open.alert_id);
    }
    open = OpenAlert{};
  }
}

// `complaints`: complaint_count or more within complaint_window_days.
std::optional<Finding> ApplyComplaint(ChurnState& state, const events::Complaint& complaint,
                                      const events::Event& event, const ChurnSettings& s) {
  const int64_t t = event.occurred_at_ms;
  state.open_complaints.push_back({complaint.complaint_id, complaint.severity, t, event.event_id.str(), false});
  state.complaint_times.push_back(t);
  KeepWindow(state.complaint_times, t, s.complaint_window_days);
  const auto count = static_cast<int64_t>(std::count_if(state.complaint_times.begin(), state.complaint_times.end(),
                                                        [&](int64_t at) { return at <= t; }));
  if (count < s.complaint_count) return std::nullopt;
  Finding f;
  f.reason = {ChurnReason::kComplaints,
              std::to_string(count) + " complaints in " + std::to_string(s.complaint_window_days) + " days",
              static_cast<double>(count), static_cast<double>(s.complaint_count)};
  f.strength = Strength(static_cast<double>(count - s.complaint_count), static_cast<double>(s.complaint_count));
  f.trigger_event_id = event.event_id.str();
  return f;
}

// `satisfaction_drop`: the decayed satisfaction fell satisfaction_drop_points below
// its peak of the window, or (when it did not) an NPS answer of a detractor.
std::optional<Finding> ApplyCareContact(ChurnState& state, const events::CareContact& care,
                                        const events::Event& event, const ChurnSettings& s) {
  const int64_t t = event.occurred_at_ms;
  const auto& survey = care.survey;
  if (survey.expectation && survey.perception) {
    const double gap = static_cast<double>(*survey.perception - *survey.expectation);
    state.satisfaction.Add(gap, t, s.satisfaction_half_life_days);
    const double now = *state.satisfaction.value();
    std::erase_if(state.satisfaction_recent,
                  [&](const auto& sample) { return sample.first <= t - Days(s.satisfaction_drop_window_days); });
    double peak = now;
    for (const auto& [at, value] : state.satisfaction_recent) {
      if (at <= t) peak = std::max(peak, value);
    }
    state.satisfaction_recent.emplace_back(t, now);
    const double drop = peak - now;
    if (drop >= s.satisfaction_drop_points) {
      Finding f;
      f.reason = {ChurnReason::kSatisfactionDrop,
                  "satisfaction fell " + Figure(drop) + " points in " +
                      std::to_string(s.satisfaction_drop_window_days) + " days (from " + Figure(peak) + " to " +
                      Figure(now) + ")",
                  drop, s.satisfaction_drop_points};
      f.strength = Strength(drop - s.satisfaction_drop_points, s.satisfaction_drop_points);
      f.trigger_event_id = event.event_id.str();
      return f;
    }
  }
  if (!survey.nps || *survey.nps > s.nps_detractor_max) return std::nullopt;
  Finding f;
  f.reason = {ChurnReason::kSatisfactionDrop, "NPS answer " + std::to_string(*survey.nps) + " (detractor)",
              static_cast<double>(*survey.nps), static_cast<double>(s.nps_detractor_max)};
  f.strength = Strength(static_cast<double>(s.nps_detractor_max - *survey.nps),
                        static_cast<double>(std::max(1, s.nps_detractor_max)));
  f.trigger_event_id = event.event_id.str();
  return f;
}

}  // namespace

std::vector<Finding> ApplyChurnEvent(ChurnState& state, const events::Event& event, const ChurnRules& rules,
                                     std::vector<std::string>* cleared) {
  const int64_t t = event.occurred_at_ms;
  if (state.customer_id.empty()) {
    state.customer_id = event.customer_id.str();
    state.first_seen_ms = t;
  }
  state.first_seen_ms = std::min(state.first_seen_ms, t);
  state.last_event_ms = std::max(state.last_event_ms, t);
  std::optional<Finding> finding;
  if (const auto* purchase = std::get_if<events::Purchase>(&event.payload)) {
    ApplyPurchase(state, *purchase, event, cleared);
  } else if (const auto* complaint = std::get_if<events::Complaint>(&event.payload)) {
    finding = ApplyComplaint(state, *complaint, event, rules.churn);
  } else if (const auto* resolved = std::get_if<events::ComplaintResolved>(&event.payload)) {
    std::erase_if(state.open_complaints,
                  [&](const OpenComplaint& c) { return c.complaint_id == resolved->complaint_id; });
  } else if (const auto* care = std::get_if<events::CareContact>(&event.payload)) {
    finding = ApplyCareContact(state, *care, event, rules.churn);
  }
  std::vector<Finding> findings;
  if (finding) findings.push_back(std::move(*finding));
  return findings;
}

std::optional<std::string> AlertVoidedByResolution(const ChurnState& state, const events::ComplaintResolved& resolved,
                                                   int64_t at_ms, const ChurnRules& rules) {
  const OpenAlert& open = state.open_alerts[static_cast<size_t>(ChurnReason::kComplaints)];
  if (open.alert_id.empty()) return std::nullopt;
  for (const OpenComplaint& c : state.open_complaints) {
    if (c.complaint_id != resolved.complaint_id || !c.alerted) continue;
    const int64_t deadline = FirstInstantPast(c.opened_ms, rules.churn.complaint_open_days);
    // The open alert is this complaint's (raised at its deadline), and it was
    // resolved before that deadline.
    if (open.raised_ms == deadline && at_ms < deadline) return open.alert_id;
  }
  return std::nullopt;
}

std::vector<Finding> EvaluateTimeRules(ChurnState& state, int64_t at_ms, const ChurnRules& rules) {
  std::vector<Finding> started;
  auto edge = [&](ChurnReason reason, std::optional<Finding> finding) {
    const bool was = (state.held & Bit(reason)) != 0;
    if (finding) {
      state.held |= Bit(reason);
      if (!was) started.push_back(std::move(*finding));
    } else {
      state.held &= static_cast<uint8_t>(~Bit(reason));
    }
  };
  edge(ChurnReason::kOverdue, Overdue(state, at_ms, rules));

  // A severe complaint left open too long: once per complaint.
  const ChurnSettings& s = rules.churn;
  std::optional<Finding> severe;
  for (OpenComplaint& c : state.open_complaints) {
    if (c.alerted || c.severity < s.complaint_severity_min) continue;
    const double open_days = static_cast<double>(at_ms - c.opened_ms) / kDayMs;
    if (open_days <= static_cast<double>(s.complaint_open_days)) continue;
    c.alerted = true;
    if (severe) continue;
    Finding f;
    f.reason = {ChurnReason::kComplaints,
                "complaint " + c.complaint_id + " of severity " + std::to_string(c.severity) + " open " +
                    std::to_string(WholeDaysBetween(c.opened_ms, at_ms)) + " days",
                open_days, static_cast<double>(s.complaint_open_days)};
    f.strength = Strength(static_cast<double>(c.severity - s.complaint_severity_min),
                          static_cast<double>(std::max(1, 5 - s.complaint_severity_min)));
    f.trigger_event_id = c.event_id;
    severe = std::move(f);
  }
  if (severe) started.push_back(std::move(*severe));

  edge(ChurnReason::kFrequencyDecline, FrequencyDecline(state, at_ms, rules));
  std::sort(started.begin(), started.end(),
            [](const Finding& a, const Finding& b) { return a.reason.reason < b.reason.reason; });
  return started;
}

int64_t NextDeadline(const ChurnState& state, int64_t after_ms, const ChurnRules& rules) {
  int64_t next = 0;
  auto consider = [&](int64_t at) {
    if (at > after_ms && (next == 0 || at < next)) next = at;
  };
  const PurchaseHistory& purchases = state.purchases;
  const std::optional<double> median = purchases.MedianIntervalDays();
  if (median && *median > 0) {
    if (purchases.count() >= static_cast<size_t>(std::max(2, rules.churn.overdue_min_purchases))) {
      consider(FirstInstantPast(purchases.last_ms(), rules.churn.overdue_interval_factor * *median));
    }
    if (purchases.count() >= static_cast<size_t>(std::max(1, rules.lifecycle.formation_min_purchases))) {
      consider(FirstInstantPast(purchases.last_ms(), rules.lifecycle.decline_interval_factor * *median));
    }
  }
  // The decline windows change when a purchase leaves the last window (and enters
  // the one before) or leaves the one before.
  if (purchases.count() >= static_cast<size_t>(std::max(1, rules.lifecycle.formation_min_purchases))) {
    const int64_t span = Days(rules.lifecycle.decline_window_days);
    for (const PurchaseRecord& p : purchases.records()) {
      consider(p.at_ms + span);
      consider(p.at_ms + 2 * span);
    }
  }
  for (const OpenComplaint& c : state.open_complaints) {
    if (!c.alerted && c.severity >= rules.churn.complaint_severity_min) {
      consider(FirstInstantPast(c.opened_ms, rules.churn.complaint_open_days));
    }
  }
  // The P(alive) half: its crossing under the fit in effect, and the next fit (which
  // may move the crossing either way). Only while `overdue` does not hold: once it
  // holds, neither half can raise it again until a purchase.
  if (rules.fits && !rules.fits->empty() && purchases.count() >= 2 && (state.held & Bit(ChurnReason::kOverdue)) == 0) {
    if (const auto fit = rules.fits->InEffectAt(after_ms)) {
      consider(PAliveCrossingMs(fit->params, purchases, rules.churn.overdue_p_alive_below));
    }
    consider(rules.fits->NextEffectiveAfter(after_ms));
  }
  return next;
}

std::string EncodeChurnState(const ChurnState& state) {
  BinaryWriter w;
  w.PutU8(kFormatVersion);
  w.PutString(state.customer_id);
  w.PutSigned(state.first_seen_ms);
  state.purchases.Encode(w);
  w.PutString(state.last_purchase_event_id);
  state.satisfaction.Encode(w);
  PutList(w, state.satisfaction_recent, [&](const std::pair<int64_t, double>& sample) {
    w.PutSigned(sample.first);
    w.PutDouble(sample.second);
  });
  PutList(w, state.open_complaints, [&](const OpenComplaint& c) {
    w.PutString(c.complaint_id);
    w.PutSigned(c.severity);
    w.PutSigned(c.opened_ms);
    w.PutString(c.event_id);
    w.PutBool(c.alerted);
  });
  PutList(w, state.complaint_times, [&](int64_t at) { w.PutSigned(at); });
  for (const OpenAlert& open : state.open_alerts) {
    w.PutString(open.alert_id);
    w.PutSigned(open.raised_ms);
  }
  w.PutU8(state.held);
  w.PutSigned(state.timer_ms);
  w.PutSigned(state.emitted);
  w.PutSigned(state.last_event_ms);
  w.PutString(state.merged_into);
  w.PutSigned(state.merged_at_ms);
  return w.Release();
}

Result<ChurnState> DecodeChurnState(std::string_view bytes) {
  BinaryReader r(bytes);
  ChurnState state;
  uint8_t version = 0;
  if (!r.GetU8(&version) || version < 1 || version > kFormatVersion)
    return Status::Corruption("churn state: unknown format");
  r.GetString(&state.customer_id);
  r.GetSigned(&state.first_seen_ms);
  state.purchases.Decode(r);
  r.GetString(&state.last_purchase_event_id);
  state.satisfaction.Decode(r);
  GetList(r, bytes.size(), state.satisfaction_recent, [&](std::pair<int64_t, double>& sample) {
    r.GetSigned(&sample.first);
    r.GetDouble(&sample.second);
  });
  GetList(r, bytes.size(), state.open_complaints, [&](OpenComplaint& c) {
    int64_t severity = 0;
    r.GetString(&c.complaint_id);
    r.GetSigned(&severity);
    c.severity = static_cast<int>(severity);
    r.GetSigned(&c.opened_ms);
    r.GetString(&c.event_id);
    r.GetBool(&c.alerted);
  });
  GetList(r, bytes.size(), state.complaint_times, [&](int64_t& at) { r.GetSigned(&at); });
  for (OpenAlert& open : state.open_alerts) {
    r.GetString(&open.alert_id);
    r.GetSigned(&open.raised_ms);
  }
  r.GetU8(&state.held);
  r.GetSigned(&state.timer_ms);
  r.GetSigned(&state.emitted);
  if (version >= 2) {
    r.GetSigned(&state.last_event_ms);
    r.GetString(&state.merged_into);
    r.GetSigned(&state.merged_at_ms);
  }
  if (!r.ok() || !r.at_end()) return Status::Corruption("churn state: truncated or malformed");
  return state;
}

Status CheckChurnSettings(const ChurnSettings& s) {
  auto bad = [](const char* name, const std::string& why) {
    return Status::InvalidArgument(std::string("domain.churn.") + name, why);
  };
  if (!(s.overdue_interval_factor > 0)) return bad("overdue_interval_factor", "must be > 0");
  if (s.overdue_min_purchases < 2)
    return bad("overdue_min_purchases", "must be >= 2 (an interval needs two)");
  if (!(s.overdue_p_alive_below > 0 && s.overdue_p_alive_below < 1))
    return bad("overdue_p_alive_below", "must be in (0, 1)");
  if (!(s.satisfaction_half_life_days > 0)) return bad("satisfaction_half_life_days", "must be > 0");
  if (!(s.satisfaction_drop_points > 0)) return bad("satisfaction_drop_points", "must be > 0");
  if (s.satisfaction_drop_window_days < 1) return bad("satisfaction_drop_window_days", "must be >= 1");
  if (s.nps_detractor_max < 0 || s.nps_detractor_max > 10) return bad("nps_detractor_max", "must be 0..10");
  if (s.complaint_severity_min < 1 || s.complaint_severity_min > 5)
    return bad("complaint_severity_min", "must be 1..5");
  if (s.complaint_open_days < 0) return bad("complaint_open_days", "must be >= 0");
  if (s.complaint_count < 1) return bad("complaint_count", "must be >= 1");
  if (s.complaint_window_days < 1) return bad("complaint_window_days", "must be >= 1");
  if (s.wall_tick_seconds < 0) return bad("wall_tick_seconds", "must be >= 0 (0 = off)");
  if (s.wall_tick_lag_seconds < 0) return bad("wall_tick_lag_seconds", "must be >= 0");
  if (s.wall_tick_live_within_hours < 0) return bad("wall_tick_live_within_hours", "must be >= 0");
  if (s.partitions < 0) return bad("partitions", "must be >= 0 (0 = kafka.partitions)");
  if (s.webhook_timeout_ms < 1) return bad("webhooks.timeout_ms", "must be >= 1");
  if (s.webhook_max_attempts < 1) return bad("webhooks.max_attempts", "must be >= 1");
  if (s.webhook_backoff_ms < 0) return bad("webhooks.backoff_ms", "must be >= 0");
  if (s.webhook_backoff_max_ms < s.webhook_backoff_ms)
    return bad("webhooks.backoff_max_ms", "must be >= webhooks.backoff_ms");
  if (s.outbox_batch < 1) return bad("outbox_batch", "must be >= 1");
  if (s.p_alive_fit_delay_hours < 0) return bad("p_alive_fit_delay_hours", "must be >= 0");
  size_t start = 0;
  while (start <= s.webhook_urls.size() && !s.webhook_urls.empty()) {
    size_t end = s.webhook_urls.find(',', start);
    if (end == std::string::npos) end = s.webhook_urls.size();
    std::string url = s.webhook_urls.substr(start, end - start);
    const size_t scheme = url.rfind("https://", 0) == 0 ? 8 : url.rfind("http://", 0) == 0 ? 7 : 0;
    if (scheme == 0 || url.size() <= scheme) {
      return bad("webhooks.urls",
                 "each URL must start with https:// or http:// and name a host, got \"" + url + "\"");
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace rapport::projections
