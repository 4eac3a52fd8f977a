#include "services/process/thread_name.h"

#include <pthread.h>

#include <string>

namespace rapport::services {

void NameThisThread(std::string_view name) {
  constexpr size_t kMaxLength = 15;  // the kernel's TASK_COMM_LEN, less the NUL
  const std::string cut(name.substr(0, kMaxLength));
  pthread_setname_np(pthread_self(), cut.c_str());  // best effort: a name is only a label
}

}  // namespace rapport::services
