#include "events/record_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>

namespace rapport::events {
namespace {

constexpr std::string_view kSignatureVersion = "rapport-record-v1";

void AppendLength(std::string& out, size_t length) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
}

}  // namespace

std::string RecordSignature(std::string_view secret, std::string_view key, std::string_view value) {
  std::string signed_bytes;
  signed_bytes.reserve(kSignatureVersion.size() + 16 + key.size() + value.size());
  signed_bytes.append(kSignatureVersion);
  AppendLength(signed_bytes, key.size());
  signed_bytes.append(key);
  AppendLength(signed_bytes, value.size());
  signed_bytes.append(value);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_bytes.data()), signed_bytes.size(), mac, &mac_size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(mac_size * 2);
  for (unsigned int i = 0; i < mac_size; ++i) {
    hex.push_back(kHex[mac[i] >> 4]);
    hex.push_back(kHex[mac[i] & 0xf]);
  }
  return hex;
}

void SignMessage(OutgoingMessage& message, std::string_view secret) {
  auto& headers = message.headers;
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& header) { return header.first == kHeaderSignature; }),
                headers.end());
  headers.emplace_back(std::string(kHeaderSignature), RecordSignature(secret, message.key, message.value));
}

Status VerifyRecordSignature(std::string_view secret, std::string_view key, std::string_view value,
                             std::optional<std::string_view> signature) {
  if (!signature) return Status::Corruption("unsigned record (no " + std::string(kHeaderSignature) + " header)");
  const std::string expected = RecordSignature(secret, key, value);
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return Status::Corruption("forged record (signature does not match the cluster secret)");
  }
  return Status::Ok();
}

}  // namespace rapport::events
