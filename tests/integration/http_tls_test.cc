// The real binary's HTTP listener: with --tls-cert/--tls-key it serves HTTPS only
// (a client verifying against the certificate succeeds, a plain-HTTP client does
// not), and a plain listen on a non-loopback address ends the process at once
// unless --insecure-http is given.

#include <cstdlib>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

#ifndef RAPPORT_BINARY
#error "RAPPORT_BINARY must name the rapport executable (tests/CMakeLists.txt)"
#endif

namespace rapport {
namespace {

using testing::ChildProcess;
using testing::kRapportBinary;

// A self-signed certificate for 127.0.0.1 and localhost, made by the openssl command.
struct SelfSigned {
  explicit SelfSigned(const testing::TempDir& dir)
      : cert((dir.path() / "cert.pem").string()), key((dir.path() / "key.pem").string()) {
    const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
                                " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
                                key + " -out " + cert + " >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }
  std::string cert;
  std::string key;
};

std::vector<std::string> Serve(const testing::TempDir& dir, const std::string& listen) {
  return {kRapportBinary, "serve", "--data-dir", (dir.path() / "data").string(), "--listen", listen};
}

TEST_CASE("with --tls-cert and --tls-key rapport serves HTTPS only", "[http][tls]") {
  testing::TempDir dir;
  SelfSigned certificate(dir);
  auto args = Serve(dir, "127.0.0.1:0");
  args.insert(args.end(), {"--tls-cert", certificate.cert, "--tls-key", certificate.key});
  ChildProcess rapport(args, dir.path() / "out.log");
  const int port = rapport.WaitForHttpPort();
  REQUIRE(port > 0);
  CHECK(rapport.output().find("https://127.0.0.1:") != std::string::npos);

  httplib::SSLClient verifying("127.0.0.1", port);
  verifying.set_ca_cert_path(certificate.cert.c_str());
  verifying.enable_server_certificate_verification(true);
  auto answer = verifying.Get("/healthz");
  REQUIRE(answer);
  CHECK(answer->status == 200);
  CHECK(nlohmann::json::parse(answer->body)["status"] == "ok");

  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(5, 0);
  CHECK_FALSE(plain.Get("/healthz"));

  httplib::SSLClient trusting_nobody("127.0.0.1", port);  // the system CAs do not know it
  trusting_nobody.enable_server_certificate_verification(true);
  CHECK_FALSE(trusting_nobody.Get("/healthz"));
}

TEST_CASE("a plain listen on a non-loopback address exits non-zero within 2 s, saying why", "[http][tls]") {
  testing::TempDir dir;
  ChildProcess rapport(Serve(dir, "0.0.0.0:0"), dir.path() / "out.log");
  const auto code = rapport.WaitForExit(std::chrono::seconds(2));
  REQUIRE(code.has_value());
  CHECK(*code != 0);
  CHECK(rapport.output().find("--insecure-http") != std::string::npos);
  CHECK(rapport.output().find("0.0.0.0") != std::string::npos);
}

TEST_CASE("a plain non-loopback listen is allowed with --insecure-http (behind a TLS proxy)", "[http][tls]") {
  testing::TempDir dir;
  auto args = Serve(dir, "0.0.0.0:0");
  args.push_back("--insecure-http");
  ChildProcess rapport(args, dir.path() / "out.log");
  const int port = rapport.WaitForHttpPort();
  REQUIRE(port > 0);
  httplib::Client plain("127.0.0.1", port);
  auto answer = plain.Get("/healthz");
  REQUIRE(answer);
  CHECK(answer->status == 200);
}

TEST_CASE("a certificate without its key is refused at start naming the setting", "[http][tls]") {
  testing::TempDir dir;
  SelfSigned certificate(dir);
  auto args = Serve(dir, "127.0.0.1:0");
  args.insert(args.end(), {"--tls-cert", certificate.cert});
  ChildProcess rapport(args, dir.path() / "out.log");
  const auto code = rapport.WaitForExit(std::chrono::seconds(2));
  REQUIRE(code.has_value());
  CHECK(*code != 0);
  CHECK(rapport.output().find("http.tls_key") != std::string::npos);
}

}  // namespace
}  // namespace rapport
