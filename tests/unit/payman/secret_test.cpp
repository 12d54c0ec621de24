// The secret type never shows its value and keeps it intact while it is held.

#include "paymand/payman/secret.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace paymand::payman {
namespace {

TEST(secret, streams_as_redacted)
{
    std::ostringstream out;
    out << secret("hunter2-very-secret");
    EXPECT_EQ(out.str(), "[redacted]");
}

TEST(secret, formats_as_redacted_with_fmt)
{
    EXPECT_EQ(fmt::format("token={}", secret("abc.def.ghi")), "token=[redacted]");
    EXPECT_EQ(fmt::format("{:>12}", secret("x")), "  [redacted]");
}

TEST(secret, exposes_the_exact_value)
{
    const secret s(std::string_view("a\0b", 3));
    EXPECT_EQ(s.size(), 3u);
    EXPECT_EQ(s.expose(), std::string_view("a\0b", 3));
}

TEST(secret, copies_and_moves_keep_the_value)
{
    secret a("value-1");
    secret b = a;
    EXPECT_EQ(b.expose(), "value-1");
    secret c = std::move(a);
    EXPECT_EQ(c.expose(), "value-1");
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    b = secret("value-2");
    EXPECT_EQ(b.expose(), "value-2");
}

TEST(secret, clear_forgets_the_value)
{
    secret s("abc");
    s.clear();
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(s.expose(), "");
}

TEST(secret, compares_by_value)
{
    EXPECT_EQ(secret("abc"), secret("abc"));
    EXPECT_NE(secret("abc"), secret("abd"));
    EXPECT_NE(secret("abc"), secret("abcd"));
    EXPECT_EQ(secret(), secret(""));
}

TEST(secret, wipe_zeroes_a_buffer)
{
    char buffer[] = "sensitive";
    wipe(buffer, sizeof buffer - 1);
    for (std::size_t i = 0; i + 1 < sizeof buffer; ++i) EXPECT_EQ(buffer[i], '\0');
}

}  // namespace
}  // namespace paymand::payman
