// One connection of the event-driven server: reads requests with deadlines, hands
// each to the handler pool, writes the answer in one write, and keeps the
// connection open for the next one. Every socket operation runs on the
// connection's strand; handlers and stream waits run on the pools, never there.
#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include "services/http/request_target.h"
#include "services/http/server_core.h"
#include "services/http/wire_response.h"

namespace rapport::services {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
constexpr auto kDrainDeadline = std::chrono::seconds(5);

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A read error that means "the client went away or was too slow": close quietly.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == beast::error::timeout || ec == net::error::eof || ec == http::error::end_of_stream ||
         ec == http::error::partial_message || ec == net::error::connection_reset ||
         ec == net::error::operation_aborted || ec == net::ssl::error::stream_truncated;
}

HttpResponse Busy(int in_flight) {
  HttpResponse busy = ErrorResponse(
      Status::Unavailable("server busy: " + std::to_string(in_flight) + " requests in flight; retry shortly"));
  busy.status = 503;
  busy.headers.emplace_back("Retry-After", "1");
  return busy;
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, ServerCore& core, std::string remote)
      : stream_(std::move(stream)), core_(core), remote_(std::move(remote)) {}
  ~Session() {
    AnswerWritten();
    core_.connections.fetch_sub(1);
  }

  void Start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      Lowest().expires_after(Ms(core_.settings.header_timeout_ms));
      stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->ReadRequest();
      });
    } else {
      ReadRequest();
    }
  }

 private:
  static std::chrono::milliseconds Ms(int ms) { return std::chrono::milliseconds(ms); }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // Idle until the next request's first byte, then the header deadline starts.
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(static_cast<uint64_t>(core_.limits.max_body_bytes));
    parser_->header_limit(kMaxHeaderBytes);
    if (buffer_.size() > 0) return ReadHeader();
    Lowest().expires_after(Ms(core_.settings.idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return;  // idle timeout or the client closed: the session ends
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    started_ = Clock::now();
    record_ = AccessRecord{.start_ms = WallMs(), .remote = remote_};
    head_ = false;
    keep_alive_ = true;
    Lowest().expires_after(Ms(core_.settings.header_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->OnHeader(ec);
    });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& request = parser_->get();
    record_.method = std::string(request.method_string());
    record_.request_id = RequestIdFor(std::string_view(request["X-Request-Id"]));
    if (parser_->is_done()) return Dispatch();
    if (beast::iequals(request[http::field::expect], "100-continue")) {
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      Lowest().expires_after(Ms(core_.settings.write_timeout_ms));
      return net::async_write(stream_, net::buffer(out_), [self = this->shared_from_this()](beast::error_code e, size_t) {
        if (!e) self->ReadBody();
      });
    }
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_after(Ms(core_.settings.body_timeout_ms));
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->OnReadError(ec);
      self->Dispatch();
    });
  }

  void OnReadError(beast::error_code ec) {
    if (record_.request_id.empty()) record_.request_id = RequestIdFor("");
    if (ec == http::error::body_limit) {
      return Respond(ErrorResponse(Status::ResourceExhausted("request body too large")), /*close=*/true);
    }
    if (IsDisconnect(ec) || ec.category() != http::make_error_code(http::error::bad_version).category()) return;
    Respond(ErrorResponse(Status::InvalidArgument("", "bad request")), /*close=*/true);
  }

  void Dispatch() {
    const auto& request = parser_->get();
    head_ = request.method() == http::verb::head;
    keep_alive_ = request.keep_alive();
    if (request.method() != http::verb::get && !head_ && request.method() != http::verb::post) {
      return Respond(ErrorResponse(Status::InvalidArgument("", "bad request")), !keep_alive_);
    }
    const int limit = std::max(1, core_.limits.max_pending_connections);
    if (const int before = core_.in_flight.fetch_add(1); before >= limit) {
      core_.in_flight.fetch_sub(1);
      return Respond(Busy(before), !keep_alive_);
    }
    net::post(*core_.handlers, [self = this->shared_from_this()] { self->Handle(); });
  }

  // On a handler thread; the strand does nothing with this session meanwhile.
  void Handle() {
    std::optional<HttpResponse> response;
    projections::ChunkSource source;
    try {
      response = Answer(source);
    } catch (const std::exception& e) {
      spdlog::error("http {} {}: {}", record_.method, record_.path, e.what());
      response = ErrorResponse(Status::Internal(e.what()));
    }
    core_.answers_due.fetch_add(1);
    core_.in_flight.fetch_sub(1);
    net::post(stream_.get_executor(), [self = this->shared_from_this(), response = std::move(response),
                                       source = std::move(source)]() mutable {
      self->answer_due_ = true;
      if (response) return self->Respond(std::move(*response), !self->keep_alive_);
      self->StartStream(std::move(source));
    });
  }

  // The gate, then the route: an answer, or (nullopt) a stream in `source`.
  std::optional<HttpResponse> Answer(projections::ChunkSource& source) {
    auto& raw = parser_->get();
    RequestTarget target = ParseRequestTarget(std::string_view(raw.target().data(), raw.target().size()));
    HttpRequest request{.matches = {},
                        .params = std::move(target.params),
                        .header = [&raw](const std::string& name) { return std::string(raw[name]); },
                        .method = record_.method,
                        .path = std::move(target.path),
                        .body = std::move(raw.body())};
    record_.path = request.path;
    if (core_.gate) {
      GateVerdict verdict = core_.gate->Admit(request.method, request.path, request.header);
      record_.credential = std::move(verdict.credential_name);
      if (verdict.refusal) return std::move(*verdict.refusal);
    }
    if (!target.error.ok()) return ErrorResponse(target.error);
    RouteMatch match = core_.routes.Find(request.method, request.path);
    if (!match.route) return ErrorResponse(Status::NotFound("no such endpoint"));
    record_.route = match.route->pattern;
    request.matches = std::move(match.groups);
    if (match.route->answer) return match.route->answer(request);
    auto opened = match.route->stream(request);
    if (!opened.ok()) return ErrorResponse(opened.status());
    source = std::move(opened).value();
    return std::nullopt;
  }

  void Respond(HttpResponse response, bool close) {
    keep_alive_ = !close && !core_.stopping;
    record_.status = response.status;
    record_.bytes = head_ ? 0 : response.body.size();
    out_ = WireResponse(response, WireOptions{.request_id = record_.request_id, .keep_alive = keep_alive_, .head = head_});
    Write([](Session& self) {
      self.LogAccess();
      if (self.keep_alive_) return self.ReadRequest();
      self.DrainAndClose();
    });
  }

  // Writes out_ within the write deadline, then `next` (not on error: the session ends).
  template <class Next>
  void Write(Next next) {
    Lowest().expires_after(Ms(core_.settings.write_timeout_ms));
    net::async_write(stream_, net::buffer(out_), [self = this->shared_from_this(), next](beast::error_code ec, size_t) {
      self->AnswerWritten();
      if (ec) return self->LogAccess();
      next(*self);
    });
  }

  void StartStream(projections::ChunkSource source) {
    source_ = std::move(source);
    record_.status = 200;
    out_ = WireStreamHead(WireOptions{.request_id = record_.request_id, .keep_alive = keep_alive_});
    Write([](Session& self) { self.NextChunk(); });
  }

  // Asks the source on a stream thread (it may wait ~1 s for news), writes here.
  void NextChunk() {
    if (core_.stopping) return OnChunk(std::nullopt);
    net::post(*core_.streams, [self = this->shared_from_this()] {
      std::optional<std::string> chunk = self->core_.stopping ? std::nullopt : self->source_();
      net::post(self->stream_.get_executor(), [self, chunk = std::move(chunk)]() mutable { self->OnChunk(std::move(chunk)); });
    });
  }

  void OnChunk(std::optional<std::string> chunk) {
    if (chunk && chunk->empty()) return NextChunk();
    if (!chunk) {
      source_ = nullptr;
      out_ = WireChunk("");
      return Write([](Session& self) {
        self.LogAccess();
        if (self.keep_alive_ && !self.core_.stopping) return self.ReadRequest();
        self.DrainAndClose();
      });
    }
    record_.bytes += chunk->size();
    out_ = WireChunk(*chunk);
    Write([](Session& self) { self.NextChunk(); });
  }

  // After a "Connection: close" answer: stop sending, read what the client still
  // sends (an unread body would turn the close into a reset that can overtake the
  // answer), and close at its end or the deadline.
  void DrainAndClose() {
    if constexpr (std::is_same_v<Stream, PlainStream>) {
      beast::error_code ignored;
      stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    }
    Lowest().expires_after(kDrainDeadline);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(drain_), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->Drain();
    });
  }

  void AnswerWritten() {
    if (answer_due_) core_.answers_due.fetch_sub(1);
    answer_due_ = false;
  }

  void LogAccess() {
    if (!core_.access_log || record_.status == 0) return;
    record_.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    core_.access_log->Write(record_);
    record_.status = 0;  // once per request
  }

  Stream stream_;
  ServerCore& core_;
  const std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;                   // the bytes being written
  std::array<char, 4096> drain_{};    // what DrainAndClose reads and drops
  projections::ChunkSource source_;  // while streaming
  AccessRecord record_;
  Clock::time_point started_;
  bool keep_alive_ = true;
  bool head_ = false;
  bool answer_due_ = false;  // counted in core_.answers_due until written
};

}  // namespace

void StartSession(net::ip::tcp::socket socket, ServerCore& core, net::ssl::context* tls) {
  beast::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  std::string remote = ec ? std::string() : peer.address().to_string();
  socket.set_option(net::ip::tcp::no_delay(true), ec);
  if (tls) {
    std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls), core, std::move(remote))->Start();
  } else {
    std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), core, std::move(remote))->Start();
  }
}

}  // namespace rapport::services
