#pragma once
// Records of rapport's control topics (credentials, model parameters, instance
// announcements) carry an HMAC-SHA256 signature made with the cluster secret, in a
// Kafka header, so a client that can write to those topics but does not hold the
// secret cannot mint a credential, poison the model or redirect queries. Every
// reader verifies before it applies a record (docs/security.md).
//
// The MAC covers a version tag, the key (length-prefixed) and the value: a signed
// value cannot be replayed under another key. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "events/publisher.h"
#include "events/status.h"

namespace rapport::events {

inline constexpr std::string_view kHeaderSignature = "rapport-signature";

// The signature of `key` and `value` under `secret`: 64 lowercase hex digits.
std::string RecordSignature(std::string_view secret, std::string_view key, std::string_view value);

// Adds (or replaces) the signature header of `message`.
void SignMessage(OutgoingMessage& message, std::string_view secret);

// Ok when `signature` (the header's value; nullopt when absent) matches; otherwise
// Corruption saying whether it was missing or wrong. Constant-time compare.
Status VerifyRecordSignature(std::string_view secret, std::string_view key, std::string_view value,
                             std::optional<std::string_view> signature);

}  // namespace rapport::events
