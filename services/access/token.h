#pragma once
// Bearer tokens: 256 random bits (OpenSSL RAND_bytes) printed base64url, stored
// only as their SHA-256, compared in constant time. Thread-safe.

#include <string>
#include <string_view>

#include "events/status.h"

namespace rapport::services {

inline constexpr size_t kTokenBytes = 32;

// A fresh token, 43 base64url characters without padding; Internal when the
// random generator fails.
Result<std::string> NewToken();

// `bytes` random bytes from the OS generator.
Result<std::string> RandomBytes(size_t bytes);

// The stored form of a token: SHA-256 as 64 lowercase hex digits.
std::string TokenHash(std::string_view token);

// Constant-time equality of two hashes (CRYPTO_memcmp; sizes are not secret).
bool SameHash(std::string_view a, std::string_view b);

// The token of an "Authorization: Bearer <token>" header value; "" when the value
// is not of that form.
std::string_view BearerToken(std::string_view authorization);

}  // namespace rapport::services
