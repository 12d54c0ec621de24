#include "sandbox/faults.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace paymand::sandbox {

namespace json = boost::json;

namespace {

constexpr std::array<std::pair<std::string_view, fault_action>, 15> action_names{{
    {"status", fault_action::status},
    {"delay", fault_action::delay},
    {"reset_before_read", fault_action::reset_before_read},
    {"reset_after_read", fault_action::reset_after_read},
    {"truncate", fault_action::truncate},
    {"malformed_json", fault_action::malformed_json},
    {"huge_body", fault_action::huge_body},
    {"stall", fault_action::stall},
    {"jsonrpc_error", fault_action::jsonrpc_error},
    {"expire_tokens", fault_action::expire_tokens},
    {"revoke_tokens", fault_action::revoke_tokens},
    {"forge_task_id", fault_action::forge_task_id},
    {"error_and_result", fault_action::error_and_result},
    {"forge_token", fault_action::forge_token},
    {"replace_reply", fault_action::replace_reply},
}};

constexpr std::string_view endpoints[] = {"token", "tasks", "authorize", "any"};
constexpr std::string_view kinds[] = {"balance", "payment", "payees", "transactions",
                                      "wallets", "unknown", "any"};

template <std::size_t N>
bool one_of(std::string_view value, const std::string_view (&allowed)[N])
{
    return std::find(std::begin(allowed), std::end(allowed), value) != std::end(allowed);
}

// A fault request's error: the field and its rule, answered as 400 by the admin API.
core::error fault_request_error(std::string message)
{
    return {.code = make_error_code(boost::system::errc::invalid_argument),
            .message = std::move(message)};
}

// The integer at `key`, nullopt when absent; an error when present but not in [min, max].
core::result<std::optional<std::int64_t>> integer_field(const json::object& o, std::string_view key,
                                                        std::int64_t min, std::int64_t max)
{
    auto it = o.find(key);
    if (it == o.end()) return std::optional<std::int64_t>();
    const json::value& v = it->value();
    std::optional<std::int64_t> n;
    if (v.is_int64())
        n = v.get_int64();
    else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        n = static_cast<std::int64_t>(v.get_uint64());
    if (!n || *n < min || *n > max)
        return fault_request_error(
            fmt::format("'{}' must be an integer between {} and {}", key, min, max));
    return n;
}

}  // namespace

std::string_view to_string(fault_action action)
{
    for (const auto& [name, value] : action_names)
        if (value == action) return name;
    return "status";
}

json::object fault::to_json() const
{
    json::object o{{"id", id},
                   {"endpoint", endpoint},
                   {"prompt_kind", prompt_kind},
                   {"remaining", remaining},
                   {"action", to_string(action)}};
    switch (action) {
    case fault_action::status:
        o["status"] = status;
        if (retry_after_s) o["retry_after"] = *retry_after_s;
        if (retry_after_text) o["retry_after_text"] = *retry_after_text;
        break;
    case fault_action::forge_task_id:
        o["size"] = size;
        break;
    case fault_action::forge_token:
        if (size > 0)
            o["size"] = size;
        else
            o["text"] = text;
        break;
    case fault_action::delay:
        o["delay_ms"] = delay_ms;
        break;
    case fault_action::huge_body:
        o["size"] = size;
        break;
    case fault_action::jsonrpc_error:
    case fault_action::error_and_result:
        o["code"] = code;
        break;
    case fault_action::replace_reply:
        o["text"] = text;
        break;
    default:
        break;
    }
    return o;
}

core::result<std::int64_t> fault_table::add(const json::value& spec)
{
    if (!spec.is_object()) {
        return fault_request_error("a fault must be a JSON object");
    }
    const json::object& o = spec.get_object();
    fault f;
    auto text = [&](std::string_view key, std::string& out) -> core::result<void> {
        auto it = o.find(key);
        if (it == o.end()) return {};
        if (!it->value().is_string())
            return fault_request_error(fmt::format("'{}' must be a string", key));
        out = std::string(it->value().get_string());
        return {};
    };
    std::string action;
    for (auto [key, out] : {std::pair<std::string_view, std::string*>{"endpoint", &f.endpoint},
                            {"prompt_kind", &f.prompt_kind},
                            {"action", &action}})
        if (auto read = text(key, *out); !read) return read.error();
    if (!one_of(f.endpoint, endpoints)) {
        return fault_request_error("'endpoint' must be one of token, tasks, authorize, any");
    }
    if (!one_of(f.prompt_kind, kinds)) {
        return fault_request_error(
            "'prompt_kind' must be one of balance, payment, payees, transactions, wallets, "
            "unknown, any");
    }
    if (f.prompt_kind != "any" && f.endpoint != "tasks") {
        return fault_request_error("'prompt_kind' applies only to endpoint 'tasks'");
    }
    auto named = std::find_if(action_names.begin(), action_names.end(),
                              [&](const auto& entry) { return entry.first == action; });
    if (named == action_names.end()) {
        return fault_request_error(
            "'action' must be one of status, delay, reset_before_read, reset_after_read, "
            "truncate, malformed_json, huge_body, stall, jsonrpc_error, expire_tokens, "
            "revoke_tokens, forge_task_id, error_and_result, forge_token, replace_reply");
    }
    f.action = named->second;

    // Which keys each action accepts besides the common ones.
    std::vector<std::string_view> allowed{"endpoint", "prompt_kind", "count", "action"};
    switch (f.action) {
    case fault_action::status:
        allowed.insert(allowed.end(), {"status", "retry_after", "retry_after_text"});
        break;
    case fault_action::forge_task_id:
        allowed.push_back("size");
        break;
    case fault_action::forge_token:
        allowed.insert(allowed.end(), {"text", "size"});
        break;
    case fault_action::delay:
        allowed.push_back("delay_ms");
        break;
    case fault_action::huge_body:
        allowed.push_back("size");
        break;
    case fault_action::jsonrpc_error:
    case fault_action::error_and_result:
        allowed.push_back("code");
        break;
    case fault_action::replace_reply:
        allowed.push_back("text");
        break;
    default:
        break;
    }
    for (const auto& entry : o) {
        if (std::find(allowed.begin(), allowed.end(), entry.key()) == allowed.end()) {
            return fault_request_error(fmt::format("unknown key '{}' for action '{}'",
                                                   std::string_view(entry.key()), action));
        }
    }
    if (o.find("count") != o.end()) {
        auto n = integer_field(o, "count", 1, 1'000'000);
        if (!n) return n.error();
        f.remaining = **n;
    }
    switch (f.action) {
    case fault_action::status: {
        if (o.find("status") == o.end()) {
            return fault_request_error("action 'status' needs 'status' (an HTTP status 400-599)");
        }
        auto s = integer_field(o, "status", 400, 599);
        if (!s) return s.error();
        f.status = static_cast<int>(**s);
        if (o.find("retry_after") != o.end()) {
            auto r = integer_field(o, "retry_after", 0, 86'400);
            if (!r) return r.error();
            f.retry_after_s = *r;
        }
        if (o.find("retry_after_text") != o.end()) {
            if (f.retry_after_s) {
                return fault_request_error("give 'retry_after' or 'retry_after_text', not both");
            }
            std::string value;
            if (auto read = text("retry_after_text", value); !read) return read.error();
            f.retry_after_text = std::move(value);
        }
        break;
    }
    case fault_action::forge_task_id:
    case fault_action::error_and_result: {
        if (f.endpoint != "tasks") {
            return fault_request_error(
                fmt::format("action '{}' applies only to endpoint 'tasks'", action));
        }
        if (f.action == fault_action::forge_task_id) {
            auto s = integer_field(o, "size", 1, 16LL << 20);
            if (!s) return s.error();
            if (!*s) return fault_request_error("action 'forge_task_id' needs 'size' (1-16777216)");
            f.size = **s;
        }
        if (o.find("code") != o.end()) {
            auto c = integer_field(o, "code", -32768, 32767);
            if (!c) return c.error();
            f.code = **c;
        }
        break;
    }
    case fault_action::forge_token: {
        if (f.endpoint != "token") {
            return fault_request_error("action 'forge_token' applies only to endpoint 'token'");
        }
        const bool has_text = o.find("text") != o.end();
        if (has_text == (o.find("size") != o.end())) {
            return fault_request_error(
                "action 'forge_token' needs 'text' or 'size' (1-16777216), not both");
        }
        if (has_text) {
            if (auto read = text("text", f.text); !read) return read.error();
        } else {
            auto s = integer_field(o, "size", 1, 16LL << 20);
            if (!s) return s.error();
            f.size = **s;
        }
        break;
    }
    case fault_action::delay: {
        auto d = integer_field(o, "delay_ms", 1, 600'000);
        if (!d) return d.error();
        if (!*d) return fault_request_error("action 'delay' needs 'delay_ms' (1-600000)");
        f.delay_ms = **d;
        break;
    }
    case fault_action::huge_body: {
        auto s = integer_field(o, "size", 64, 1LL << 30);
        if (!s) return s.error();
        if (!*s)
            return fault_request_error("action 'huge_body' needs 'size' in bytes (64-1073741824)");
        f.size = **s;
        break;
    }
    case fault_action::jsonrpc_error: {
        if (f.endpoint != "tasks") {
            return fault_request_error("action 'jsonrpc_error' applies only to endpoint 'tasks'");
        }
        if (o.find("code") != o.end()) {
            auto c = integer_field(o, "code", -32768, 32767);
            if (!c) return c.error();
            f.code = **c;
        }
        break;
    }
    case fault_action::replace_reply: {
        if (f.endpoint != "tasks") {
            return fault_request_error("action 'replace_reply' applies only to endpoint 'tasks'");
        }
        if (auto read = text("text", f.text); !read) return read.error();
        if (f.text.empty() || f.text.size() > 65'536) {
            return fault_request_error("action 'replace_reply' needs 'text' (1 to 65536 bytes)");
        }
        break;
    }
    default:
        break;
    }
    f.id = next_id_++;
    faults_.push_back(f);
    return f.id;
}

std::optional<fault> fault_table::take(std::string_view endpoint, std::string_view family)
{
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (it->endpoint != "any" && it->endpoint != endpoint) continue;
        if (it->prompt_kind != "any" && it->prompt_kind != family) continue;
        fault f = *it;
        if (--it->remaining <= 0) faults_.erase(it);
        return f;
    }
    return std::nullopt;
}

json::array fault_table::to_json() const
{
    json::array out;
    for (const auto& f : faults_) out.push_back(f.to_json());
    return out;
}

}  // namespace paymand::sandbox
