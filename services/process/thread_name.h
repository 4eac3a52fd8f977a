#pragma once
// Names the calling thread (what `top -H`, `ps -L`, perf and gdb show), so an
// operator can tell which part of `rapport up` uses the CPU. Linux keeps 15 bytes;
// longer names are cut.

#include <string_view>

namespace rapport::services {

void NameThisThread(std::string_view name);

}  // namespace rapport::services
