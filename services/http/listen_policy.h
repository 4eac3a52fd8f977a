#pragma once
// Who may be served in plain text: listening on an address other than loopback
// without TLS is refused at start, unless the operator says a TLS-terminating proxy
// stands in front (http.insecure_http / --insecure-http). Also checks that a
// certificate and a key are given together and can be read.

#include <string_view>

#include "events/status.h"
#include "services/config/config.h"

namespace rapport::services {

// True for "localhost", 127.0.0.0/8 and ::1 (with or without brackets).
bool IsLoopbackHost(std::string_view host);

// Ok, or InvalidArgument naming the setting to change and why.
Status CheckListenPolicy(const HostPort& address, const HttpSettings& http);

inline bool UsesTls(const HttpSettings& http) { return !http.tls_cert.empty() || !http.tls_key.empty(); }

}  // namespace rapport::services
