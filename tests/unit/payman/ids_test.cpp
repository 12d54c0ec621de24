// Ask ids: random v4 UUIDs with Payman's prefixes.

#include "paymand/payman/ids.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

namespace paymand::payman {
namespace {

// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lower-case hex (no std::regex: GCC 12 misreports it
// under the sanitizers).
bool is_uuid4(std::string_view s)
{
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-')) return false;
        if (!dash && !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    }
    return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

TEST(ids, format_sets_version_and_variant_bits)
{
    std::array<std::uint8_t, 16> ones{};
    ones.fill(0xFF);
    EXPECT_EQ(format_uuid4(ones), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    std::array<std::uint8_t, 16> zeros{};
    EXPECT_EQ(format_uuid4(zeros), "00000000-0000-4000-8000-000000000000");
    EXPECT_TRUE(is_uuid4(format_uuid4(zeros)));
    EXPECT_FALSE(is_uuid4("00000000-0000-3000-8000-000000000000"));
}

TEST(ids, random_uuids_are_version_4_and_distinct)
{
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = make_uuid4();
        ASSERT_TRUE(id);
        EXPECT_TRUE(is_uuid4(*id)) << *id;
        seen.insert(*id);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(ids, prefixed_ids_look_like_the_sdks)
{
    auto id = make_id("tsk");
    ASSERT_TRUE(id);
    ASSERT_EQ(id->substr(0, 4), "tsk-");
    EXPECT_TRUE(is_uuid4(id->substr(4))) << *id;
}

TEST(ids, ids_drawn_together_are_distinct_and_keep_their_prefixes)
{
    std::set<std::string> seen;
    for (int i = 0; i < 500; ++i) {
        auto ids = make_ids({"req", "tsk"});
        ASSERT_TRUE(ids);
        ASSERT_EQ(ids->size(), 2u);
        EXPECT_EQ((*ids)[0].substr(0, 4), "req-");
        EXPECT_EQ((*ids)[1].substr(0, 4), "tsk-");
        for (const auto& id : *ids) {
            EXPECT_TRUE(is_uuid4(id.substr(4))) << id;
            seen.insert(id.substr(4));
        }
    }
    EXPECT_EQ(seen.size(), 1000u);
}

// Ids come from a block of random bytes drawn ahead: a forked child must not draw the same
// ids as its parent from a copy of that block.
TEST(ids, a_forked_child_never_repeats_its_parents_ids)
{
    ASSERT_TRUE(make_uuid4());  // the block is drawn and partly used
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const auto id = make_uuid4();
        const std::string text = id ? *id : std::string();
        const bool written =
            ::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size());
        ::_exit(written ? 0 : 1);
    }
    ::close(fds[1]);
    const auto mine = make_uuid4();
    std::string theirs(36, '\0');
    const auto got = ::read(fds[0], theirs.data(), theirs.size());
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(mine);
    ASSERT_EQ(got, 36) << "the child drew no id";
    EXPECT_TRUE(is_uuid4(theirs)) << theirs;
    EXPECT_NE(*mine, theirs);
}

TEST(ids, session_ids_from_callers_are_checked)
{
    EXPECT_TRUE(is_valid_session_id("ses-8a1f2c34-0000-4000-8000-000000000000"));
    EXPECT_TRUE(is_valid_session_id("rent.john:2026_12"));
    EXPECT_FALSE(is_valid_session_id(""));
    EXPECT_FALSE(is_valid_session_id("has space"));
    EXPECT_FALSE(is_valid_session_id("quote\"inside"));
    EXPECT_FALSE(is_valid_session_id(std::string(129, 'a')));
    EXPECT_TRUE(is_valid_session_id(std::string(128, 'a')));
}

}  // namespace
}  // namespace paymand::payman
