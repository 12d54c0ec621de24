// Issue 18, item 7: typos get suggestions, and several errors come in file and line order.
// Before, `paymand chek` said "The following argument was not expected: chek", an unknown
// key listed every allowed key without pointing at the near one, `europe/berlin` was just
// "unknown", and errors came in the order the loader happened to check them.

#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::test {
namespace {

using testing::HasSubstr;

run_result paymand(std::vector<std::string> args)
{
    return run(our_binary("paymand"), {.args = std::move(args)});
}

TEST(suggestions, a_mistyped_subcommand_names_the_nearest)
{
    auto r = paymand({"chek"});
    EXPECT_EQ(r.status.code, 2);
    EXPECT_THAT(r.err, HasSubstr("paymand: unknown command 'chek': did you mean 'check'?"));
    r = paymand({"audit", "tial"});
    EXPECT_EQ(r.status.code, 2);
    EXPECT_THAT(r.err, HasSubstr("paymand audit: unknown command 'tial': did you mean 'tail'?"));
    r = paymand({"frobnicate"});
    EXPECT_EQ(r.status.code, 2);
    EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate' (`paymand --help` lists them)"));
}

class config_suggestions : public testing::Test {
protected:
    temp_dir dir;

    run_result check(std::string_view zone, std::string_view rules)
    {
        dir.write("rules/main.yaml", rules);
        dir.write("paymand.yaml", "payman:\n  base_url: http://127.0.0.1:9\n  client_id: c\n"
                                  "rules_directory: rules\nstate_directory: state\ntimezone: " +
                                      std::string(zone) +
                                      "\npayees: [John Doe, Maria Garcia]\nlimits: none\n");
        return paymand({"check", "--config", (dir / "paymand.yaml").string()});
    }
};

TEST_F(config_suggestions, a_time_zone_in_the_wrong_case_names_the_right_one)
{
    auto r = check("europe/berlin", "rules: []\n");
    EXPECT_EQ(r.status.code, 1);
    EXPECT_THAT(r.err, HasSubstr("paymand.yaml:6:11: error: \"timezone\": unknown time zone "
                                 "'europe/berlin'; did you mean 'Europe/Berlin'?"));
}

TEST_F(config_suggestions, rule_keys_and_payees_get_suggestions_in_line_order)
{
    // The loader checks a rule's keys before its action: the overlap typo (line 5) is found
    // before the payee (line 4), and must still be printed after it.
    auto r = check("UTC", R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: Jon Doe, amount: 10.00}
    overlapp: skip
)");
    EXPECT_EQ(r.status.code, 1);
    const auto payee = r.err.find("main.yaml:4:18: error: payee \"Jon Doe\" is not in the "
                                  "allowed payees of the config; did you mean \"John Doe\"?");
    const auto key = r.err.find("main.yaml:5:5: error: unknown key \"overlapp\" in rule (allowed:");
    ASSERT_NE(payee, std::string::npos) << r.err;
    ASSERT_NE(key, std::string::npos) << r.err;
    EXPECT_LT(payee, key) << r.err;
    EXPECT_THAT(r.err, HasSubstr("overlap); did you mean \"overlap\"?"));
}

// A configuration key and a wallet get suggestions too, and a base URL without its scheme
// says to add it, all in line order.
TEST_F(config_suggestions, config_keys_wallets_and_a_base_url_without_scheme_are_named)
{
    dir.write("rules/main.yaml", R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00, wallet: main}
)");
    dir.write("paymand.yaml",
              "payman:\n  base_url: 127.0.0.1:40151/api\n  client_id: c\n  timeouts: {raed: 5s}\n"
              "rules_directory: rules\nstate_directory: state\npayees: [John Doe]\n"
              "wallets: [Main]\nlimits: none\n");
    auto r = paymand({"check", "--config", (dir / "paymand.yaml").string()});
    EXPECT_EQ(r.status.code, 1);
    const auto scheme = r.err.find(
        "paymand.yaml:2:13: error: base_url \"127.0.0.1:40151/api\" has no scheme: add it, e.g. "
        "http://127.0.0.1:40151/api on loopback, https://127.0.0.1:40151/api elsewhere");
    const auto key = r.err.find("paymand.yaml:4:14: error: unknown key \"raed\" in timeouts");
    ASSERT_NE(scheme, std::string::npos) << r.err;
    ASSERT_NE(key, std::string::npos) << r.err;
    EXPECT_LT(scheme, key);
    EXPECT_THAT(r.err, HasSubstr("read); did you mean \"read\"?"));

    // With the configuration fixed, the rule's wallet in the wrong case.
    dir.write("paymand.yaml", "payman:\n  base_url: http://127.0.0.1:40151/api\n  client_id: c\n"
                              "rules_directory: rules\nstate_directory: state\npayees: [John Doe]\n"
                              "wallets: [Main]\nlimits: none\n");
    r = paymand({"check", "--config", (dir / "paymand.yaml").string()});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_THAT(r.err, HasSubstr("main.yaml:4:51: error: wallet \"main\" is not in the wallets "
                                 "allow-list of the config; did you mean \"Main\"?"));
}

}  // namespace
}  // namespace paymand::test
