#pragma once
// A compact binary encoding for projection state stored in RocksDB. Fields are
// written in a fixed order behind a one-byte format version; a reader that meets a
// short or malformed buffer reports it instead of reading past the end.
//   BinaryWriter w; w.PutVarint(v.purchases); w.PutString(v.name); store(w.data());
//   BinaryReader r(bytes); r.GetVarint(&v.purchases); ...; if (!r.ok()) corruption.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace rapport::projections {

class BinaryWriter {
 public:
  void PutU8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void PutBool(bool value) { PutU8(value ? 1 : 0); }
  void PutVarint(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>((value & 0x7F) | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  // Zig-zag so that small negative numbers stay small.
  void PutSigned(int64_t value) {
    PutVarint((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
  }
  void PutDouble(double value) {
    char bytes[sizeof(double)];
    std::memcpy(bytes, &value, sizeof(double));
    out_.append(bytes, sizeof(double));
  }
  void PutString(std::string_view value) {
    PutVarint(value.size());
    out_.append(value.data(), value.size());
  }
  void PutOptionalSigned(const std::optional<int64_t>& value) {
    PutBool(value.has_value());
    if (value) PutSigned(*value);
  }

  const std::string& data() const { return out_; }
  std::string Release() { return std::move(out_); }

 private:
  std::string out_;
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : in_(in) {}

  bool GetU8(uint8_t* value) {
    if (pos_ >= in_.size()) return Fail();
    *value = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool GetBool(bool* value) {
    uint8_t byte = 0;
    if (!GetU8(&byte) || byte > 1) return Fail();
    *value = byte == 1;
    return true;
  }
  bool GetVarint(uint64_t* value) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      uint8_t byte = 0;
      if (!GetU8(&byte)) return false;
      result |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        *value = result;
        return true;
      }
    }
    return Fail();
  }
  template <typename Int>
  bool GetCount(Int* value) {
    uint64_t raw = 0;
    if (!GetVarint(&raw)) return false;
    *value = static_cast<Int>(raw);
    return true;
  }
  bool GetSigned(int64_t* value) {
    uint64_t raw = 0;
    if (!GetVarint(&raw)) return false;
    *value = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
    return true;
  }
  bool GetDouble(double* value) {
    if (in_.size() - pos_ < sizeof(double)) return Fail();
    std::memcpy(value, in_.data() + pos_, sizeof(double));
    pos_ += sizeof(double);
    return true;
  }
  bool GetString(std::string* value) {
    uint64_t size = 0;
    if (!GetVarint(&size)) return false;
    if (size > in_.size() - pos_) return Fail();
    value->assign(in_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  bool GetOptionalSigned(std::optional<int64_t>* value) {
    bool present = false;
    if (!GetBool(&present)) return false;
    if (!present) {
      value->reset();
      return true;
    }
    int64_t raw = 0;
    if (!GetSigned(&raw)) return false;
    *value = raw;
    return true;
  }

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  bool Fail() {
    ok_ = false;
    return false;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Fixed-width big-endian integers for RocksDB keys, where byte order must be
// numeric order (the journal's and the topic log's partition and offset keys).
inline void PutBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

inline uint64_t GetBigEndian(std::string_view in, size_t at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(in[at + i]);
  return value;
}

}  // namespace rapport::projections
