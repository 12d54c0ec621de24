#include "paymand/payman/protocol.hpp"

#include "payman/answer_reader.hpp"
#include "paymand/core/time_text.hpp"
#include "paymand/net/net_errc.hpp"
#include "paymand/payman/ids.hpp"
#include "paymand/text/utf8.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <date/date.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace paymand::payman {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

std::string base64(std::string_view in)
{
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool printable_ascii(std::string_view s) noexcept
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

const json::string* string_field(const json::object& o, std::string_view camel,
                                 std::string_view snake = {})
{
    if (auto* v = o.if_contains(camel); v && v->is_string()) return &v->get_string();
    if (!snake.empty())
        if (auto* v = o.if_contains(snake); v && v->is_string()) return &v->get_string();
    return nullptr;
}

// `s` as a JSON string, escaped as Boost.JSON's serializer escapes it: '"', '\\' and the
// control characters (the short forms where JSON has them, else \u00xx); every other byte as it
// is. Runs without an escape are appended at once.
void append_json_string(std::string& out, std::string_view s)
{
    static constexpr std::string_view hex = "0123456789abcdef";
    static constexpr auto plain = [] {
        std::array<bool, 256> table{};
        for (int c = 0x20; c < 256; ++c) table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
        return table;
    }();
    out.push_back('"');
    for (std::size_t i = 0;;) {
        const std::size_t run = i;
        while (i < s.size() && plain[static_cast<unsigned char>(s[i])]) ++i;
        out.append(s.data() + run, i - run);
        if (i == s.size()) break;
        const auto c = static_cast<unsigned char>(s[i++]);
        out.push_back('\\');
        switch (c) {
        case '"':
        case '\\':
            out.push_back(static_cast<char>(c));
            break;
        case '\b':
            out.push_back('b');
            break;
        case '\t':
            out.push_back('t');
            break;
        case '\n':
            out.push_back('n');
            break;
        case '\f':
            out.push_back('f');
            break;
        case '\r':
            out.push_back('r');
            break;
        default:
            out.append("u00");
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    out.push_back('"');
}

// What a server said in an error body, as untrusted text: Payman's error fields of a JSON
// object, or (when allowed) the start of a non-JSON body.
std::string server_diagnostics(std::string_view body, bool allow_raw, const redaction& secrets)
{
    boost::system::error_code ec;
    auto parsed = json::parse(body, ec);
    if (!ec && parsed.is_object()) {
        const auto& o = parsed.get_object();
        std::string out;
        for (std::string_view key :
             {"errorCode", "errorMessage", "error", "error_description", "message", "traceId"}) {
            if (auto* s = string_field(o, key)) {
                if (!out.empty()) out += "; ";
                out += fmt::format("{}={}", key, std::string_view(*s));
            }
        }
        return sanitize_diagnostics(out, secrets);
    }
    if (!allow_raw) return {};
    // Redacted whole, then cut: a secret across the cut is still found.
    return sanitize_diagnostics(body, secrets);
}

// 1 to max_task_id_size printable ASCII bytes.
bool bounded_id(std::string_view id) noexcept
{
    return !id.empty() && id.size() <= max_task_id_size && printable_ascii(id);
}

client_error malformed(std::string what)
{
    return core::extend({.code = payman_errc::malformed_response,
                         .message = "the response could not be read (" + what +
                                    "); the ask may have been carried out"},
                        client_error{.kind = error_class::unknown_outcome, .http_status = 200});
}

}  // namespace

bool is_token68(std::string_view value) noexcept
{
    auto body = value;
    while (body.ends_with('=')) body.remove_suffix(1);
    if (body.empty()) return false;
    return std::all_of(body.begin(), body.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    });
}

net::request build_token_request(const net::endpoint& target, const grant& g,
                                 std::string_view client_id, const secret& client_secret,
                                 std::string_view user_agent)
{
    std::string path =
        fmt::format("{}/oauth2/token?grant_type={}", target.path_prefix, to_string(g.type));
    auto add_param = [&](std::string_view name, std::string_view value) {
        path += fmt::format("&{}=", name);
        path += boost::urls::encode(value, boost::urls::unreserved_chars);
    };
    if (g.type == grant_type::authorization_code) {
        add_param("code", g.value.expose());
        if (g.redirect_uri) add_param("redirect_uri", *g.redirect_uri);
        if (g.code_verifier) add_param("code_verifier", g.code_verifier->expose());
    }
    if (g.type == grant_type::refresh_token) add_param("refresh_token", g.value.expose());

    net::request req{http::verb::post, path, 11};
    std::string credentials = std::string(client_id) + ":" + std::string(client_secret.expose());
    std::string header = "Basic " + base64(credentials);
    req.set(http::field::authorization, header);
    wipe(credentials.data(), credentials.size());
    wipe(header.data(), header.size());
    wipe(path.data(), path.size());
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, user_agent);
    return req;
}

boost::json::object build_ask_body(std::string_view text, const ask_ids& ids,
                                   const ask_options& options,
                                   std::chrono::system_clock::time_point now)
{
    // The request's tree in one arena, freed at once with the body.
    const json::storage_ptr arena = json::make_shared_resource<json::monotonic_resource>(2048);
    json::object metadata(options.metadata, arena);
    metadata["timestamp"] = core::format_utc_millis(now);
    if (options.occurrence_id) metadata["occurrenceId"] = *options.occurrence_id;
    if (options.idempotency_key) metadata["idempotencyKey"] = *options.idempotency_key;

    json::array parts(arena);
    parts.emplace_back(
        json::object({{"type", "text"}, {"text", text}, {"metadata", nullptr}}, arena));
    json::object message({{"role", "user"}, {"parts", std::move(parts)}, {"metadata", nullptr}},
                         arena);
    json::object params({{"id", ids.task_id},
                         {"sessionId", ids.session_id},
                         {"message", std::move(message)},
                         {"metadata", std::move(metadata)}},
                        arena);
    return json::object({{"jsonrpc", "2.0"},
                         {"id", ids.request_id},
                         {"method", "tasks.send"},
                         {"params", std::move(params)}},
                        arena);
}

std::string build_ask_body_text(std::string_view text, const ask_ids& ids,
                                const ask_options& options,
                                std::chrono::system_clock::time_point now)
{
    // Free-form metadata keeps its order and its values' forms only through the tree.
    if (!options.metadata.empty()) return json::serialize(build_ask_body(text, ids, options, now));
    std::string out;
    out.reserve(text.size() + ids.request_id.size() + ids.task_id.size() + ids.session_id.size() +
                384);
    out += R"({"jsonrpc":"2.0","id":)";
    append_json_string(out, ids.request_id);
    out += R"(,"method":"tasks.send","params":{"id":)";
    append_json_string(out, ids.task_id);
    out += R"(,"sessionId":)";
    append_json_string(out, ids.session_id);
    out += R"(,"message":{"role":"user","parts":[{"type":"text","text":)";
    append_json_string(out, text);
    out += R"(,"metadata":null}],"metadata":null},"metadata":{"timestamp":)";
    append_json_string(out, core::format_utc_millis(now));
    if (options.occurrence_id) {
        out += R"(,"occurrenceId":)";
        append_json_string(out, *options.occurrence_id);
    }
    if (options.idempotency_key) {
        out += R"(,"idempotencyKey":)";
        append_json_string(out, *options.idempotency_key);
    }
    out += "}}}";
    return out;
}

net::request build_ask_request(const net::endpoint& target, const boost::json::object& body,
                               const secret& access_token, std::string_view user_agent)
{
    return build_ask_request(target, json::serialize(body), access_token, user_agent);
}

net::request build_ask_request(const net::endpoint& target, std::string body_text,
                               const secret& access_token, std::string_view user_agent)
{
    net::request req{http::verb::post, target.path_prefix + "/a2a/tasks/send", 11};
    // A new request has none of these fields: each is inserted without looking for another.
    req.insert(http::field::content_type, "application/json");
    req.insert(http::field::accept, "application/json");
    req.insert(http::field::user_agent, user_agent);
    req.insert("x-payman-access-token", access_token.expose());
    req.body() = std::move(body_text);
    return req;
}

boost::system::result<void, client_error> validate_ask(std::string_view text,
                                                       const ask_options& options)
{
    auto invalid = [](payman_errc code, std::string message) {
        return core::extend({.code = code, .message = std::move(message)},
                            client_error{.kind = error_class::not_sent});
    };
    if (text.empty()) return invalid(payman_errc::invalid_ask, "the ask text is empty");
    if (text.size() > max_ask_text_size)
        return invalid(payman_errc::invalid_ask,
                       fmt::format("the ask text is {} bytes; at most {} are allowed", text.size(),
                                   max_ask_text_size));
    if (!paymand::text::is_valid_utf8(text))
        return invalid(payman_errc::invalid_ask, "the ask text is not valid UTF-8");
    for (unsigned char c : text) {
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return invalid(payman_errc::invalid_ask, "the ask text contains a control character");
    }
    if (options.session_id && !is_valid_session_id(*options.session_id))
        return invalid(payman_errc::invalid_session_id,
                       "session id must be 1-128 characters of letters, digits and . _ : -");
    if (options.session_id && options.new_session)
        return invalid(payman_errc::invalid_ask, "ask for a new session or resume one, not both");
    for (const auto* field : {&options.occurrence_id, &options.idempotency_key}) {
        if (*field &&
            (field->value().empty() || field->value().size() > 256 || !printable_ascii(**field)))
            return invalid(
                payman_errc::invalid_ask,
                fmt::format("{} must be 1-256 printable ASCII characters without spaces",
                            field == &options.occurrence_id ? "occurrence id" : "idempotency key"));
    }
    return {};
}

boost::system::result<token_response, client_error>
parse_token_response(const net::response& res, std::chrono::system_clock::time_point now,
                     const redaction& secrets)
{
    const unsigned status = res.result_int();
    if (status < 200 || status >= 300) {
        client_error e{.kind = error_class::not_sent,
                       .http_status = static_cast<int>(status),
                       .diagnostics = server_diagnostics(res.body(), false, secrets)};
        if (status == 404) {
            // Not the credentials: nothing answers for Payman's token path at this URL.
            e.code = payman_errc::token_refused;
            e.message = "the token endpoint was not found (HTTP 404): no Payman API at this URL "
                        "(does payman.base_url end in /api?)";
        } else if (status >= 400 && status < 500 && status != 429) {
            e.code = payman_errc::token_refused;
            e.message = fmt::format(
                "the token endpoint refused the request (HTTP {}): check the client id, "
                "secret, code or refresh token",
                status);
        } else {
            e.code = payman_errc::token_request_failed;
            e.message = fmt::format("the token endpoint answered HTTP {}", status);
            if (status == 429 || status == 503)
                e.retry_after = parse_retry_after(res[http::field::retry_after], now);
        }
        return e;
    }
    auto invalid = [&](std::string_view what) {
        return core::extend(
            {.code = payman_errc::token_response_invalid,
             .message = fmt::format("the token response is invalid: {}", what)},
            client_error{.kind = error_class::not_sent, .http_status = static_cast<int>(status)});
    };
    boost::system::error_code ec;
    auto parsed = json::parse(res.body(), ec);
    if (ec || !parsed.is_object()) return invalid("not a JSON object");
    const auto& o = parsed.get_object();

    token_response out;
    const auto* access = string_field(o, "accessToken", "access_token");
    if (!access || access->empty()) return invalid("no accessToken");
    // Checked here, before the token is held: it goes into a header of every ask.
    if (access->size() > max_token_size)
        return invalid(fmt::format("the access token is {} bytes; at most {} are accepted",
                                   access->size(), max_token_size));
    if (!is_token68(*access))
        return invalid("the access token has characters other than those of RFC 6750 token68");
    out.access_token = secret(std::string_view(*access));

    const json::value* expires = o.if_contains("expiresIn");
    if (!expires) expires = o.if_contains("expires_in");
    if (!expires) return invalid("no expiresIn");
    std::int64_t seconds = 0;
    if (expires->is_int64())
        seconds = expires->get_int64();
    else if (expires->is_uint64() && expires->get_uint64() < (1ull << 40))
        seconds = static_cast<std::int64_t>(expires->get_uint64());
    else if (expires->is_string()) {
        const auto& s = expires->get_string();
        auto [p, err] = std::from_chars(s.data(), s.data() + s.size(), seconds);
        if (err != std::errc() || p != s.data() + s.size())
            return invalid("expiresIn is not a number of seconds");
    } else {
        return invalid("expiresIn is not a number of seconds");
    }
    if (seconds <= 0 || seconds > 10LL * 366 * 24 * 3600) return invalid("expiresIn out of range");
    out.expires_in = std::chrono::seconds(seconds);

    if (const auto* refresh = string_field(o, "refreshToken", "refresh_token");
        refresh && !refresh->empty()) {
        if (refresh->size() > max_token_size || !is_token68(*refresh))
            return invalid(fmt::format("the refresh token is not RFC 6750 token68 of at most {} "
                                       "bytes",
                                       max_token_size));
        out.refresh_token = secret(std::string_view(*refresh));
    }
    if (const auto* type = string_field(o, "tokenType", "token_type")) out.token_type = *type;
    if (const auto* scope = string_field(o, "scope")) out.scope = *scope;
    return out;
}

client_error classify_status(const net::response& res, std::chrono::system_clock::time_point now,
                             const redaction& secrets)
{
    const unsigned status = res.result_int();
    client_error e{.http_status = static_cast<int>(status),
                   .diagnostics = server_diagnostics(res.body(), true, secrets)};
    auto set = [&](error_class kind, payman_errc code, std::string message) {
        e.kind = kind;
        e.code = code;
        e.message = std::move(message);
    };
    if (status == 429 || status == 503)
        e.retry_after = parse_retry_after(res[http::field::retry_after], now);
    const std::string retry =
        e.retry_after ? fmt::format("; retry after {} s", e.retry_after->count()) : "";

    if (status == 401)
        set(error_class::rejected, payman_errc::unauthorized,
            "the access token was refused (HTTP 401); the ask was not carried out");
    else if (status == 403)
        set(error_class::rejected, payman_errc::forbidden,
            "the ask was refused (HTTP 403): the credentials lack a scope or permission for it");
    else if (status == 429)
        set(error_class::rejected, payman_errc::rate_limited,
            fmt::format("rate limited (HTTP 429); the ask was not carried out{}", retry));
    else if (status >= 400 && status < 500)
        set(error_class::rejected, payman_errc::http_rejected,
            fmt::format("the server rejected the ask (HTTP {})", status));
    else if (status == 503)
        set(error_class::unknown_outcome, payman_errc::service_unavailable,
            fmt::format(
                "the service is unavailable (HTTP 503); the ask may have been carried out{}",
                retry));
    else if (status >= 500)
        set(error_class::unknown_outcome, payman_errc::server_error,
            fmt::format("server error (HTTP {}); the ask may have been carried out", status));
    else
        set(error_class::unknown_outcome, payman_errc::unexpected_status,
            fmt::format("unexpected HTTP status {}; the ask may have been carried out", status));
    return e;
}

namespace {

// The JSON-RPC error an answer carries, or what makes it unreadable.
client_error rpc_error(const detail::answer_members& a, unsigned status, const redaction& secrets)
{
    using detail::shape;
    // JSON-RPC 2.0: an answer holds an error or a result, never both. Both is no refusal one
    // can trust (the result may say it was done).
    if (a.result != shape::absent && a.result != shape::null)
        return malformed("it holds both an error and a result");
    if (a.error != shape::object) return malformed("\"error\" is not an object");
    if (a.error_code_kind != shape::integer) return malformed("the error has no integer code");
    auto e = core::extend(
        {.code = payman_errc::jsonrpc_error},
        client_error{.kind = error_class::rejected, .http_status = static_cast<int>(status)});
    e.rpc_code = a.error_code_value;
    if (const auto* msg = a.error_message.string())
        e.diagnostics = sanitize_diagnostics(*msg, secrets);
    e.message = e.rpc_code
                    ? fmt::format("the agent refused the request (JSON-RPC error {})", *e.rpc_code)
                    : std::string("the agent refused the request (JSON-RPC error)");
    return e;
}

// The result's task, session and status into `out`; the error when one is not as it must be.
std::optional<client_error> read_status(detail::answer_members& a, ask_result& out,
                                        const redaction& secrets)
{
    using detail::shape;
    const auto* task_id = a.task_id.string();
    if (!task_id) return malformed("the result has no task id");
    // Bounded here, where it arrives: it goes into records, log lines and outputs.
    if (!bounded_id(*task_id))
        return malformed(fmt::format("the task id is not 1-{} printable ASCII bytes ({} bytes)",
                                     max_task_id_size, task_id->size()));
    out.task_id = std::move(a.task_id.value);
    const auto* session = a.session_camel.string();
    if (!session) session = a.session_snake.string();
    if (session) {
        if (!bounded_id(*session))
            return malformed(
                fmt::format("the session id is not 1-{} printable ASCII bytes", max_task_id_size));
        out.session_id = *session;
    }

    if (a.status != shape::object) return malformed("the result has no status");
    const auto* state = a.state.string();
    if (!state) return malformed("the status has no state");
    out.state_text = sanitize_diagnostics(*state, secrets);
    out.state = parse_task_state(*state);
    if (a.message == shape::string || a.message == shape::object)
        out.status_message = std::move(a.message_text);
    else if (a.message != shape::absent && a.message != shape::null)
        return malformed("the status message is neither text nor a message");
    if (out.status_message.size() > max_status_message_size)
        return malformed(
            fmt::format("the status message is over {} bytes", max_status_message_size));
    if (const auto* ts = a.timestamp.string())
        out.status_timestamp = sanitize_diagnostics(*ts, secrets);
    return std::nullopt;
}

}  // namespace

boost::system::result<ask_result, client_error>
parse_ask_response(net::response res, std::string_view request_id,
                   std::chrono::system_clock::time_point now, const redaction& secrets)
{
    using detail::shape;
    const unsigned status = res.result_int();
    if (status < 200 || status >= 300) return classify_status(res, now, secrets);

    detail::answer_members a;
    if (!detail::read_answer(res.body(), a)) return malformed("the body is not JSON");
    if (a.document != shape::object) return malformed("the body is not a JSON object");
    if (a.rpc_id.kind != shape::absent && a.rpc_id.kind != shape::null &&
        (a.rpc_id.kind != shape::string || a.rpc_id.value != request_id))
        return malformed("it answers another request id");
    if (a.error != shape::absent && a.error != shape::null) return rpc_error(a, status, secrets);
    if (a.result != shape::object) return malformed("no result");

    ask_result out{.request_id = std::string(request_id), .raw = std::move(res.body())};
    if (auto e = read_status(a, out, secrets)) return *e;
    if (a.artifacts != shape::absent && a.artifacts != shape::null) {
        if (a.artifacts != shape::array) return malformed("\"artifacts\" is not an array");
        if (a.artifact_not_object) return malformed("an artifact is not an object");
        out.artifacts.reserve(a.artifact_list.size());
        for (auto& found : a.artifact_list) {
            artifact art;
            if (found.name.string()) art.name = std::move(found.name.value);
            if (found.description.string()) art.description = std::move(found.description.value);
            art.text = std::move(found.text);
            out.artifacts.push_back(std::move(art));
        }
    }
    return out;
}

client_error classify_transport(const net::transport_error& t, bool token_request)
{
    namespace asio_error = boost::asio::error;
    client_error e{.kind = error_class::not_sent, .cause = t.code};
    const std::string cause = t.what();
    const std::string_view during = token_request ? " while fetching a token" : "";
    auto set = [&](error_class kind, payman_errc code, std::string message) {
        e.kind = kind;
        e.code = code;
        e.message = std::move(message);
    };

    switch (t.phase) {
    case net::phase::pool_wait:
        set(error_class::not_sent, payman_errc::connection_wait_timeout,
            fmt::format("no connection became free in time{} ({}); nothing was sent", during,
                        cause));
        return e;
    case net::phase::resolve:
        set(error_class::not_sent, payman_errc::resolve_failed,
            fmt::format("could not resolve the host{} ({}); nothing was sent", during, cause));
        return e;
    case net::phase::connect:
        set(error_class::not_sent, payman_errc::connect_failed,
            fmt::format("could not connect{} ({}); nothing was sent", during, cause));
        return e;
    case net::phase::tls_handshake:
        set(error_class::not_sent, payman_errc::tls_failed,
            fmt::format("TLS handshake failed{} ({}); nothing was sent", during, cause));
        return e;
    case net::phase::write:
        if (!t.request_written) {
            set(error_class::not_sent, payman_errc::send_failed,
                fmt::format("the request could not be sent{} ({}); nothing reached the server",
                            during, cause));
            return e;
        }
        break;
    case net::phase::read:
        break;
    }

    if (token_request) {
        set(error_class::not_sent, payman_errc::token_request_failed,
            fmt::format("no usable answer from the token endpoint ({}); the ask was not sent",
                        cause));
        return e;
    }
    const auto& ec = t.code;
    if (ec == boost::beast::error::timeout)
        set(error_class::unknown_outcome, payman_errc::response_timeout,
            fmt::format("timed out waiting for the answer ({}); the ask may have been carried out",
                        cause));
    else if (ec == http::error::body_limit || ec == http::error::header_limit ||
             ec == http::error::buffer_overflow)
        set(error_class::unknown_outcome, payman_errc::response_too_large,
            fmt::format(
                "the answer exceeds the response size cap ({}); the ask may have been carried out",
                cause));
    else if (ec == http::error::partial_message)
        set(error_class::unknown_outcome, payman_errc::truncated_response,
            fmt::format("the answer was cut short ({}); the ask may have been carried out", cause));
    else if (ec == http::error::end_of_stream)
        set(error_class::unknown_outcome, payman_errc::connection_lost,
            fmt::format(
                "the connection closed before an answer ({}); the ask may have been carried out",
                cause));
    else if (ec.category() == make_error_code(http::error::bad_version).category())
        set(error_class::unknown_outcome, payman_errc::malformed_response,
            fmt::format("the answer is not valid HTTP ({}); the ask may have been carried out",
                        cause));
    else
        set(error_class::unknown_outcome, payman_errc::connection_lost,
            fmt::format("the connection was lost after the ask was sent ({}); the ask may have "
                        "been carried out",
                        cause));
    return e;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now)
{
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        std::int64_t seconds = 0;
        auto [p, err] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        // Too many digits for int64: as long as any, and more than any deadline.
        if (err == std::errc::result_out_of_range || seconds > max_retry_after.count())
            return max_retry_after;
        if (err != std::errc() || p != value.data() + value.size()) return std::nullopt;
        return std::chrono::seconds(seconds);
    }
    // IMF-fixdate, the only HTTP-date form senders may generate: "Sun, 06 Nov 1994 08:49:37 GMT".
    if (value.size() != 29 || value.substr(3, 2) != ", " || value.substr(25) != " GMT")
        return std::nullopt;
    auto number = [&](std::size_t pos, std::size_t len) -> int {
        int n = 0;
        for (char c : value.substr(pos, len)) {
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    };
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto month_at = months.find(value.substr(8, 3));
    const int day = number(5, 2), year = number(12, 4), hour = number(17, 2),
              minute = number(20, 2), second = number(23, 2);
    if (month_at == std::string_view::npos || month_at % 3 != 0 || value[7] != ' ' ||
        value[11] != ' ' || value[16] != ' ' || value[19] != ':' || value[22] != ':' || day < 1 ||
        year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60)
        return std::nullopt;
    const date::year_month_day ymd{date::year{year},
                                   date::month{static_cast<unsigned>(month_at / 3 + 1)},
                                   date::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return std::nullopt;
    const auto when = date::sys_days{ymd} + std::chrono::hours(hour) +
                      std::chrono::minutes(minute) + std::chrono::seconds(second);
    // In whole seconds: `when - now` would go through nanoseconds, which overflow for dates
    // before 1677 or after 2262 (a hostile Retry-After). ceil(when - now) == when - floor(now).
    const auto delta = when - std::chrono::floor<std::chrono::seconds>(now);
    return delta.count() <= 0 ? std::chrono::seconds(0) : std::min(delta, max_retry_after);
}

void redact(std::string& text, std::span<const secret* const> secrets)
{
    for (const secret* s : secrets) {
        if (!s || s->empty()) continue;
        const auto needle = s->expose();
        for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos)) {
            text.replace(pos, needle.size(), "[redacted]");
            pos += 10;
        }
    }
}

}  // namespace paymand::payman
