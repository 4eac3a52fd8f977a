#include "projections/satisfaction/satisfaction_routes.h"

#include <vector>

#include "events/names.h"
#include "events/time_format.h"
#include "projections/runtime/customer_reader.h"
#include "projections/runtime/projection_meta.h"
#include "projections/satisfaction/satisfaction.h"
#include "projections/satisfaction/satisfaction_projection.h"
#include "projections/satisfaction/satisfaction_trend.h"

namespace rapport::projections {
namespace {

using nlohmann::json;

constexpr std::string_view kProjection = SatisfactionProjection::kName;

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
  return DayOf(*at);
}

// The counts and their measures, as every answer shows them.
void PutCounts(json& out, const SatisfactionCounts& c) {
  const SatisfactionMeasures m = MeasuresOf(c);
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

json TrendJson(const Trend& trend) {
  return {{"slope", Optional(trend.slope)},
          {"label", trend.label ? json(Name(*trend.label)) : json(nullptr)},
          {"points", trend.points}};
}

}  // namespace

Result<SatisfactionTrendQuery> ParseSatisfactionTrendQuery(const QueryParams& params) {
  SatisfactionTrendQuery query;
  // Unknown and repeated names never get here: the route declares its parameters
  // (Route::params, checked by projections/runtime/route_request.h).
  for (const auto& [name, value] : params) {
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
      query.tier = ParseTier(value);
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

HttpResponse GetCustomerSatisfaction(const Store& store, std::string_view customer_id,
                                     const DomainSettings& settings) {
  return AnswerCustomer(
      ReadCustomerSatisfaction, store, kProjection, customer_id, "/satisfaction",
      [&](const CustomerSatisfaction& s, const AsOfContext& context) {
        json out = {{"customer_id", s.customer_id}};
        const auto ewma = s.gap_ewma.value();
        out["gap_ewma"] = Optional(ewma);
        out["gap_ewma_at"] = ewma ? json(events::FormatRfc3339(s.gap_ewma.reference_ms())) : json(nullptr);
        out["gap_half_life_days"] = settings.satisfaction.gap_half_life_days;
        out["last_survey"] = SurveyJson(s.last_survey, s.last_survey_ms);
        PutCounts(out, s.counts);
        out["open_complaints"] = s.open_complaints;
        out["tier"] = TierName(SatisfactionTierOf(s, context.as_of_ms, context.snapshot.get()));
        out["erased"] = s.erased;
        out["merged_from"] = s.merged_from;
        out["as_of"] = TimeOrNull(context.as_of_ms);
        out["ranking_as_of"] = TimeOrNull(context.snapshot->as_of_ms);
        return JsonResponse(200, out);
      });
}

namespace {

// The day buckets of a trend query: [first, last] bucket starts, `width` days each.
struct BucketRange {
  int64_t first = 0;
  int64_t last = 0;
  int64_t width = 1;
  int64_t count() const { return (last - first) / width + 1; }
};

Result<BucketRange> RangeOf(const SatisfactionTrendQuery& query, int64_t as_of, int trend_buckets) {
  BucketRange range;
  range.width = query.weeks ? 7 : 1;
  auto bucket_start = [&](int64_t day) { return query.weeks ? WeekStart(day) : day; };
  // Default: the last trend_buckets buckets up to the watermark's.
  range.last = bucket_start(query.to_day.value_or(DayOf(as_of)));
  range.first =
      query.from_day ? bucket_start(*query.from_day) : range.last - (trend_buckets - 1) * range.width;
  if (range.first > range.last) return Status::InvalidArgument("from", "must not be after to");
  if (range.count() > SatisfactionTrendQuery::kMaxBuckets) {
    return Status::InvalidArgument("from",
                                   "the range holds " + std::to_string(range.count()) + " buckets, at most " +
                                       std::to_string(SatisfactionTrendQuery::kMaxBuckets) + " are answered");
  }
  return range;
}

// The per-day cells of the range summed into its buckets, filtered by channel and tier.
Result<std::vector<SatisfactionCounts>> SumCells(const Store& store, const SatisfactionTrendQuery& query,
                                                 const BucketRange& range) {
  std::vector<SatisfactionCounts> buckets(static_cast<size_t>(range.count()));
  const std::string end_key = CellKeyPrefix(range.last + range.width);
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(CellKeyPrefix(range.first)); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (key >= end_key) break;
    auto cell_key = DecodeCellKey(key);
    if (!cell_key) return Status::Corruption("satisfaction: malformed cell key " + key);
    if (query.channel && *query.channel != cell_key->channel) continue;
    if (query.tier && *query.tier != cell_key->tier) continue;
    auto counts = DecodeSatisfactionCounts(std::string_view(it->value().data(), it->value().size()));
    if (!counts.ok()) return counts.status().WithContext("cell " + key);
    buckets[static_cast<size_t>((cell_key->day - range.first) / range.width)].Add(*counts);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan satisfaction cells");
  return buckets;
}

// Each measure's series over the buckets, and its trend.
json TrendsJson(const std::vector<SatisfactionCounts>& buckets, const SatisfactionSettings& settings) {
  std::vector<std::optional<double>> csat, nps, gap, complaint, resolution, repurchase;
  for (const SatisfactionCounts& c : buckets) {
    const SatisfactionMeasures m = MeasuresOf(c);
    csat.push_back(m.csat);
    nps.push_back(m.nps);
    gap.push_back(m.mean_gap);
    complaint.push_back(m.complaint_rate);
    resolution.push_back(m.resolution_acceptance);
    repurchase.push_back(m.repurchase_rate);
  }
  const int n = settings.trend_buckets;
  const TrendThresholds& t = settings.trend_threshold;
  return {{"buckets", n},
          {"csat", TrendJson(TrendOf(csat, n, t.csat))},
          {"nps", TrendJson(TrendOf(nps, n, t.nps))},
          {"mean_gap", TrendJson(TrendOf(gap, n, t.mean_gap))},
          {"complaint_rate", TrendJson(TrendOf(complaint, n, t.complaint_rate))},
          {"resolution_acceptance", TrendJson(TrendOf(resolution, n, t.resolution_acceptance))},
          {"repurchase_rate", TrendJson(TrendOf(repurchase, n, t.repurchase_rate))}};
}

}  // namespace

HttpResponse GetSatisfactionTrends(const Store& store, const SatisfactionTrendQuery& query,
                                   const DomainSettings& settings) {
  auto watermark = ReadWatermarkOf(store, kProjection);
  if (!watermark.ok()) return ErrorResponse(watermark.status());
  auto ranking = ReadSnapshotOf(store, kProjection);
  if (!ranking.ok()) return ErrorResponse(ranking.status());
  const int64_t as_of = *watermark;
  auto range = RangeOf(query, as_of, settings.satisfaction.trend_buckets);
  if (!range.ok()) return ErrorResponse(range.status());
  auto buckets = SumCells(store, query, *range);
  if (!buckets.ok()) return ErrorResponse(buckets.status());

  const int64_t window_ms =
      static_cast<int64_t>(settings.satisfaction.repurchase_window_days) * events::kMillisPerDay;
  json out_buckets = json::array();
  for (int64_t i = 0; i < range->count(); ++i) {
    const int64_t start = range->first + i * range->width;
    json bucket = {{"start", DateOf(start)}};
    PutCounts(bucket, (*buckets)[static_cast<size_t>(i)]);
    // Every purchase of the bucket has had its whole window to be bought again.
    bucket["repurchase_final"] = (start + range->width) * events::kMillisPerDay + window_ms <= as_of + 1;
    out_buckets.push_back(std::move(bucket));
  }
  const auto* snapshot = ranking->has_value() ? &**ranking : nullptr;
  return JsonResponse(200, {{"bucket", query.weeks ? "week" : "day"},
                            {"channel", query.channel ? json(events::Name(*query.channel)) : json(nullptr)},
                            {"tier", query.tier ? json(TierName(*query.tier)) : json(nullptr)},
                            {"from", DateOf(range->first)},
                            {"to", DateOf(range->last + range->width - 1)},
                            {"as_of", TimeOrNull(as_of)},
                            {"ranking_as_of", TimeOrNull(snapshot ? snapshot->as_of_ms : 0)},
                            {"buckets", out_buckets},
                            {"trend", TrendsJson(*buckets, settings.satisfaction)}});
}

HttpResponse SatisfactionOfCustomer(const ServeContext& context, std::string_view customer_id) {
  if (!context.store) return NotServed(kProjection);
  return GetCustomerSatisfaction(*context.store, customer_id, context.settings);
}

std::vector<Route> SatisfactionRoutes(const ServeContext& context) {
  const ServeContext c = context;
  return {
      {.pattern = R"(/v1/customers/([^/]+)/satisfaction)",
       .answer = [c](const HttpRequest& request) { return SatisfactionOfCustomer(c, request.matches[1]); },
       .customer_in_path = true},
      {.pattern = "/v1/trends/satisfaction",
       .answer = ParsedQueryAnswer(c.store, kProjection, ParseSatisfactionTrendQuery,
                                   [c](const Store& store, const SatisfactionTrendQuery& query) {
                                     return GetSatisfactionTrends(store, query, c.settings);
                                   }),
       .params = {"bucket", "channel", "tier", "from", "to"}}};
}

}  // namespace rapport::projections
