#pragma once
// How a webhook delivery proves where it comes from: the headers below carry the
// send time (Unix seconds) and the hex HMAC-SHA256, keyed by the webhook's secret,
// of the timestamp, a dot and the body. A receiver recomputes it, compares in
// constant time and refuses old timestamps (replays).
//   X-Rapport-Timestamp: 1767225600
//   X-Rapport-Signature: sha256=5d41...

#include <cstdint>
#include <string>
#include <string_view>

namespace rapport::services {

inline constexpr std::string_view kWebhookTimestampHeader = "X-Rapport-Timestamp";
inline constexpr std::string_view kWebhookSignatureHeader = "X-Rapport-Signature";

// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
std::string WebhookSignature(std::string_view secret, std::string_view timestamp, std::string_view body);

}  // namespace rapport::services
