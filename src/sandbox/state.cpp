#include "sandbox/state.hpp"

#include <date/date.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace paymand::sandbox {

namespace json = boost::json;

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
        if (x != y) return false;
    }
    return true;
}

std::string format_time(time_point t)
{
    return date::format("%FT%TZ", t);
}

ledger_state ledger_state::from_config(const sandbox_config& config)
{
    ledger_state state;
    for (const auto& w : config.wallets)
        state.wallets.push_back({w.name, w.currency, w.balance, w.paytag});
    for (const auto& p : config.payees) state.payees.push_back({p.name, p.email, p.type});
    state.default_wallet = config.default_wallet;
    return state;
}

wallet* ledger_state::find_wallet(std::string_view name)
{
    for (auto& w : wallets)
        if (iequals(w.name, name) || iequals(w.paytag, name)) return &w;
    return nullptr;
}

const payee* ledger_state::find_payee(std::string_view name) const
{
    for (const auto& p : payees)
        if (iequals(p.name, name)) return &p;
    for (const auto& p : payees)
        if (!p.email.empty() && iequals(p.email, name)) return &p;
    return nullptr;
}

void ledger_state::prune(time_point now)
{
    // Expired tokens stay a day so that a client using one is told "expired", not "invalid".
    std::erase_if(tokens, [&](const auto& entry) {
        return entry.second.expires_at + std::chrono::hours(24) <= now;
    });
    std::erase_if(codes, [&](const auto& entry) { return entry.second.expires_at <= now; });
}

namespace {

std::int64_t millis(time_point t)
{
    return t.time_since_epoch().count();
}

json::array string_array(const std::vector<std::string>& values)
{
    json::array out;
    for (const auto& v : values) out.emplace_back(v);
    return out;
}

// A state file that is not what it must be.
core::error state_file_error(std::string message)
{
    return {.code = make_error_code(boost::system::errc::invalid_argument),
            .message = std::move(message)};
}

// The failure of a step of save_state: errno's code and the message.
core::error state_write_error(int errno_value, std::string message)
{
    return {.code = boost::system::error_code(errno_value, boost::system::system_category()),
            .message = std::move(message)};
}

// Small strict accessors: each failure names the field; `error` keeps the first.
struct field_reader {
    std::string error;

    const json::object* object(const json::value& v, std::string_view what)
    {
        if (!v.is_object()) {
            fail(what, "an object");
            return nullptr;
        }
        return &v.get_object();
    }
    std::optional<std::string> string(const json::object& o, std::string_view key)
    {
        auto it = o.find(key);
        if (it == o.end() || !it->value().is_string()) {
            fail(key, "a string");
            return std::nullopt;
        }
        return std::string(it->value().get_string());
    }
    std::optional<std::int64_t> integer(const json::object& o, std::string_view key)
    {
        auto it = o.find(key);
        if (it == o.end() || !it->value().is_int64()) {
            fail(key, "an integer");
            return std::nullopt;
        }
        return it->value().get_int64();
    }
    const json::array* array(const json::object& o, std::string_view key)
    {
        auto it = o.find(key);
        if (it == o.end() || !it->value().is_array()) {
            fail(key, "an array");
            return nullptr;
        }
        return &it->value().get_array();
    }
    std::optional<std::vector<std::string>> strings(const json::object& o, std::string_view key)
    {
        auto* a = array(o, key);
        if (!a) return std::nullopt;
        std::vector<std::string> out;
        for (const auto& v : *a) {
            if (!v.is_string()) {
                fail(key, "an array of strings");
                return std::nullopt;
            }
            out.emplace_back(v.get_string());
        }
        return out;
    }
    void fail(std::string_view key, std::string_view expected)
    {
        if (error.empty())
            error = "field '" + std::string(key) + "' must be " + std::string(expected);
    }
};

}  // namespace

json::object to_json(const ledger_state& state)
{
    json::object out;
    out["version"] = 1;
    out["next_seq"] = state.next_seq;
    json::array wallets;
    for (const auto& w : state.wallets)
        wallets.push_back(json::object{{"name", w.name},
                                       {"currency", w.currency},
                                       {"balance", w.balance},
                                       {"paytag", w.paytag}});
    out["wallets"] = std::move(wallets);
    json::array payees;
    for (const auto& p : state.payees)
        payees.push_back(json::object{{"name", p.name}, {"email", p.email}, {"type", p.type}});
    out["payees"] = std::move(payees);
    json::array transactions;
    for (const auto& t : state.transactions) {
        json::object o{
            {"seq", t.seq},           {"time", millis(t.time)}, {"client_id", t.client_id},
            {"wallet", t.wallet},     {"payee", t.payee},       {"amount", t.amount},
            {"currency", t.currency}, {"memo", t.memo},         {"task_id", t.task_id}};
        if (t.idempotency_key) o["idempotency_key"] = *t.idempotency_key;
        transactions.push_back(std::move(o));
    }
    out["transactions"] = std::move(transactions);
    json::array tokens;
    for (const auto& [value, t] : state.tokens)
        tokens.push_back(json::object{{"token", value},
                                      {"kind", t.kind == token_kind::access ? "access" : "refresh"},
                                      {"client_id", t.client_id},
                                      {"scopes", string_array(t.scopes)},
                                      {"expires_at", millis(t.expires_at)},
                                      {"revoked", t.revoked}});
    out["tokens"] = std::move(tokens);
    json::array codes;
    for (const auto& [value, c] : state.codes) {
        json::object code{{"code", value},
                          {"client_id", c.client_id},
                          {"redirect_uri", c.redirect_uri},
                          {"scopes", string_array(c.scopes)},
                          {"expires_at", millis(c.expires_at)}};
        if (!c.code_challenge.empty()) code["code_challenge"] = c.code_challenge;
        codes.push_back(std::move(code));
    }
    out["codes"] = std::move(codes);
    json::array answers;
    for (const auto& [key, a] : state.answers)
        answers.push_back(json::object{{"key", key}, {"state", a.state}, {"text", a.text}});
    out["answers"] = std::move(answers);
    return out;
}

core::result<ledger_state> state_from_json(const json::value& value)
{
    field_reader r;
    ledger_state state;
    auto* root = r.object(value, "state");
    if (!root) return state_file_error(r.error);
    auto version = r.integer(*root, "version");
    if (version && *version != 1)
        return state_file_error("unsupported state version " + std::to_string(*version));
    if (auto n = r.integer(*root, "next_seq")) state.next_seq = *n;
    auto ms = [](std::int64_t v) { return time_point{std::chrono::milliseconds{v}}; };
    if (auto* a = r.array(*root, "wallets"))
        for (const auto& v : *a)
            if (auto* o = r.object(v, "wallet")) {
                wallet w;
                if (auto s = r.string(*o, "name")) w.name = *s;
                if (auto s = r.string(*o, "currency")) w.currency = *s;
                if (auto n = r.integer(*o, "balance")) w.balance = *n;
                if (auto s = r.string(*o, "paytag")) w.paytag = *s;
                state.wallets.push_back(std::move(w));
            }
    if (auto* a = r.array(*root, "payees"))
        for (const auto& v : *a)
            if (auto* o = r.object(v, "payee")) {
                payee p;
                if (auto s = r.string(*o, "name")) p.name = *s;
                if (auto s = r.string(*o, "email")) p.email = *s;
                if (auto s = r.string(*o, "type")) p.type = *s;
                state.payees.push_back(std::move(p));
            }
    if (auto* a = r.array(*root, "transactions"))
        for (const auto& v : *a)
            if (auto* o = r.object(v, "transaction")) {
                transaction t;
                if (auto n = r.integer(*o, "seq")) t.seq = *n;
                if (auto n = r.integer(*o, "time")) t.time = ms(*n);
                if (auto s = r.string(*o, "client_id")) t.client_id = *s;
                if (auto s = r.string(*o, "wallet")) t.wallet = *s;
                if (auto s = r.string(*o, "payee")) t.payee = *s;
                if (auto n = r.integer(*o, "amount")) t.amount = *n;
                if (auto s = r.string(*o, "currency")) t.currency = *s;
                if (auto s = r.string(*o, "memo")) t.memo = *s;
                if (auto s = r.string(*o, "task_id")) t.task_id = *s;
                if (o->contains("idempotency_key"))
                    if (auto s = r.string(*o, "idempotency_key")) t.idempotency_key = *s;
                state.transactions.push_back(std::move(t));
            }
    if (auto* a = r.array(*root, "tokens"))
        for (const auto& v : *a)
            if (auto* o = r.object(v, "token")) {
                token_record t;
                auto value = r.string(*o, "token");
                auto kind = r.string(*o, "kind");
                t.kind = kind && *kind == "refresh" ? token_kind::refresh : token_kind::access;
                if (auto s = r.string(*o, "client_id")) t.client_id = *s;
                if (auto s = r.strings(*o, "scopes")) t.scopes = *s;
                if (auto n = r.integer(*o, "expires_at")) t.expires_at = ms(*n);
                auto it = o->find("revoked");
                t.revoked = it != o->end() && it->value().is_bool() && it->value().get_bool();
                if (value) state.tokens.emplace(*value, std::move(t));
            }
    if (auto* a = r.array(*root, "codes"))
        for (const auto& v : *a)
            if (auto* o = r.object(v, "code")) {
                code_record c;
                auto value = r.string(*o, "code");
                if (auto s = r.string(*o, "client_id")) c.client_id = *s;
                if (auto s = r.string(*o, "redirect_uri")) c.redirect_uri = *s;
                if (auto s = r.strings(*o, "scopes")) c.scopes = *s;
                if (auto n = r.integer(*o, "expires_at")) c.expires_at = ms(*n);
                if (auto it = o->find("code_challenge"); it != o->end() && it->value().is_string())
                    c.code_challenge = std::string(it->value().get_string());
                if (value) state.codes.emplace(*value, std::move(c));
            }
    if (auto* a = r.array(*root, "answers"))
        for (const auto& v : *a)
            if (auto* o = r.object(v, "answer")) {
                remembered_answer answer;
                auto key = r.string(*o, "key");
                if (auto s = r.string(*o, "state")) answer.state = *s;
                if (auto s = r.string(*o, "text")) answer.text = *s;
                if (key) state.answers.emplace(*key, std::move(answer));
            }
    if (!r.error.empty()) return state_file_error(r.error);
    return state;
}

core::result<void> save_state(const ledger_state& state, const std::filesystem::path& file)
{
    std::string text = json::serialize(to_json(state));
    text.push_back('\n');
    std::filesystem::path temp = file;
    temp += ".tmp";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int e = errno;
        return state_write_error(e, "cannot create " + temp.string() + ": " + std::strerror(e));
    }
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            return state_write_error(e, "cannot write " + temp.string() + ": " + std::strerror(e));
        }
        written += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return state_write_error(e, "cannot write " + temp.string() + ": " + std::strerror(e));
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return state_write_error(e, "cannot rename " + temp.string() + " to " + file.string() +
                                        ": " + std::strerror(e));
    }
    return {};
}

core::result<std::optional<ledger_state>> load_state(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (std::filesystem::exists(file))
            return state_file_error("cannot read state file " + file.string());
        return std::optional<ledger_state>();
    }
    std::ostringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    json::value value = json::parse(text.str(), ec);
    if (ec)
        return state_file_error("state file " + file.string() +
                                " is not valid JSON: " + ec.message());
    auto state = state_from_json(value);
    if (!state)
        return state_file_error("state file " + file.string() + ": " + state.error().message);
    return std::optional<ledger_state>(std::move(*state));
}

}  // namespace paymand::sandbox
