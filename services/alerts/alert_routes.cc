#include "services/alerts/alert_routes.h"

#include <charconv>
#include <chrono>
#include <thread>

#include "events/time_format.h"
#include "projections/churn/churn_projection.h"
#include "services/http/http_server.h"

namespace rapport::services {
namespace {

constexpr size_t kMaxLimit = 1000;

HttpResponse Unavailable() {
  return ErrorResponse(Status::Unavailable("the churn projection is not running here (no churn store)"));
}

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

nlohmann::json Rate(const projections::ChurnCounts& c) {
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

HttpResponse ListAlertsResponse(const projections::Store* churn, const QueryParams& params) {
  if (!churn) return Unavailable();
  projections::AlertFilter filter;
  for (const auto& [name, value] : params) {
    if (name == "status") {
      if (value != "open" && value != "cleared") {
        return ErrorResponse(
            Status::InvalidArgument("status", "must be open or cleared, got \"" + value + "\""));
      }
      filter.status = value;
    } else if (name == "tier") {
      auto tier = projections::ParseTier(value);
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
  auto alerts = projections::ListAlerts(*churn, filter, &next);
  if (!alerts.ok()) return ErrorResponse(alerts.status());
  return JsonResponse(200, {{"alerts", *alerts},
                            {"next_cursor", next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next)}});
}

HttpResponse CustomerAlertsResponse(const projections::Store* churn, std::string_view customer_id) {
  if (!churn) return Unavailable();
  auto alerts = projections::CustomerAlerts(*churn, customer_id);
  if (!alerts.ok()) return ErrorResponse(alerts.status());
  return JsonResponse(200, {{"customer_id", customer_id}, {"alerts", *alerts}});
}

HttpResponse ChurnStatsResponse(const projections::Store* churn, const QueryParams& params) {
  if (!churn) return Unavailable();
  std::optional<projections::Tier> tier;
  for (const auto& [name, value] : params) {
    if (name == "period") {
      if (value != "month")
        return ErrorResponse(Status::InvalidArgument("period", "only month is kept, got \"" + value + "\""));
    } else if (name == "tier") {
      tier = projections::ParseTier(value);
      if (!tier)
        return ErrorResponse(Status::InvalidArgument("tier", "must be A, B, C or D, got \"" + value + "\""));
    } else {
      return ErrorResponse(Status::InvalidArgument(name, "unknown parameter (known: period, tier)"));
    }
  }
  auto periods = projections::ReadChurnPeriods(*churn);
  if (!periods.ok()) return ErrorResponse(periods.status());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : *periods) {
    nlohmann::json row = {{"period", p.period},
                          {"start", events::FormatRfc3339(p.start_ms)},
                          {"end", events::FormatRfc3339(p.end_ms)}};
    if (tier) {
      row["tier"] = std::string(projections::TierName(*tier));
      row.update(Rate(p.counts[static_cast<size_t>(*tier)]));
    } else {
      row.update(Rate(p.counts[projections::kTierCount]));
      nlohmann::json tiers = nlohmann::json::object();
      for (int t = 0; t < projections::kTierCount; ++t) {
        tiers[std::string(projections::TierName(static_cast<projections::Tier>(t)))] = Rate(p.counts[t]);
      }
      row["tiers"] = std::move(tiers);
    }
    out.push_back(std::move(row));
  }
  return JsonResponse(200, {{"period", "month"}, {"periods", out}});
}

void AddAlertRoutes(httplib::Server& server, const projections::Store* churn,
                    const std::atomic<bool>& stopping) {
  server.Get("/v1/alerts", [churn](const httplib::Request& request, httplib::Response& response) {
    Send(response, ListAlertsResponse(churn, QueryParams(request.params.begin(), request.params.end())));
  });
  server.Get(R"(/v1/customers/([^/]+)/alerts)",
             [churn](const httplib::Request& request, httplib::Response& response) {
               Send(response, CustomerAlertsResponse(churn, request.matches[1].str()));
             });
  server.Get("/v1/stats/churn", [churn](const httplib::Request& request, httplib::Response& response) {
    Send(response, ChurnStatsResponse(churn, QueryParams(request.params.begin(), request.params.end())));
  });
  server.Get("/v1/alerts/stream", [churn, &stopping](const httplib::Request& request,
                                                     httplib::Response& response) {
    if (!churn) return Send(response, Unavailable());
    // Resume after Last-Event-ID (or ?after=); otherwise only alerts from now on.
    int64_t after = 0;
    std::string from = request.get_header_value("Last-Event-ID");
    if (from.empty() && request.has_param("after")) from = request.get_param_value("after");
    if (!from.empty()) {
      auto parsed = ParseInt("Last-Event-ID", from, 0, INT64_MAX);
      if (!parsed.ok()) return Send(response, ErrorResponse(parsed.status()));
      after = *parsed;
    } else {
      auto last = projections::LastAlertSequence(*churn);
      if (!last.ok()) return Send(response, ErrorResponse(last.status()));
      after = *last;
    }
    response.set_header("Cache-Control", "no-cache");
    response.set_chunked_content_provider(
        "text/event-stream", [churn, &stopping, after](size_t, httplib::DataSink& sink) mutable {
          // One call sends what is new, or a keep-alive comment after ~1 s of quiet.
          for (int waited = 0; waited < 20; ++waited) {
            if (stopping) {
              sink.done();
              return false;
            }
            auto log = projections::ReadAlertLog(*churn, after, 100);
            if (!log.ok()) return false;
            if (!log->empty()) {
              std::string chunk;
              for (const auto& alert : *log) {
                chunk += "id: " + std::to_string(alert.sequence) + "\nevent: " +
                         (alert.kind == projections::AlertKind::kRaised ? "alert_raised" : "alert_cleared") +
                         "\ndata: " + projections::AlertToJson(alert).dump() + "\n\n";
                after = alert.sequence;
              }
              return sink.write(chunk.data(), chunk.size());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
          static constexpr std::string_view kKeepAlive = ": keep-alive\n\n";
          return sink.write(kKeepAlive.data(), kKeepAlive.size());
        });
  });
}

}  // namespace rapport::services
