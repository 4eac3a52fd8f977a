#include "services/model/model_fit.h"

#include <algorithm>
#include <chrono>

#include "events/wire_codec.h"
#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "projections/domain/model_inputs.h"

namespace rapport::services {
namespace {

constexpr int kMaxMergeChain = 64;

}  // namespace

void PurchaseCollector::Add(const events::Event& event) {
  ++collection_.events;
  collection_.max_occurred_at_ms = std::max(collection_.max_occurred_at_ms, event.occurred_at_ms);
  if (const auto* purchase = std::get_if<events::Purchase>(&event.payload)) {
    // The same event id twice for a customer is one event.
    purchases_[event.customer_id.str()].emplace(
        event.event_id.str(),
        projections::PurchaseRecord{event.occurred_at_ms, purchase->amount, purchase->cost});
  } else if (const auto* merged = std::get_if<events::CustomersMerged>(&event.payload)) {
    merges_.push_back({merged->merged_customer_id, event.customer_id.str(), event.occurred_at_ms});
  }
}

PurchaseCollection PurchaseCollector::Finish(std::optional<int64_t> as_of_ms) && {
  std::map<std::string, std::string> survivor_of;
  for (const Merge& merge : merges_) {
    if (as_of_ms && merge.at_ms > *as_of_ms) continue;
    if (merge.duplicate != merge.survivor) survivor_of[merge.duplicate] = merge.survivor;
  }
  auto root = [&](std::string id) {
    for (int hop = 0; hop < kMaxMergeChain; ++hop) {
      auto it = survivor_of.find(id);
      if (it == survivor_of.end()) break;
      id = it->second;
    }
    return id;
  };
  for (auto& [customer, by_event] : purchases_) {
    auto& records = collection_.by_customer[root(customer)];
    for (auto& [event_id, record] : by_event) records.push_back(record);
  }
  for (auto& [customer, records] : collection_.by_customer) {
    std::stable_sort(records.begin(), records.end(),
                     [](const projections::PurchaseRecord& l, const projections::PurchaseRecord& r) {
                       return l.at_ms < r.at_ms;
                     });
  }
  return std::move(collection_);
}

Result<PurchaseCollection> CollectPurchases(const projections::Journal& journal,
                                            std::optional<int64_t> as_of_ms) {
  PurchaseCollector collector;
  Status scanned = journal.ScanAll([&](const projections::JournalEntry& entry) {
    auto event = events::DecodeWire(entry.value);
    if (event.ok()) {
      collector.Add(*event);
    } else {
      collector.AddUndecodable();
    }
    return Status::Ok();
  }, projections::JournalCopies::kFirstOnly);  // a purchase journaled twice is one purchase
  if (!scanned.ok()) return scanned;
  return std::move(collector).Finish(as_of_ms);
}

Result<ModelFitReport> FitModel(const PurchaseCollection& purchases, int64_t as_of_ms) {
  std::vector<projections::RepeatSummary> repeat;
  std::vector<projections::SpendSummary> spend;
  ModelFitReport report;
  for (const auto& [customer, records] : purchases.by_customer) {
    auto inputs = projections::ModelInputsFromPurchases(records, as_of_ms);
    if (!inputs) continue;
    repeat.push_back(inputs->repeat);
    report.purchases += inputs->repeat.x + 1;
    // Gamma-Gamma needs positive spend; a repeat buyer of only free orders has none.
    if (inputs->spend.x >= 1 && inputs->spend.mean_value > 0) spend.push_back(inputs->spend);
  }
  if (repeat.empty()) {
    return Status::InvalidArgument("customers", "no customer has a purchase at or before the as-of time");
  }
  const auto started = std::chrono::steady_clock::now();
  auto bgnbd = projections::FitBgNbd(repeat);
  if (!bgnbd.ok()) return bgnbd.status();
  if (spend.empty()) {
    return Status::InvalidArgument("customers",
                                   "no customer has a repeat purchase: Gamma-Gamma cannot be fitted");
  }
  auto gamma_gamma = projections::FitGammaGamma(spend);
  if (!gamma_gamma.ok()) return gamma_gamma.status();
  report.fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  report.bgnbd_evaluations = bgnbd->evaluations;
  report.bgnbd_converged = bgnbd->converged;
  report.gamma_gamma_evaluations = gamma_gamma->evaluations;
  report.gamma_gamma_converged = gamma_gamma->converged;
  projections::ModelParameters& p = report.parameters;
  p.as_of_ms = as_of_ms;
  p.fitted_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();  // informational only
  p.customers = static_cast<int64_t>(repeat.size());
  p.bgnbd = bgnbd->params;
  p.bgnbd_log_likelihood = bgnbd->log_likelihood;
  p.gamma_gamma_customers = gamma_gamma->customers;
  p.gamma_gamma = gamma_gamma->params;
  p.gamma_gamma_log_likelihood = gamma_gamma->log_likelihood;
  return report;
}

}  // namespace rapport::services
