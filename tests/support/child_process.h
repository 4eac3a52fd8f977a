#pragma once
// A `rapport` subcommand in its own process, for tests that SIGKILL it: posix_spawn
// (safe in a multi-threaded test process), stdout and stderr to a file the test
// can read (the HTTP port is printed there), killed and reaped on destruction.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

extern char** environ;

namespace rapport::testing {

#ifdef RAPPORT_BINARY
inline const char* kRapportBinary = RAPPORT_BINARY;
#endif

class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> args, std::filesystem::path output) : output_(std::move(output)) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // The test process blocks no signals the child needs, but be explicit: the
    // child's main blocks SIGINT/SIGTERM itself and waits for them.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    REQUIRE(spawned == 0);
  }
  ~ChildProcess() {
    if (pid_ > 0) Kill(SIGKILL);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Sends `signal` and reaps the process; returns its wait status.
  int Kill(int signal) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;  // exited (and reaped)
    return false;
  }

  std::string output() const {
    std::ifstream in(output_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // The port of "HTTP:   http://host:port" once the process printed it; 0 if it
  // did not within `deadline` (or exited).
  int WaitForHttpPort(std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
    static const std::regex pattern(R"(HTTP:\s+https?://[^:\s]+:(\d+))");
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      std::smatch match;
      const std::string text = output();
      if (std::regex_search(text, match, pattern)) return std::stoi(match[1].str());
      if (!running()) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }

  // Waits up to `deadline` for the process to exit by itself: its exit code (128 +
  // the signal when killed), or nullopt while it still runs.
  std::optional<int> WaitForExit(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (pid_ > 0) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path output_;
  pid_t pid_ = -1;
};

}  // namespace rapport::testing
