// The OAuth side of the sandbox: the token endpoint (client credentials, authorization code,
// refresh with rotation; parameters in the query string as the SDKs send them or in a form
// body as RFC 6749 describes) and the minimal consent page that issues authorization codes.

#include "paymand/grant/stored_grant.hpp"
#include "sandbox/http_util.hpp"
#include "sandbox/service.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <variant>

namespace paymand::sandbox {

namespace json = boost::json;
using detail::json_response;

namespace {

constexpr auto code_lifetime = std::chrono::minutes(10);
constexpr auto refresh_lifetime = std::chrono::hours(24 * 30);

using params_list = std::vector<std::pair<std::string, std::string>>;

// One value per name across query and body; a repeated name is an error (RFC 6749 3.1).
struct oauth_params {
    std::map<std::string, std::string> values;
    std::string duplicate;

    void add(const params_list& list)
    {
        for (const auto& [name, value] : list)
            if (!values.emplace(name, value).second && duplicate.empty()) duplicate = name;
    }
    const std::string* get(const std::string& name) const
    {
        auto it = values.find(name);
        return it == values.end() || it->second.empty() ? nullptr : &it->second;
    }
};

bool secrets_equal(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Scopes as Payman writes them, comma-separated; spaces (RFC 6749) are accepted too.
using grant::split_scopes;

using grant::join_scopes;

// The requested scopes if all are granted (nullopt otherwise), or all granted when none asked.
std::optional<std::vector<std::string>> narrow_scopes(const std::string* requested,
                                                      const std::vector<std::string>& granted)
{
    if (!requested) return granted;
    std::vector<std::string> out;
    for (auto& s : split_scopes(*requested)) {
        if (std::find(granted.begin(), granted.end(), s) == granted.end()) return std::nullopt;
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    if (out.empty()) return granted;
    return out;
}

bool form_body(const request& req)
{
    auto type = req[http::field::content_type];
    return type.substr(0, type.find(';')) == "application/x-www-form-urlencoded";
}

response html_page(http::status status, std::string_view title, std::string_view body)
{
    response res{status, 11};
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.body() =
        fmt::format("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title>"
                    "</head>\n<body>\n{}\n</body></html>\n",
                    detail::html_escape(title), body);
    res.prepare_payload();
    return res;
}

response redirect(std::string_view location)
{
    response res{http::status::found, 11};
    res.set(http::field::location, location);
    res.set(http::field::cache_control, "no-store");
    res.prepare_payload();
    return res;
}

std::string with_query(std::string_view uri, std::string_view query)
{
    std::string out(uri);
    out += uri.find('?') == std::string_view::npos ? '?' : '&';
    out += query;
    return out;
}

// The words a person reads for each scope on the consent page.
std::string_view scope_in_words(std::string_view scope)
{
    if (scope == "read_balance") return "See the balances of your wallets";
    if (scope == "read_list_wallets") return "See the list of your wallets";
    if (scope == "read_list_payees") return "See your payees";
    if (scope == "read_list_transactions") return "See your wallets' transaction history";
    if (scope == "write_create_payee") return "Add new payees";
    if (scope == "write_send_payment") return "Send money from your wallets to your payees";
    if (scope == "write_create_wallet") return "Create new wallets";
    return scope;
}

// scheme, host, port and path of an absolute http(s) URI, for redirect URI matching.
struct uri_parts {
    std::string scheme, host, port, rest;
};

std::optional<uri_parts> split_uri(std::string_view uri)
{
    const auto colon = uri.find("://");
    if (colon == std::string_view::npos) return std::nullopt;
    uri_parts p{std::string(uri.substr(0, colon)), {}, {}, {}};
    auto authority_end = uri.find_first_of("/?", colon + 3);
    auto authority =
        uri.substr(colon + 3, authority_end == std::string_view::npos ? std::string_view::npos
                                                                      : authority_end - colon - 3);
    p.rest = authority_end == std::string_view::npos ? "/" : std::string(uri.substr(authority_end));
    auto port_at = authority.rfind(':');
    if (port_at != std::string_view::npos &&
        authority.find(']', port_at) == std::string_view::npos) {
        p.host = std::string(authority.substr(0, port_at));
        p.port = std::string(authority.substr(port_at + 1));
    } else {
        p.host = std::string(authority);
    }
    return p;
}

// A registered redirect URI admits `given` when equal, or, for a loopback IP literal over
// http, when all but the port are equal: a native app listens on whatever port is free
// (RFC 8252 7.3).
bool redirect_registered(const client_config& client, std::string_view given)
{
    for (const auto& registered : client.redirect_uris) {
        if (registered == given) return true;
        auto r = split_uri(registered);
        auto g = split_uri(given);
        if (!r || !g || r->scheme != "http" || g->scheme != "http") continue;
        const bool loopback = r->host == "127.0.0.1" || r->host == "[::1]";
        if (loopback && r->host == g->host && r->rest == g->rest) return true;
    }
    return false;
}

// BASE64URL(SHA256(verifier)) without padding.
std::string s256(std::string_view verifier)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (unsigned char c : digest) {
        bits = (bits << 8) | c;
        count += 8;
        while (count >= 6) {
            out += alphabet[(bits >> (count - 6)) & 63];
            count -= 6;
        }
    }
    if (count > 0) out += alphabet[(bits << (6 - count)) & 63];
    return out;
}

// Why a token request is refused: the HTTP status and the OAuth error.
struct token_failure {
    http::status status;
    std::string code;
    std::string message;
};

// The scopes a grant yields and whether a refresh token comes with them.
struct token_grant {
    std::vector<std::string> scopes;
    bool with_refresh = false;
};

template <class T>
using or_failure = std::variant<T, token_failure>;

token_failure bad_request(std::string code, std::string message)
{
    return {http::status::bad_request, std::move(code), std::move(message)};
}

// The request parser of the token endpoint: the query's and the form body's parameters, each
// at most once.
or_failure<oauth_params> read_token_params(const request& req)
{
    oauth_params params;
    auto query = detail::parse_form(detail::split_target(req.target()).second);
    if (!query) return bad_request("invalid_request", "Malformed query string");
    params.add(*query);
    if (!req.body().empty()) {
        if (!form_body(req))
            return bad_request("invalid_request",
                               "The request body must be application/x-www-form-urlencoded");
        auto body = detail::parse_form(req.body());
        if (!body) return bad_request("invalid_request", "Malformed form body");
        params.add(*body);
    }
    if (!params.duplicate.empty())
        return bad_request("invalid_request", fmt::format("Parameter '{}' was given more than once",
                                                          params.duplicate));
    return params;
}

// Client authentication: HTTP Basic (as the SDKs do) or client_id/client_secret params.
or_failure<const client_config*> authenticate_client(const request& req, const oauth_params& params,
                                                     const sandbox_config& config)
{
    auto unauthorized = [](std::string message) {
        return token_failure{http::status::unauthorized, "not_authorized", std::move(message)};
    };
    std::string client_id, secret;
    bool basic = false;
    if (auto auth = req[http::field::authorization]; !auth.empty()) {
        if (auth.size() < 6 || !iequals(auth.substr(0, 6), "basic "))
            return unauthorized("Client authentication must use HTTP Basic");
        auto decoded = detail::base64_decode(auth.substr(6));
        auto colon = decoded ? decoded->find(':') : std::string::npos;
        if (!decoded || colon == std::string::npos)
            return unauthorized("Malformed Basic credentials");
        client_id = decoded->substr(0, colon);
        secret = decoded->substr(colon + 1);
        basic = true;
    }
    if (const auto* id = params.get("client_id")) {
        if (basic && *id != client_id)
            return bad_request("invalid_request", "client_id does not match the Basic credentials");
        if (!basic) client_id = *id;
    }
    if (const auto* s = params.get("client_secret")) {
        if (basic)
            return bad_request("invalid_request", "Use one client authentication method, not two");
        secret = *s;
    }
    if (client_id.empty() || secret.empty()) return unauthorized("Client authentication required");
    const client_config* client = config.find_client(client_id);
    if (!client || !secrets_equal(client->secret, secret))
        return unauthorized("Invalid client credentials");
    return client;
}

// grant_type=authorization_code: the code is spent.
or_failure<token_grant> grant_from_code(const oauth_params& params, const client_config& client,
                                        ledger_state& state, time_point t)
{
    const std::string* code = params.get("code");
    if (!code) return bad_request("invalid_request", "code is required");
    auto it = state.codes.find(*code);
    if (it == state.codes.end() || it->second.client_id != client.id || it->second.expires_at <= t)
        return bad_request("invalid_grant",
                           "The authorization code is invalid, expired or already used");
    if (const auto* uri = params.get("redirect_uri"); uri && *uri != it->second.redirect_uri)
        return bad_request("invalid_grant",
                           "redirect_uri does not match the authorization request");
    if (!it->second.code_challenge.empty()) {
        const std::string* verifier = params.get("code_verifier");
        if (!verifier || !secrets_equal(s256(*verifier), it->second.code_challenge))
            return bad_request("invalid_grant",
                               "code_verifier is missing or does not match the code_challenge");
    }
    token_grant out{it->second.scopes, true};
    state.codes.erase(it);  // single use
    return out;
}

// grant_type=refresh_token: the refresh token is spent (rotation).
or_failure<token_grant> grant_from_refresh(const oauth_params& params, const client_config& client,
                                           ledger_state& state, time_point t)
{
    const std::string* value = params.get("refresh_token");
    if (!value) return bad_request("invalid_request", "refresh_token is required");
    auto it = state.tokens.find(*value);
    if (it == state.tokens.end() || it->second.kind != token_kind::refresh ||
        it->second.client_id != client.id || it->second.revoked || it->second.expires_at <= t)
        return bad_request("invalid_grant",
                           "The refresh token is invalid, expired, revoked or already used");
    auto s = narrow_scopes(params.get("scope"), it->second.scopes);
    if (!s)
        return bad_request("invalid_scope",
                           "The requested scope exceeds the refresh token's scope");
    state.tokens.erase(it);  // rotation: the old refresh token is spent
    return token_grant{std::move(*s), true};
}

// What the grant named by grant_type yields.
or_failure<token_grant> grant_of(const oauth_params& params, const client_config& client,
                                 ledger_state& state, time_point t)
{
    const std::string* grant = params.get("grant_type");
    if (!grant) return bad_request("invalid_request", "grant_type is required");
    if (*grant == "client_credentials") {
        auto s = narrow_scopes(params.get("scope"), client.scopes);
        if (!s)
            return bad_request("invalid_scope",
                               "The requested scope exceeds the scopes granted to this client");
        return token_grant{std::move(*s), client.refresh_with_client_credentials};
    }
    if (*grant == "authorization_code") return grant_from_code(params, client, state, t);
    if (*grant == "refresh_token") return grant_from_refresh(params, client, state, t);
    return bad_request("unsupported_grant_type",
                       fmt::format("grant_type '{}' is not supported", *grant));
}

}  // namespace

reply service::token_endpoint(const request& req)
{
    std::string trace = fmt::format("trc-{:016x}", ++trace_counter_);
    auto fail = [&](const token_failure& f) {
        reply r{error_response(f.status, f.code, f.message, now(), trace)};
        r.message.set(http::field::cache_control, "no-store");
        if (f.status == http::status::unauthorized)
            r.message.set(http::field::www_authenticate, "Basic realm=\"payman\"");
        return r;
    };
    if (req.method() != http::verb::post) {
        auto r = fail({http::status::method_not_allowed, "method_not_allowed",
                       "The token endpoint accepts POST only"});
        r.message.set(http::field::allow, "POST");
        return r;
    }
    auto params = read_token_params(req);
    if (auto* f = std::get_if<token_failure>(&params)) return fail(*f);
    auto client = authenticate_client(req, std::get<oauth_params>(params), config_);
    if (auto* f = std::get_if<token_failure>(&client)) return fail(*f);
    const client_config* c = std::get<const client_config*>(client);
    time_point t = now();
    auto granted = grant_of(std::get<oauth_params>(params), *c, state_, t);
    if (auto* f = std::get_if<token_failure>(&granted)) return fail(*f);
    const auto& [scopes, with_refresh] = std::get<token_grant>(granted);

    std::string access = new_secret("pmat_");
    state_.tokens[access] = token_record{token_kind::access, c->id, scopes,
                                         t + std::chrono::seconds(c->token_lifetime_s)};
    std::string refresh;
    if (with_refresh) {
        refresh = new_secret("pmrt_");
        state_.tokens[refresh] =
            token_record{token_kind::refresh, c->id, scopes, t + refresh_lifetime};
    }
    ++stats_.tokens_issued;
    changed();

    json::object body;
    bool snake = c->snake_case_tokens;
    body[snake ? "access_token" : "accessToken"] = access;
    body[snake ? "token_type" : "tokenType"] = "Bearer";
    body[snake ? "expires_in" : "expiresIn"] = c->token_lifetime_s;
    body["scope"] = join_scopes(scopes);
    if (!refresh.empty()) body[snake ? "refresh_token" : "refreshToken"] = refresh;
    reply r{json_response(http::status::ok, body)};
    r.message.set(http::field::cache_control, "no-store");
    return r;
}

reply service::authorize_endpoint(const request& req)
{
    if (req.method() != http::verb::get && req.method() != http::verb::post) {
        reply r{html_page(http::status::method_not_allowed, "Method not allowed",
                          "<p>Use GET to show the consent page.</p>")};
        r.message.set(http::field::allow, "GET, POST");
        return r;
    }
    oauth_params params;
    auto query = detail::parse_form(detail::split_target(req.target()).second);
    if (!query)
        return {html_page(http::status::bad_request, "Bad request", "<p>Malformed query.</p>")};
    params.add(*query);
    if (req.method() == http::verb::post) {
        auto body = form_body(req) ? detail::parse_form(req.body()) : std::nullopt;
        if (!body)
            return {html_page(http::status::bad_request, "Bad request",
                              "<p>The approval must be a form submission.</p>")};
        params.add(*body);
    }
    if (!params.duplicate.empty())
        return {html_page(http::status::bad_request, "Bad request",
                          "<p>A parameter was given more than once.</p>")};

    // Until the client and redirect URI are verified, errors are shown, never redirected.
    const std::string* client_id = params.get("client_id");
    const client_config* client = client_id ? config_.find_client(*client_id) : nullptr;
    if (!client)
        return {html_page(http::status::bad_request, "Unknown application",
                          "<p>The client_id is missing or unknown.</p>")};
    const std::string* redirect_uri = params.get("redirect_uri");
    if (!redirect_uri || !redirect_registered(*client, *redirect_uri))
        return {html_page(http::status::bad_request, "Invalid redirect URI",
                          "<p>The redirect_uri is missing or not registered for this "
                          "application.</p>")};
    const std::string* state = params.get("state");
    auto back = [&](std::string query_text) {
        if (state) query_text += "&state=" + detail::url_encode(*state);
        return reply{redirect(with_query(*redirect_uri, query_text))};
    };
    if (const auto* type = params.get("response_type"); type && *type != "code")
        return back("error=unsupported_response_type");
    auto scopes = narrow_scopes(params.get("scope"), client->scopes);
    if (!scopes) return back("error=invalid_scope");
    const std::string* challenge = params.get("code_challenge");
    if (const auto* method = params.get("code_challenge_method");
        (challenge && (!method || *method != "S256")) || (method && !challenge))
        return back("error=invalid_request&error_description=" +
                    detail::url_encode("PKCE needs code_challenge with code_challenge_method "
                                       "S256"));

    if (req.method() == http::verb::get)
        return {consent_page(*client, *redirect_uri, *scopes, state, challenge)};
    // The form is submitted from this page; another origin must be one the app registered.
    if (auto origin = req[http::field::origin]; !origin.empty()) {
        const std::string own = "http://" + std::string(req[http::field::host]);
        const std::string own_tls = "https://" + std::string(req[http::field::host]);
        if (origin != own && origin != own_tls &&
            std::find(client->origins.begin(), client->origins.end(), origin) ==
                client->origins.end())
            return {html_page(http::status::forbidden, "Refused",
                              "<p>The approval was submitted from an origin this application "
                              "did not register.</p>")};
    }
    const std::string* decision = params.get("decision");
    if (!decision || (*decision != "approve" && *decision != "deny"))
        return {html_page(http::status::bad_request, "Bad request",
                          "<p>decision must be approve or deny.</p>")};
    if (*decision == "deny") return back("error=access_denied");
    std::string code = new_secret("pmac_");
    state_.codes[code] = code_record{client->id, *redirect_uri, *scopes, now() + code_lifetime,
                                     challenge ? *challenge : std::string()};
    changed();
    return back("code=" + detail::url_encode(code));
}

}  // namespace paymand::sandbox

namespace paymand::sandbox {

response service::consent_page(const client_config& client, const std::string& redirect_uri,
                               const std::vector<std::string>& scopes, const std::string* state,
                               const std::string* challenge) const
{
    using detail::html_escape;
    const std::string name = client.name.empty() ? client.id : client.name;
    std::string asks;
    for (const auto& s : scopes)
        asks += fmt::format("<li>{} <small>({})</small></li>", html_escape(scope_in_words(s)),
                            html_escape(s));
    std::string wallets;
    for (const auto& w : state_.wallets)
        wallets += fmt::format("<li>{} ({}, {})</li>", html_escape(w.name), html_escape(w.paytag),
                               html_escape(w.currency));
    auto hidden = [](std::string_view field, std::string_view value) {
        return fmt::format("<input type=\"hidden\" name=\"{}\" value=\"{}\">", field,
                           html_escape(value));
    };
    std::string fields = hidden("client_id", client.id) + hidden("redirect_uri", redirect_uri) +
                         hidden("scope", join_scopes(scopes));
    if (state) fields += hidden("state", *state);
    if (challenge)
        fields += hidden("code_challenge", *challenge) + hidden("code_challenge_method", "S256");
    const std::string body = fmt::format(
        "<main style=\"font-family:sans-serif;max-width:34em;margin:3em auto;color:#222\">\n"
        "<p style=\"color:#555\">Payman</p>\n"
        "<h1 id=\"app-name\">{0} wants to use your Payman account</h1>\n"
        "{1}"
        "<p>If you approve, <b>{0}</b> will be able to:</p>\n<ul id=\"scopes\">{2}</ul>\n"
        "<p>for these wallets:</p>\n<ul id=\"wallets\">{3}</ul>\n"
        "<p>You can revoke this access at any time in your Payman dashboard. Unused for 30 "
        "days, it ends by itself.</p>\n"
        "<p style=\"color:#555\">You will be sent back to {4}</p>\n"
        "<form method=\"post\" action=\"{5}/oauth/authorize\">\n{6}\n"
        "<button id=\"approve\" type=\"submit\" name=\"decision\" value=\"approve\" "
        "style=\"padding:.5em 1.5em\">Approve</button>\n"
        "<button id=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\" "
        "style=\"padding:.5em 1.5em\">Deny</button>\n</form>\n</main>",
        html_escape(name),
        client.purpose.empty()
            ? std::string()
            : fmt::format("<p id=\"purpose\">Why: {}</p>\n", html_escape(client.purpose)),
        asks, wallets.empty() ? "<li>none yet</li>" : wallets, html_escape(redirect_uri), base_path,
        fields);
    return html_page(http::status::ok, "Payman: approve access", body);
}

}  // namespace paymand::sandbox
