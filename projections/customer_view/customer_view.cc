#include "projections/customer_view/customer_view.h"

#include <algorithm>
#include <type_traits>

#include "projections/domain/money_sum.h"
#include "projections/domain/overloaded.h"
#include "projections/domain/state_codec_parts.h"
#include "storage/binary_codec.h"

namespace rapport::projections {
namespace {

// 2: purchase history, merge pointer and merged duplicates. Version 1 stores predate
// the purchase history and cannot be upgraded in place: rebuild the projection.
constexpr uint8_t kFormatVersion = 2;

void Touch(CustomerView& view, const events::Event& event) {
  const int64_t at = event.occurred_at_ms;
  if (view.events == 0 || at < view.first_seen_ms) view.first_seen_ms = at;
  view.last_seen_ms = std::max(view.last_seen_ms, at);
  auto& channel_last = view.last_contact_ms[static_cast<size_t>(event.channel)];
  channel_last = std::max(channel_last, at);
  ++view.events;
}

}  // namespace

void UpdateProfile(CustomerProfile& into, const CustomerProfile& from, bool fill_only) {
  auto set = [&](std::string& field, const std::string& value) {
    if (!value.empty() && (!fill_only || field.empty())) field = value;
  };
  set(into.display_name, from.display_name);
  set(into.email, from.email);
  set(into.phone, from.phone);
  set(into.region, from.region);
  set(into.postal_code, from.postal_code);
  set(into.age_band, from.age_band);
  if (from.wallet_estimate && (!fill_only || !into.wallet_estimate)) into.wallet_estimate = from.wallet_estimate;
}

CustomerView Apply(CustomerView view, const events::Event& event, const DomainSettings& /*settings*/) {
  if (view.customer_id.empty()) view.customer_id = event.customer_id.str();
  Touch(view, event);
  std::visit(Overloaded{
                 [&](const events::CustomerRegistered& e) {
                   view.registered = true;
                   if (view.erased) return;  // an erased customer's personal data stays gone
                   // A registration sets the fields it carries; a duplicate's (forwarded to
                   // its survivor) only fills the survivor's empty fields.
                   UpdateProfile(view.profile,
                                 CustomerProfile{e.display_name, e.email, e.phone, e.region, e.postal_code,
                                                 e.age_band, e.wallet_estimate},
                                 event.customer_id.str() != view.customer_id);
                 },
                 [&](const events::Purchase& e) {
                   ++view.purchases;
                   view.revenue = AddMoney(view.revenue, e.amount);  // saturates (money_sum.h)
                   view.cost = AddMoney(view.cost, e.cost);
                   if (view.first_purchase_ms == 0 || event.occurred_at_ms < view.first_purchase_ms) {
                     view.first_purchase_ms = event.occurred_at_ms;
                   }
                   view.last_purchase_ms = std::max(view.last_purchase_ms, event.occurred_at_ms);
                   view.purchase_history.Add({event.occurred_at_ms, e.amount, e.cost});
                 },
                 [&](const events::Refund& e) {
                   ++view.refunds;
                   view.refunded_amount = AddMoney(view.refunded_amount, e.amount);
                 },
                 [&](const events::Complaint&) {
                   ++view.complaints;
                   ++view.open_complaints;
                 },
                 [&](const events::ComplaintResolved&) {
                   if (view.open_complaints > 0) --view.open_complaints;
                 },
                 [&](const events::Visit&) { ++view.visits; },
                 [&](const events::CareContact& e) {
                   ++view.care_contacts;
                   if (!e.survey.empty() && event.occurred_at_ms >= view.last_survey_ms) {
                     view.last_survey = e.survey;
                     view.last_survey_ms = event.occurred_at_ms;
                   }
                 },
                 [&](const events::Referral&) { ++view.referrals; },
                 [&](const events::CustomersMerged&) {},
                 [&](const events::CustomerErased&) {
                   view.erased = true;
                   view.profile.display_name.clear();
                   view.profile.email.clear();
                   view.profile.phone.clear();
                 },
             },
             event.payload);
  return view;
}

std::string EncodeCustomerView(const CustomerView& v) {
  BinaryWriter w;
  w.PutU8(kFormatVersion);
  w.PutString(v.customer_id);
  w.PutBool(v.registered);
  w.PutString(v.profile.display_name);
  w.PutString(v.profile.email);
  w.PutString(v.profile.phone);
  w.PutString(v.profile.region);
  w.PutString(v.profile.postal_code);
  w.PutString(v.profile.age_band);
  w.PutOptionalSigned(v.profile.wallet_estimate);
  w.PutSigned(v.first_seen_ms);
  w.PutSigned(v.last_seen_ms);
  for (int64_t at : v.last_contact_ms) w.PutSigned(at);
  for (int64_t n : {v.events, v.purchases, v.revenue, v.cost, v.refunds, v.refunded_amount, v.complaints,
                    v.open_complaints, v.visits, v.care_contacts, v.referrals, v.first_purchase_ms,
                    v.last_purchase_ms}) {
    w.PutSigned(n);
  }
  for (const auto* answer : {&v.last_survey.expectation, &v.last_survey.perception, &v.last_survey.nps,
                             &v.last_survey.csat, &v.last_survey.effort}) {
    PutOptionalInt32(w, *answer);
  }
  w.PutSigned(v.last_survey_ms);
  w.PutBool(v.erased);
  w.PutString(v.merged_into);
  v.purchase_history.Encode(w);
  w.PutSigned(v.merged_at_ms);
  w.PutVarint(v.merged_from.size());
  for (const std::string& id : v.merged_from) w.PutString(id);
  return w.Release();
}

Result<CustomerView> DecodeCustomerView(std::string_view bytes) {
  BinaryReader r(bytes);
  CustomerView v;
  RAPPORT_RETURN_IF_ERROR(
      ReadStateVersion(r, kFormatVersion, "customer view", "rebuild the projection: rapport replay"));
  r.GetString(&v.customer_id);
  r.GetBool(&v.registered);
  r.GetString(&v.profile.display_name);
  r.GetString(&v.profile.email);
  r.GetString(&v.profile.phone);
  r.GetString(&v.profile.region);
  r.GetString(&v.profile.postal_code);
  r.GetString(&v.profile.age_band);
  r.GetOptionalSigned(&v.profile.wallet_estimate);
  r.GetSigned(&v.first_seen_ms);
  r.GetSigned(&v.last_seen_ms);
  for (int64_t& at : v.last_contact_ms) r.GetSigned(&at);
  for (int64_t* n : {&v.events, &v.purchases, &v.revenue, &v.cost, &v.refunds, &v.refunded_amount,
                     &v.complaints, &v.open_complaints, &v.visits, &v.care_contacts, &v.referrals,
                     &v.first_purchase_ms, &v.last_purchase_ms}) {
    r.GetSigned(n);
  }
  for (auto* answer : {&v.last_survey.expectation, &v.last_survey.perception, &v.last_survey.nps,
                       &v.last_survey.csat, &v.last_survey.effort}) {
    GetOptionalInt32(r, answer);
  }
  r.GetSigned(&v.last_survey_ms);
  r.GetBool(&v.erased);
  r.GetString(&v.merged_into);
  v.purchase_history.Decode(r);
  r.GetSigned(&v.merged_at_ms);
  uint64_t merged = 0;
  // Each id takes at least one byte: a larger count is damage, not a reason to allocate.
  if (!r.GetVarint(&merged) || merged > bytes.size()) {
    return Status::Corruption("customer view: truncated or malformed state");
  }
  v.merged_from.resize(merged);
  for (std::string& id : v.merged_from) r.GetString(&id);
  if (!r.ok() || !r.at_end()) return Status::Corruption("customer view: truncated or malformed state");
  return v;
}

}  // namespace rapport::projections
