#include "events/flat_json.h"

#include <array>
#include <limits>
#include <nlohmann/json.hpp>

namespace rapport::events {
namespace {

using Kind = FlatJsonObject::Kind;

// The length of the well-formed UTF-8 sequence at `p` (RFC 3629, the ranges
// nlohmann's lexer accepts), 0 when it is not one.
size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  auto in = [](unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; };
  const size_t left = static_cast<size_t>(end - p);
  const unsigned char c = p[0];
  if (in(c, 0xC2, 0xDF)) return left >= 2 && in(p[1], 0x80, 0xBF) ? 2 : 0;
  if (in(c, 0xE0, 0xEF)) {
    if (left < 3) return 0;
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return in(p[1], lo, hi) && in(p[2], 0x80, 0xBF) ? 3 : 0;
  }
  if (in(c, 0xF0, 0xF4)) {
    if (left < 4) return 0;
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return in(p[1], lo, hi) && in(p[2], 0x80, 0xBF) && in(p[3], 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

// Bytes a string may hold as they are: printable ASCII but the quote and backslash.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[static_cast<size_t>(c)] = c != '"' && c != '\\';
  return plain;
}();

// One of 64 bits for a key: an object's mask of its keys' bits rules out most
// lookups of absent keys (and most repeat checks) without comparing strings.
uint64_t KeyBit(std::string_view key) {
  const size_t hash = key.empty() ? 0
                                  : key.size() + 7 * static_cast<unsigned char>(key.front()) +
                                        13 * static_cast<unsigned char>(key.back());
  return uint64_t{1} << (hash % 64);
}

bool SameKey(std::string_view a, std::string_view b) {
  // Most keys differ in length or first byte: skip the call to memcmp for those.
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
}

class Reader {
 public:
  Reader(std::string_view text, std::forward_list<std::string>& unescaped)
      : p_(reinterpret_cast<const unsigned char*>(text.data())),
        end_(p_ + text.size()),
        unescaped_(unescaped) {}

  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool AtEnd() const { return p_ == end_; }
  // Consumes `c` if it is next.
  bool Take(unsigned char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool Peek(unsigned char c) const { return p_ < end_ && *p_ == c; }

  // A string, the opening quote next.
  bool String(std::string_view* out) {
    if (!Take('"')) return false;
    const unsigned char* start = p_;
    while (p_ < end_) {
      while (p_ < end_ && kPlain[*p_]) ++p_;
      if (p_ == end_) return false;
      const unsigned char c = *p_;
      if (c == '"') {
        *out = std::string_view(reinterpret_cast<const char*>(start), static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') return Escaped(start, out);
      if (!Character()) return false;
    }
    return false;
  }

  bool Value(FlatJsonObject::Value* value) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': value->kind = Kind::kString; return String(&value->text);
      case 't':
        value->kind = Kind::kBoolean;
        value->boolean = true;
        return Literal("true");
      case 'f':
        value->kind = Kind::kBoolean;
        value->boolean = false;
        return Literal("false");
      case 'n': value->kind = Kind::kNull; return Literal("null");
      default: return Integer(value);  // anything else that is not a number is not for this reader
    }
  }

 private:
  // One unescaped character of a string (a whole UTF-8 sequence).
  bool Character() {
    const unsigned char c = *p_;
    if (c < 0x20) return false;  // control characters must be escaped
    if (c < 0x80) {
      ++p_;
      return true;
    }
    const size_t length = Utf8SequenceLength(p_, end_);
    p_ += length;
    return length != 0;
  }

  // The rest of a string with escapes, into a copy the object keeps.
  bool Escaped(const unsigned char* start, std::string_view* out) {
    std::string text(reinterpret_cast<const char*>(start), static_cast<size_t>(p_ - start));
    while (p_ < end_) {
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        unescaped_.push_front(std::move(text));
        *out = unescaped_.front();
        return true;
      }
      if (c == '\\') {
        if (++p_ == end_) return false;
        switch (*p_) {
          case '"': text.push_back('"'); break;
          case '\\': text.push_back('\\'); break;
          case '/': text.push_back('/'); break;
          case 'b': text.push_back('\b'); break;
          case 'f': text.push_back('\f'); break;
          case 'n': text.push_back('\n'); break;
          case 'r': text.push_back('\r'); break;
          case 't': text.push_back('\t'); break;
          default: return false;  // \u (surrogates and all) is left to the full parser
        }
        ++p_;
        continue;
      }
      const unsigned char* from = p_;
      if (!Character()) return false;
      text.append(reinterpret_cast<const char*>(from), static_cast<size_t>(p_ - from));
    }
    return false;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // An integer without fraction or exponent, in 64 bits: negative ones are
  // kInteger, others kUnsigned, as nlohmann's lexer makes them.
  bool Integer(FlatJsonObject::Value* value) {
    const bool negative = Take('-');
    if (p_ == end_ || !IsDigit(*p_)) return false;
    uint64_t magnitude = 0;
    if (*p_ == '0') {
      ++p_;  // a leading zero stands alone
    } else {
      while (p_ < end_ && IsDigit(*p_)) {
        const auto digit = static_cast<uint64_t>(*p_ - '0');
        if (magnitude > (std::numeric_limits<uint64_t>::max() - digit) / 10)
          return false;  // a float to nlohmann
        magnitude = magnitude * 10 + digit;
        ++p_;
      }
    }
    if (p_ < end_ && (IsDigit(*p_) || *p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    if (negative) {
      constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;
      if (magnitude > kMinMagnitude) return false;
      value->kind = Kind::kInteger;
      value->integer =
          magnitude == kMinMagnitude ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(magnitude);
    } else {
      value->kind = Kind::kUnsigned;
      value->unsigned_value = magnitude;
    }
    return true;
  }

  const unsigned char* p_;
  const unsigned char* end_;
  std::forward_list<std::string>& unescaped_;
};

}  // namespace

FlatJsonObject::Member* FlatJsonObject::Find(std::string_view key) {
  if ((key_bits_ & KeyBit(key)) == 0) return nullptr;
  for (Member& member : members_) {
    if (SameKey(member.key, key)) return &member;
  }
  return nullptr;
}

void FlatJsonObject::Set(std::string_view key, const Value& value) {
  if (Member* existing = Find(key)) {
    existing->value = value;
    return;
  }
  members_.push_back(Member{key, value, false});
  key_bits_ |= KeyBit(key);
}

bool ParseFlatJson(std::string_view text, FlatJsonObject* out) {
  out->members_.clear();
  out->unescaped_.clear();
  out->key_bits_ = 0;
  out->members_.reserve(16);
  Reader reader(text, out->unescaped_);
  reader.SkipSpace();
  if (!reader.Take('{')) return false;
  reader.SkipSpace();
  if (!reader.Take('}')) {
    while (true) {
      std::string_view key;
      FlatJsonObject::Value value;
      if (!reader.String(&key)) return false;
      reader.SkipSpace();
      if (!reader.Take(':')) return false;
      reader.SkipSpace();
      if (!reader.Value(&value)) return false;
      out->Set(key, value);
      reader.SkipSpace();
      if (reader.Take(',')) {
        reader.SkipSpace();
        continue;
      }
      if (reader.Take('}')) break;
      return false;
    }
  }
  reader.SkipSpace();
  return reader.AtEnd();
}

void FlatJsonFromDocument(const nlohmann::json& object, FlatJsonObject* out) {
  using nlohmann::json;
  out->members_.clear();
  out->unescaped_.clear();
  out->key_bits_ = 0;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const json& v = it.value();
    FlatJsonObject::Value value;
    switch (v.type()) {
      case json::value_t::null: value.kind = Kind::kNull; break;
      case json::value_t::boolean:
        value.kind = Kind::kBoolean;
        value.boolean = v.get<bool>();
        break;
      case json::value_t::string:
        value.kind = Kind::kString;
        value.text = v.get_ref<const std::string&>();
        break;
      case json::value_t::number_integer:
        value.kind = Kind::kInteger;
        value.integer = v.get<int64_t>();
        break;
      case json::value_t::number_unsigned:
        value.kind = Kind::kUnsigned;
        value.unsigned_value = v.get<uint64_t>();
        break;
      case json::value_t::number_float: value.kind = Kind::kFloat; break;
      case json::value_t::array: value.kind = Kind::kArray; break;
      case json::value_t::object: value.kind = Kind::kObject; break;
      default: value.kind = Kind::kOther; break;
    }
    out->members_.push_back(FlatJsonObject::Member{it.key(), value, false});
    out->key_bits_ |= KeyBit(it.key());
  }
}

}  // namespace rapport::events
