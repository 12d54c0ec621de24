// `paymand ask` end to end as a process against payman-sandbox: output, exit codes, secrets.

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "support/tls.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace paymand::test {
namespace {

namespace json = boost::json;

// Sandbox parameters built field by field (GCC 12 misreports nested designated initializers).
template <class Edit>
sandbox_params params_with(Edit edit)
{
    sandbox_params p;
    edit(p);
    return p;
}

const std::vector<std::string> payman_vars{"PAYMAN_CLIENT_ID", "PAYMAN_CLIENT_SECRET",
                                           "PAYMAN_ENVIRONMENT", "PAYMAN_BASE_URL",
                                           "PAYMAN_CA_FILE"};

run_result ask(const sandbox_process& sb, std::vector<std::string> args,
               std::vector<std::string> extra_env = {},
               std::string_view secret = sandbox_client_secret)
{
    std::vector<std::string> env{"PAYMAN_CLIENT_ID=" + std::string(sandbox_client_id),
                                 "PAYMAN_CLIENT_SECRET=" + std::string(secret),
                                 "PAYMAN_BASE_URL=" + sb.base_url()};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    args.insert(args.begin(), "ask");
    return run(our_binary("paymand"), {.args = args, .env = env, .unset_env = payman_vars});
}

TEST(ask_command, prints_the_reply_and_the_state)
{
    sandbox_process sb;
    auto r = ask(sb, {"list all wallets and their balances"});
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_NE(r.out.find("Operations"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("state: completed"), std::string::npos) << r.out;
}

TEST(ask_command, json_prints_the_raw_jsonrpc_response)
{
    sandbox_process sb;
    auto r = ask(sb, {"list all payees", "--json"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    auto value = json::parse(r.out);
    EXPECT_EQ(value.at("jsonrpc"), "2.0");
    EXPECT_TRUE(value.at("result").is_object());
    EXPECT_EQ(value.at("result").at("id").as_string().subview().substr(0, 4), "tsk-");
}

TEST(ask_command, a_payment_is_recorded_once_in_the_ledger)
{
    sandbox_process sb;
    auto r = ask(sb, {"send 100.00 TSD to John Doe", "--new-session"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_EQ(sb.ledger().at("transactions").as_array().size(), 1u);
}

TEST(ask_command, input_required_exits_zero_and_says_so)
{
    sandbox_process sb(
        params_with([](sandbox_params& p) { p.defaults.per_transaction_limit = "50.00"; }));
    auto r = ask(sb, {"send 100.00 TSD to John Doe"});
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_NE(r.out.find("state: input-required"), std::string::npos) << r.out;
}

TEST(ask_command, missing_credentials_are_an_input_error_naming_the_variable)
{
    auto r =
        run(our_binary("paymand"), {.args = {"ask", "list all payees"}, .unset_env = payman_vars});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_NE(r.err.find("PAYMAN_CLIENT_ID"), std::string::npos) << r.err;
}

TEST(ask_command, plain_http_to_a_remote_host_is_refused)
{
    auto r =
        run(our_binary("paymand"), {.args = {"ask", "list all payees"},
                                    .env = {"PAYMAN_CLIENT_ID=pm-test-x", "PAYMAN_CLIENT_SECRET=s",
                                            "PAYMAN_BASE_URL=http://agent.payman.ai/api"},
                                    .unset_env = payman_vars});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_NE(r.err.find("plain http"), std::string::npos) << r.err;
}

TEST(ask_command, test_credentials_on_live_are_refused)
{
    auto r = run(
        our_binary("paymand"),
        {.args = {"ask", "list all payees"},
         .env = {"PAYMAN_CLIENT_ID=pm-test-x", "PAYMAN_CLIENT_SECRET=s", "PAYMAN_ENVIRONMENT=live"},
         .unset_env = payman_vars});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_NE(r.err.find("live"), std::string::npos) << r.err;
}

TEST(ask_command, usage_errors_exit_two)
{
    EXPECT_EQ(run(our_binary("paymand"), {.args = {"ask"}}).status.code, 2);
    EXPECT_EQ(run(our_binary("paymand"), {.args = {"ask", "x", "--bogus"}}).status.code, 2);
    EXPECT_EQ(run(our_binary("paymand"), {.args = {"ask", "x", "--new-session", "--session", "s"}})
                  .status.code,
              2);
}

TEST(ask_command, refused_credentials_are_not_sent_and_exit_69_without_the_secret)
{
    sandbox_process sb;
    auto r = ask(sb, {"list all payees", "--verbose"}, {}, "definitely-wrong-secret");
    EXPECT_EQ(r.status.code, 69) << r.err;
    EXPECT_NE(r.err.find("not sent"), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find("definitely-wrong-secret"), std::string::npos);
}

TEST(ask_command, an_unknown_outcome_exits_69_with_a_warning)
{
    sandbox_process sb;
    sb.inject_fault(json::value{{"endpoint", "tasks"}, {"action", "status"}, {"status", 500}});
    auto r = ask(sb, {"send 100.00 TSD to John Doe"});
    EXPECT_EQ(r.status.code, 69) << r.err;
    EXPECT_NE(r.err.find("unknown outcome"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("check the transactions"), std::string::npos) << r.err;
}

TEST(ask_command, a_server_refusal_exits_one)
{
    sandbox_process sb;
    sb.inject_fault(
        json::value{{"endpoint", "tasks"}, {"action", "jsonrpc_error"}, {"code", -32602}});
    auto r = ask(sb, {"list all payees"});
    EXPECT_EQ(r.status.code, 1) << r.err;
    EXPECT_NE(r.err.find("rejected"), std::string::npos) << r.err;
}

TEST(ask_command, works_over_tls_with_a_ca_file_and_refuses_without)
{
    temp_dir dir;
    auto files = make_tls_files(dir.path());
    sandbox_process sb(params_with([&](sandbox_params& p) {
        p.cert_file = files.server_cert;
        p.key_file = files.server_key;
    }));
    auto with_ca = ask(sb, {"list all payees", "--ca-file", files.ca_cert.string()});
    EXPECT_EQ(with_ca.status.code, 0) << with_ca.err;
    auto from_env = ask(sb, {"list all payees"}, {"PAYMAN_CA_FILE=" + files.ca_cert.string()});
    EXPECT_EQ(from_env.status.code, 0) << from_env.err;
    auto without = ask(sb, {"list all payees"});
    EXPECT_EQ(without.status.code, 69) << without.err;
    EXPECT_NE(without.err.find("TLS"), std::string::npos) << without.err;
}

TEST(ask_command, verbose_logs_never_show_the_secret_or_token)
{
    sandbox_process sb;
    auto r = ask(sb, {"list all payees", "--verbose"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_NE(r.err.find("access token obtained"), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find(sandbox_client_secret), std::string::npos);
    EXPECT_EQ((r.out + r.err).find("Basic "), std::string::npos);
}

}  // namespace
}  // namespace paymand::test
