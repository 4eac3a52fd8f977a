#pragma once
// Errors as values at every boundary. A Status names the field that was wrong (when
// there is one) and says why, so the HTTP gateway and the CLI can tell the user
// exactly what to fix. rocksdb::Status and librdkafka errors are converted into this
// type in exactly one place each (projections/rocks_status.h, events/kafka_error.h).

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace rapport {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // bad input: a field is missing, malformed or out of range
  kNotFound,          // the thing asked for does not exist
  kAlreadyExists,     // an idempotency key seen before
  kUnavailable,       // a dependency (Kafka, disk) is not reachable now; retry later
  kResourceExhausted, // a bound was hit (queue full, body too large)
  kCorruption,        // stored or received bytes do not decode
  kInternal,          // a bug or an unexpected library failure
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string field, std::string reason) {
    return Status(StatusCode::kInvalidArgument, std::move(field), std::move(reason));
  }
  static Status NotFound(std::string what) { return Status(StatusCode::kNotFound, "", std::move(what)); }
  static Status Unavailable(std::string why) { return Status(StatusCode::kUnavailable, "", std::move(why)); }
  static Status ResourceExhausted(std::string why) {
    return Status(StatusCode::kResourceExhausted, "", std::move(why));
  }
  static Status Corruption(std::string why) { return Status(StatusCode::kCorruption, "", std::move(why)); }
  static Status Internal(std::string why) { return Status(StatusCode::kInternal, "", std::move(why)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The input field at fault ("amount", "occurred_at"), empty when none applies.
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: amount: must be >= 0, got -5"
  std::string ToString() const;

  // Adds context as the error travels up: "line 3: " + message.
  Status WithContext(const std::string& context) const {
    Status copy = *this;
    copy.message_ = context + ": " + message_;
    return copy;
  }

 private:
  Status(StatusCode code, std::string field, std::string message)
      : code_(code), field_(std::move(field)), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string field_;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace rapport

// Returns early with the error of an expression that yields a Status.
#define RAPPORT_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::rapport::Status _rapport_status = (expr); \
    if (!_rapport_status.ok()) return _rapport_status; \
  } while (0)
