#include "services/http/listen_policy.h"

#include <fstream>
#include <string>

#include <boost/asio/ip/address.hpp>

namespace rapport::services {

bool IsLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

namespace {

Status CheckReadable(const std::string& path, const char* setting) {
  std::ifstream file(path);
  if (!file) return Status::InvalidArgument(setting, "cannot read \"" + path + "\"");
  return Status::Ok();
}

}  // namespace

Status CheckListenPolicy(const HostPort& address, const HttpSettings& http) {
  if (http.tls_cert.empty() != http.tls_key.empty()) {
    return Status::InvalidArgument(http.tls_cert.empty() ? "http.tls_cert" : "http.tls_key",
                                   "--tls-cert and --tls-key go together: give both or neither");
  }
  if (UsesTls(http)) {
    RAPPORT_RETURN_IF_ERROR(CheckReadable(http.tls_cert, "http.tls_cert"));
    return CheckReadable(http.tls_key, "http.tls_key");
  }
  if (IsLoopbackHost(address.host) || http.insecure_http) return Status::Ok();
  return Status::InvalidArgument(
      "listen", "refusing plain HTTP on non-loopback address \"" + address.host +
                    "\": give --tls-cert and --tls-key (http.tls_cert, http.tls_key), or --insecure-http "
                    "(http.insecure_http) when a TLS-terminating proxy stands in front");
}

}  // namespace rapport::services
