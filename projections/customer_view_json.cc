#include "projections/customer_view_json.h"

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

  nlohmann::json out = {
      {"customer_id", view.customer_id},
      {"registered", view.registered},
      {"profile", profile},
      {"first_seen", TimeOrNull(view.first_seen_ms)},
      {"last_seen", TimeOrNull(view.last_seen_ms)},
      {"last_contact", last_contact},
      {"events", view.events},
      {"purchases", view.purchases},
      {"revenue", view.revenue},
      {"cost", view.cost},
      {"profit", view.profit()},
      {"refunds", view.refunds},
      {"refunded_amount", view.refunded_amount},
      {"complaints", view.complaints},
      {"open_complaints", view.open_complaints},
      {"visits", view.visits},
      {"care_contacts", view.care_contacts},
      {"referrals", view.referrals},
      {"first_purchase", TimeOrNull(view.first_purchase_ms)},
      {"last_purchase", TimeOrNull(view.last_purchase_ms)},
      {"last_survey", Survey(view.last_survey, view.last_survey_ms)},
      {"erased", view.erased},
  };
  if (!view.merged_into.empty()) out["merged_into"] = view.merged_into;
  if (!view.merged_from.empty()) out["merged_from"] = view.merged_from;
  return out;
}

}  // namespace rapport::projections
