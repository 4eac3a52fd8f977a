#include "projections/customer_view/customer_view_json.h"

#include "events/names.h"
#include "events/time_format.h"

namespace rapport::projections {
namespace {

// Times are RFC 3339; "never" is null rather than 1970.
nlohmann::json TimeOrNull(int64_t epoch_ms) {
  return epoch_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(events::FormatRfc3339(epoch_ms));
}

nlohmann::json Survey(const events::SurveyAnswers& survey, int64_t at_ms) {
  if (survey.empty()) return nullptr;
  nlohmann::json out = {{"at", TimeOrNull(at_ms)}};
  if (survey.expectation) out["expectation"] = *survey.expectation;
  if (survey.perception) out["perception"] = *survey.perception;
  if (survey.nps) out["nps"] = *survey.nps;
  if (survey.csat) out["csat"] = *survey.csat;
  if (survey.effort) out["effort"] = *survey.effort;
  return out;
}

}  // namespace

nlohmann::json CustomerViewToJson(const CustomerView& view) {
  nlohmann::json profile = nlohmann::json::object();
  auto put = [&](const char* name, const std::string& value) {
    if (!value.empty()) profile[name] = value;
  };
  put("display_name", view.profile.display_name);
  put("email", view.profile.email);
  put("phone", view.profile.phone);
  put("region", view.profile.region);
  put("postal_code", view.profile.postal_code);
  put("age_band", view.profile.age_band);
  if (view.profile.wallet_estimate) profile["wallet_estimate"] = *view.profile.wallet_estimate;

  nlohmann::json last_contact = nlohmann::json::object();
  for (int channel = 0; channel < events::kChannelCount; ++channel) {
    const int64_t at = view.last_contact_ms[static_cast<size_t>(channel)];
    if (at != 0) last_contact[std::string(events::Name(static_cast<events::Channel>(channel)))] = TimeOrNull(at);
  }

  // Member by member, not an initializer list: that builds every pair as a temporary
  // array and copies it (nested objects included) into the object, a third of this
  // function's time on every GET /v1/customers/{id}. The keys come out sorted either way.
  nlohmann::json out = nlohmann::json::object();
  out["customer_id"] = view.customer_id;
  out["registered"] = view.registered;
  out["profile"] = std::move(profile);
  out["first_seen"] = TimeOrNull(view.first_seen_ms);
  out["last_seen"] = TimeOrNull(view.last_seen_ms);
  out["last_contact"] = std::move(last_contact);
  out["events"] = view.events;
  out["purchases"] = view.purchases;
  out["revenue"] = view.revenue;
  out["cost"] = view.cost;
  out["profit"] = view.profit();
  out["refunds"] = view.refunds;
  out["refunded_amount"] = view.refunded_amount;
  out["complaints"] = view.complaints;
  out["open_complaints"] = view.open_complaints;
  out["visits"] = view.visits;
  out["care_contacts"] = view.care_contacts;
  out["referrals"] = view.referrals;
  out["first_purchase"] = TimeOrNull(view.first_purchase_ms);
  out["last_purchase"] = TimeOrNull(view.last_purchase_ms);
  out["last_survey"] = Survey(view.last_survey, view.last_survey_ms);
  out["erased"] = view.erased;
  if (!view.merged_into.empty()) out["merged_into"] = view.merged_into;
  if (!view.merged_from.empty()) out["merged_from"] = view.merged_from;
  return out;
}

}  // namespace rapport::projections
