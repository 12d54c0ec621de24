#include "sandbox/service.hpp"

#include "sandbox/http_util.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include <fmt/format.h>

#include <charconv>
#include <iostream>
#include <optional>
#include <sstream>
#include <variant>

namespace paymand::sandbox {

namespace json = boost::json;
using detail::json_response;

response error_response(http::status status, std::string_view code, std::string_view message,
                        time_point now, std::string_view trace_id)
{
    return json_response(status, json::object{{"status", static_cast<int>(status)},
                                              {"timestamp", format_time(now)},
                                              {"errorCode", code},
                                              {"errorMessage", message},
                                              {"traceId", trace_id}});
}

service::service(sandbox_config config, std::optional<std::filesystem::path> state_file,
                 clock_fn clock)
    : config_(std::move(config)), state_file_(std::move(state_file)), clock_(std::move(clock)),
      agent_(config_.seed)
{
    state_ = ledger_state::from_config(config_);
    if (state_file_) {
        if (auto loaded = load_state(*state_file_); !loaded) {
            startup_ = loaded.error();
        } else if (*loaded) {
            state_ = std::move(**loaded);
            state_.default_wallet = config_.default_wallet;
        }
    }
}

time_point service::now() const
{
    if (clock_) return clock_();
    return std::chrono::floor<std::chrono::milliseconds>(clock_type::now());
}

void service::flush()
{
    if (!dirty_) return;
    dirty_ = false;
    if (auto saved = persist(); !saved)
        std::cerr << "payman-sandbox: cannot save state: " << saved.error().message << std::endl;
}

core::result<void> service::persist()
{
    dirty_ = false;
    if (!state_file_) return {};
    state_.prune(now());
    return save_state(state_, *state_file_);
}

void service::changed()
{
    if (schedule_) {
        if (!dirty_) schedule_();
        dirty_ = true;
        return;
    }
    if (auto saved = persist(); !saved)
        std::cerr << "payman-sandbox: cannot save state: " << saved.error().message << std::endl;
}

std::string service::new_secret(std::string_view prefix)
{
    return std::string(prefix) + detail::random_hex(20);
}

void service::reset()
{
    state_ = ledger_state::from_config(config_);
    faults_.clear();
    stats_ = service_stats{};
    requests_.clear();
    agent_.reseed(config_.seed);
    changed();
}

void service::apply_pre_fault(const fault& f)
{
    time_point t = now();
    for (auto& [value, token] : state_.tokens) {
        if (f.action == fault_action::expire_tokens && token.kind == token_kind::access)
            token.expires_at = std::min(token.expires_at, t - std::chrono::milliseconds(1));
        if (f.action == fault_action::revoke_tokens) token.revoked = true;
    }
    changed();
}

namespace {

// The replace_reply fault: a tasks answer whose agent reply (every text part of the artifacts
// and of the status message) is `text`; an error answer is left as it is.
void replace_reply_text(reply& r, const std::string& text)
{
    boost::system::error_code ec;
    json::value body = json::parse(r.message.body(), ec);
    if (ec || !body.is_object()) return;
    json::value* result = body.get_object().if_contains("result");
    if (!result || !result->is_object()) return;
    const auto replace_parts = [&](json::value* holder) {
        if (!holder || !holder->is_object()) return;
        json::value* parts = holder->get_object().if_contains("parts");
        if (!parts || !parts->is_array()) return;
        for (auto& part : parts->get_array())
            if (part.is_object() && part.get_object().contains("text"))
                part.get_object()["text"] = text;
    };
    if (json::value* artifacts = result->get_object().if_contains("artifacts");
        artifacts && artifacts->is_array())
        for (auto& artifact : artifacts->get_array()) replace_parts(&artifact);
    if (json::value* status = result->get_object().if_contains("status");
        status && status->is_object())
        replace_parts(status->get_object().if_contains("message"));
    r.message.body() = json::serialize(body);
    r.message.prepare_payload();
}

std::string_view endpoint_of(std::string_view path)
{
    if (path == "/api/oauth2/token") return "token";
    if (path == "/api/oauth/authorize") return "authorize";
    if (path == "/api/a2a/tasks/send") return "tasks";
    return "other";
}

// The prompt text of a tasks.send body, for fault matching; empty when it has none.
std::string prompt_of(const std::string& body)
{
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return {};
    const auto* params = v.get_object().if_contains("params");
    if (!params || !params->is_object()) return {};
    const auto* message = params->get_object().if_contains("message");
    if (!message || !message->is_object()) return {};
    const auto* parts = message->get_object().if_contains("parts");
    if (!parts || !parts->is_array()) return {};
    std::string text;
    for (const auto& part : parts->get_array()) {
        if (!part.is_object()) continue;
        const auto* t = part.get_object().if_contains("text");
        if (t && t->is_string()) text += std::string(t->get_string()) + "\n";
    }
    return text;
}

std::size_t field_count(const request& req)
{
    return static_cast<std::size_t>(std::distance(req.begin(), req.end()));
}

json::value request_id(const request& req)
{
    boost::system::error_code ec;
    json::value v = json::parse(req.body(), ec);
    if (!ec && v.is_object())
        if (const auto* id = v.get_object().if_contains("id");
            id && (id->is_string() || id->is_number()))
            return *id;
    return nullptr;
}

}  // namespace

std::optional<reply> service::answer_with_fault(const fault& f, const request& req,
                                                const std::string& trace)
{
    switch (f.action) {
    case fault_action::status: {
        reply r{error_response(static_cast<http::status>(f.status), "injected_fault",
                               "Injected fault: the service is unavailable", now(), trace)};
        if (f.retry_after_s)
            r.message.set(http::field::retry_after, std::to_string(*f.retry_after_s));
        if (f.retry_after_text) r.message.set(http::field::retry_after, *f.retry_after_text);
        return r;
    }
    case fault_action::reset_before_read:
        return reply{response{}, transport_action::reset};
    case fault_action::stall:
        return reply{response{}, transport_action::stall};
    case fault_action::jsonrpc_error:
        return reply{json_response(
            http::status::ok, json::object{{"jsonrpc", "2.0"},
                                           {"id", request_id(req)},
                                           {"result", nullptr},
                                           {"error", json::object{{"code", f.code},
                                                                  {"message", "Internal error"},
                                                                  {"data", nullptr}}}})};
    case fault_action::huge_body: {
        // Valid JSON of exactly `size` bytes: {"padding":"xxx…"}.
        std::string body = "{\"padding\":\"";
        std::size_t size = static_cast<std::size_t>(f.size);
        body.append(size - body.size() - 2, 'x');
        body += "\"}";
        response res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = std::move(body);
        res.prepare_payload();
        return reply{std::move(res)};
    }
    case fault_action::expire_tokens:
    case fault_action::revoke_tokens:
        apply_pre_fault(f);
        break;
    default:
        break;
    }
    return std::nullopt;
}

void service::apply_post_fault(const fault& f, reply& r)
{
    switch (f.action) {
    case fault_action::delay:
        r.action = transport_action::delay;
        r.delay = std::chrono::milliseconds(f.delay_ms);
        break;
    case fault_action::reset_after_read:
        r.action = transport_action::reset;
        break;
    case fault_action::truncate:
        r.action = transport_action::truncate;
        break;
    case fault_action::replace_reply:
        replace_reply_text(r, f.text);
        break;
    case fault_action::malformed_json: {
        std::string& body = r.message.body();
        body = body.substr(0, body.size() / 2) + "<!-- upstream error";
        r.message.set(http::field::content_type, "application/json");
        r.message.prepare_payload();
        break;
    }
    case fault_action::forge_task_id:
    case fault_action::error_and_result:
    case fault_action::forge_token:
        forge_answer(f, r);
        break;
    default:
        break;
    }
}

reply service::handle_api(const request& req)
{
    const time_point arrival = now();
    std::optional<fault> applied;
    reply r = route_api(req, applied);
    if (endpoint_of(detail::split_target(req.target()).first) == "tasks")
        log_tasks_request(req, arrival, applied, r);
    return r;
}

std::optional<std::string> service::authenticated_client(const request& req) const
{
    auto token_value = req["x-payman-access-token"];
    if (token_value.empty()) return std::nullopt;
    auto it = state_.tokens.find(std::string(token_value));
    if (it == state_.tokens.end() || it->second.kind != token_kind::access || it->second.revoked ||
        it->second.expires_at <= now())
        return std::nullopt;
    if (!config_.find_client(it->second.client_id)) return std::nullopt;
    return it->second.client_id;
}

void service::log_tasks_request(const request& req, time_point arrival,
                                const std::optional<fault>& applied, const reply& answer)
{
    logged_request entry = describe_tasks_body(req.body());
    entry.time = arrival;
    // Read after the request was handled: an expire_tokens or revoke_tokens fault has made
    // its token invalid, and the request was answered as unauthenticated.
    entry.client_id = authenticated_client(req);
    if (applied) entry.fault = std::string(to_string(applied->action));
    if (answer.action != transport_action::reset && answer.action != transport_action::stall)
        entry.status = static_cast<int>(answer.message.result_int());
    requests_.append(std::move(entry));
}

reply service::route_api(const request& req, std::optional<fault>& f)
{
    auto [path, query] = detail::split_target(req.target());
    std::string_view endpoint = endpoint_of(path);
    if (endpoint == "token")
        ++stats_.token;
    else if (endpoint == "tasks")
        ++stats_.tasks_send;
    else if (endpoint == "authorize")
        ++stats_.authorize;
    else
        ++stats_.other;

    std::string trace = fmt::format("trc-{:016x}", ++trace_counter_);
    if (field_count(req) > config_.limits.max_header_count) {
        reply r{error_response(http::status::request_header_fields_too_large, "invalid_request",
                               "Too many header fields", now(), trace)};
        r.message.keep_alive(false);
        return r;
    }

    if (!faults_.empty() && endpoint != "other") {
        std::string family;
        if (endpoint == "tasks") family = agent::family_of(prompt_of(req.body()));
        f = faults_.take(endpoint, family);
    }
    if (f) {
        if (auto injected = answer_with_fault(*f, req, trace)) return std::move(*injected);
    }

    reply r;
    if (endpoint == "token")
        r = token_endpoint(req);
    else if (endpoint == "authorize")
        r = authorize_endpoint(req);
    else if (endpoint == "tasks")
        r = tasks_endpoint(req);
    else
        r = reply{
            error_response(http::status::not_found, "not_found", "No such endpoint", now(), trace)};
    if (f) apply_post_fault(*f, r);
    return r;
}

void service::forge_answer(const fault& f, reply& r)
{
    boost::system::error_code ec;
    json::value v = json::parse(r.message.body(), ec);
    if (ec || !v.is_object()) return;  // an error answer: nothing to forge
    auto& o = v.get_object();
    if (f.action == fault_action::forge_token) {
        const char* key = o.contains("access_token") ? "access_token" : "accessToken";
        if (!o.contains(key)) return;
        o[key] = f.size > 0 ? std::string(static_cast<std::size_t>(f.size), 'A') : f.text;
    } else {
        auto* result = o.if_contains("result");
        if (!result || !result->is_object()) return;
        auto& ro = result->get_object();
        if (f.action == fault_action::forge_task_id)
            ro["id"] = std::string(static_cast<std::size_t>(f.size), 'T');
        if (f.action == fault_action::error_and_result)
            o["error"] =
                json::object{{"code", f.code}, {"message", "Internal error"}, {"data", nullptr}};
    }
    r.message.body() = json::serialize(v);
    r.message.prepare_payload();
}

namespace {

// A tasks/send call as read from its JSON-RPC body.
struct tasks_call {
    json::value id;
    std::string task_id;
    std::string session;
    std::string text;
    std::optional<std::string> idempotency_key;
};

// Why a body is not a tasks/send call: the JSON-RPC error to answer with.
struct rpc_failure {
    json::value id;
    int code = 0;
    std::string message;
};

reply rpc_error_reply(const rpc_failure& f)
{
    return reply{json_response(
        http::status::ok,
        json::object{
            {"jsonrpc", "2.0"},
            {"id", f.id},
            {"result", nullptr},
            {"error", json::object{{"code", f.code}, {"message", f.message}, {"data", nullptr}}}})};
}

// Invalid parameters of tasks/send, answered as JSON-RPC error -32602 with the message.
core::error invalid_task_params(std::string message)
{
    return {.code = make_error_code(boost::system::errc::invalid_argument),
            .message = std::move(message)};
}

// The message's text parts joined by newlines (it must have one), or why not.
core::result<std::string> read_message_text(const json::object& params)
{
    auto why = [](std::string_view w) { return invalid_task_params(std::string(w)); };
    const json::value* message = params.if_contains("message");
    if (!message || !message->is_object()) return why("params.message must be an object");
    const json::value* role = message->get_object().if_contains("role");
    if (!role || !role->is_string() || role->get_string() != "user")
        return why("message.role must be \"user\"");
    const json::value* parts = message->get_object().if_contains("parts");
    if (!parts || !parts->is_array() || parts->get_array().empty())
        return why("message.parts must be a non-empty array");
    std::string text;
    for (const auto& part : parts->get_array()) {
        if (!part.is_object()) return why("each message part must be an object");
        const json::value* part_type = part.get_object().if_contains("type");
        if (!part_type || !part_type->is_string()) return why("each part needs a type");
        if (part_type->get_string() != "text") continue;
        const json::value* part_text = part.get_object().if_contains("text");
        if (!part_text || !part_text->is_string()) return why("a text part needs text");
        if (!text.empty()) text += "\n";
        text += part_text->get_string();
    }
    if (text.empty()) return why("the message has no text part");
    if (const json::value* m = message->get_object().if_contains("metadata");
        m && !m->is_null() && !m->is_object())
        return why("message.metadata must be an object or null");
    return text;
}

// params: the task id, the session (made up when none is given), the text and the idempotency
// key into `call`; an error saying why they are invalid.
core::result<void> read_task_params(const json::object& params, tasks_call& call)
{
    const json::value* task_id = params.if_contains("id");
    if (!task_id || !task_id->is_string() || task_id->get_string().empty() ||
        task_id->get_string().size() > 200)
        return invalid_task_params("params.id must be a non-empty string");
    call.task_id = std::string(task_id->get_string());
    for (const json::value* s :
         {params.if_contains("sessionId"), params.if_contains("session_id")}) {
        if (!s || s->is_null()) continue;
        if (!s->is_string() || s->get_string().empty() || s->get_string().size() > 200)
            return invalid_task_params("sessionId must be a non-empty string");
        if (!call.session.empty() && call.session != s->get_string())
            return invalid_task_params("sessionId and session_id disagree");
        call.session = std::string(s->get_string());
    }
    if (call.session.empty()) call.session = "ses-" + detail::random_hex(16);
    auto text = read_message_text(params);
    if (!text) return text.error();
    call.text = std::move(*text);
    if (const json::value* meta = params.if_contains("metadata"); meta && !meta->is_null()) {
        if (!meta->is_object())
            return invalid_task_params("params.metadata must be an object or null");
        for (std::string_view key : {"idempotencyKey", "idempotency_key"}) {
            const json::value* k = meta->get_object().if_contains(key);
            if (!k || k->is_null()) continue;
            if (!k->is_string() || k->get_string().empty() || k->get_string().size() > 200)
                return invalid_task_params(
                    "the idempotency key must be a non-empty string of at most 200 "
                    "characters");
            if (call.idempotency_key && *call.idempotency_key != k->get_string())
                return invalid_task_params("idempotencyKey and idempotency_key disagree");
            call.idempotency_key = std::string(k->get_string());
        }
    }
    return {};
}

// The request parser of tasks/send: the JSON-RPC envelope, then its params.
std::variant<tasks_call, rpc_failure> read_tasks_call(std::string_view body_text)
{
    auto fail = [](json::value id, int code, std::string message) {
        return rpc_failure{std::move(id), code, std::move(message)};
    };
    boost::system::error_code ec;
    json::value body = json::parse(body_text, ec);
    if (ec) return fail(nullptr, -32700, "Parse error");
    if (!body.is_object()) return fail(nullptr, -32600, "Invalid Request");
    const json::object& rpc = body.get_object();
    const json::value* id = rpc.if_contains("id");
    if (!id || !(id->is_string() || id->is_int64() || id->is_uint64()))
        return fail(nullptr, -32600, "Invalid Request: id must be a string or an integer");
    const json::value* version = rpc.if_contains("jsonrpc");
    if (!version || !version->is_string() || version->get_string() != "2.0")
        return fail(*id, -32600, "Invalid Request: jsonrpc must be \"2.0\"");
    const json::value* method = rpc.if_contains("method");
    if (!method || !method->is_string())
        return fail(*id, -32600, "Invalid Request: method must be a string");
    if (method->get_string() != "tasks.send" && method->get_string() != "tasks/send")
        return fail(*id, -32601, "Method not found");
    for (const auto& entry : rpc)
        if (entry.key() != "jsonrpc" && entry.key() != "id" && entry.key() != "method" &&
            entry.key() != "params")
            return fail(*id, -32600, "Invalid Request: unknown member");

    const json::value* params = rpc.if_contains("params");
    tasks_call call{.id = *id};
    auto read = !params || !params->is_object()
                    ? core::result<void>(invalid_task_params("params must be an object"))
                    : read_task_params(params->get_object(), call);
    if (!read)
        return fail(*id, -32602, fmt::format("Invalid parameters: {}", read.error().message));
    return call;
}

// The task object of a tasks/send answer.
json::object task_result(const sandbox_config& config, const tasks_call& call,
                         const agent_answer& answer, time_point t)
{
    json::object text_part{{"type", "text"}, {"text", answer.text}};
    json::value status_message = nullptr;
    if (answer.state == "input-required")
        status_message = json::object{{"role", "agent"}, {"parts", json::array{text_part}}};
    return json::object{
        {"id", call.task_id},
        {"sessionId", call.session},
        {"status", json::object{{"state", answer.state},
                                {"message", status_message},
                                {"timestamp", format_time(t)}}},
        {"artifacts", json::array{json::object{{"name", "response"},
                                               {"description", "AI Assistant Response"},
                                               {"parts", json::array{text_part}},
                                               {"metadata", json::object{}}}}},
        {"metadata", json::object{{"timestamp", format_time(t)},
                                  {"agentId", config.agent_id},
                                  {"orgId", config.org_id}}}};
}

}  // namespace

reply service::tasks_endpoint(const request& req)
{
    std::string trace = fmt::format("trc-{:016x}", ++trace_counter_);
    time_point t = now();
    auto fail = [&](http::status status, std::string_view code, std::string_view message) {
        return reply{error_response(status, code, message, t, trace)};
    };
    if (req.method() != http::verb::post) {
        auto r = fail(http::status::method_not_allowed, "method_not_allowed",
                      "tasks/send accepts POST only");
        r.message.set(http::field::allow, "POST");
        return r;
    }
    auto token_value = req["x-payman-access-token"];
    if (token_value.empty())
        return fail(http::status::unauthorized, "not_authorized",
                    "Missing x-payman-access-token header");
    auto it = state_.tokens.find(std::string(token_value));
    if (it == state_.tokens.end() || it->second.kind != token_kind::access || it->second.revoked)
        return fail(http::status::unauthorized, "not_authorized", "Invalid access token");
    if (it->second.expires_at <= t)
        return fail(http::status::unauthorized, "token_expired", "Access token has expired");
    const client_config* client = config_.find_client(it->second.client_id);
    if (!client) return fail(http::status::unauthorized, "not_authorized", "Invalid access token");
    const std::vector<std::string> scopes = it->second.scopes;

    auto type = req[http::field::content_type];
    if (type.substr(0, type.find(';')) != "application/json")
        return fail(http::status::unsupported_media_type, "unsupported_media_type",
                    "Content-Type must be application/json");

    auto read = read_tasks_call(req.body());
    if (const auto* failure = std::get_if<rpc_failure>(&read)) return rpc_error_reply(*failure);
    const auto& call = std::get<tasks_call>(read);

    agent_request request{call.text, client, &scopes, call.task_id, call.idempotency_key, t};
    agent_answer answer = agent_.answer(state_, request);
    if (!answer.missing_scope.empty() && client->denial == scope_denial::http)
        return fail(http::status::forbidden, "insufficient_scope",
                    fmt::format("The access token lacks the scope {}", answer.missing_scope));
    if (answer.changed) changed();
    return reply{json_response(http::status::ok,
                               json::object{{"jsonrpc", "2.0"},
                                            {"id", call.id},
                                            {"result", task_result(config_, call, answer, t)},
                                            {"error", nullptr}})};
}

reply service::admin_ledger()
{
    json::array transactions;
    for (const auto& t : state_.transactions) {
        transactions.push_back(json::object{
            {"seq", t.seq},
            {"time", format_time(t.time)},
            {"client_id", t.client_id},
            {"wallet", t.wallet},
            {"payee", t.payee},
            {"amount", format_plain(t.amount)},
            {"currency", t.currency},
            {"memo", t.memo},
            {"idempotency_key", t.idempotency_key ? json::value(*t.idempotency_key) : nullptr},
            {"task_id", t.task_id}});
    }
    json::array wallets;
    for (const auto& w : state_.wallets)
        wallets.push_back(json::object{{"name", w.name},
                                       {"currency", w.currency},
                                       {"balance", format_plain(w.balance)},
                                       {"paytag", w.paytag}});
    json::array payees;
    for (const auto& p : state_.payees)
        payees.push_back(json::object{{"name", p.name}, {"email", p.email}, {"type", p.type}});
    return reply{
        json_response(http::status::ok, json::object{{"transactions", std::move(transactions)},
                                                     {"wallets", std::move(wallets)},
                                                     {"payees", std::move(payees)}})};
}

reply service::admin_stats()
{
    return reply{json_response(
        http::status::ok, json::object{{"connections", stats_.connections},
                                       {"requests", json::object{{"token", stats_.token},
                                                                 {"tasks_send", stats_.tasks_send},
                                                                 {"authorize", stats_.authorize},
                                                                 {"other", stats_.other}}},
                                       {"tokens_issued", stats_.tokens_issued}})};
}

reply service::admin_requests(std::string_view query)
{
    std::int64_t after = 0;
    if (!query.empty()) {
        auto form = detail::parse_form(query);
        bool valid = form && form->size() == 1 && form->front().first == "after";
        if (valid) {
            const std::string& value = form->front().second;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), after);
            valid = ec == std::errc{} && end == value.data() + value.size() && after >= 0;
        }
        if (!valid)
            return reply{json_response(
                http::status::bad_request,
                json::object{{"error", "the only parameter is after=N (a sequence number)"}})};
    }
    return reply{json_response(http::status::ok, requests_.to_json(after))};
}

reply service::handle_admin(const request& req)
{
    auto admin_error = [](http::status status, std::string_view message) {
        return reply{json_response(status, json::object{{"error", message}})};
    };
    auto path = detail::split_target(req.target()).first;
    auto method = req.method();
    if (field_count(req) > config_.limits.max_header_count)
        return admin_error(http::status::request_header_fields_too_large, "too many header fields");
    if (path == "/admin/ledger" && method == http::verb::get) return admin_ledger();
    if (path == "/admin/stats" && method == http::verb::get) return admin_stats();
    if (path == "/admin/requests" && method == http::verb::get)
        return admin_requests(detail::split_target(req.target()).second);
    if (path == "/admin/reset" && method == http::verb::post) {
        reset();
        return reply{json_response(http::status::ok, json::object{{"reset", true}})};
    }
    if (path == "/admin/faults") {
        if (method == http::verb::get)
            return reply{
                json_response(http::status::ok, json::object{{"faults", faults_.to_json()}})};
        if (method == http::verb::delete_) {
            faults_.clear();
            return reply{json_response(http::status::ok, json::object{{"cleared", true}})};
        }
        if (method == http::verb::post) {
            boost::system::error_code ec;
            json::value spec = json::parse(req.body(), ec);
            if (ec) return admin_error(http::status::bad_request, "the body must be JSON");
            auto id = faults_.add(spec);
            if (!id) return admin_error(http::status::bad_request, id.error().message);
            return reply{json_response(http::status::ok, json::object{{"id", *id}})};
        }
    }
    if (path == "/admin/ledger" || path == "/admin/stats" || path == "/admin/reset" ||
        path == "/admin/faults" || path == "/admin/requests")
        return admin_error(http::status::method_not_allowed, "method not allowed");
    return admin_error(http::status::not_found, "no such admin endpoint");
}

std::string service::handle_bytes(std::string_view raw, bool admin)
{
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.limits.max_header_bytes));
    parser.body_limit(config_.limits.max_body_bytes);
    parser.eager(true);
    boost::system::error_code ec;
    boost::asio::const_buffer buffer(raw.data(), raw.size());
    while (buffer.size() > 0 && !parser.is_done()) {
        std::size_t used = parser.put(buffer, ec);
        if (ec == http::error::need_more) {
            ec = {};
            break;
        }
        if (ec) break;
        buffer += used;
        if (used == 0) break;
    }
    response res;
    if (ec || !parser.is_done()) {
        res = error_response(http::status::bad_request, "invalid_request", "Malformed HTTP request",
                             now(), "trc-bytes");
    } else {
        reply r = admin ? handle_admin(parser.get()) : handle_api(parser.get());
        res = std::move(r.message);
    }
    std::ostringstream out;
    out << res;
    return out.str();
}

}  // namespace paymand::sandbox
