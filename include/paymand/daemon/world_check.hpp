#pragma once

// The credential and world check the daemon runs at start and at every reload (issue 18,
// item 3): a token is fetched, the scopes it grants are compared with those the rules need,
// and every payee and wallet the enabled rules name is looked up in Payman's listings
// (read-only asks). The outcome never stops the daemon: it goes to STATUS=, the journal, the
// metrics and the live view that `paymand status` reads.
//
// A credential is "refused" only when the token endpoint refused it; anything that kept the
// check from finishing (the network, a server error, no Payman API at the URL, a listing that
// cannot be read) is "not verified", never "refused".

#include "paymand/core/error.hpp"
#include "paymand/inspect/rule_review.hpp"
#include "paymand/payman/client.hpp"
#include "paymand/rules/rule_set.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::daemon {

// Worst last: a report's state is the worst of its findings.
enum class credentials_state {
    not_checked,   // no client (a dry run with assumed balances)
    checking,      // the check has not finished yet
    verified,      // token, scopes, payees and wallets as the rules need them
    not_verified,  // the check could not finish or could not read something
    lacking,       // the credential works, but a scope, payee or wallet the rules need is missing
    refused,       // the token endpoint refused the credential
};

std::string_view to_string(credentials_state s) noexcept;
std::optional<credentials_state> parse_credentials_state(std::string_view text) noexcept;

struct credentials_report {
    credentials_state state = credentials_state::checking;
    std::string summary;                // one line, our own words
    std::vector<std::string> findings;  // each problem found, our words (names escaped)
    std::optional<std::chrono::sys_seconds> checked_at;
};

// What the enabled rules need from Payman: scopes, and the payees and wallets they name, each
// with the ids of the rules naming it.
struct world_needs {
    std::vector<inspect::scope_need> scopes;
    std::map<std::string, std::vector<std::string>> payees;
    std::map<std::string, std::vector<std::string>> wallets;
};

world_needs world_needs_of(const rules::rule_set& rules);

// An ask's answer for the check: the reply text, or an error in our words for why there is
// none.
using listing_answer = core::result<std::string>;

// What the check heard from Payman.
struct world_answers {
    std::optional<payman::client_error> token_error;  // set when no token was obtained
    std::string granted_scope;                        // as the server wrote it; empty: unlisted
    std::optional<listing_answer> payees;             // when a payee listing was asked for
    std::optional<listing_answer> wallets;            // when a wallet listing was asked for
};

// The question that lists what is needed with the scopes granted, or nothing when the scopes
// allow no listing or nothing needs one. An empty `granted` (the server did not list them)
// asks anyway.
std::optional<std::string> payee_listing_question(const world_needs& needs,
                                                  std::string_view granted);
std::optional<std::string> wallet_listing_question(const world_needs& needs,
                                                   std::string_view granted);

// Whether a listing reply (untrusted prose) names `name`: case-insensitive, as whole words.
bool listing_names(std::string_view reply, std::string_view name);
// How many entries a listing reply has: numbered or bulleted lines and table rows.
std::size_t listing_entries(std::string_view reply);

// Pure: what the answers mean for the rules' needs.
credentials_report assess_world(const world_needs& needs, const world_answers& answers,
                                std::chrono::sys_seconds now);

// Runs the check with `client` (a copy sharing the daemon's token and session). Every ask is
// bounded by the client's own timeouts. Takes its arguments by value: it is spawned.
boost::asio::awaitable<credentials_report> async_check_world(payman::client client,
                                                             world_needs needs);

}  // namespace paymand::daemon
