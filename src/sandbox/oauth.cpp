// The OAuth side of the sandbox: the token endpoint (client credentials, authorization code,
// refresh with rotation; parameters in the query string as the SDKs send them or in a form
// body as RFC 6749 describes) and the minimal consent page that issues authorization codes.

#include "sandbox/http_util.hpp"
#include "sandbox/service.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>

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
std::vector<std::string> split_scopes(std::string_view text)
{
    std::vector<std::string> out;
    std::string current;
    for (char c : text) {
        if (c == ',' || c == ' ') {
            if (!current.empty()) out.push_back(std::move(current));
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
}

std::string join_scopes(const std::vector<std::string>& scopes)
{
    std::string out;
    for (const auto& s : scopes) out += (out.empty() ? "" : ",") + s;
    return out;
}

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

}  // namespace

reply service::token_endpoint(const request& req)
{
    std::string trace = fmt::format("trc-{:016x}", ++trace_counter_);
    auto fail = [&](http::status status, std::string_view code, std::string_view message) {
        reply r{error_response(status, code, message, now(), trace)};
        r.message.set(http::field::cache_control, "no-store");
        if (status == http::status::unauthorized)
            r.message.set(http::field::www_authenticate, "Basic realm=\"payman\"");
        return r;
    };
    if (req.method() != http::verb::post) {
        auto r = fail(http::status::method_not_allowed, "method_not_allowed",
                      "The token endpoint accepts POST only");
        r.message.set(http::field::allow, "POST");
        return r;
    }
    oauth_params params;
    auto query = detail::parse_form(detail::split_target(req.target()).second);
    if (!query) return fail(http::status::bad_request, "invalid_request", "Malformed query string");
    params.add(*query);
    if (!req.body().empty()) {
        if (!form_body(req))
            return fail(http::status::bad_request, "invalid_request",
                        "The request body must be application/x-www-form-urlencoded");
        auto body = detail::parse_form(req.body());
        if (!body) return fail(http::status::bad_request, "invalid_request", "Malformed form body");
        params.add(*body);
    }
    if (!params.duplicate.empty())
        return fail(http::status::bad_request, "invalid_request",
                    fmt::format("Parameter '{}' was given more than once", params.duplicate));

    // Client authentication: HTTP Basic (as the SDKs do) or client_id/client_secret params.
    std::string client_id, secret;
    bool basic = false;
    if (auto auth = req[http::field::authorization]; !auth.empty()) {
        if (auth.size() < 6 || !iequals(auth.substr(0, 6), "basic "))
            return fail(http::status::unauthorized, "not_authorized",
                        "Client authentication must use HTTP Basic");
        auto decoded = detail::base64_decode(auth.substr(6));
        auto colon = decoded ? decoded->find(':') : std::string::npos;
        if (!decoded || colon == std::string::npos)
            return fail(http::status::unauthorized, "not_authorized",
                        "Malformed Basic credentials");
        client_id = decoded->substr(0, colon);
        secret = decoded->substr(colon + 1);
        basic = true;
    }
    if (const auto* id = params.get("client_id")) {
        if (basic && *id != client_id)
            return fail(http::status::bad_request, "invalid_request",
                        "client_id does not match the Basic credentials");
        if (!basic) client_id = *id;
    }
    if (const auto* s = params.get("client_secret")) {
        if (basic)
            return fail(http::status::bad_request, "invalid_request",
                        "Use one client authentication method, not two");
        secret = *s;
    }
    if (client_id.empty() || secret.empty())
        return fail(http::status::unauthorized, "not_authorized", "Client authentication required");
    const client_config* client = config_.find_client(client_id);
    if (!client || !secrets_equal(client->secret, secret))
        return fail(http::status::unauthorized, "not_authorized", "Invalid client credentials");

    const std::string* grant = params.get("grant_type");
    if (!grant) return fail(http::status::bad_request, "invalid_request", "grant_type is required");

    std::vector<std::string> scopes;
    bool with_refresh = false;
    time_point t = now();
    if (*grant == "client_credentials") {
        auto s = narrow_scopes(params.get("scope"), client->scopes);
        if (!s)
            return fail(http::status::bad_request, "invalid_scope",
                        "The requested scope exceeds the scopes granted to this client");
        scopes = std::move(*s);
        with_refresh = client->refresh_with_client_credentials;
    } else if (*grant == "authorization_code") {
        const std::string* code = params.get("code");
        if (!code) return fail(http::status::bad_request, "invalid_request", "code is required");
        auto it = state_.codes.find(*code);
        if (it == state_.codes.end() || it->second.client_id != client->id ||
            it->second.expires_at <= t)
            return fail(http::status::bad_request, "invalid_grant",
                        "The authorization code is invalid, expired or already used");
        if (const auto* uri = params.get("redirect_uri"); uri && *uri != it->second.redirect_uri)
            return fail(http::status::bad_request, "invalid_grant",
                        "redirect_uri does not match the authorization request");
        scopes = it->second.scopes;
        state_.codes.erase(it);  // single use
        with_refresh = true;
    } else if (*grant == "refresh_token") {
        const std::string* value = params.get("refresh_token");
        if (!value)
            return fail(http::status::bad_request, "invalid_request", "refresh_token is required");
        auto it = state_.tokens.find(*value);
        if (it == state_.tokens.end() || it->second.kind != token_kind::refresh ||
            it->second.client_id != client->id || it->second.revoked || it->second.expires_at <= t)
            return fail(http::status::bad_request, "invalid_grant",
                        "The refresh token is invalid, expired, revoked or already used");
        auto s = narrow_scopes(params.get("scope"), it->second.scopes);
        if (!s)
            return fail(http::status::bad_request, "invalid_scope",
                        "The requested scope exceeds the refresh token's scope");
        scopes = std::move(*s);
        state_.tokens.erase(it);  // rotation: the old refresh token is spent
        with_refresh = true;
    } else {
        return fail(http::status::bad_request, "unsupported_grant_type",
                    fmt::format("grant_type '{}' is not supported", *grant));
    }

    std::string access = new_secret("pmat_");
    state_.tokens[access] = token_record{token_kind::access, client->id, scopes,
                                         t + std::chrono::seconds(client->token_lifetime_s)};
    std::string refresh;
    if (with_refresh) {
        refresh = new_secret("pmrt_");
        state_.tokens[refresh] =
            token_record{token_kind::refresh, client->id, scopes, t + refresh_lifetime};
    }
    ++stats_.tokens_issued;
    changed();

    json::object body;
    bool snake = client->snake_case_tokens;
    body[snake ? "access_token" : "accessToken"] = access;
    body[snake ? "token_type" : "tokenType"] = "Bearer";
    body[snake ? "expires_in" : "expiresIn"] = client->token_lifetime_s;
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
    if (!redirect_uri || std::find(client->redirect_uris.begin(), client->redirect_uris.end(),
                                   *redirect_uri) == client->redirect_uris.end())
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

    if (req.method() == http::verb::get) {
        std::string list;
        for (const auto& s : *scopes) list += "<li>" + detail::html_escape(s) + "</li>";
        auto hidden = [](std::string_view name, std::string_view value) {
            return fmt::format("<input type=\"hidden\" name=\"{}\" value=\"{}\">", name,
                               detail::html_escape(value));
        };
        std::string action = std::string(base_path) + "/oauth/authorize";
        std::string body = fmt::format(
            "<h1>Authorize {}</h1>\n<p>The application <b>{}</b> asks for access to your "
            "Payman account:</p>\n<ul>{}</ul>\n<form method=\"post\" action=\"{}\">\n{}{}{}{}"
            "\n<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n"
            "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>",
            detail::html_escape(client->id), detail::html_escape(client->id), list, action,
            hidden("client_id", client->id), hidden("redirect_uri", *redirect_uri),
            hidden("scope", join_scopes(*scopes)), state ? hidden("state", *state) : "");
        return {html_page(http::status::ok, "Payman consent", body)};
    }
    const std::string* decision = params.get("decision");
    if (!decision || (*decision != "approve" && *decision != "deny"))
        return {html_page(http::status::bad_request, "Bad request",
                          "<p>decision must be approve or deny.</p>")};
    if (*decision == "deny") return back("error=access_denied");
    std::string code = new_secret("pmac_");
    state_.codes[code] = code_record{client->id, *redirect_uri, *scopes, now() + code_lifetime};
    changed();
    return back("code=" + detail::url_encode(code));
}

}  // namespace paymand::sandbox
