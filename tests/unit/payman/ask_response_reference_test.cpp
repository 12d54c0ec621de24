// parse_ask_response reads the answer in one pass, keeping only the members its result is made
// of. These tests hold it to what reading the whole answer as a Boost.JSON tree and looking the
// members up said (the reference below, the former implementation), on every answer of a
// generator that mixes well-formed members with missing, repeated, reordered and wrongly typed
// ones, escaped and long strings, deep nesting and cut or corrupted bodies.

#include "paymand/payman/protocol.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

// A namespace of its own: the unit tests are compiled as one unity source.
namespace paymand::payman::ask_response_reference {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

const auto now = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1};

// --- the reference: the answer as a tree ------------------------------------------------------

std::string malformed(std::string_view what)
{
    return fmt::format("malformed: the response could not be read ({}); the ask may have been "
                       "carried out",
                       what);
}

const json::string* string_field(const json::object& o, std::string_view camel,
                                 std::string_view snake = {})
{
    if (auto* v = o.if_contains(camel); v && v->is_string()) return &v->get_string();
    if (!snake.empty())
        if (auto* v = o.if_contains(snake); v && v->is_string()) return &v->get_string();
    return nullptr;
}

bool bounded_id(std::string_view id)
{
    return !id.empty() && id.size() <= max_task_id_size &&
           std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string parts_text(const json::value* parts)
{
    std::string out;
    if (!parts || !parts->is_array()) return out;
    for (const auto& p : parts->get_array()) {
        if (!p.is_object()) continue;
        const auto* type = string_field(p.get_object(), "type");
        if (type && *type != "text") continue;
        if (const auto* t = string_field(p.get_object(), "text")) {
            if (!out.empty()) out.push_back('\n');
            out += std::string_view(*t);
        }
    }
    return out;
}

std::string reference_error(const json::object& o)
{
    if (const auto* result = o.if_contains("result"); result && !result->is_null())
        return malformed("it holds both an error and a result");
    const auto& err = o.at("error");
    if (!err.is_object()) return malformed("\"error\" is not an object");
    const auto* code = err.get_object().if_contains("code");
    if (!code || !code->is_int64()) return malformed("the error has no integer code");
    std::string diagnostics;
    if (const auto* msg = string_field(err.get_object(), "message"))
        diagnostics = sanitize_diagnostics(*msg);
    return fmt::format("rpc {}: {}", code->get_int64(), diagnostics);
}

std::string reference_status(const json::object& r, std::string& out)
{
    const auto* task_id = string_field(r, "id");
    if (!task_id) return malformed("the result has no task id");
    if (!bounded_id(*task_id))
        return malformed(fmt::format("the task id is not 1-{} printable ASCII bytes ({} bytes)",
                                     max_task_id_size, task_id->size()));
    out += fmt::format("ok task={}", std::string_view(*task_id));
    if (const auto* session = string_field(r, "sessionId", "session_id")) {
        if (!bounded_id(*session))
            return malformed(
                fmt::format("the session id is not 1-{} printable ASCII bytes", max_task_id_size));
        out += fmt::format(" session={}", std::string_view(*session));
    }
    const auto* status = r.if_contains("status");
    if (!status || !status->is_object()) return malformed("the result has no status");
    const auto& so = status->get_object();
    const auto* state = string_field(so, "state");
    if (!state) return malformed("the status has no state");
    std::string message;
    if (const auto* m = so.if_contains("message"); m && !m->is_null()) {
        if (m->is_string())
            message = m->get_string();
        else if (m->is_object())
            message = parts_text(m->get_object().if_contains("parts"));
        else
            return malformed("the status message is neither text nor a message");
    }
    if (message.size() > max_status_message_size)
        return malformed(
            fmt::format("the status message is over {} bytes", max_status_message_size));
    const auto* ts = string_field(so, "timestamp");
    out += fmt::format(" state={}/{} message={} timestamp={}", sanitize_diagnostics(*state),
                       to_string(parse_task_state(*state)), message,
                       ts ? sanitize_diagnostics(*ts) : "");
    return {};
}

std::string reference(std::string_view body, std::string_view request_id)
{
    boost::system::error_code ec;
    const json::value parsed = json::parse(body, ec);
    if (ec) return malformed("the body is not JSON");
    if (!parsed.is_object()) return malformed("the body is not a JSON object");
    const auto& o = parsed.get_object();
    if (const auto* id = o.if_contains("id"); id && !id->is_null()) {
        if (!id->is_string() || id->get_string() != request_id)
            return malformed("it answers another request id");
    }
    if (const auto* err = o.if_contains("error"); err && !err->is_null()) return reference_error(o);
    const auto* result = o.if_contains("result");
    if (!result || !result->is_object()) return malformed("no result");
    const auto& r = result->get_object();
    std::string out;
    if (auto e = reference_status(r, out); !e.empty()) return e;
    if (const auto* artifacts = r.if_contains("artifacts"); artifacts && !artifacts->is_null()) {
        if (!artifacts->is_array()) return malformed("\"artifacts\" is not an array");
        for (const auto& a : artifacts->get_array()) {
            if (!a.is_object()) return malformed("an artifact is not an object");
            const auto& ao = a.get_object();
            const auto* name = string_field(ao, "name");
            const auto* description = string_field(ao, "description");
            out += fmt::format(" artifact[{}|{}|{}]", name ? std::string_view(*name) : "",
                               description ? std::string_view(*description) : "",
                               parts_text(ao.if_contains("parts")));
        }
    }
    return out;
}

// --- the same description of what parse_ask_response said --------------------------------------

std::string describe(std::string_view body, std::string_view request_id)
{
    net::response res{http::status::ok, 11};
    res.body() = std::string(body);
    auto r = parse_ask_response(res, request_id, now);
    if (!r) {
        const auto& e = r.error();
        if (e.code == payman_errc::malformed_response) return "malformed: " + e.message;
        EXPECT_EQ(e.code, payman_errc::jsonrpc_error);
        return fmt::format("rpc {}: {}", e.rpc_code.value_or(-999), e.diagnostics);
    }
    EXPECT_EQ(r->raw, body);
    EXPECT_EQ(r->request_id, request_id);
    std::string out = fmt::format("ok task={}", r->task_id);
    if (!r->session_id.empty()) out += fmt::format(" session={}", r->session_id);
    out += fmt::format(" state={}/{} message={} timestamp={}", r->state_text, to_string(r->state),
                       r->status_message, r->status_timestamp);
    for (const auto& a : r->artifacts)
        out += fmt::format(" artifact[{}|{}|{}]", a.name, a.description, a.text);
    return out;
}

// --- answers, well-formed and not ---------------------------------------------------------------

class answer_generator {
public:
    explicit answer_generator(unsigned seed) : rng_(seed) {}

    std::string answer()
    {
        // Half the answers mostly well-formed, so that the result is reached and read.
        wild_ = chance(50) ? 3 : 15;
        std::string body = chance(4) ? any() : document();
        if (chance(4)) body.resize(pick(static_cast<int>(body.size()) + 1));
        if (chance(3) && !body.empty())
            body[pick(static_cast<int>(body.size()))] = "{}[],:\"\\x \x01\xff"[pick(13)];
        return body;
    }

private:
    using member = std::pair<std::string, std::string>;

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    bool chance(int percent) { return pick(100) < percent; }

    static std::string quoted(std::string_view s) { return json::serialize(json::string_view(s)); }

    // Any value at all, sometimes nested deeper than the parser allows.
    std::string any(int depth = 0)
    {
        switch (pick(depth > 40 ? 8 : 12)) {
        case 0:
            return "null";
        case 1:
            return "true";
        case 2:
            return std::to_string(pick(7) - 3);
        case 3:
            return "1.5";
        case 4:
            return "18446744073709551615";
        case 5:
            return "-9223372036854775808";
        case 6:
            return quoted(text());
        case 7:
            return "2e3";
        case 8:
            return "[" + any(depth + 1) + "," + any(depth + 1) + "]";
        case 9:
            return "{\"id\":" + any(depth + 1) + ",\"text\":" + any(depth + 1) + "}";
        case 10:
            return "{\"parts\":[" + any(depth + 1) + "]}";
        default: {
            std::string deep = any(depth + 1);
            for (int i = chance(20) ? pick(40) : 0; i > 0; --i) deep = "[" + deep + "]";
            return deep;
        }
        }
    }

    std::string text()
    {
        static const std::vector<std::string> words{"",
                                                    "text",
                                                    "data",
                                                    "completed",
                                                    "Input-Required",
                                                    "failed",
                                                    "exploded",
                                                    "req-1",
                                                    "req-2",
                                                    "tsk-1",
                                                    "ses-1",
                                                    "t sk",
                                                    "caf\xc3\xa9",
                                                    "a\"b\\c",
                                                    "line\nnext\tend",
                                                    "\x1b[31m",
                                                    "2026-12-01T08:00:01.532Z",
                                                    "Payment successful. 1.00 TSD was sent."};
        switch (pick(20)) {
        case 0:
            return std::string(static_cast<std::size_t>(250 + pick(10)), 'T');
        case 1:
            return std::string(5000 + static_cast<std::size_t>(pick(3)), '"');
        case 2:
            return std::string(max_status_message_size + pick(3) - 1, 'm');
        default:
            return words[static_cast<std::size_t>(pick(static_cast<int>(words.size())))];
        }
    }

    // An object of these members, each kept mostly, sometimes repeated with another value,
    // in shuffled order, with members nobody reads among them.
    std::string object(std::vector<member> members)
    {
        std::vector<member> chosen;
        for (auto& m : members) {
            if (chance(wild_)) continue;
            chosen.push_back(m);
            if (chance(wild_ / 2 + 1)) chosen.push_back({m.first, chance(50) ? any() : m.second});
        }
        if (chance(30)) chosen.push_back({"extra", any()});
        if (chance(30)) std::shuffle(chosen.begin(), chosen.end(), rng_);
        std::string out = "{";
        for (const auto& [key, value] : chosen) {
            if (out.size() > 1) out += ",";
            out += quoted(key) + ":" + value;
        }
        return out + "}";
    }

    // The right form most of the time, any other now and then.
    std::string or_any(std::string right) { return chance(wild_) ? any() : right; }

    std::string array_of(int most, std::string (answer_generator::*element)())
    {
        std::string out = "[";
        for (int i = pick(most + 1); i > 0; --i) {
            if (out.size() > 1) out += ",";
            out += (this->*element)();
        }
        return out + "]";
    }

    std::string string_value() { return or_any(quoted(text())); }

    std::string part()
    {
        return or_any(object(
            {{"type", or_any(quoted(chance(70) ? "text" : text()))}, {"text", string_value()}}));
    }

    std::string parts() { return or_any(array_of(3, &answer_generator::part)); }

    std::string artifact()
    {
        return or_any(object({{"name", string_value()},
                              {"description", string_value()},
                              {"parts", parts()},
                              {"metadata", "{}"}}));
    }

    std::string message()
    {
        switch (pick(4)) {
        case 0:
            return "null";
        case 1:
            return quoted(text());
        case 2:
            return object({{"role", "\"agent\""}, {"parts", parts()}});
        default:
            return any();
        }
    }

    std::string status()
    {
        return or_any(object(
            {{"state", string_value()}, {"message", message()}, {"timestamp", string_value()}}));
    }

    std::string result()
    {
        return or_any(object(
            {{"id", or_any(quoted(chance(70) ? "tsk-1" : text()))},
             {"sessionId", or_any(quoted(chance(80) ? "ses-1" : text()))},
             {"session_id", or_any(quoted(chance(80) ? "ses-2" : text()))},
             {"status", status()},
             {"artifacts", chance(20) ? "null" : or_any(array_of(3, &answer_generator::artifact))},
             {"metadata", "{\"agentId\":\"ai-1\"}"}}));
    }

    std::string error()
    {
        return chance(80) ? "null"
                          : or_any(object({{"code", or_any(std::to_string(pick(70000) - 35000))},
                                           {"message", string_value()},
                                           {"data", any()}}));
    }

    std::string document()
    {
        return object({{"jsonrpc", "\"2.0\""},
                       {"id", or_any(quoted(chance(95) ? "req-1" : text()))},
                       {"result", result()},
                       {"error", error()}});
    }

    std::mt19937 rng_;
    int wild_ = 15;  // per cent of members left out or of another form
};

TEST(ask_response_reference, says_what_the_tree_says_for_every_generated_answer)
{
    answer_generator generate(20261206);
    int read = 0;
    for (int i = 0; i < 10000; ++i) {
        const std::string body = generate.answer();
        const std::string expected = reference(body, "req-1");
        if (expected.starts_with("ok")) ++read;
        ASSERT_EQ(describe(body, "req-1"), expected) << "answer " << i << ": " << body;
    }
    // The generator reaches the result, not only the early refusals.
    EXPECT_GT(read, 1500);
}

TEST(ask_response_reference, says_what_the_tree_says_for_repeated_members)
{
    for (std::string body : {
             R"({"id":"req-1","result":{"id":"t1","status":{"state":"failed"}},
                 "result":{"id":"t2","status":{"state":"completed","message":"done"}}})",
             R"({"id":"req-1","result":{"id":"t1","status":{"state":"completed","message":"x"},
                 "status":{"state":"failed"},"artifacts":[1],"artifacts":[{"name":"a"}]}})",
             R"({"id":"req-1","result":{"id":"t","status":{"state":"completed"},"artifacts":[
                 {"name":"a","name":5,"parts":[{"text":"one","type":"data","type":"text"}],
                  "parts":[{"type":"text","text":"two","text":"three"}]}]}})",
             R"({"id":"req-2","id":"req-1","error":{"code":1,"message":"no"},"error":null,
                 "result":{"id":"t","status":{"state":"completed"}}})",
             R"({"id":"req-1","error":{"code":5,"code":"5"}})",
         }) {
        EXPECT_EQ(describe(body, "req-1"), reference(body, "req-1")) << body;
    }
}

}  // namespace
}  // namespace paymand::payman::ask_response_reference
