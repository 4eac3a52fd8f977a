#include "events/topic_spool.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>

#include <spdlog/spdlog.h>

namespace rapport::events {
namespace {

// A spool file: the version byte, then the topic, key, value, timestamp, partition
// (-1: the partitioner's choice) and headers, each number 8 bytes little-endian and
// each string its length then its bytes. DO NOT CHANGE: files outlive a version.
constexpr char kVersion = 1;
constexpr std::string_view kTemporarySuffix = ".partial";

void PutNumber(std::string& out, int64_t n) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((static_cast<uint64_t>(n) >> (8 * i)) & 0xff));
}
void PutText(std::string& out, std::string_view text) {
  PutNumber(out, static_cast<int64_t>(text.size()));
  out.append(text);
}

std::string Encode(const OutgoingMessage& message) {
  std::string out(1, kVersion);
  PutText(out, message.topic);
  PutText(out, message.key);
  PutText(out, message.value);
  PutNumber(out, message.timestamp_ms);
  PutNumber(out, message.partition ? message.partition->value() : -1);
  PutNumber(out, static_cast<int64_t>(message.headers.size()));
  for (const auto& [name, value] : message.headers) {
    PutText(out, name);
    PutText(out, value);
  }
  return out;
}

// Reads what Encode wrote; false on any malformed byte.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : bytes_(bytes) {}
  bool Number(int64_t* n) {
    if (bytes_.size() - at_ < 8) return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[at_ + i])) << (8 * i);
    at_ += 8;
    *n = static_cast<int64_t>(v);
    return true;
  }
  bool Text(std::string* text) {
    int64_t size = 0;
    if (!Number(&size) || size < 0 || static_cast<uint64_t>(size) > bytes_.size() - at_) return false;
    text->assign(bytes_.substr(at_, static_cast<size_t>(size)));
    at_ += static_cast<size_t>(size);
    return true;
  }
  bool Done() const { return at_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t at_ = 1;  // past the version
};

bool Decode(std::string_view bytes, OutgoingMessage* message) {
  if (bytes.empty() || bytes[0] != kVersion) return false;
  Decoder in(bytes);
  int64_t partition = -1, headers = 0;
  if (!in.Text(&message->topic) || !in.Text(&message->key) || !in.Text(&message->value) ||
      !in.Number(&message->timestamp_ms) || !in.Number(&partition) || !in.Number(&headers) || headers < 0) {
    return false;
  }
  if (partition >= 0) message->partition = Partition(static_cast<int32_t>(partition));
  for (int64_t i = 0; i < headers; ++i) {
    std::string name, value;
    if (!in.Text(&name) || !in.Text(&value)) return false;
    message->headers.emplace_back(std::move(name), std::move(value));
  }
  return in.Done();
}

std::string Padded(uint64_t n, int width) {
  std::string text = std::to_string(n);
  return std::string(static_cast<size_t>(std::max(0, width - static_cast<int>(text.size()))), '0') + text;
}

}  // namespace

std::filesystem::path TopicSpoolDir(const std::filesystem::path& data_dir) { return data_dir / "topic-spool"; }

std::string TopicSpool::NextId() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return Padded(static_cast<uint64_t>(ms), 15) + "-" + Padded(static_cast<uint64_t>(::getpid()), 8) + "-" +
         Padded(counter_.fetch_add(1), 10);
}

Result<std::string> TopicSpool::Write(OutgoingMessage& message) {
  if (!created_) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Status::Unavailable("topic spool: cannot create " + dir_.string() + ": " + ec.message());
    created_ = true;
  }
  std::string id = NextId();
  message.headers.emplace_back(std::string(kHeaderSpoolId), id);
  const std::filesystem::path path = dir_ / id;
  const std::filesystem::path partial = dir_ / (id + std::string(kTemporarySuffix));
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << Encode(message);
    if (!out.flush()) return Status::Unavailable("topic spool: cannot write " + partial.string());
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) return Status::Unavailable("topic spool: cannot rename " + partial.string() + ": " + ec.message());
  return id;
}

bool TopicSpool::Remove(const std::string& id) const {
  std::error_code ec;
  std::filesystem::remove(dir_ / id, ec);
  if (ec) spdlog::warn("topic spool: cannot remove {}: {}", (dir_ / id).string(), ec.message());
  return !ec;
}

Result<std::vector<SpooledMessage>> TopicSpool::ReadAll() const {
  std::vector<SpooledMessage> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(kTemporarySuffix)) {  // a write a kill interrupted: never produced
      std::error_code removed;
      std::filesystem::remove(entry.path(), removed);
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SpooledMessage spooled{name, {}};
    if (!in.good() && !in.eof()) return Status::Unavailable("topic spool: cannot read " + entry.path().string());
    if (!Decode(bytes, &spooled.message)) return Status::Corruption("topic spool: malformed file " + entry.path().string());
    out.push_back(std::move(spooled));
  }
  if (ec) return Status::Unavailable("topic spool: cannot list " + dir_.string() + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const SpooledMessage& a, const SpooledMessage& b) { return a.id < b.id; });
  return out;
}

}  // namespace rapport::events
