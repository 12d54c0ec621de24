// The client secret as the unit passes it: LoadCredential(Encrypted)= puts it in
// $CREDENTIALS_DIRECTORY/payman-client-secret and the packaged configuration names it with
// `client_secret: {credential: payman-client-secret}`. The sandbox's ledger is the witness
// that the daemon authenticated with it.

#include "integration/systemd/daemon_files.hpp"
#include "integration/systemd/tools.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

namespace paymand::test {
namespace {

using testing::HasSubstr;
using testing::Not;

class credential_test : public testing::Test {
protected:
    temp_dir dir;
    sandbox_process sandbox;

    void write_config()
    {
        write_daemon_files(dir, sandbox, "{credential: payman-client-secret}", "text");
    }

    // What systemd makes of LoadCredential=: a directory with one read-only file per id.
    std::filesystem::path write_credentials(std::string_view secret)
    {
        auto file = dir.write("credentials/payman-client-secret", secret);
        ::chmod(file.c_str(), 0400);
        return dir / "credentials";
    }

    process_params trigger_args(std::vector<std::string> env)
    {
        return {.args = {"trigger", "rent", "--config", (dir / "paymand.yaml").string()},
                .env = std::move(env),
                .unset_env = {"PAYMAN_CLIENT_SECRET", "CREDENTIALS_DIRECTORY", "NOTIFY_SOCKET",
                              "JOURNAL_STREAM"}};
    }
};

TEST_F(credential_test, the_secret_from_credentials_directory_authenticates)
{
    write_config();
    auto credentials = write_credentials(sandbox_client_secret);
    auto result =
        run(our_binary("paymand"), trigger_args({"CREDENTIALS_DIRECTORY=" + credentials.string()}));
    ASSERT_TRUE(result.status.ok()) << result.err;
    auto txs = sandbox.ledger().as_object().at("transactions").as_array();
    ASSERT_EQ(txs.size(), 1u);
    EXPECT_EQ(txs[0].at("payee").as_string(), "John Doe");
    EXPECT_THAT(result.out + result.err, Not(HasSubstr(std::string(sandbox_client_secret))));
}

TEST_F(credential_test, without_credentials_directory_the_daemon_says_how_to_provide_it)
{
    write_config();
    auto result = run(our_binary("paymand"), trigger_args({}));
    EXPECT_EQ(result.status.code, 69) << result.err;
    EXPECT_THAT(result.err, HasSubstr("payman-client-secret"));
    EXPECT_THAT(result.err, HasSubstr("LoadCredential"));
    EXPECT_TRUE(sandbox.ledger().as_object().at("transactions").as_array().empty());
}

TEST_F(credential_test, a_missing_credential_file_is_refused_before_anything_is_sent)
{
    write_config();
    std::filesystem::create_directories(dir / "credentials");
    auto result = run(our_binary("paymand"),
                      trigger_args({"CREDENTIALS_DIRECTORY=" + (dir / "credentials").string()}));
    EXPECT_EQ(result.status.code, 69) << result.err;
    EXPECT_THAT(result.err, HasSubstr("payman-client-secret"));
    EXPECT_TRUE(sandbox.ledger().as_object().at("transactions").as_array().empty());
}

}  // namespace
}  // namespace paymand::test
