#include "events/utf8.h"

#include <cstdint>

namespace rapport::events {

bool IsCleanUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (byte < 0x20 || byte == 0x7f) return false;
      ++i;
      continue;
    }
    size_t length;
    uint32_t code;
    if ((byte & 0xe0) == 0xc0) length = 2, code = byte & 0x1f;
    else if ((byte & 0xf0) == 0xe0) length = 3, code = byte & 0x0f;
    else if ((byte & 0xf8) == 0xf0) length = 4, code = byte & 0x07;
    else return false;
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    const uint32_t min_code = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (code < min_code || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  // Back over the continuation bytes (10xxxxxx) at the cut, then over their lead
  // byte: the character they belong to does not fit whole. At most 3 steps for
  // UTF-8; invalid input (long runs of continuation bytes) stops there too, and the
  // JSON writer replaces what is left (error_handler_t::replace).
  size_t steps = 0;
  while (cut > 0 && steps < 4 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) {
    --cut;
    ++steps;
  }
  return text.substr(0, cut);
}

}  // namespace rapport::events
