#include "projections/satisfaction/satisfaction.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "events/time_format.h"
#include "storage/binary_codec.h"
#include "projections/domain/merge_fields_codec.h"
#include "projections/domain/overloaded.h"
#include "projections/domain/state_codec_parts.h"

namespace rapport::projections {
namespace {

constexpr uint8_t kStateVersion = 1;
constexpr uint8_t kCountsVersion = 1;
// Day numbers are stored offset, so that days before 1970 keep the key order.
constexpr int64_t kDayOffset = 10'000'000;

int64_t WindowMs(int days) { return static_cast<int64_t>(days) * events::kMillisPerDay; }

bool EarlierMark(const RepurchaseMark& a, const RepurchaseMark& b) { return a.at_ms < b.at_ms; }

// Inserts keeping event-time order (equal times in arrival order).
void InsertMark(std::vector<RepurchaseMark>& marks, const RepurchaseMark& mark) {
  marks.insert(std::upper_bound(marks.begin(), marks.end(), mark, EarlierMark), mark);
}

// Marks every purchase that a later one (at most `window_ms` later) shows was bought
// again; reports each change to its cell. Marks are sorted by time.
void MarkRepurchases(CustomerSatisfaction& s, int64_t window_ms, std::vector<CellDelta>* cells) {
  auto& marks = s.repurchases;
  for (size_t i = 0; i < marks.size(); ++i) {
    if (marks[i].repurchased) continue;
    // The first purchase strictly later than this one.
    auto later =
        std::upper_bound(marks.begin() + static_cast<std::ptrdiff_t>(i), marks.end(), marks[i], EarlierMark);
    if (later == marks.end() || later->at_ms - marks[i].at_ms > window_ms) continue;
    marks[i].repurchased = true;
    ++s.counts.repurchased;
    CellDelta delta{{DayOf(marks[i].at_ms), marks[i].channel, marks[i].tier}, {}};
    delta.counts.repurchased = 1;
    cells->push_back(delta);
  }
}

void PutCounts(BinaryWriter& w, const SatisfactionCounts& c) {
  for (int64_t n : {c.interactions, c.complaints, c.resolutions, c.resolutions_accepted, c.surveys,
                    c.csat_answers, c.csat_satisfied, c.nps_answers, c.promoters, c.detractors, c.gap_answers,
                    c.gap_sum, c.purchases, c.repurchased}) {
    w.PutSigned(n);
  }
}

bool GetCounts(BinaryReader& r, SatisfactionCounts* c) {
  bool ok = true;
  for (int64_t* n : {&c->interactions, &c->complaints, &c->resolutions, &c->resolutions_accepted, &c->surveys,
                     &c->csat_answers, &c->csat_satisfied, &c->nps_answers, &c->promoters, &c->detractors,
                     &c->gap_answers, &c->gap_sum, &c->purchases, &c->repurchased}) {
    ok = ok && r.GetSigned(n);
  }
  return ok;
}

std::optional<double> Ratio(int64_t part, int64_t whole, double scale = 1.0) {
  if (whole <= 0) return std::nullopt;
  return scale * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

void SatisfactionCounts::Add(const SatisfactionCounts& o) {
  interactions += o.interactions;
  complaints += o.complaints;
  resolutions += o.resolutions;
  resolutions_accepted += o.resolutions_accepted;
  surveys += o.surveys;
  csat_answers += o.csat_answers;
  csat_satisfied += o.csat_satisfied;
  nps_answers += o.nps_answers;
  promoters += o.promoters;
  detractors += o.detractors;
  gap_answers += o.gap_answers;
  gap_sum += o.gap_sum;
  purchases += o.purchases;
  repurchased += o.repurchased;
}

SatisfactionMeasures MeasuresOf(const SatisfactionCounts& c) {
  SatisfactionMeasures m;
  m.csat = Ratio(c.csat_satisfied, c.csat_answers);
  m.nps = Ratio(c.promoters - c.detractors, c.nps_answers, 100.0);
  m.mean_gap = Ratio(c.gap_sum, c.gap_answers);
  m.complaint_rate = Ratio(c.complaints, c.interactions);
  m.resolution_acceptance = Ratio(c.resolutions_accepted, c.resolutions);
  m.repurchase_rate = Ratio(c.repurchased, c.purchases);
  return m;
}

int64_t DayOf(int64_t epoch_ms) {
  int64_t day = epoch_ms / events::kMillisPerDay;
  if (epoch_ms % events::kMillisPerDay < 0) --day;  // floor, also before 1970
  return day;
}

std::string CellKeyPrefix(int64_t day) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%08lld/", static_cast<long long>(day + kDayOffset));
  return buffer;
}

std::string EncodeCellKey(const CellKey& key) {
  return CellKeyPrefix(key.day) + std::to_string(static_cast<int>(key.channel)) + "/" +
         std::string(TierName(key.tier));
}

std::optional<CellKey> DecodeCellKey(std::string_view text) {
  // "dddddddd/c/T"
  if (text.size() != 12 || text[8] != '/' || text[10] != '/') return std::nullopt;
  int64_t day = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + 8, day);
  if (ec != std::errc() || end != text.data() + 8) return std::nullopt;
  const int channel = text[9] - '0';
  auto tier = ParseTier(text.substr(11, 1));
  if (channel < 0 || channel >= events::kChannelCount || !tier) return std::nullopt;
  return CellKey{day - kDayOffset, static_cast<events::Channel>(channel), *tier};
}

Tier SatisfactionTierOf(const CustomerSatisfaction& state, int64_t as_of_ms, const ValueSnapshot* ranking) {
  if (ranking == nullptr) return Tier::kD;
  return TierOf(InputsOf(state.customer_id, state.purchase_history, as_of_ms, ranking->params), *ranking);
}

CustomerSatisfaction ApplySatisfaction(CustomerSatisfaction s, const std::string& id,
                                       const events::Event& event, const SatisfactionContext& context,
                                       std::vector<CellDelta>* cells) {
  if (s.customer_id.empty()) s.customer_id = id;
  const int64_t at = event.occurred_at_ms;
  SatisfactionCounts delta;  // this event's own counts, for the customer and its cell
  const bool counted = CountAsInteraction(event, s);
  std::visit(Overloaded{
                 [&](const events::Purchase& e) {
                   s.purchase_history.Add({at, e.amount, e.cost});
                   ++delta.purchases;
                 },
                 [&](const events::Complaint&) {
                   ++delta.complaints;
                   ++s.open_complaints;
                 },
                 [&](const events::ComplaintResolved& e) {
                   ++delta.resolutions;
                   if (e.accepted) ++delta.resolutions_accepted;
                   if (s.open_complaints > 0) --s.open_complaints;
                 },
                 [&](const events::CareContact& e) {
                   const events::SurveyAnswers& a = e.survey;
                   if (a.empty()) return;
                   ++delta.surveys;
                   if (a.csat) {
                     ++delta.csat_answers;
                     if (*a.csat >= kCsatSatisfiedMin) ++delta.csat_satisfied;
                   }
                   if (a.nps) {
                     ++delta.nps_answers;
                     if (*a.nps >= kNpsPromoterMin) ++delta.promoters;
                     if (*a.nps <= kNpsDetractorMax) ++delta.detractors;
                   }
                   if (a.expectation && a.perception) {
                     const int32_t gap = *a.perception - *a.expectation;
                     ++delta.gap_answers;
                     delta.gap_sum += gap;
                     s.gap_ewma.Add(gap, at, context.settings.gap_half_life_days);
                     s.gap_samples.push_back({at, gap});
                   }
                   if (s.last_survey_ms == 0 || at >= s.last_survey_ms) {
                     s.last_survey = a;
                     s.last_survey_ms = at;
                   }
                 },
                 [&](const auto&) {},
             },
             event.payload);
  if (!counted) return s;
  delta.interactions = 1;
  const Tier tier = SatisfactionTierOf(s, context.tier_as_of_ms, context.ranking);
  if (delta.purchases > 0) {
    InsertMark(s.repurchases, RepurchaseMark{at, event.channel, tier, false});
  }
  s.counts.Add(delta);
  cells->push_back(CellDelta{{DayOf(at), event.channel, tier}, delta});
  if (delta.purchases > 0) MarkRepurchases(s, WindowMs(context.settings.repurchase_window_days), cells);
  return s;
}

CustomerSatisfaction MergeSatisfaction(CustomerSatisfaction s, const CustomerSatisfaction& d,
                                       const std::string& duplicate_id, const SatisfactionSettings& settings,
                                       std::vector<CellDelta>* cells) {
  s.counts.Add(d.counts);
  s.open_complaints += d.open_complaints;
  for (const GapSample& sample : d.gap_samples) {
    s.gap_ewma.Add(sample.gap, sample.at_ms, settings.gap_half_life_days);
    s.gap_samples.push_back(sample);
  }
  if (!d.last_survey.empty() && d.last_survey_ms > s.last_survey_ms) {
    s.last_survey = d.last_survey;
    s.last_survey_ms = d.last_survey_ms;
  }
  s.purchase_history.Merge(d.purchase_history);
  std::vector<RepurchaseMark> marks;
  marks.reserve(s.repurchases.size() + d.repurchases.size());
  std::merge(s.repurchases.begin(), s.repurchases.end(), d.repurchases.begin(), d.repurchases.end(),
             std::back_inserter(marks), EarlierMark);
  s.repurchases = std::move(marks);
  MarkRepurchases(s, WindowMs(settings.repurchase_window_days), cells);
  s.erased = s.erased || d.erased;
  s.merged_from.push_back(duplicate_id);
  s.merged_from.insert(s.merged_from.end(), d.merged_from.begin(), d.merged_from.end());
  return s;
}

std::string EncodeSatisfactionCounts(const SatisfactionCounts& counts) {
  BinaryWriter w;
  w.PutU8(kCountsVersion);
  PutCounts(w, counts);
  return w.Release();
}

Result<SatisfactionCounts> DecodeSatisfactionCounts(std::string_view bytes) {
  BinaryReader r(bytes);
  uint8_t version = 0;
  SatisfactionCounts counts;
  if (!r.GetU8(&version) || version != kCountsVersion || !GetCounts(r, &counts) || !r.at_end()) {
    return Status::Corruption("satisfaction cell: unknown format or malformed");
  }
  return counts;
}

std::string EncodeCustomerSatisfaction(const CustomerSatisfaction& s) {
  BinaryWriter w;
  w.PutU8(kStateVersion);
  w.PutString(s.customer_id);
  PutCounts(w, s.counts);
  w.PutSigned(s.open_complaints);
  s.gap_ewma.Encode(w);
  w.PutVarint(s.gap_samples.size());
  for (const GapSample& g : s.gap_samples) {
    w.PutSigned(g.at_ms);
    w.PutSigned(g.gap);
  }
  for (const auto* answer : {&s.last_survey.expectation, &s.last_survey.perception, &s.last_survey.nps,
                             &s.last_survey.csat, &s.last_survey.effort}) {
    PutOptionalInt32(w, *answer);
  }
  w.PutSigned(s.last_survey_ms);
  s.purchase_history.Encode(w);
  w.PutVarint(s.repurchases.size());
  for (const RepurchaseMark& m : s.repurchases) {
    w.PutSigned(m.at_ms);
    w.PutU8(static_cast<uint8_t>(m.channel));
    w.PutU8(static_cast<uint8_t>(m.tier));
    w.PutBool(m.repurchased);
  }
  PutMergeFields(w, s);
  return w.Release();
}

Result<CustomerSatisfaction> DecodeCustomerSatisfaction(std::string_view bytes) {
  BinaryReader r(bytes);
  CustomerSatisfaction s;
  const auto corrupt = [] {
    return Status::Corruption("customer satisfaction: truncated or malformed state");
  };
  RAPPORT_RETURN_IF_ERROR(ReadStateVersion(r, kStateVersion, "customer satisfaction", "rebuild the projection"));
  bool ok = r.GetString(&s.customer_id) && GetCounts(r, &s.counts) && r.GetSigned(&s.open_complaints) &&
            s.gap_ewma.Decode(r);
  uint64_t samples = 0;
  // Every entry takes at least one byte: a larger count is damage, not a reason to allocate.
  if (!ok || !r.GetVarint(&samples) || samples > bytes.size()) return corrupt();
  s.gap_samples.resize(samples);
  for (GapSample& g : s.gap_samples) {
    int64_t gap = 0;
    ok = ok && r.GetSigned(&g.at_ms) && r.GetSigned(&gap);
    g.gap = static_cast<int32_t>(gap);
  }
  for (auto* answer : {&s.last_survey.expectation, &s.last_survey.perception, &s.last_survey.nps,
                       &s.last_survey.csat, &s.last_survey.effort}) {
    ok = ok && GetOptionalInt32(r, answer);
  }
  ok = ok && r.GetSigned(&s.last_survey_ms) && s.purchase_history.Decode(r);
  uint64_t marks = 0;
  if (!ok || !r.GetVarint(&marks) || marks > bytes.size()) return corrupt();
  s.repurchases.resize(marks);
  for (RepurchaseMark& m : s.repurchases) {
    uint8_t channel = 0, tier = 0;
    ok = ok && r.GetSigned(&m.at_ms) && r.GetU8(&channel) && r.GetU8(&tier) && r.GetBool(&m.repurchased) &&
         channel < events::kChannelCount && tier < kTierCount;
    m.channel = static_cast<events::Channel>(channel);
    m.tier = static_cast<Tier>(tier);
  }
  ok = ok && GetMergeFields(r, &s, bytes.size());
  if (!ok || !r.ok() || !r.at_end()) return corrupt();
  return s;
}

}  // namespace rapport::projections
