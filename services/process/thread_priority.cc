#include "services/process/thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace rapport::services {

Status CheckBackgroundNice(int nice, std::string_view setting) {
  if (nice < 0 || nice > 19) {
    return Status::InvalidArgument(std::string(setting), "must be from 0 to 19, got " + std::to_string(nice));
  }
  return Status::Ok();
}

void SetThisThreadNice(int nice) {
  if (nice == 0) return;
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  if (setpriority(PRIO_PROCESS, tid, nice) != 0) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) spdlog::warn("cannot lower a background thread's priority: {}", std::strerror(errno));
  }
}

}  // namespace rapport::services
