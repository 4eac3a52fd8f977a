#include "services/ingest/sample_data.h"

#include <algorithm>
#include <random>
#include <string>

#include "events/time_format.h"
#include "services/ingest/gateway.h"

namespace rapport::services {
namespace {

using events::Event;

enum class Archetype { kRegular, kBigSpender, kNewcomer, kPotential, kDecliner, kComplainer, kWinBack };

Archetype PickArchetype(std::mt19937_64& rng) {
  // Shares: regulars dominate, as in any customer base.
  std::discrete_distribution<int> pick({40, 4, 14, 10, 14, 10, 8});
  return static_cast<Archetype>(pick(rng));
}

class CustomerScript {
 public:
  CustomerScript(std::string id, std::mt19937_64& rng, std::vector<Event>& out)
      : id_(std::move(id)), rng_(rng), out_(out) {}

  Event Base(int64_t at_ms, events::Channel channel) {
    Event event;
    event.event_id = EventId(id_ + "-" + std::to_string(++sequence_));
    event.customer_id = CustomerId(id_);
    event.occurred_at_ms = at_ms;
    event.channel = channel;
    return event;
  }

  events::Channel AnyChannel() {
    std::discrete_distribution<int> pick({30, 35, 20, 10, 4, 1});
    return static_cast<events::Channel>(pick(rng_));
  }

  void Register(int64_t at_ms, int64_t wallet) {
    Event event = Base(at_ms, events::Channel::kWeb);
    static const char* kRegions[] = {"north", "south", "east", "west", "centre"};
    static const char* kAgeBands[] = {"18-24", "25-34", "35-44", "45-54", "55-64", "65+"};
    events::CustomerRegistered payload;
    payload.display_name = "Customer " + id_;
    payload.email = id_ + "@example.com";
    payload.phone = "+3161" + std::to_string(1000000 + rng_() % 8999999);
    payload.region = kRegions[rng_() % 5];
    payload.postal_code = std::to_string(1000 + rng_() % 8999);
    payload.age_band = kAgeBands[rng_() % 6];
    if (wallet > 0) payload.wallet_estimate = wallet;
    event.payload = payload;
    out_.push_back(std::move(event));
  }

  void Buy(int64_t at_ms, int64_t mean_amount) {
    Event event = Base(at_ms, AnyChannel());
    std::lognormal_distribution<double> amount(std::log(static_cast<double>(mean_amount)), 0.4);
    events::Purchase payload;
    payload.order_id = "o-" + id_ + "-" + std::to_string(sequence_);
    payload.amount = std::max<int64_t>(100, static_cast<int64_t>(amount(rng_)));
    payload.cost = payload.amount * static_cast<int64_t>(55 + rng_() % 20) / 100;
    payload.currency = "EUR";
    payload.items = 1 + static_cast<int32_t>(rng_() % 4);
    static const char* kCategories[] = {"shoes", "apparel", "electronics", "home", "beauty"};
    payload.category = kCategories[rng_() % 5];
    event.payload = payload;
    out_.push_back(std::move(event));
  }

  void Visit(int64_t at_ms, events::VisitOutcome outcome) {
    Event event = Base(at_ms, rng_() % 2 ? events::Channel::kWeb : events::Channel::kStore);
    event.payload = events::Visit{rng_() % 2 ? "store-" + std::to_string(rng_() % 20) : "/products",
                                  static_cast<int32_t>(30 + rng_() % 900), outcome};
    out_.push_back(std::move(event));
  }

  void Survey(int64_t at_ms, int expectation, int perception, int nps, int csat) {
    Event event = Base(at_ms, events::Channel::kCallCentre);
    event.agent_id = "agent-" + std::to_string(rng_() % 40);
    events::CareContact payload;
    payload.stage = events::CareStage::kAfterSale;
    payload.purpose = events::CarePurpose::kSurvey;
    payload.direction = events::Direction::kOutbound;
    payload.survey.expectation = std::clamp(expectation, 1, 10);
    payload.survey.perception = std::clamp(perception, 1, 10);
    payload.survey.nps = std::clamp(nps, 0, 10);
    payload.survey.csat = std::clamp(csat, 1, 5);
    payload.survey.effort = 1 + static_cast<int32_t>(rng_() % 7);
    event.payload = payload;
    out_.push_back(std::move(event));
  }

  std::string Complain(int64_t at_ms, int severity) {
    Event event = Base(at_ms, events::Channel::kCallCentre);
    std::string complaint_id = "k-" + id_ + "-" + std::to_string(sequence_);
    event.payload = events::Complaint{complaint_id, static_cast<events::ComplaintCategory>(rng_() % 7), severity,
                                      "sample complaint"};
    out_.push_back(std::move(event));
    return complaint_id;
  }

  void Resolve(int64_t at_ms, const std::string& complaint_id, bool accepted) {
    Event event = Base(at_ms, events::Channel::kCallCentre);
    event.payload = events::ComplaintResolved{complaint_id, accepted};
    out_.push_back(std::move(event));
  }

  void Refer(int64_t at_ms, const std::string& referred) {
    Event event = Base(at_ms, events::Channel::kWeb);
    event.payload = events::Referral{referred};
    out_.push_back(std::move(event));
  }

  void Absorb(int64_t at_ms, const std::string& duplicate) {
    Event event = Base(at_ms, events::Channel::kOther);
    event.payload = events::CustomersMerged{duplicate};
    out_.push_back(std::move(event));
  }

  void Erase(int64_t at_ms) {
    Event event = Base(at_ms, events::Channel::kEmail);
    event.payload = events::CustomerErased{};
    out_.push_back(std::move(event));
  }

 private:
  std::string id_;
  std::mt19937_64& rng_;
  std::vector<Event>& out_;
  int sequence_ = 0;
};

int64_t Days(double days) { return static_cast<int64_t>(days * static_cast<double>(events::kMillisPerDay)); }

// The sample's time span and population, as every customer's script sees them.
struct SampleSpan {
  int64_t start = 0;
  int64_t end = 0;  // exclusive
  double days = 0;
  int customers = 0;
};

// Plays one registered customer's archetype: purchases, visits, surveys, complaints,
// referrals. Draws from `rng` (through `unit` for fractions) in a fixed order, so a
// seed gives one history.
void PlayArchetype(Archetype archetype, CustomerScript& script, std::mt19937_64& rng,
                   std::uniform_real_distribution<double>& unit, const SampleSpan& span, int64_t joined,
                   int64_t mean_amount) {
  switch (archetype) {
    case Archetype::kPotential:
      for (int v = 0; v < 3; ++v)
        script.Visit(joined + Days(5 + 30 * v * unit(rng)), events::VisitOutcome::kIntent);
      break;
    case Archetype::kNewcomer: {
      script.Visit(joined + Days(0.5), events::VisitOutcome::kInquiry);
      if (unit(rng) >= 0.6) break;
      const int64_t first = std::min(span.end - 1, joined + Days(1 + 5 * unit(rng)));
      script.Buy(first, mean_amount);
      // Half of the buyers come back regularly: a relationship in formation.
      if (unit(rng) < 0.5) {
        const double interval = 8 + 6 * unit(rng);
        for (int64_t at = first + Days(interval); at < span.end; at += Days(interval))
          script.Buy(at, mean_amount);
      }
      break;
    }
    case Archetype::kRegular:
    case Archetype::kBigSpender: {
      const double interval = archetype == Archetype::kBigSpender ? 20 + 20 * unit(rng) : 15 + 35 * unit(rng);
      for (int64_t at = joined + Days(2); at < span.end; at += Days(interval * (0.7 + 0.6 * unit(rng)))) {
        script.Buy(at, mean_amount);
        if (unit(rng) < 0.25) {
          const int p = 7 + static_cast<int>(rng() % 4);
          script.Survey(at + Days(2), 7, p, p, p >= 9 ? 5 : 4);
        }
        if (unit(rng) < 0.1) script.Visit(at - Days(1), events::VisitOutcome::kBrowsed);
      }
      if (unit(rng) < 0.2) script.Refer(joined + Days(60), "c-" + std::to_string(1 + rng() % span.customers));
      break;
    }
    case Archetype::kDecliner: {
      // Buys steadily, then stops: overdue in the last third of the year.
      const double interval = 12 + 15 * unit(rng);
      const int64_t stop = span.start + Days(span.days * (0.45 + 0.2 * unit(rng)));
      for (int64_t at = joined + Days(1); at < stop; at += Days(interval)) script.Buy(at, mean_amount);
      script.Survey(stop - Days(3), 8, 5, 5, 3);
      break;
    }
    case Archetype::kComplainer: {
      for (int64_t at = joined + Days(3); at < span.end; at += Days(30 + 20 * unit(rng)))
        script.Buy(at, mean_amount);
      const int64_t trouble = span.start + Days(span.days * (0.75 + 0.2 * unit(rng)));
      script.Survey(trouble - Days(20), 8, 8, 8, 4);
      const std::string first = script.Complain(trouble, 4 + static_cast<int>(rng() % 2));
      script.Complain(trouble + Days(3), 3);
      script.Complain(trouble + Days(6), 2);
      script.Survey(trouble + Days(8), 9, 3, 2, 1);
      if (unit(rng) < 0.5) script.Resolve(trouble + Days(10), first, unit(rng) < 0.5);
      break;
    }
    case Archetype::kWinBack: {
      for (int k = 0; k < 4; ++k) script.Buy(joined + Days(2 + 14 * k), mean_amount);
      // Lapses for months, is won back, and keeps buying.
      const int64_t back = joined + Days(56 + 120 + 40 * unit(rng));
      for (int64_t at = back; at < span.end; at += Days(14)) script.Buy(at, mean_amount);
      break;
    }
  }
}

}  // namespace

std::vector<Event> GenerateSampleHistory(const SampleOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::vector<Event> out;
  out.reserve(static_cast<size_t>(options.customers) * 14);
  const int64_t start = options.start_ms;
  const SampleSpan span{start, start + Days(options.days), static_cast<double>(options.days),
                        options.customers};
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  for (int i = 0; i < options.customers; ++i) {
    const std::string id = "c-" + std::to_string(i + 1);
    CustomerScript script(id, rng, out);
    const Archetype archetype = PickArchetype(rng);
    int64_t joined = start + Days(unit(rng) * span.days * 0.4);
    if (archetype == Archetype::kNewcomer) joined = start + Days(span.days * (0.85 + 0.14 * unit(rng)));
    // A few prospects went quiet two years before the sample year: `inactive` (no
    // interaction for 730 days). Same random draws, so the others stay as they were.
    if (archetype == Archetype::kPotential && i % 5 == 0) joined -= Days(800);
    const int64_t mean_amount = archetype == Archetype::kBigSpender ? 60'000 : 4'000 + rng() % 6'000;
    script.Register(joined, unit(rng) < 0.6 ? mean_amount * 30 : 0);
    PlayArchetype(archetype, script, rng, unit, span, joined, mean_amount);
    // A few duplicates are folded into their original; a few customers are erased.
    if (i > 0 && i % 97 == 0) script.Absorb(span.end - Days(2), "c-" + std::to_string(i));
    if (i % 151 == 150) script.Erase(span.end - Days(1));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Event& a, const Event& b) { return a.occurred_at_ms < b.occurred_at_ms; });
  return out;
}

Result<int64_t> LoadSampleData(Gateway& gateway, const SampleOptions& options) {
  std::vector<Event> history = GenerateSampleHistory(options);
  constexpr size_t kBatch = 5000;
  for (size_t begin = 0; begin < history.size(); begin += kBatch) {
    std::vector<Event> batch(history.begin() + static_cast<std::ptrdiff_t>(begin),
                             history.begin() + static_cast<std::ptrdiff_t>(std::min(history.size(), begin + kBatch)));
    RAPPORT_RETURN_IF_ERROR(gateway.Publish(batch));
  }
  return static_cast<int64_t>(history.size());
}

}  // namespace rapport::services
