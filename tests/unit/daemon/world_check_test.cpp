// The credential and world check's decisions (issue 18, item 3) and the live view's file and
// rule comparisons (item 2): what a token error, granted scopes and listings mean, and what a
// reload changed.

#include "paymand/daemon/live_view.hpp"
#include "paymand/daemon/world_check.hpp"
#include "support/engine_run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::daemon {
namespace {

using namespace std::chrono;
using testing::ElementsAre;
using testing::HasSubstr;

const sys_seconds now = date::sys_days(date::year(2026) / 12 / 3) + hours(9);

const char* rules_text = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Main, above: 100}}
    pay: {payee: John Doe, amount: 300.00, wallet: Main}
  - id: cleaning
    schedule: weekly on mon at 10:00
    pay: {payee: Acme Cleaning Ltd., amount: 80.00}
  - id: off
    enabled: false
    schedule: daily at 10:00
    pay: {payee: Nobody Known, amount: 1.00}
)";

world_needs needs()
{
    return world_needs_of(*test::load_rules(rules_text, rules::permissive_policy()));
}

payman::client_error token_error(int status, payman::payman_errc code)
{
    return core::extend(
        {.code = code, .message = "the token endpoint said no"},
        payman::client_error{.kind = payman::error_class::not_sent, .http_status = status});
}

const std::string all_scopes = "write_send_payment,read_balance,read_list_payees,read_list_"
                               "transactions,read_list_wallets";

TEST(world_needs, names_the_payees_and_wallets_of_enabled_rules)
{
    auto n = needs();
    ASSERT_EQ(n.payees.size(), 2u);  // `off` is disabled
    EXPECT_THAT(n.payees.at("John Doe"), ElementsAre("rent"));
    EXPECT_THAT(n.payees.at("Acme Cleaning Ltd."), ElementsAre("cleaning"));
    ASSERT_EQ(n.wallets.size(), 1u);
    EXPECT_THAT(n.wallets.at("Main"), ElementsAre("rent"));  // named twice by one rule: once
}

TEST(assess_world, a_401_refuses_the_credential)
{
    world_answers a{.token_error = token_error(401, payman::payman_errc::token_refused)};
    auto r = assess_world(needs(), a, now);
    EXPECT_EQ(r.state, credentials_state::refused);
    EXPECT_THAT(r.summary, HasSubstr("credentials REFUSED by Payman"));
}

TEST(assess_world, a_404_or_a_network_failure_is_not_verified_never_refused)
{
    for (auto e : {token_error(404, payman::payman_errc::token_refused),
                   token_error(0, payman::payman_errc::connect_failed),
                   token_error(503, payman::payman_errc::token_request_failed)}) {
        auto r = assess_world(needs(), world_answers{.token_error = e}, now);
        EXPECT_EQ(r.state, credentials_state::not_verified) << e.http_status;
    }
}

TEST(assess_world, everything_found_is_verified)
{
    world_answers a{.granted_scope = all_scopes,
                    .payees = listing_answer(std::string("Here are your payees:\n\n1. John Doe "
                                                         "(j@example.com) - Individual\n2. ACME "
                                                         "CLEANING LTD. - Business\n")),
                    .wallets =
                        listing_answer(std::string("| Wallet | Paytag |\n|---|---|\n| Main | "
                                                   "main-1 |\n"))};
    auto r = assess_world(needs(), a, now);
    EXPECT_EQ(r.state, credentials_state::verified) << r.summary;
    EXPECT_EQ(r.summary, "credentials verified: the scopes the rules need granted, 2 payees and 1 "
                         "wallet found in Payman");
    EXPECT_EQ(r.checked_at, now);
}

TEST(assess_world, a_missing_scope_or_payee_is_lacking)
{
    world_answers a{.granted_scope = "read_balance,read_list_payees,read_list_transactions",
                    .payees = listing_answer(std::string("- **John Doe** (Individual)\n")),
                    .wallets = listing_answer(std::string("1. **Main**\n"))};
    auto r = assess_world(needs(), a, now);
    EXPECT_EQ(r.state, credentials_state::lacking);
    EXPECT_THAT(r.findings,
                ElementsAre("scope write_send_payment is not granted (pay rules: rent, cleaning)",
                            "payee 'Acme Cleaning Ltd.' (rules: cleaning) is not among the 1 "
                            "payees Payman lists"));
}

TEST(assess_world, a_listing_that_is_no_list_proves_nothing)
{
    world_answers a{.granted_scope = all_scopes,
                    .payees =
                        listing_answer(std::string("I'm sorry, I can't do that (missing scope "
                                                   "`read_list_payees`).")),
                    .wallets = listing_answer(core::error{.message = "timed out"})};
    auto r = assess_world(needs(), a, now);
    EXPECT_EQ(r.state, credentials_state::not_verified);
    EXPECT_THAT(r.findings, ElementsAre("the payee listing could not be read (no list in the "
                                        "agent's reply)",
                                        "the wallet listing failed: timed out"));
}

TEST(listing, names_match_whole_words_ignoring_case)
{
    EXPECT_TRUE(listing_names("1. john doe (x)", "John Doe"));
    EXPECT_FALSE(listing_names("1. John Doen", "John Doe"));
    EXPECT_FALSE(listing_names("1. Jon Doe", "John Doe"));
    EXPECT_TRUE(listing_names("| Acme Ltd. |", "Acme Ltd."));
    EXPECT_TRUE(listing_names("1. **Acme Ltd** (a@b.c)", "Acme Ltd."));
    EXPECT_EQ(listing_entries("Here:\n\n1. a\n2) b\n- c\n* d\n| h |\n|---|\n| e |\n| f |\nbye"),
              6u);
    // Details under an entry are not entries.
    EXPECT_EQ(listing_entries("1. **Main**\n   - Paytag: m\n   - Currency: TSD\n2. **Payroll**\n"
                              "   - Paytag: p\n"),
              2u);
}

TEST(listing, questions_follow_the_granted_scopes)
{
    auto n = needs();
    EXPECT_EQ(payee_listing_question(n, "read_balance"), std::nullopt);
    EXPECT_EQ(payee_listing_question(n, ""), "list all payees");  // unlisted: ask anyway
    EXPECT_EQ(wallet_listing_question(n, "read_balance"), "list all wallets and their balances");
    EXPECT_EQ(wallet_listing_question(n, "read_list_wallets"), "list all wallets");
    EXPECT_EQ(wallet_listing_question(n, "write_send_payment"), std::nullopt);
}

TEST(live_view, round_trips_through_its_file_format)
{
    live_view v;
    v.pid = 42;
    v.version = "0.1.0";
    v.config_path = "/etc/paymand/paymand.yaml";
    v.started_at = now;
    v.written_at = now + seconds(5);
    v.rules.push_back(live_rule{.id = "rent",
                                .sha256 = "ab",
                                .next_occurrence = "rent@2027-01-01T09:00",
                                .next = now + hours(24),
                                .last_occurrence = "rent@2026-12-01T09:00",
                                .last = now - hours(48),
                                .last_outcome = "confirmed"});
    v.in_doubt = {"x@2026-12-01T09:00"};
    v.credentials = credentials_report{
        .state = credentials_state::lacking, .summary = "s", .findings = {"f"}, .checked_at = now};
    v.last_reload = live_reload{.at = now, .changes = {{rule_change::kind::added, "a", "", "b"}}};
    auto back = parse_live_view(serialize(v));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(serialize(*back), serialize(v));
    EXPECT_FALSE(back->ha);  // a single node's view, and every view written before ha:
    v.ha = live_ha{.node = "pay-1",
                   .role = "not_eligible",
                   .epoch = 3,
                   .lease_remaining_ms = 0,
                   .not_eligible = "clock skew"};
    back = parse_live_view(serialize(v));
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_TRUE(back->ha);
    EXPECT_EQ(back->ha->not_eligible, "clock skew");
    EXPECT_EQ(serialize(*back), serialize(v));
    auto refused = parse_live_view(R"({"format": 99})");
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message, HasSubstr("format 99 is not 1"));
    refused = parse_live_view(R"({"format": 1, "pid": "x"})");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "pid is not an integer");
}

TEST(live_view, a_costly_write_spaces_the_next_one_out_to_fifty_times_its_cost)
{
    // A small view waits the 200 ms floor; a view that took 20 ms (a few thousand rules) waits
    // a second, so that it holds at most a fiftieth of the engine's thread while things change;
    // a write that stalled for seconds on the disk still leaves at most 5 s between writes.
    EXPECT_EQ(live_view_pause(microseconds(150)), milliseconds(200));
    EXPECT_EQ(live_view_pause(milliseconds(4)), milliseconds(200));
    EXPECT_EQ(live_view_pause(milliseconds(5)), milliseconds(250));
    EXPECT_EQ(live_view_pause(milliseconds(20)), seconds(1));
    EXPECT_EQ(live_view_pause(milliseconds(100)), seconds(5));
    EXPECT_EQ(live_view_pause(seconds(3)), seconds(5));
}

TEST(live_view, a_burst_of_changes_is_written_once_it_pauses_and_at_most_a_second_behind)
{
    const std::chrono::steady_clock::time_point t0{seconds(100)};
    const auto long_ago = t0 - seconds(10);
    // One occurrence's records, the last 3 ms after the first: written 20 ms after the last.
    EXPECT_EQ(live_view_write_at(t0, t0 + milliseconds(3), long_ago), t0 + milliseconds(23));
    // A burst whose records keep coming: written a second after the first change, not later.
    EXPECT_EQ(live_view_write_at(t0, t0 + milliseconds(995), long_ago), t0 + seconds(1));
    EXPECT_EQ(live_view_write_at(t0, t0 + seconds(5), long_ago), t0 + seconds(1));
    // Never before the pause after the last write is over.
    EXPECT_EQ(live_view_write_at(t0, t0, t0 + seconds(3)), t0 + seconds(3));
}

TEST(live_view, a_reload_names_what_it_added_removed_and_changed)
{
    auto before = test::load_rules(rules_text, rules::permissive_policy());
    auto after = test::load_rules(R"(rules:
  - id: rent
    schedule: monthly on day 2 at 09:00
    pay: {payee: John Doe, amount: 350.00, wallet: Main}
  - id: off
    enabled: false
    schedule: daily at 10:00
    pay: {payee: Nobody Known, amount: 1.00}
  - id: new
    schedule: daily at 08:00
    report: balance
)",
                                  rules::permissive_policy());
    auto changes = diff_rules(*before, *after);
    EXPECT_EQ(describe_changes(changes),
              "added: new (0 8 * * * UTC: report balance); removed: cleaning (was 0 10 * * MON "
              "UTC: pay 80.00 TSD to Acme Cleaning Ltd.); changed: rent (0 9 1 * * UTC: pay "
              "300.00 TSD to John Doe from Main when balance of Main above 100.00 TSD -> 0 9 2 * "
              "* UTC: pay 350.00 TSD to John Doe from Main)");
    EXPECT_EQ(describe_changes(changes, 1), "removed: cleaning (was 0 10 * * MON UTC: pay 80.00 "
                                            "TSD to Acme Cleaning Ltd.); and 2 more");
    EXPECT_EQ(describe_changes({}), "no rule changed");

    live_view running;
    for (const auto& r : before->rules())
        running.rules.push_back({.id = r.id, .sha256 = r.content_hash});
    EXPECT_THAT(differences(running, *after),
                ElementsAre("cleaning removed from the files, still running",
                            "new added to the files, not yet loaded",
                            "rent edited, not yet reloaded"));
    EXPECT_TRUE(is_live(running, std::nullopt) == false);
    running.pid = 7;
    EXPECT_TRUE(is_live(running, 7));
    running.stopped = true;
    EXPECT_FALSE(is_live(running, 7));
}

}  // namespace
}  // namespace paymand::daemon
