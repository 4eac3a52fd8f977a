#include "projections/customer_view/customer_merge.h"

#include <algorithm>

#include "projections/domain/money_sum.h"
namespace rapport::projections {
namespace {

int64_t EarliestNonZero(int64_t a, int64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

void ErasePersonalData(CustomerView& view) {
  view.erased = true;
  view.profile.display_name.clear();
  view.profile.email.clear();
  view.profile.phone.clear();
}

}  // namespace

CustomerView MergeInto(CustomerView s, const CustomerView& d, const std::string& duplicate_id) {
  if (d.events > 0) {
    s.first_seen_ms = s.events == 0 ? d.first_seen_ms : std::min(s.first_seen_ms, d.first_seen_ms);
    s.last_seen_ms = std::max(s.last_seen_ms, d.last_seen_ms);
  }
  for (size_t c = 0; c < s.last_contact_ms.size(); ++c) {
    s.last_contact_ms[c] = std::max(s.last_contact_ms[c], d.last_contact_ms[c]);
  }
  s.events += d.events;
  s.purchases += d.purchases;
  s.revenue = AddMoney(s.revenue, d.revenue);  // saturates (money_sum.h)
  s.cost = AddMoney(s.cost, d.cost);
  s.refunds += d.refunds;
  s.refunded_amount = AddMoney(s.refunded_amount, d.refunded_amount);
  s.complaints += d.complaints;
  s.open_complaints += d.open_complaints;
  s.visits += d.visits;
  s.care_contacts += d.care_contacts;
  s.referrals += d.referrals;
  s.first_purchase_ms = EarliestNonZero(s.first_purchase_ms, d.first_purchase_ms);
  s.last_purchase_ms = std::max(s.last_purchase_ms, d.last_purchase_ms);
  if (!d.last_survey.empty() && d.last_survey_ms > s.last_survey_ms) {
    s.last_survey = d.last_survey;
    s.last_survey_ms = d.last_survey_ms;
  }
  s.purchase_history.Merge(d.purchase_history);
  s.registered = s.registered || d.registered;
  if (d.erased) ErasePersonalData(s);
  if (!s.erased) UpdateProfile(s.profile, d.profile, /*fill_only=*/true);
  s.merged_from.push_back(duplicate_id);
  s.merged_from.insert(s.merged_from.end(), d.merged_from.begin(), d.merged_from.end());
  return s;
}

}  // namespace rapport::projections
