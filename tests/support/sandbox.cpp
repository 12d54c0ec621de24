#include "support/sandbox.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>
#include <signal.h>

#include <stdexcept>

namespace paymand::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

std::string default_sandbox_config(const sandbox_defaults& d)
{
    std::string limit = d.per_transaction_limit.empty()
                            ? ""
                            : "    per_transaction_limit: \"" + d.per_transaction_limit + "\"\n";
    return "listen: 127.0.0.1:0\n"
           "clients:\n"
           "  - id: " +
           std::string(sandbox_client_id) +
           "\n"
           "    secret: " +
           std::string(sandbox_client_secret) +
           "\n"
           "    token_lifetime: " +
           std::to_string(d.token_lifetime_s) + "\n" + limit +
           "    refresh_with_client_credentials: " +
           (d.refresh_with_client_credentials ? "true" : "false") +
           "\n"
           "    scope_denial: " +
           d.scope_denial +
           "\n"
           "    redirect_uris: [\"" +
           std::string(sandbox_redirect_uri) +
           "\"]\n"
           "  - id: " +
           std::string(sandbox_readonly_client_id) +
           "\n"
           "    secret: " +
           std::string(sandbox_readonly_client_secret) +
           "\n"
           "    scopes: read_balance,read_list_wallets,read_list_payees,read_list_transactions\n"
           "    token_lifetime: " +
           std::to_string(d.token_lifetime_s) +
           "\n"
           "    scope_denial: " +
           d.scope_denial +
           "\n"
           "    redirect_uris: [\"" +
           std::string(sandbox_redirect_uri) +
           "\"]\n"
           "wallets:\n"
           "  - name: Operations\n"
           "    currency: TSD\n"
           "    balance: \"1000.00\"\n"
           "payees:\n"
           "  - name: John Doe\n"
           "    email: john.doe@example.com\n";
}

std::string base64_encode(std::string_view data)
{
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                     (static_cast<unsigned char>(data[i + 1]) << 8) |
                     static_cast<unsigned char>(data[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i < data.size()) {
        unsigned v = static_cast<unsigned char>(data[i]) << 16;
        if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += i + 1 < data.size() ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string http_reply::header(std::string_view name) const
{
    std::string key(name);
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = headers.find(key);
    return it == headers.end() ? std::string() : it->second;
}

json::value http_reply::json() const
{
    return json::parse(body);
}

namespace {

template <class Stream>
asio::awaitable<http_reply> exchange(Stream& stream, const http_request_params& params,
                                     const std::string& host, const std::string& target)
{
    http::request<http::string_body> req{http::string_to_verb(params.method), target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "paymand-test");
    for (const auto& [name, value] : params.headers) req.set(name, value);
    if (!params.body.empty() || params.method == "POST" || params.method == "PUT") {
        req.body() = params.body;
        req.prepare_payload();
    }
    req.keep_alive(false);
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    auto& res = parser.get();
    http_reply reply;
    reply.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = std::string(field.value());
    }
    reply.body = std::move(res.body());
    co_return reply;
}

asio::awaitable<http_reply> perform(const http_request_params& params)
{
    auto parsed = boost::urls::parse_uri(params.url);
    if (!parsed) throw std::runtime_error("bad URL: " + params.url);
    bool tls = parsed->scheme() == "https";
    std::string host = parsed->host();
    std::string port = parsed->port().empty() ? (tls ? "443" : "80") : std::string(parsed->port());
    std::string target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
    if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());

    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto endpoints = co_await resolver.async_resolve(host, port, asio::use_awaitable);
    beast::tcp_stream stream(executor);
    // One deadline for the whole exchange: the stream's timer covers every phase.
    stream.expires_after(params.timeout);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    if (!tls) co_return co_await exchange(stream, params, host + ":" + port, target);

    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (params.ca_file)
        ctx.load_verify_file(params.ca_file->string());
    else
        ctx.set_default_verify_paths();
    beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), ctx);
    if (!SSL_set_tlsext_host_name(secure.native_handle(), host.c_str()))
        throw std::runtime_error("cannot set SNI");
    secure.set_verify_callback(asio::ssl::host_name_verification(host));
    co_await secure.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    co_return co_await exchange(secure, params, host + ":" + port, target);
}

}  // namespace

http_reply http_request(const http_request_params& params)
{
    asio::io_context io;
    std::optional<http_reply> reply;
    std::exception_ptr failure;
    asio::co_spawn(io, perform(params), [&](std::exception_ptr e, http_reply r) {
        if (e)
            failure = e;
        else
            reply = std::move(r);
    });
    io.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            throw std::runtime_error(params.method + " " + params.url + " failed: " + e.what());
        }
    }
    return std::move(*reply);
}

sandbox_process::sandbox_process(sandbox_params params) : params_(std::move(params))
{
    config_file_ = dir_.write("sandbox.yaml", params_.config_yaml.empty()
                                                  ? default_sandbox_config(params_.defaults)
                                                  : params_.config_yaml);
    state_file_ = dir_ / "state.json";
    start();
}

sandbox_process::~sandbox_process() = default;

void sandbox_process::start()
{
    ++starts_;
    auto url_file = dir_ / ("url-" + std::to_string(starts_));
    auto admin_file = dir_ / ("admin-url-" + std::to_string(starts_));
    process_params p;
    p.args = {"--config",
              config_file_.string(),
              "--state",
              state_file_.string(),
              "--url-file",
              url_file.string(),
              "--admin",
              "--admin-url-file",
              admin_file.string(),
              "--seed",
              std::to_string(params_.seed)};
    if (params_.cert_file) {
        p.args.insert(p.args.end(), {"--tls-cert", params_.cert_file->string()});
        p.args.insert(p.args.end(), {"--tls-key", params_.key_file.value().string()});
    }
    p.args.insert(p.args.end(), params_.extra_args.begin(), params_.extra_args.end());
    process_.reset();
    process_ = std::make_unique<child_process>(our_binary("payman-sandbox"), p);
    base_url_ = process_->wait_for_file_line(url_file);
    admin_url_ = process_->wait_for_file_line(admin_file);
}

exit_status sandbox_process::stop()
{
    if (!process_) return {};
    process_->send_signal(SIGTERM);
    return process_->wait();
}

void sandbox_process::restart()
{
    auto status = stop();
    if (!status.ok())
        throw std::runtime_error("payman-sandbox did not exit cleanly on SIGTERM: " +
                                 process_->err());
    start();
}

http_reply sandbox_process::admin(std::string_view method, std::string_view target,
                                  std::string body)
{
    http_request_params p;
    p.method = std::string(method);
    p.url = admin_url_ + std::string(target);
    p.body = std::move(body);
    if (!p.body.empty()) p.headers.emplace_back("Content-Type", "application/json");
    auto reply = http_request(p);
    if (reply.status != 200)
        throw std::runtime_error("admin " + std::string(method) + " " + std::string(target) +
                                 " answered " + std::to_string(reply.status) + ": " + reply.body);
    return reply;
}

json::value sandbox_process::ledger()
{
    return admin("GET", "/admin/ledger").json();
}

json::value sandbox_process::stats()
{
    return admin("GET", "/admin/stats").json();
}

json::value sandbox_process::requests(std::int64_t after)
{
    return admin("GET", after > 0 ? "/admin/requests?after=" + std::to_string(after)
                                  : std::string("/admin/requests"))
        .json();
}

std::int64_t sandbox_process::inject_fault(const json::value& fault)
{
    return admin("POST", "/admin/faults", json::serialize(fault)).json().at("id").as_int64();
}

void sandbox_process::clear_faults()
{
    admin("DELETE", "/admin/faults");
}

void sandbox_process::reset()
{
    admin("POST", "/admin/reset");
}

json::value sandbox_process::fetch_token(std::string_view client_id, std::string_view secret)
{
    std::string encoded = base64_encode(std::string(client_id) + ":" + std::string(secret));
    http_request_params p;
    p.method = "POST";
    p.url = base_url_ + "/oauth2/token?grant_type=client_credentials";
    p.headers = {{"Authorization", "Basic " + encoded}};
    p.ca_file = params_.ca_file;
    auto reply = http_request(p);
    if (reply.status != 200)
        throw std::runtime_error("token request answered " + std::to_string(reply.status) + ": " +
                                 reply.body);
    return reply.json();
}

http_reply sandbox_process::ask(std::string_view access_token, std::string_view text,
                                const json::value& metadata)
{
    static int counter = 0;
    ++counter;
    json::object body{
        {"jsonrpc", "2.0"},
        {"id", "req-test-" + std::to_string(counter)},
        {"method", "tasks.send"},
        {"params",
         json::object{
             {"id", "tsk-test-" + std::to_string(counter)},
             {"sessionId", "ses-test"},
             {"message",
              json::object{{"role", "user"},
                           {"parts", json::array{json::object{
                                         {"type", "text"}, {"text", text}, {"metadata", nullptr}}}},
                           {"metadata", nullptr}}},
             {"metadata", metadata}}}};
    http_request_params p;
    p.method = "POST";
    p.url = base_url_ + "/a2a/tasks/send";
    p.body = json::serialize(body);
    p.headers = {{"Content-Type", "application/json"},
                 {"x-payman-access-token", std::string(access_token)}};
    p.ca_file = params_.ca_file;
    return http_request(p);
}

}  // namespace paymand::test
