#pragma once
// One flat JSON object (the JSON form of an event: every value a null, boolean,
// string or number), read without building a document tree. The gateway decodes
// every event it accepts; a general parser spent most of its time allocating nodes.
//
// ParseFlatJson reads the common case only: an object whose values are null, true,
// false, strings and integers. For anything else (nested values, fractions, \u
// escapes, invalid JSON) it returns false and the caller parses with nlohmann, whose
// answer is then the reference: both give the same members for every input the fast
// reader accepts (the last of repeated keys wins, as nlohmann's does).
//
// Values are views into the input text (or into the object, for strings that had
// escapes): the input must outlive the object. Not copyable (views into itself).

#include <cstdint>
#include <forward_list>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace rapport::events {

class FlatJsonObject {
 public:
  enum class Kind : uint8_t {
    kNull,
    kBoolean,
    kString,
    kInteger,
    kUnsigned,
    kFloat,
    kArray,
    kObject,
    kOther
  };

  struct Value {
    Kind kind = Kind::kNull;
    bool boolean = false;
    int64_t integer = 0;          // kInteger (negative, from text; any sign from a document)
    uint64_t unsigned_value = 0;  // kUnsigned
    std::string_view text;        // kString
  };

  struct Member {
    std::string_view key;
    Value value;
    bool read = false;  // set by readers that reject fields nobody asked for
  };

  FlatJsonObject() = default;
  FlatJsonObject(const FlatJsonObject&) = delete;
  FlatJsonObject& operator=(const FlatJsonObject&) = delete;

  // The member named `key`, or null.
  Member* Find(std::string_view key);
  std::vector<Member>& members() { return members_; }

 private:
  friend bool ParseFlatJson(std::string_view text, FlatJsonObject* out);
  friend void FlatJsonFromDocument(const nlohmann::json& object, FlatJsonObject* out);

  // Adds a member, or replaces the value of an existing one (last wins).
  void Set(std::string_view key, const Value& value);

  std::vector<Member> members_;
  uint64_t key_bits_ = 0;                     // one bit per key present (flat_json.cc, KeyBit)
  std::forward_list<std::string> unescaped_;  // strings that had escapes; nodes never move
};

// Reads `text` as one flat object into `out` (cleared first). False when the text
// is not one, or uses what this reader leaves to a full parser (see above).
bool ParseFlatJson(std::string_view text, FlatJsonObject* out);

// The members of a parsed JSON object (views into `object`, which must outlive
// `out`); nested values keep only their kind.
void FlatJsonFromDocument(const nlohmann::json& object, FlatJsonObject* out);

}  // namespace rapport::events
