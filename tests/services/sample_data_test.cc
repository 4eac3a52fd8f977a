// The sample population of `make run` shows every tier, lifecycle stage and state,
// and is the same every time.

#include <map>

#include <catch2/catch.hpp>

#include "projections/customer_view/customer_merge.h"
#include "projections/customer_view/customer_value.h"
#include "projections/loyalty/loyalty.h"
#include "projections/runtime/merged_states.h"
#include "services/ingest/sample_data.h"

namespace rapport::services {
namespace {

using namespace projections;

TEST_CASE("sample data: every tier, lifecycle stage and state appears", "[sample]") {
  SampleOptions options;
  const auto history = GenerateSampleHistory(options);
  CHECK(history == GenerateSampleHistory(options));  // deterministic

  CustomerBook book;
  int64_t as_of = 0;
  const DomainSettings settings;
  for (const auto& event : history) {
    REQUIRE(ApplyEvent(book, event, settings).ok());
    as_of = std::max(as_of, event.occurred_at_ms);
  }
  std::vector<ValueInputs> inputs;
  const auto known = book.Known();
  for (const auto& [id, view] : known) {
    if (!view.is_pointer()) inputs.push_back(InputsOf(view, as_of, RankingParams::From(settings.value)));
  }
  const ValueSnapshot snapshot = BuildValueSnapshot(inputs, as_of, RankingParams::From(settings.value));
  std::map<std::string, int> seen;
  for (const auto& [id, view] : known) {
    if (view.is_pointer()) {
      ++seen["merged"];
      continue;
    }
    const CustomerValue value = EvaluateCustomer(view, as_of, snapshot, settings);
    ++seen["tier " + std::string(TierName(value.tier))];
    ++seen["stage " + std::string(Name(value.stage))];
    ++seen["state " + std::string(Name(value.state))];
    if (view.erased) ++seen["erased"];
  }
  for (const auto& [what, count] : seen) INFO(what << ": " << count);
  for (const char* what : {"tier A", "tier B", "tier C", "tier D", "stage exploration", "stage formation",
                           "stage stability", "stage decline", "state potential", "state current", "state lost",
                           "state won_back", "merged", "erased"}) {
    INFO(what);
    CHECK(seen[what] > 0);
  }
}

TEST_CASE("sample data: every value x loyalty quadrant appears, and inactive customers", "[sample]") {
  SampleOptions options;
  const auto history = GenerateSampleHistory(options);
  StateMap<CustomerLoyalty> states;
  int64_t as_of = 0;
  for (const auto& event : history) {
    REQUIRE(ApplyWithMerges(
                states, event,
                [](CustomerLoyalty& s, const std::string& id, const events::Event& e) {
                  s = ApplyLoyalty(std::move(s), id, e);
                },
                [](CustomerLoyalty& s, CustomerLoyalty&& d, const std::string& id) {
                  s = MergeLoyalty(std::move(s), d, id);
                })
                .ok());
    as_of = std::max(as_of, event.occurred_at_ms);
  }
  const DomainSettings settings;
  const RankingParams params = RankingParams::From(settings.value);
  std::vector<ValueInputs> inputs;
  const auto known = states.Known();
  for (const auto& [id, state] : known) {
    if (!state.is_pointer()) inputs.push_back(InputsOf(id, state.purchase_history, as_of, params));
  }
  const ValueSnapshot ranking = BuildValueSnapshot(inputs, as_of, params);
  std::map<std::string, int> seen;
  for (const auto& [id, state] : known) {
    if (state.is_pointer()) continue;
    const LoyaltyValue value = EvaluateLoyalty(state, as_of, ranking, settings);
    ++seen[std::string(Name(value.quadrant))];
    if (value.inactive) ++seen["inactive"];
  }
  for (const auto& [what, count] : seen) INFO(what << ": " << count);
  for (const char* what : {"core", "at_risk_of_poaching", "steady", "transactional", "inactive"}) {
    INFO(what);
    CHECK(seen[what] > 0);
  }
}

}  // namespace
}  // namespace rapport::services
