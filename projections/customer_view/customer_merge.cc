#include "projections/customer_view/customer_merge.h"

#include <algorithm>

namespace rapport::projections {
namespace {

// Chains form only through merges of roots into roots, so they cannot loop; the
// bound turns damaged state into an error instead of a hang.
constexpr int kMaxChain = 64;

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

Result<std::string> ResolveSurvivor(CustomerViews& views, const std::string& id) {
  std::string current = id;
  for (int hop = 0; hop < kMaxChain; ++hop) {
    auto view = views.Find(current);
    if (!view.ok()) return view.status();
    if (!(*view)->is_pointer()) return current;
    current = (*view)->merged_into;
  }
  return Status::Corruption("customer " + id + ": merge chain longer than " + std::to_string(kMaxChain));
}

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
  s.revenue += d.revenue;
  s.cost += d.cost;
  s.refunds += d.refunds;
  s.refunded_amount += d.refunded_amount;
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

CustomerView PointerTo(const std::string& duplicate_id, const std::string& survivor_id, int64_t at_ms) {
  CustomerView pointer;
  pointer.customer_id = duplicate_id;
  pointer.merged_into = survivor_id;
  pointer.merged_at_ms = at_ms;
  return pointer;
}

Status ApplyEvent(CustomerViews& views, const events::Event& event, const DomainSettings& settings) {
  auto survivor_id = ResolveSurvivor(views, event.customer_id.str());
  if (!survivor_id.ok()) return survivor_id.status();
  auto survivor = views.Find(*survivor_id);
  if (!survivor.ok()) return survivor.status();

  const auto* merge = std::get_if<events::CustomersMerged>(&event.payload);
  if (merge == nullptr) {
    **survivor = Apply(std::move(**survivor), event, settings);
    views.Changed(*survivor_id);
    return Status::Ok();
  }

  // Everything that can fail is looked up before anything changes.
  const std::string& duplicate_id = merge->merged_customer_id;
  auto duplicate_root = ResolveSurvivor(views, duplicate_id);
  if (!duplicate_root.ok()) return duplicate_root.status();
  auto duplicate = views.Find(duplicate_id);
  if (!duplicate.ok()) return duplicate.status();
  if (*duplicate_root != *survivor_id && (*duplicate)->is_pointer()) {
    return Status::InvalidArgument("merged_customer_id", duplicate_id + " was already merged into " +
                                                             *duplicate_root + ", not " + *survivor_id);
  }
  **survivor = Apply(std::move(**survivor), event, settings);
  if (*duplicate_root != *survivor_id) {  // else: merged before (a repeat), or the survivor itself
    **survivor = MergeInto(std::move(**survivor), **duplicate, duplicate_id);
    **duplicate = PointerTo(duplicate_id, *survivor_id, event.occurred_at_ms);
    views.Changed(duplicate_id);
  }
  views.Changed(*survivor_id);
  return Status::Ok();
}

std::map<std::string, CustomerView> CustomerBook::Known() const {
  std::map<std::string, CustomerView> known;
  for (const auto& [id, view] : views_) {
    if (!view.customer_id.empty()) known.emplace(id, view);
  }
  return known;
}

}  // namespace rapport::projections
