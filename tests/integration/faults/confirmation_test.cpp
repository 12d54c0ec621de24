// Confirmation from the ledger through the real binaries (issue 15 item 4): `paymand trigger`
// pays, reads the transaction listing and records what it shows; `paymand status` and the
// journal say when a payment stays unconfirmed. The sandbox's ledger is the witness.

#include "fault_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;

class confirmation_test : public fault_test {
protected:
    fault_config confirming()
    {
        fault_config c;
        c.confirm_payments = true;
        return c;
    }
};

TEST_F(confirmation_test, trigger_confirms_its_payment_from_the_listing)
{
    write_config(confirming());
    auto result = trigger("rent");
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(occurrence_types("rent"), (std::vector<std::string>{"intent", "result", "confirmed"}))
        << result.err;
    const auto confirmed = records_of("confirmed");
    ASSERT_EQ(confirmed.size(), 1u);
    EXPECT_THAT(std::string(confirmed[0].at("evidence").as_string()),
                HasSubstr("10.00 TSD to John Doe"));
    EXPECT_THAT(result.err, HasSubstr(": confirmed: the transaction listing shows it"));
    EXPECT_EQ(ledger_payments(), 1u);
    EXPECT_EQ(tasks_sent(), 2) << "one payment and one listing";
    EXPECT_TRUE(verify().status.ok());
}

TEST_F(confirmation_test, a_payment_no_listing_shows_is_unconfirmed_and_status_says_so)
{
    auto config = confirming();
    write_config(config);
    inject(R"({"endpoint":"tasks","prompt_kind":"transactions","action":"replace_reply",
               "count":3,"text":"Here are your last transactions:\n\n1. 2026-01-20 - Sent 5.00 TSD to Eve Smith - Gym\n"})");
    auto result = trigger("rent");
    // Paid only by the agent's word: as open as in doubt (trigger's exit code 13).
    EXPECT_EQ(result.status.code, 13) << result.err;
    EXPECT_EQ(occurrence_types("rent"),
              (std::vector<std::string>{"intent", "result", "unconfirmed"}));
    EXPECT_THAT(result.err, HasSubstr("UNCONFIRMED"));
    // Issue 18 item 3: at error priority, which `journalctl -p err` shows.
    EXPECT_TRUE(std::regex_search(result.err, std::regex("\\berror rent@\\S+: UNCONFIRMED: ")))
        << result.err;
    EXPECT_EQ(ledger_payments(), 1u) << "the payment happened; only its confirmation is missing";
    EXPECT_EQ(tasks_sent(), 4) << "one payment and engine.confirm_attempts (3) listings";

    auto status =
        run(our_binary("paymand"), paymand_args({"status", "--config", config_path().string()}));
    EXPECT_THAT(status.out, HasSubstr("UNCONFIRMED: 1 payment"));
    // Issue 18 item 1: with the daemon running, something unconfirmed is a warning (exit 1),
    // never an all-clear.
    {
        child_process daemon(our_binary("paymand"), daemon_args());
        daemon.wait_for_line(std::regex("running"), 30s, true);
        auto running = run(our_binary("paymand"),
                           paymand_args({"status", "--config", config_path().string()}));
        EXPECT_EQ(running.status.code, 1) << running.out;
        EXPECT_THAT(running.out, testing::StartsWith("WARNING: "));
        EXPECT_THAT(running.out, HasSubstr("UNCONFIRMED: 1 payment"));
    }
    EXPECT_THAT(status.out, HasSubstr("10.00 TSD to John Doe"));
    // An operator who found it in Payman's dashboard settles it.
    auto resolve = run(
        our_binary("paymand"),
        paymand_args({"audit", "resolve",
                      records_of("unconfirmed")[0].at("occurrence").as_string().c_str(), "--paid",
                      "--note", "tx 4711 in the dashboard", "--config", config_path().string()}));
    EXPECT_TRUE(resolve.status.ok()) << resolve.err;
    auto after =
        run(our_binary("paymand"), paymand_args({"status", "--config", config_path().string()}));
    EXPECT_THAT(after.out, testing::Not(HasSubstr("UNCONFIRMED")));
    EXPECT_TRUE(verify().status.ok());
}

}  // namespace
}  // namespace paymand::test::faults
