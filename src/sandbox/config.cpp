#include "sandbox/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace paymand::sandbox {

bool known_scope(std::string_view scope)
{
    return std::find(std::begin(all_scopes), std::end(all_scopes), scope) != std::end(all_scopes);
}

const client_config* sandbox_config::find_client(std::string_view id) const
{
    for (const auto& client : clients)
        if (client.id == id) return &client;
    return nullptr;
}

bool parse_listen(std::string_view text, std::string& host, std::uint16_t& port)
{
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view h = text.substr(0, colon);
    std::string_view p = text.substr(colon + 1);
    if (p.empty() || p.size() > 5) return false;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc{} || end != p.data() + p.size() || value > 65535) return false;
    if (h != "localhost") {
        int parts = 0;
        std::size_t start = 0;
        while (true) {
            auto dot = h.find('.', start);
            std::string_view part =
                h.substr(start, dot == std::string_view::npos ? h.npos : dot - start);
            unsigned octet = 0;
            auto [e, c] = std::from_chars(part.data(), part.data() + part.size(), octet);
            if (part.empty() || part.size() > 3 || c != std::errc{} ||
                e != part.data() + part.size() || octet > 255)
                return false;
            ++parts;
            if (dot == std::string_view::npos) break;
            start = dot + 1;
        }
        if (parts != 4) return false;
    }
    host = h == "localhost" ? "127.0.0.1" : std::string(h);
    port = static_cast<std::uint16_t>(value);
    return true;
}

std::string default_paytag(std::string_view name, std::string_view currency)
{
    std::string tag;
    for (char c : name) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            tag.push_back(c);
        else if (c >= 'A' && c <= 'Z')
            tag.push_back(static_cast<char>(c - 'A' + 'a'));
        else if (!tag.empty() && tag.back() != '-')
            tag.push_back('-');
    }
    while (!tag.empty() && tag.back() == '-') tag.pop_back();
    if (tag.empty()) tag = "wallet";
    tag.push_back('-');
    for (char c : currency)
        tag.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    return tag;
}

namespace {

// Collects errors with positions while walking the YAML tree.
class reader {
public:
    explicit reader(std::string_view source) : source_(source) {}

    void error(const YAML::Mark& mark, const std::string& message)
    {
        std::ostringstream out;
        out << source_ << ':' << mark.line + 1 << ':' << mark.column + 1 << ": error: " << message;
        errors_.push_back(out.str());
    }

    // Every key of `map` must be one of `allowed`; returns false (after reporting) otherwise.
    bool check_map(const YAML::Node& node, std::string_view what,
                   std::initializer_list<std::string_view> allowed)
    {
        if (!node.IsMap()) {
            error(node.Mark(), std::string(what) + " must be a mapping");
            return false;
        }
        std::set<std::string> seen;
        for (const auto& entry : node) {
            const YAML::Node& key = entry.first;
            if (!key.IsScalar()) {
                error(key.Mark(), std::string(what) + ": keys must be plain names");
                continue;
            }
            const std::string& name = key.Scalar();
            if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                std::string list;
                for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
                error(key.Mark(), "unknown key '" + name + "' in " + std::string(what) +
                                      " (allowed: " + list + ")");
            }
            if (!seen.insert(name).second)
                error(key.Mark(), "duplicate key '" + name + "' in " + std::string(what));
        }
        return true;
    }

    std::optional<std::string> string(const YAML::Node& node, std::string_view what,
                                      bool allow_empty = false)
    {
        if (!node.IsScalar()) {
            error(node.Mark(), std::string(what) + " must be a string");
            return std::nullopt;
        }
        if (!allow_empty && node.Scalar().empty()) {
            error(node.Mark(), std::string(what) + " must not be empty");
            return std::nullopt;
        }
        for (unsigned char c : node.Scalar()) {
            if (c < 0x20 || c == 0x7f) {
                error(node.Mark(), std::string(what) + " must not contain control characters");
                return std::nullopt;
            }
        }
        return node.Scalar();
    }

    std::optional<std::int64_t> integer(const YAML::Node& node, std::string_view what,
                                        std::int64_t min, std::int64_t max)
    {
        if (!node.IsScalar() || node.Tag() == "!") {
            error(node.Mark(), std::string(what) + " must be an integer");
            return std::nullopt;
        }
        const std::string& text = node.Scalar();
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
            error(node.Mark(), std::string(what) + " must be an integer, not '" + text + "'");
            return std::nullopt;
        }
        if (value < min || value > max) {
            error(node.Mark(), std::string(what) + " must be between " + std::to_string(min) +
                                   " and " + std::to_string(max));
            return std::nullopt;
        }
        return value;
    }

    std::optional<bool> boolean(const YAML::Node& node, std::string_view what)
    {
        if (node.IsScalar() && node.Tag() != "!") {
            if (node.Scalar() == "true") return true;
            if (node.Scalar() == "false") return false;
        }
        error(node.Mark(), std::string(what) + " must be true or false");
        return std::nullopt;
    }

    std::optional<minor_units> amount(const YAML::Node& node, std::string_view what,
                                      bool allow_zero)
    {
        if (!node.IsScalar()) {
            error(node.Mark(), std::string(what) + " must be a decimal amount like \"1000.00\"");
            return std::nullopt;
        }
        // The scalar's source text, never a double.
        auto value = parse_amount(node.Scalar(), allow_zero);
        if (!value) {
            error(node.Mark(), std::string(what) + " '" + node.Scalar() +
                                   "' is not a valid amount (a " +
                                   (allow_zero ? "non-negative" : "positive") +
                                   " decimal with at most 2 decimals, at most " +
                                   format_plain(max_amount) + ")");
        }
        return value;
    }

    std::vector<std::string> take_errors() { return std::move(errors_); }
    bool ok() const { return errors_.empty(); }

private:
    std::string source_;
    std::vector<std::string> errors_;
};

void read_limits(reader& r, const YAML::Node& node, limits_config& limits)
{
    if (!r.check_map(node, "limits",
                     {"max_body_bytes", "max_header_bytes", "max_header_count", "header_timeout_ms",
                      "body_timeout_ms", "max_connections"}))
        return;
    if (auto v = node["max_body_bytes"])
        if (auto n = r.integer(v, "limits.max_body_bytes", 1024, 64 * 1024 * 1024))
            limits.max_body_bytes = static_cast<std::size_t>(*n);
    if (auto v = node["max_header_bytes"])
        if (auto n = r.integer(v, "limits.max_header_bytes", 1024, 1024 * 1024))
            limits.max_header_bytes = static_cast<std::size_t>(*n);
    if (auto v = node["max_header_count"])
        if (auto n = r.integer(v, "limits.max_header_count", 8, 1000))
            limits.max_header_count = static_cast<std::size_t>(*n);
    if (auto v = node["header_timeout_ms"])
        if (auto n = r.integer(v, "limits.header_timeout_ms", 10, 3'600'000))
            limits.header_timeout_ms = *n;
    if (auto v = node["body_timeout_ms"])
        if (auto n = r.integer(v, "limits.body_timeout_ms", 10, 3'600'000))
            limits.body_timeout_ms = *n;
    if (auto v = node["max_connections"])
        if (auto n = r.integer(v, "limits.max_connections", 1, 100'000))
            limits.max_connections = static_cast<std::size_t>(*n);
}

std::vector<std::string> read_scopes(reader& r, const YAML::Node& node, std::string_view what)
{
    std::vector<std::string> scopes;
    std::vector<std::pair<std::string, YAML::Mark>> raw;
    if (node.IsSequence()) {
        for (const auto& item : node)
            if (auto s = r.string(item, what)) raw.emplace_back(*s, item.Mark());
    } else if (node.IsScalar()) {
        // Payman's own notation: comma-separated without spaces.
        std::string text = node.Scalar();
        std::size_t start = 0;
        while (start <= text.size()) {
            auto comma = text.find(',', start);
            raw.emplace_back(
                text.substr(start, comma == std::string::npos ? std::string::npos : comma - start),
                node.Mark());
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    } else {
        r.error(node.Mark(), std::string(what) + " must be a list of scopes");
        return scopes;
    }
    for (auto& [scope, mark] : raw) {
        if (!known_scope(scope)) {
            r.error(mark, "unknown scope '" + scope + "' in " + std::string(what));
        } else if (std::find(scopes.begin(), scopes.end(), scope) != scopes.end()) {
            r.error(mark, "duplicate scope '" + scope + "' in " + std::string(what));
        } else {
            scopes.push_back(scope);
        }
    }
    return scopes;
}

bool valid_redirect_uri(const std::string& uri)
{
    if (uri.rfind("http://", 0) != 0 && uri.rfind("https://", 0) != 0) return false;
    if (uri.find('#') != std::string::npos) return false;
    for (unsigned char c : uri)
        if (c <= 0x20 || c >= 0x7f) return false;
    return uri.size() > 8;
}

bool valid_origin(const std::string& origin)
{
    const auto scheme_end = origin.find("://");
    if (!valid_redirect_uri(origin) || scheme_end == std::string::npos) return false;
    return origin.find('/', scheme_end + 3) == std::string::npos &&
           origin.find('?') == std::string::npos;
}

void read_client(reader& r, const YAML::Node& node, sandbox_config& config)
{
    if (!r.check_map(node, "client",
                     {"id", "secret", "name", "purpose", "scopes", "token_lifetime",
                      "per_transaction_limit", "refresh_with_client_credentials", "redirect_uris",
                      "origins", "scope_denial", "token_fields"}))
        return;
    client_config client;
    bool complete = true;
    if (auto v = node["id"]) {
        if (auto s = r.string(v, "client id")) {
            client.id = *s;
            if (config.find_client(client.id))
                r.error(v.Mark(), "duplicate client id '" + *s + "'");
            if (s->find(':') != std::string::npos)
                r.error(v.Mark(), "client id must not contain ':' (Basic auth separator)");
        }
    } else {
        r.error(node.Mark(), "client: missing required key 'id'");
        complete = false;
    }
    if (auto v = node["secret"]) {
        if (auto s = r.string(v, "client secret")) client.secret = *s;
    } else {
        r.error(node.Mark(), "client: missing required key 'secret'");
        complete = false;
    }
    if (auto v = node["scopes"]) {
        client.scopes = read_scopes(r, v, "client scopes");
    } else {
        client.scopes.assign(std::begin(all_scopes), std::end(all_scopes));
    }
    if (auto v = node["token_lifetime"])
        if (auto n = r.integer(v, "token_lifetime (seconds)", 1, 365LL * 24 * 3600))
            client.token_lifetime_s = *n;
    if (auto v = node["per_transaction_limit"])
        client.per_transaction_limit = r.amount(v, "per_transaction_limit", false);
    if (auto v = node["refresh_with_client_credentials"])
        if (auto b = r.boolean(v, "refresh_with_client_credentials"))
            client.refresh_with_client_credentials = *b;
    if (auto v = node["redirect_uris"]) {
        if (!v.IsSequence()) {
            r.error(v.Mark(), "redirect_uris must be a list of URLs");
        } else {
            for (const auto& item : v) {
                auto s = r.string(item, "redirect uri");
                if (!s) continue;
                if (!valid_redirect_uri(*s))
                    r.error(item.Mark(), "redirect uri '" + *s +
                                             "' must be an absolute http(s) URL without fragment");
                else
                    client.redirect_uris.push_back(*s);
            }
            if (client.redirect_uris.size() > 5)
                r.error(v.Mark(), "at most 5 redirect uris per client (as Payman allows)");
        }
    }
    if (auto v = node["name"])
        if (auto s = r.string(v, "client name")) client.name = *s;
    if (client.name.empty()) client.name = client.id;
    if (auto v = node["purpose"])
        if (auto s = r.string(v, "client purpose")) client.purpose = *s;
    if (auto v = node["origins"]) {
        if (!v.IsSequence()) {
            r.error(v.Mark(), "origins must be a list of origins such as https://app.example.com");
        } else {
            for (const auto& item : v) {
                auto s = r.string(item, "origin");
                if (!s) continue;
                if (!valid_origin(*s))
                    r.error(item.Mark(), "origin '" + *s +
                                             "' must be scheme://host[:port] (http or https, no "
                                             "path)");
                else
                    client.origins.push_back(*s);
            }
            if (client.origins.size() > 5)
                r.error(v.Mark(), "at most 5 origins per client (as Payman allows)");
        }
    }
    if (auto v = node["scope_denial"]) {
        auto s = r.string(v, "scope_denial");
        if (s && *s == "prose")
            client.denial = scope_denial::prose;
        else if (s && *s == "http")
            client.denial = scope_denial::http;
        else if (s)
            r.error(v.Mark(), "scope_denial must be 'prose' or 'http'");
    }
    if (auto v = node["token_fields"]) {
        auto s = r.string(v, "token_fields");
        if (s && *s == "camel")
            client.snake_case_tokens = false;
        else if (s && *s == "snake")
            client.snake_case_tokens = true;
        else if (s)
            r.error(v.Mark(), "token_fields must be 'camel' or 'snake'");
    }
    if (complete) config.clients.push_back(std::move(client));
}

void read_wallet(reader& r, const YAML::Node& node, sandbox_config& config)
{
    if (!r.check_map(node, "wallet", {"name", "currency", "balance", "paytag"})) return;
    wallet_config wallet;
    if (auto v = node["name"]) {
        if (auto s = r.string(v, "wallet name")) {
            wallet.name = *s;
            for (const auto& w : config.wallets)
                if (w.name == *s) r.error(v.Mark(), "duplicate wallet name '" + *s + "'");
        }
    } else {
        r.error(node.Mark(), "wallet: missing required key 'name'");
        return;
    }
    if (auto v = node["currency"]) {
        if (auto s = r.string(v, "currency")) {
            if (!valid_currency(*s))
                r.error(v.Mark(), "currency must be three upper-case letters");
            else
                wallet.currency = *s;
        }
    }
    if (auto v = node["balance"]) {
        if (auto a = r.amount(v, "wallet balance", true)) wallet.balance = *a;
    }
    if (auto v = node["paytag"]) {
        if (auto s = r.string(v, "paytag")) wallet.paytag = *s;
    }
    if (wallet.paytag.empty()) wallet.paytag = default_paytag(wallet.name, wallet.currency);
    config.wallets.push_back(std::move(wallet));
}

bool plausible_email(std::string_view email)
{
    auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != email.npos)
        return false;
    auto dot = email.find('.', at);
    if (dot == email.npos || dot == at + 1 || dot + 1 >= email.size()) return false;
    for (unsigned char c : email)
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '(' || c == ')')
            return false;
    return true;
}

void read_payee(reader& r, const YAML::Node& node, sandbox_config& config)
{
    if (!r.check_map(node, "payee", {"name", "email", "type"})) return;
    payee_config payee;
    if (auto v = node["name"]) {
        if (auto s = r.string(v, "payee name")) {
            payee.name = *s;
            for (const auto& p : config.payees)
                if (p.name == *s) r.error(v.Mark(), "duplicate payee name '" + *s + "'");
        }
    } else {
        r.error(node.Mark(), "payee: missing required key 'name'");
        return;
    }
    if (auto v = node["email"]) {
        if (auto s = r.string(v, "payee email")) {
            if (!plausible_email(*s))
                r.error(v.Mark(), "payee email '" + *s + "' is not valid");
            else
                payee.email = *s;
        }
    }
    if (auto v = node["type"]) {
        if (auto s = r.string(v, "payee type")) payee.type = *s;
    }
    config.payees.push_back(std::move(payee));
}

}  // namespace

config_result parse_config(std::string_view yaml, std::string_view source_name)
{
    config_result result;
    reader r(source_name);
    YAML::Node loaded;
    try {
        loaded = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        r.error(e.mark, e.msg);
        result.errors = r.take_errors();
        return result;
    }
    // Read through a const view: yaml-cpp's non-const operator[] may insert keys.
    const YAML::Node& root = loaded;
    sandbox_config config;
    if (!root.IsMap()) {
        r.error(root.Mark(), "the configuration must be a mapping");
        result.errors = r.take_errors();
        return result;
    }
    r.check_map(root, "the configuration",
                {"listen", "tls", "seed", "agent_id", "org_id", "limits", "clients", "wallets",
                 "payees", "default_wallet"});
    if (auto v = root["listen"]) {
        if (auto s = r.string(v, "listen"))
            if (!parse_listen(*s, config.listen_host, config.listen_port))
                r.error(v.Mark(), "listen must be HOST:PORT with an IPv4 address, e.g. "
                                  "127.0.0.1:0, not '" +
                                      *s + "'");
    }
    if (auto v = root["tls"]) {
        if (r.check_map(v, "tls", {"cert", "key"})) {
            auto cert = v["cert"];
            auto key = v["key"];
            if (!cert || !key) {
                r.error(v.Mark(), "tls needs both 'cert' and 'key' (PEM files)");
            } else {
                if (auto s = r.string(cert, "tls.cert")) config.tls_cert = *s;
                if (auto s = r.string(key, "tls.key")) config.tls_key = *s;
            }
        }
    }
    if (auto v = root["seed"])
        if (auto n = r.integer(v, "seed", 0, INT64_MAX))
            config.seed = static_cast<std::uint64_t>(*n);
    if (auto v = root["agent_id"])
        if (auto s = r.string(v, "agent_id")) config.agent_id = *s;
    if (auto v = root["org_id"])
        if (auto s = r.string(v, "org_id")) config.org_id = *s;
    if (auto v = root["limits"]) read_limits(r, v, config.limits);
    if (auto v = root["clients"]) {
        if (!v.IsSequence() || v.size() == 0)
            r.error(v.Mark(), "clients must be a non-empty list");
        else
            for (const auto& item : v) read_client(r, item, config);
    } else {
        r.error(root.Mark(), "missing required key 'clients'");
    }
    if (auto v = root["wallets"]) {
        if (!v.IsSequence())
            r.error(v.Mark(), "wallets must be a list");
        else
            for (const auto& item : v) read_wallet(r, item, config);
    }
    if (auto v = root["payees"]) {
        if (!v.IsSequence())
            r.error(v.Mark(), "payees must be a list");
        else
            for (const auto& item : v) read_payee(r, item, config);
    }
    if (auto v = root["default_wallet"]) {
        if (auto s = r.string(v, "default_wallet")) {
            bool known = std::any_of(config.wallets.begin(), config.wallets.end(),
                                     [&](const wallet_config& w) { return w.name == *s; });
            if (!known)
                r.error(v.Mark(), "default_wallet '" + *s + "' is not one of the wallets");
            else
                config.default_wallet = *s;
        }
    }
    if (r.ok()) result.config = std::move(config);
    result.errors = r.take_errors();
    return result;
}

config_result load_config(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        config_result result;
        result.errors.push_back(file.string() + ": error: cannot read the configuration file");
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file.string());
}

}  // namespace paymand::sandbox
