#pragma once
// The customer 360 (DOMAIN.md §2): one record per customer that answers "who is
// this caller and how do we stand with them" in one read. Pure fold, no I/O.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/purchase_history.h"

namespace rapport::projections {

struct CustomerProfile {
  std::string display_name;
  std::string email;
  std::string phone;
  std::string region;
  std::string postal_code;
  std::string age_band;
  std::optional<int64_t> wallet_estimate;
  bool operator==(const CustomerProfile&) const = default;
};

// Copies `from`'s non-empty fields into `into`; with `fill_only`, only into fields
// `into` has not filled yet (a duplicate's profile never overwrites the survivor's).
void UpdateProfile(CustomerProfile& into, const CustomerProfile& from, bool fill_only);

struct CustomerView {
  std::string customer_id;
  bool registered = false;
  CustomerProfile profile;
  int64_t first_seen_ms = 0;  // 0 until the first event
  int64_t last_seen_ms = 0;
  std::array<int64_t, events::kChannelCount> last_contact_ms{};  // per channel, 0 = never

  int64_t events = 0;
  int64_t purchases = 0;
  int64_t revenue = 0;  // minor units
  int64_t cost = 0;
  int64_t refunds = 0;
  int64_t refunded_amount = 0;
  int64_t complaints = 0;
  int64_t open_complaints = 0;
  int64_t visits = 0;
  int64_t care_contacts = 0;
  int64_t referrals = 0;
  int64_t first_purchase_ms = 0;
  int64_t last_purchase_ms = 0;
  events::SurveyAnswers last_survey;
  int64_t last_survey_ms = 0;
  // Every purchase in event-time order: lifecycle, state, RFM and pyramid value are
  // evaluated from it as of an event time (projections/customer_view/customer_value.h).
  PurchaseHistory purchase_history;

  bool erased = false;        // personal data removed (CustomerErased)
  // A duplicate folded into another customer keeps only this pointer (and its id);
  // its history lives in the survivor. projections/customer_view/customer_merge.h has the rules.
  std::string merged_into;
  int64_t merged_at_ms = 0;
  std::vector<std::string> merged_from;  // duplicates folded into this customer

  int64_t profit() const { return revenue - cost; }
  bool is_pointer() const { return !merged_into.empty(); }
  bool operator==(const CustomerView&) const = default;
};

// Folds one event into the view. Pure and deterministic: same view and event in,
// same view out. Time comes from the event, never the clock. A registration updates
// the profile fields it carries; an event of another customer id (a merged
// duplicate's, forwarded to its survivor) only fills profile fields still empty.
// CustomersMerged only counts here: the merge itself is MergeInto (customer_merge.h).
CustomerView Apply(CustomerView view, const events::Event& event, const DomainSettings& settings);

// Storage form (storage/binary_codec.h) and its inverse.
std::string EncodeCustomerView(const CustomerView& view);
Result<CustomerView> DecodeCustomerView(std::string_view bytes);

}  // namespace rapport::projections
