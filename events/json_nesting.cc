#include "events/json_nesting.h"

#include "events/utf8.h"

namespace rapport::events {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The index one past the string whose opening quote is at `open` (text.size() when
// it does not end).
size_t SkipString(std::string_view text, size_t open) {
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

}  // namespace

std::optional<DeepNesting> FindDeepNesting(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  std::string_view key;  // the last member name read at depth 1
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      const size_t end = SkipString(text, i);
      if (depth == 1) {
        size_t next = end;
        while (next < text.size() && IsSpace(text[next])) ++next;
        // Escapes are kept as written: the name is for the error message only.
        if (next < text.size() && text[next] == ':') key = text.substr(i + 1, end - i - 2);
      }
      i = end;
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > max_depth) return DeepNesting{std::string(Utf8Prefix(depth > 1 ? key : std::string_view(), 64))};
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
    ++i;
  }
  return std::nullopt;
}

}  // namespace rapport::events
