#include "paymand/grant/stored_grant.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace paymand::grant {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

const utc_seconds t0 = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 9h;

stored_grant sample(std::string_view refresh)
{
    stored_grant g{.client_id = "pm-test-client",
                   .scopes = {"read_balance", "write_send_payment"},
                   .granted_at = t0};
    return rotated(std::move(g), payman::secret(refresh), "", 3600s, t0);
}

// A crash in the middle of save_grant, simulated by stopping at a step.
struct crash : std::exception {};

class grant_store : public ::testing::Test {
protected:
    test::temp_dir dir;
    std::filesystem::path file = grant_file(dir.path());
};

TEST_F(grant_store, round_trips_every_field)
{
    auto g = sample("rt-1");
    g = rotated(std::move(g), payman::secret("rt-2"), "read_balance", 1800s, t0 + 1h);
    ASSERT_TRUE(save_grant(file, g));
    auto loaded = load_grant(file);
    ASSERT_TRUE(loaded && *loaded);
    const auto& back = **loaded;
    EXPECT_EQ(back.client_id, "pm-test-client");
    EXPECT_EQ(back.scopes, std::vector<std::string>{"read_balance"});
    EXPECT_EQ(back.refresh_token.expose(), "rt-2");
    EXPECT_EQ(back.granted_at, t0);
    EXPECT_EQ(back.refresh_issued_at, t0 + 1h);
    EXPECT_EQ(back.access_expires, t0 + 1h + 1800s);
    EXPECT_EQ(back.rotations, 1u);
    EXPECT_FALSE(back.refused_at);
}

TEST_F(grant_store, the_file_is_mode_0600_and_no_temporary_is_left)
{
    ASSERT_TRUE(save_grant(file, sample("rt-1")));
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));
}

TEST_F(grant_store, no_file_is_no_grant)
{
    auto loaded = load_grant(file);
    ASSERT_TRUE(loaded);
    EXPECT_FALSE(*loaded);
}

// Whatever step a crash interrupts, the file holds the old complete grant or the new one.
TEST_F(grant_store, a_crash_at_any_step_leaves_the_old_grant_or_the_new_never_neither)
{
    for (std::string_view step :
         {"temporary_written", "temporary_synced", "renamed", "directory_synced"}) {
        ASSERT_TRUE(save_grant(file, sample("old-token")));
        bool stopped = false;
        try {
            (void)save_grant(file, sample("new-token"), [&](std::string_view at) {
                if (at == step) throw crash{};
            });
        } catch (const crash&) {
            stopped = true;
        }
        ASSERT_TRUE(stopped) << step;
        auto loaded = load_grant(file);
        ASSERT_TRUE(loaded && *loaded) << step << ": " << (loaded ? "" : loaded.error().message);
        const auto token = std::string((*loaded)->refresh_token.expose());
        const bool before_rename = step == "temporary_written" || step == "temporary_synced";
        EXPECT_EQ(token, before_rename ? "old-token" : "new-token") << step;
        // The next save replaces the temporary a crash left.
        ASSERT_TRUE(save_grant(file, sample("after"))) << step;
        EXPECT_EQ((*load_grant(file))->refresh_token.expose(), "after");
    }
}

TEST_F(grant_store, a_torn_temporary_file_is_never_read)
{
    ASSERT_TRUE(save_grant(file, sample("old-token")));
    dir.write("grant.json.tmp", "{\"version\":1,\"client_id\":\"pm-te");
    auto loaded = load_grant(file);
    ASSERT_TRUE(loaded && *loaded);
    EXPECT_EQ((*loaded)->refresh_token.expose(), "old-token");
}

TEST_F(grant_store, a_file_others_may_read_is_refused_as_exposed)
{
    ASSERT_TRUE(save_grant(file, sample("rt")));
    ::chmod(file.c_str(), 0644);
    auto loaded = load_grant(file);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, grant_errc::untrusted_file);
    EXPECT_THAT(loaded.error().message, HasSubstr("chmod 600"));
    EXPECT_THAT(loaded.error().message, ::testing::Not(HasSubstr("rt\"")));
}

TEST_F(grant_store, a_malformed_file_is_refused_with_what_to_do)
{
    dir.write("grant.json", "{\"version\":1,\"client_id\":\"x\"}");
    ::chmod(file.c_str(), 0600);
    auto loaded = load_grant(file);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, grant_errc::malformed);
    EXPECT_THAT(loaded.error().message, HasSubstr("paymand auth login"));
}

TEST_F(grant_store, a_refusal_is_kept_with_its_reason)
{
    ASSERT_TRUE(save_grant(file, refused(sample("rt"), "revoked", t0 + 2h)));
    auto back = **load_grant(file);
    EXPECT_EQ(back.refused_at, t0 + 2h);
    EXPECT_EQ(back.refused_reason, "revoked");
}

TEST_F(grant_store, remove_deletes_the_grant_and_a_left_temporary)
{
    ASSERT_TRUE(save_grant(file, sample("rt")));
    dir.write("grant.json.tmp", "x");
    auto removed = remove_grant(file);
    ASSERT_TRUE(removed);
    EXPECT_TRUE(*removed);
    EXPECT_FALSE(std::filesystem::exists(file));
    EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));
    EXPECT_FALSE(*remove_grant(file));
}

TEST(grant_rotation, counts_rotations_but_not_the_exchange_and_keeps_scopes_when_unlisted)
{
    auto g = sample("rt-1");
    EXPECT_EQ(g.rotations, 0u);
    g = rotated(std::move(g), payman::secret("rt-2"), "", 600s, t0 + 1h);
    EXPECT_EQ(g.rotations, 1u);
    EXPECT_EQ(g.scopes, (std::vector<std::string>{"read_balance", "write_send_payment"}));
    EXPECT_EQ(g.refresh_issued_at, t0 + 1h);
    EXPECT_EQ(g.access_expires, t0 + 1h + 600s);
    EXPECT_EQ(g.refresh_token.expose(), "rt-2");
}

}  // namespace
}  // namespace paymand::grant
