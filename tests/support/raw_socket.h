#pragma once
// A plain TCP client socket for tests that speak HTTP by hand: clients that send
// slowly, connections held open and idle, streams read a little at a time. Closed
// on destruction.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rapport::testing {

class RawSocket {
 public:
  // A blocking connect to 127.0.0.1:port; nullopt when it fails.
  static std::optional<RawSocket> Connect(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    RawSocket socket(fd);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return std::nullopt;
    return socket;
  }
  RawSocket(RawSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  RawSocket& operator=(RawSocket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads until `needle` has been seen, the peer closes, or `deadline` passes.
  std::string ReadUntil(std::string_view needle, std::chrono::milliseconds deadline) {
    std::string text;
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (text.find(needle) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !Readable(left)) break;
      char buffer[4096];
      const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) {
        closed_ = true;
        break;
      }
      text.append(buffer, static_cast<size_t>(got));
    }
    return text;
  }

  // True when the peer has closed (or reset) the connection within `deadline`;
  // whatever it sent before is dropped.
  bool ClosedWithin(std::chrono::milliseconds deadline) {
    ReadUntil(std::string_view("\x01\x02never"), deadline);
    return closed_;
  }
  bool closed() const { return closed_; }

 private:
  explicit RawSocket(int fd) : fd_(fd) {}
  bool Readable(std::chrono::milliseconds wait) {
    pollfd one{fd_, POLLIN, 0};
    return ::poll(&one, 1, static_cast<int>(wait.count())) > 0;
  }

  int fd_ = -1;
  bool closed_ = false;
};

// Raises the soft limit on open files to the hard limit; returns the new soft limit.
inline rlim_t RaiseOpenFileLimit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace rapport::testing
