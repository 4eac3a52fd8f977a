#pragma once
// UTF-8 checks shared by validation and by every error message that quotes input.
// A message cut inside a multi-byte character is invalid UTF-8, and the JSON writer
// (nlohmann::json::dump) throws on it: the client got 500 instead of the 400 that
// quoted its text. Cut with Utf8Prefix, never with substr.

#include <cstddef>
#include <string>
#include <string_view>

namespace rapport::events {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) without control characters (< 0x20, 0x7f).
bool IsCleanUtf8(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside
// a multi-byte sequence (continuation bytes at the cut are dropped with their lead).
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace rapport::events
