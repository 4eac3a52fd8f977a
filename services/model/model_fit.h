#pragma once
// `rapport model fit`: summarises every customer's purchases from the event journal
// as of an event time, fits BG/NBD and Gamma-Gamma by maximum likelihood, and
// returns the parameters to publish (services/model/model_parameters_topic.h).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "storage/journal.h"
#include "models/model_parameters.h"
#include "projections/domain/purchase_history.h"

namespace rapport::services {

// Every customer's purchases after merges (a duplicate's purchases belong to the
// end of its merge chain), de-duplicated by event id, in time order; and the
// highest occurred_at of any event.
struct PurchaseCollection {
  std::map<std::string, std::vector<projections::PurchaseRecord>> by_customer;
  int64_t max_occurred_at_ms = 0;
  int64_t events = 0;
  int64_t undecodable = 0;  // journal entries that failed to decode (skipped)
};

// Collects from events in any order. Merges with occurred_at > as_of (when set) are
// ignored, as are purchases after it.
class PurchaseCollector {
 public:
  void Add(const events::Event& event);
  void AddUndecodable() { ++collection_.undecodable; }
  // Applies merges and sorts; `as_of_ms` nullopt: everything.
  PurchaseCollection Finish(std::optional<int64_t> as_of_ms) &&;

 private:
  struct Merge {
    std::string duplicate, survivor;
    int64_t at_ms;
  };
  PurchaseCollection collection_;
  std::map<std::string, std::map<std::string, projections::PurchaseRecord>> purchases_;  // by event id
  std::vector<Merge> merges_;
};

Result<PurchaseCollection> CollectPurchases(const projections::Journal& journal,
                                            std::optional<int64_t> as_of_ms);

struct ModelFitReport {
  projections::ModelParameters parameters;
  int64_t purchases = 0;
  double fit_seconds = 0;  // both fits, wall clock
  int bgnbd_evaluations = 0;
  bool bgnbd_converged = false;  // false: the evaluation cap was hit (flat likelihood)
  int gamma_gamma_evaluations = 0;
  bool gamma_gamma_converged = false;
};

// Fits both models on the customers' purchases as of `as_of_ms`. InvalidArgument
// when there is nothing to fit ("customers") or no repeat buyer for Gamma-Gamma.
Result<ModelFitReport> FitModel(const PurchaseCollection& purchases, int64_t as_of_ms);

}  // namespace rapport::services
