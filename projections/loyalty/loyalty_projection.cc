#include "projections/loyalty/loyalty_projection.h"

#include "projections/runtime/merged_states.h"
#include "projections/runtime/projection_meta.h"

namespace rapport::projections {

Result<std::unique_ptr<LoyaltyProjection>> LoyaltyProjection::Create(Store& store, DomainSettings settings) {
  RAPPORT_RETURN_IF_ERROR(CheckLoyaltySettings(settings));
  auto projection = std::make_unique<LoyaltyProjection>(store, std::move(settings));
  RAPPORT_RETURN_IF_ERROR(projection->ranking_.Start());
  return projection;
}

LoyaltyProjection::LoyaltyProjection(Store& store, DomainSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      customers_(store, Family::kState, EncodeCustomerLoyalty, DecodeCustomerLoyalty),
      ranking_(store, kName, settings_.value, [this](int64_t as_of_ms) {
        return RankStates(store_, customers_, DecodeCustomerLoyalty, RankedHistory<CustomerLoyalty>, as_of_ms,
                          RankingParams::From(settings_.value));
      }) {}

Status LoyaltyProjection::Apply(const events::Event& event, const EventSource& /*source*/) {
  RAPPORT_RETURN_IF_ERROR(ranking_.Start());
  CachedStates<CustomerLoyalty> states(customers_);
  RAPPORT_RETURN_IF_ERROR(ApplyWithMerges(
      states, event,
      [](CustomerLoyalty& state, const std::string& id, const events::Event& e) {
        state = ApplyLoyalty(std::move(state), id, e);
      },
      [](CustomerLoyalty& survivor, CustomerLoyalty&& duplicate, const std::string& duplicate_id) {
        survivor = MergeLoyalty(std::move(survivor), duplicate, duplicate_id);
      }));
  ranking_.Advance(event.occurred_at_ms);
  return Status::Ok();
}

Status LoyaltyProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(ranking_.Checkpoint(batch));
  customers_.Checkpoint(batch);
  return Status::Ok();
}

void LoyaltyProjection::Committed() {
  customers_.Committed();
  ranking_.Committed();
}

void LoyaltyProjection::SetStateCacheLimit(size_t max_entries) {
  customers_.set_max_entries(max_entries);
}

void LoyaltyProjection::DropCache() {
  customers_.DropAll();
  ranking_.Dropped();
}

Status LoyaltyProjection::Idle() { return ranking_.Idle(); }

Result<std::optional<CustomerLoyalty>> ReadCustomerLoyalty(const Store& store, std::string_view customer_id) {
  auto stored = store.Get(Family::kState, customer_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<CustomerLoyalty>();
  auto state = DecodeCustomerLoyalty(**stored);
  if (!state.ok()) return state.status();
  return std::optional<CustomerLoyalty>(std::move(state).value());
}

}  // namespace rapport::projections
