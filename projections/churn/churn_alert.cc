#include "projections/churn/churn_alert.h"

#include <cstring>

#include "events/time_format.h"
#include "schemas/alert_generated.h"

namespace rapport::projections {
namespace {

constexpr std::array<std::string_view, kChurnReasonCount> kReasonNames = {"overdue", "satisfaction_drop",
                                                                          "complaints", "frequency_decline"};
constexpr int kSchemaVersion = 1;

uint64_t Fnv1a(uint64_t hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

std::string_view Name(ChurnReason reason) { return kReasonNames[static_cast<size_t>(reason)]; }

std::string_view RecommendedAction(Tier tier) {
  switch (tier) {
    case Tier::kA:
    case Tier::kB: return "win back now: senior agent contact within 24 h";
    case Tier::kC: return "win back if the cause is fixable";
    case Tier::kD: break;
  }
  return "no special effort";
}

std::string AlertId(std::string_view customer_id, const std::vector<AlertReason>& reasons,
                    std::string_view triggering_event_id) {
  uint64_t hash = 14695981039346656037ULL;
  hash = Fnv1a(hash, customer_id);
  hash = Fnv1a(hash, std::string_view("\0", 1));
  for (const AlertReason& reason : reasons) {
    hash = Fnv1a(hash, Name(reason.reason));
    hash = Fnv1a(hash, std::string_view("\0", 1));
  }
  hash = Fnv1a(hash, triggering_event_id);
  char text[20];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return "al-" + std::string(text);
}

double RiskScore(const std::vector<double>& strengths) {
  double keep = 1.0;
  for (double s : strengths) keep *= 1.0 - std::min(1.0, std::max(0.0, s));
  return 1.0 - keep;
}

std::string EncodeAlertWire(const AlertEvent& alert) {
  flatbuffers::FlatBufferBuilder fbb(512);
  std::vector<flatbuffers::Offset<wire::AlertReason>> reasons;
  for (const AlertReason& reason : alert.reasons) {
    reasons.push_back(wire::CreateAlertReason(fbb, static_cast<wire::AlertReasonCode>(reason.reason),
                                              fbb.CreateString(reason.detail), reason.value,
                                              reason.threshold));
  }
  auto envelope = wire::CreateAlertEnvelope(
      fbb, kSchemaVersion, static_cast<wire::AlertKind>(alert.kind), fbb.CreateString(alert.alert_id),
      fbb.CreateString(alert.customer_id), alert.at_ms, fbb.CreateString(alert.triggering_event_id),
      alert.sequence, static_cast<wire::AlertTier>(alert.tier), alert.risk_score, fbb.CreateVector(reasons),
      fbb.CreateString(alert.action), fbb.CreateString(alert.cleared_by));
  wire::FinishAlertEnvelopeBuffer(fbb, envelope);
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

Result<AlertEvent> DecodeAlertWire(std::string_view bytes) {
  // Kafka payloads need not be aligned; the verifier checks alignment relative to
  // the buffer start, so read from an aligned copy.
  std::vector<uint64_t> aligned(bytes.size() / sizeof(uint64_t) + 1);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  const auto* data = reinterpret_cast<const uint8_t*>(aligned.data());
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!wire::VerifyAlertEnvelopeBuffer(verifier))
    return Status::Corruption("alert fails FlatBuffers verification");
  const wire::AlertEnvelope* in = wire::GetAlertEnvelope(data);
  if (in->schema_version() != kSchemaVersion) {
    return Status::Corruption("alert schema_version " + std::to_string(in->schema_version()) + " is not 1");
  }
  AlertEvent out;
  const auto kind = static_cast<int>(in->kind());
  const auto tier = static_cast<int>(in->tier());
  if (kind < 0 || kind > 1) return Status::Corruption("alert kind " + std::to_string(kind) + " is unknown");
  if (tier < 0 || tier >= kTierCount)
    return Status::Corruption("alert tier " + std::to_string(tier) + " is unknown");
  out.kind = static_cast<AlertKind>(kind);
  out.tier = static_cast<Tier>(tier);
  auto str = [](const flatbuffers::String* s) { return s ? s->str() : std::string(); };
  out.alert_id = str(in->alert_id());
  out.customer_id = str(in->customer_id());
  if (out.alert_id.empty() || out.customer_id.empty())
    return Status::Corruption("alert without alert_id or customer_id");
  out.at_ms = in->at_ms();
  out.triggering_event_id = str(in->triggering_event_id());
  out.sequence = in->sequence();
  out.risk_score = in->risk_score();
  out.action = str(in->action());
  out.cleared_by = str(in->cleared_by());
  if (in->reasons()) {
    for (const wire::AlertReason* reason : *in->reasons()) {
      const auto code = static_cast<int>(reason->code());
      if (code < 0 || code >= kChurnReasonCount) {
        return Status::Corruption("alert reason " + std::to_string(code) + " is unknown");
      }
      out.reasons.push_back(
          {static_cast<ChurnReason>(code), str(reason->detail()), reason->value(), reason->threshold()});
    }
  }
  return out;
}

nlohmann::json AlertToJson(const AlertEvent& alert) {
  nlohmann::json out = {{"type", alert.kind == AlertKind::kRaised ? "alert_raised" : "alert_cleared"},
                        {"alert_id", alert.alert_id},
                        {"customer_id", alert.customer_id},
                        {"occurred_at", events::FormatRfc3339(alert.at_ms)},
                        {"triggering_event_id", alert.triggering_event_id},
                        {"sequence", alert.sequence}};
  if (alert.kind == AlertKind::kRaised) {
    out["tier"] = std::string(TierName(alert.tier));
    out["risk_score"] = alert.risk_score;
    nlohmann::json reasons = nlohmann::json::array();
    for (const AlertReason& reason : alert.reasons) {
      reasons.push_back({{"reason", std::string(Name(reason.reason))},
                         {"detail", reason.detail},
                         {"value", reason.value},
                         {"threshold", reason.threshold}});
    }
    out["reasons"] = std::move(reasons);
    out["action"] = alert.action;
  } else {
    out["cleared_by"] = alert.cleared_by;
  }
  return out;
}

}  // namespace rapport::projections
