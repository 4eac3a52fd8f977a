#include "services/query/satisfaction_queries.h"

#include <set>
#include <vector>

#include "events/names.h"
#include "events/time_format.h"
#include "projections/runtime/projection_meta.h"
#include "projections/satisfaction/satisfaction.h"
#include "projections/satisfaction/satisfaction_projection.h"
#include "projections/satisfaction/satisfaction_trend.h"
#include "services/query/merge_pointer_answer.h"

namespace rapport::services {
namespace {

using nlohmann::json;
using projections::CustomerSatisfaction;
using projections::SatisfactionCounts;
using projections::SatisfactionMeasures;

constexpr std::string_view kProjection = projections::SatisfactionProjection::kName;

json TimeOrNull(int64_t epoch_ms) {
  return epoch_ms == 0 ? json(nullptr) : json(events::FormatRfc3339(epoch_ms));
}
json Optional(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }
json Optional(const std::optional<int32_t>& value) { return value ? json(*value) : json(nullptr); }
std::string DateOf(int64_t day) { return events::FormatRfc3339(day * events::kMillisPerDay).substr(0, 10); }

// Monday of the ISO week holding `day` (day 0, 1970-01-01, was a Thursday).
int64_t WeekStart(int64_t day) {
  int64_t offset = (day + 3) % 7;
  if (offset < 0) offset += 7;
  return day - offset;
}

Result<int64_t> ParseDay(const std::string& name, const std::string& value) {
  std::string text = value;
  if (text.size() == 10) text += "T00:00:00Z";  // a date
  auto at = events::ParseRfc3339(text, name);
  if (!at.ok())
    return Status::InvalidArgument(name,
                                   "must be a date (2025-03-01) or an RFC 3339 time, got \"" + value + "\"");
  return projections::DayOf(*at);
}

// The counts and their measures, as every answer shows them.
void PutCounts(json& out, const SatisfactionCounts& c) {
  const SatisfactionMeasures m = projections::MeasuresOf(c);
  out["interactions"] = c.interactions;
  out["complaints"] = c.complaints;
  out["complaint_rate"] = Optional(m.complaint_rate);
  out["resolutions"] = c.resolutions;
  out["resolutions_accepted"] = c.resolutions_accepted;
  out["resolution_acceptance"] = Optional(m.resolution_acceptance);
  out["surveys"] = c.surveys;
  out["csat_answers"] = c.csat_answers;
  out["csat_satisfied"] = c.csat_satisfied;
  out["csat"] = Optional(m.csat);
  out["nps_answers"] = c.nps_answers;
  out["promoters"] = c.promoters;
  out["detractors"] = c.detractors;
  out["nps"] = Optional(m.nps);
  out["gap_answers"] = c.gap_answers;
  out["mean_gap"] = Optional(m.mean_gap);
  out["purchases"] = c.purchases;
  out["repurchased"] = c.repurchased;
  out["repurchase_rate"] = Optional(m.repurchase_rate);
}

json SurveyJson(const events::SurveyAnswers& a, int64_t at_ms) {
  if (a.empty()) return nullptr;
  json out = {{"at", events::FormatRfc3339(at_ms)},
              {"expectation", Optional(a.expectation)},
              {"perception", Optional(a.perception)},
              {"nps", Optional(a.nps)},
              {"csat", Optional(a.csat)},
              {"effort", Optional(a.effort)}};
  out["gap"] = a.expectation && a.perception ? json(*a.perception - *a.expectation) : json(nullptr);
  out["index"] = a.expectation && a.perception
                     ? json(static_cast<double>(*a.perception) / static_cast<double>(*a.expectation))
                     : json(nullptr);
  return out;
}

json TrendJson(const projections::Trend& trend) {
  return {{"slope", Optional(trend.slope)},
          {"label", trend.label ? json(projections::Name(*trend.label)) : json(nullptr)},
          {"points", trend.points}};
}

}  // namespace

Result<SatisfactionTrendQuery> ParseSatisfactionTrendQuery(const QueryParams& params) {
  SatisfactionTrendQuery query;
  std::set<std::string> seen;
  for (const auto& [name, value] : params) {
    if (!seen.insert(name).second) return Status::InvalidArgument(name, "given more than once");
    if (name == "bucket") {
      if (value != "day" && value != "week") {
        return Status::InvalidArgument(name, "must be day or week, got \"" + value + "\"");
      }
      query.weeks = value == "week";
    } else if (name == "channel") {
      query.channel = events::ParseChannel(value);
      if (!query.channel) {
        return Status::InvalidArgument(
            name, "must be call_centre, web, store, mobile, email or other, got \"" + value + "\"");
      }
    } else if (name == "tier") {
      query.tier = projections::ParseTier(value);
      if (!query.tier) return Status::InvalidArgument(name, "must be A, B, C or D, got \"" + value + "\"");
    } else if (name == "from" || name == "to") {
      auto day = ParseDay(name, value);
      if (!day.ok()) return day.status();
      (name == "from" ? query.from_day : query.to_day) = *day;
    } else {
      return Status::InvalidArgument(name, "unknown parameter (known: bucket, channel, tier, from, to)");
    }
  }
  if (query.from_day && query.to_day && *query.from_day > *query.to_day) {
    return Status::InvalidArgument("from", "must not be after to");
  }
  return query;
}

HttpResponse GetCustomerSatisfaction(const projections::Store& store, std::string_view customer_id,
                                     const projections::DomainSettings& settings) {
  auto state = projections::ReadCustomerSatisfaction(store, customer_id);
  if (!state.ok()) return ErrorResponse(state.status());
  if (!state->has_value())
    return ErrorResponse(Status::NotFound("unknown customer " + std::string(customer_id)));
  const CustomerSatisfaction& s = **state;
  if (s.is_pointer()) return PointerAnswer(projections::ReadCustomerSatisfaction, store, s, "/satisfaction");
  auto watermark = projections::ReadWatermarkOf(store, kProjection);
  if (!watermark.ok()) return ErrorResponse(watermark.status());
  auto ranking = projections::ReadSharedSnapshotOf(store, kProjection);
  if (!ranking.ok()) return ErrorResponse(ranking.status());
  const projections::ValueSnapshot& snapshot = **ranking;

  json out = {{"customer_id", s.customer_id}};
  const auto ewma = s.gap_ewma.value();
  out["gap_ewma"] = Optional(ewma);
  out["gap_ewma_at"] = ewma ? json(events::FormatRfc3339(s.gap_ewma.reference_ms())) : json(nullptr);
  out["gap_half_life_days"] = settings.satisfaction.gap_half_life_days;
  out["last_survey"] = SurveyJson(s.last_survey, s.last_survey_ms);
  PutCounts(out, s.counts);
  out["open_complaints"] = s.open_complaints;
  out["tier"] = projections::TierName(projections::SatisfactionTierOf(s, *watermark, &snapshot));
  out["erased"] = s.erased;
  out["merged_from"] = s.merged_from;
  out["as_of"] = TimeOrNull(*watermark);
  out["ranking_as_of"] = TimeOrNull(snapshot.as_of_ms);
  return JsonResponse(200, out);
}

HttpResponse GetSatisfactionTrends(const projections::Store& store, const SatisfactionTrendQuery& query,
                                   const projections::DomainSettings& settings) {
  auto watermark = projections::ReadWatermarkOf(store, kProjection);
  if (!watermark.ok()) return ErrorResponse(watermark.status());
  auto ranking = projections::ReadSnapshotOf(store, kProjection);
  if (!ranking.ok()) return ErrorResponse(ranking.status());
  const int64_t as_of = *watermark;
  const int64_t width = query.weeks ? 7 : 1;
  const int trend_buckets = settings.satisfaction.trend_buckets;
  auto bucket_start = [&](int64_t day) { return query.weeks ? WeekStart(day) : day; };

  // Default: the last trend_buckets buckets up to the watermark's.
  const int64_t last = bucket_start(query.to_day.value_or(projections::DayOf(as_of)));
  const int64_t first = query.from_day ? bucket_start(*query.from_day) : last - (trend_buckets - 1) * width;
  if (first > last) return ErrorResponse(Status::InvalidArgument("from", "must not be after to"));
  const int64_t count = (last - first) / width + 1;
  if (count > SatisfactionTrendQuery::kMaxBuckets) {
    return ErrorResponse(Status::InvalidArgument(
        "from", "the range holds " + std::to_string(count) + " buckets, at most " +
                    std::to_string(SatisfactionTrendQuery::kMaxBuckets) + " are answered"));
  }

  std::vector<SatisfactionCounts> buckets(static_cast<size_t>(count));
  const std::string end_key = projections::CellKeyPrefix(last + width);
  auto it = store.NewIterator(projections::Family::kIndex);
  for (it->Seek(projections::CellKeyPrefix(first)); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (key >= end_key) break;
    auto cell_key = projections::DecodeCellKey(key);
    if (!cell_key) return ErrorResponse(Status::Corruption("satisfaction: malformed cell key " + key));
    if (query.channel && *query.channel != cell_key->channel) continue;
    if (query.tier && *query.tier != cell_key->tier) continue;
    auto counts =
        projections::DecodeSatisfactionCounts(std::string_view(it->value().data(), it->value().size()));
    if (!counts.ok()) return ErrorResponse(counts.status().WithContext("cell " + key));
    buckets[static_cast<size_t>((cell_key->day - first) / width)].Add(*counts);
  }
  if (!it->status().ok())
    return ErrorResponse(projections::FromRocks(it->status(), "scan satisfaction cells"));

  const int64_t window_ms =
      static_cast<int64_t>(settings.satisfaction.repurchase_window_days) * events::kMillisPerDay;
  json out_buckets = json::array();
  std::vector<std::optional<double>> csat, nps, gap, complaint, resolution, repurchase;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t start = first + i * width;
    const SatisfactionCounts& c = buckets[static_cast<size_t>(i)];
    json bucket = {{"start", DateOf(start)}};
    PutCounts(bucket, c);
    // Every purchase of the bucket has had its whole window to be bought again.
    bucket["repurchase_final"] = (start + width) * events::kMillisPerDay + window_ms <= as_of + 1;
    out_buckets.push_back(std::move(bucket));
    const SatisfactionMeasures m = projections::MeasuresOf(c);
    csat.push_back(m.csat);
    nps.push_back(m.nps);
    gap.push_back(m.mean_gap);
    complaint.push_back(m.complaint_rate);
    resolution.push_back(m.resolution_acceptance);
    repurchase.push_back(m.repurchase_rate);
  }
  const projections::TrendThresholds& t = settings.satisfaction.trend_threshold;
  json trend = {
      {"buckets", trend_buckets},
      {"csat", TrendJson(projections::TrendOf(csat, trend_buckets, t.csat))},
      {"nps", TrendJson(projections::TrendOf(nps, trend_buckets, t.nps))},
      {"mean_gap", TrendJson(projections::TrendOf(gap, trend_buckets, t.mean_gap))},
      {"complaint_rate", TrendJson(projections::TrendOf(complaint, trend_buckets, t.complaint_rate))},
      {"resolution_acceptance",
       TrendJson(projections::TrendOf(resolution, trend_buckets, t.resolution_acceptance))},
      {"repurchase_rate", TrendJson(projections::TrendOf(repurchase, trend_buckets, t.repurchase_rate))}};
  const auto* snapshot = ranking->has_value() ? &**ranking : nullptr;
  return JsonResponse(200, {{"bucket", query.weeks ? "week" : "day"},
                            {"channel", query.channel ? json(events::Name(*query.channel)) : json(nullptr)},
                            {"tier", query.tier ? json(projections::TierName(*query.tier)) : json(nullptr)},
                            {"from", DateOf(first)},
                            {"to", DateOf(last + width - 1)},
                            {"as_of", TimeOrNull(as_of)},
                            {"ranking_as_of", TimeOrNull(snapshot ? snapshot->as_of_ms : 0)},
                            {"buckets", out_buckets},
                            {"trend", trend}});
}

}  // namespace rapport::services
