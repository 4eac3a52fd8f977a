#include "projections/churn/churn_routes.h"

#include <charconv>
#include <chrono>
#include <thread>

#include "events/time_format.h"
#include "projections/churn/churn_projection.h"

namespace rapport::projections {
namespace {

constexpr size_t kMaxLimit = 1000;

constexpr std::string_view kNoChurnStore = "the churn projection is not running here (no churn store)";

HttpResponse Unavailable() { return ErrorResponse(Status::Unavailable(std::string(kNoChurnStore))); }

Result<int64_t> ParseInt(std::string_view name, const std::string& value, int64_t min, int64_t max) {
  int64_t out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || out < min || out > max) {
    return Status::InvalidArgument(std::string(name), "must be an integer " + std::to_string(min) + ".." +
                                                          std::to_string(max) + ", got \"" + value + "\"");
  }
  return out;
}

// RFC 3339 or epoch milliseconds.
Result<int64_t> ParseTime(std::string_view name, const std::string& value) {
  if (!value.empty() &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ParseInt(name, value, 0, INT64_MAX);
  }
  return events::ParseRfc3339(value, name);
}

nlohmann::json Rate(const ChurnCounts& c) {
  nlohmann::json out = {{"customers_at_start", c.current_at_start}, {"lost", c.lost}};
  if (c.current_at_start > 0) {
    const double churn = static_cast<double>(c.lost) / static_cast<double>(c.current_at_start);
    out["churn_rate"] = churn;
    out["retention_rate"] = 1.0 - churn;
  } else {
    out["churn_rate"] = nullptr;
    out["retention_rate"] = nullptr;
  }
  return out;
}

}  // namespace

HttpResponse ListAlertsResponse(const Store* churn, const QueryParams& params) {
  if (!churn) return Unavailable();
  AlertFilter filter;
  for (const auto& [name, value] : params) {
    if (name == "status") {
      if (value != "open" && value != "cleared") {
        return ErrorResponse(
            Status::InvalidArgument("status", "must be open or cleared, got \"" + value + "\""));
      }
      filter.status = value;
    } else if (name == "tier") {
      auto tier = ParseTier(value);
      if (!tier)
        return ErrorResponse(Status::InvalidArgument("tier", "must be A, B, C or D, got \"" + value + "\""));
      filter.tier = tier;
    } else if (name == "since") {
      auto since = ParseTime("since", value);
      if (!since.ok()) return ErrorResponse(since.status());
      filter.since_ms = *since;
    } else if (name == "limit") {
      auto limit = ParseInt("limit", value, 1, kMaxLimit);
      if (!limit.ok()) return ErrorResponse(limit.status());
      filter.limit = static_cast<size_t>(*limit);
    } else if (name == "cursor") {
      if (value.rfind("alert/", 0) != 0)
        return ErrorResponse(Status::InvalidArgument("cursor", "not a cursor from this API"));
      filter.cursor = value;
    } else {
      return ErrorResponse(
          Status::InvalidArgument(name, "unknown parameter (known: status, tier, since, limit, cursor)"));
    }
  }
  std::string next;
  auto alerts = ListAlerts(*churn, filter, &next);
  if (!alerts.ok()) return ErrorResponse(alerts.status());
  return JsonResponse(200, {{"alerts", *alerts},
                            {"next_cursor", next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next)}});
}

HttpResponse CustomerAlertsResponse(const Store* churn, std::string_view customer_id) {
  if (!churn) return Unavailable();
  auto alerts = CustomerAlerts(*churn, customer_id);
  if (!alerts.ok()) return ErrorResponse(alerts.status());
  return JsonResponse(200, {{"customer_id", customer_id}, {"alerts", *alerts}});
}

HttpResponse ChurnStatsResponse(const Store* churn, const QueryParams& params) {
  if (!churn) return Unavailable();
  std::optional<Tier> tier;
  for (const auto& [name, value] : params) {
    if (name == "period") {
      if (value != "month")
        return ErrorResponse(Status::InvalidArgument("period", "only month is kept, got \"" + value + "\""));
    } else if (name == "tier") {
      tier = ParseTier(value);
      if (!tier)
        return ErrorResponse(Status::InvalidArgument("tier", "must be A, B, C or D, got \"" + value + "\""));
    } else {
      return ErrorResponse(Status::InvalidArgument(name, "unknown parameter (known: period, tier)"));
    }
  }
  auto periods = ReadChurnPeriods(*churn);
  if (!periods.ok()) return ErrorResponse(periods.status());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : *periods) {
    nlohmann::json row = {{"period", p.period},
                          {"start", events::FormatRfc3339(p.start_ms)},
                          {"end", events::FormatRfc3339(p.end_ms)}};
    if (tier) {
      row["tier"] = std::string(TierName(*tier));
      row.update(Rate(p.counts[static_cast<size_t>(*tier)]));
    } else {
      row.update(Rate(p.counts[kTierCount]));
      nlohmann::json tiers = nlohmann::json::object();
      for (int t = 0; t < kTierCount; ++t) {
        tiers[std::string(TierName(static_cast<Tier>(t)))] = Rate(p.counts[t]);
      }
      row["tiers"] = std::move(tiers);
    }
    out.push_back(std::move(row));
  }
  return JsonResponse(200, {{"period", "month"}, {"periods", out}});
}

namespace {

// GET /v1/alerts/stream: resumes after Last-Event-ID (or ?after=); otherwise only
// alerts from now on. Each chunk is what is new, or a keep-alive comment after
// ~1 s of quiet.
Result<ChunkSource> AlertStream(const Store* churn, const std::atomic<bool>* stopping,
                                const HttpRequest& request) {
  if (!churn) return Status::Unavailable(std::string(kNoChurnStore));
  int64_t after = 0;
  std::string from = request.header ? request.header("Last-Event-ID") : std::string();
  if (from.empty()) {
    for (const auto& [name, value] : request.params) {
      if (name == "after") {
        from = value;
        break;
      }
    }
  }
  if (!from.empty()) {
    auto parsed = ParseInt("Last-Event-ID", from, 0, INT64_MAX);
    if (!parsed.ok()) return parsed.status();
    after = *parsed;
  } else {
    auto last = LastAlertSequence(*churn);
    if (!last.ok()) return last.status();
    after = *last;
  }
  return ChunkSource([churn, stopping, after]() mutable -> std::optional<std::string> {
    for (int waited = 0; waited < 20; ++waited) {
      if (stopping && *stopping) return std::nullopt;
      auto log = ReadAlertLog(*churn, after, 100);
      if (!log.ok()) return std::nullopt;
      if (!log->empty()) {
        std::string chunk;
        for (const auto& alert : *log) {
          chunk += "id: " + std::to_string(alert.sequence) +
                   "\nevent: " + (alert.kind == AlertKind::kRaised ? "alert_raised" : "alert_cleared") +
                   "\ndata: " + AlertToJson(alert).dump() + "\n\n";
          after = alert.sequence;
        }
        return chunk;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::string(": keep-alive\n\n");
  });
}

}  // namespace

HttpResponse ChurnOfCustomer(const ServeContext& context, std::string_view customer_id) {
  return CustomerAlertsResponse(context.store, customer_id);  // the customer's alerts: what a what-if changes
}

std::vector<Route> ChurnRoutes(const ServeContext& context) {
  const Store* churn = context.store;
  const std::atomic<bool>* stopping = context.stopping;
  return {
      {.pattern = "/v1/alerts",
       .answer = [churn](const HttpRequest& request) { return ListAlertsResponse(churn, request.params); },
       .params = {"status", "tier", "since", "limit", "cursor"}},
      {.pattern = R"(/v1/customers/([^/]+)/alerts)",
       .answer =
           [churn](const HttpRequest& request) { return CustomerAlertsResponse(churn, request.matches[1]); },
       .customer_in_path = true},
      {.pattern = "/v1/stats/churn",
       .answer = [churn](const HttpRequest& request) { return ChurnStatsResponse(churn, request.params); },
       .params = {"period", "tier"}},
      {.pattern = "/v1/alerts/stream",
       .stream = [churn,
                  stopping](const HttpRequest& request) { return AlertStream(churn, stopping, request); },
       .params = {"after"}}};
}

}  // namespace rapport::projections
