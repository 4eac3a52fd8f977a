#include "services/access/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rapport::services {

Status WritePrivateFile(const std::filesystem::path& path, std::string_view content) {
  // Per process: two processes sharing a data directory may write the same file.
  const std::filesystem::path temporary = path.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + temporary.string() + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;  // an older file of that name may have had another mode
  size_t written = 0;
  while (ok && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    return Status::Unavailable("cannot write " + path.string() + ": " + std::strerror(ok ? errno : error));
  }
  return Status::Ok();
}

Result<std::string> ReadTrimmedFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string content = buffer.str();
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) content.pop_back();
  return content;
}

}  // namespace rapport::services
