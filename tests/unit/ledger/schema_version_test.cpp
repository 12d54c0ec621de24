#include "paymand/ledger/ledger_errc.hpp"
#include "paymand/ledger/schema.hpp"

#include <gtest/gtest.h>

namespace paymand::ledger {
namespace {

TEST(judge_schema_version, equal_is_fine_and_every_other_case_has_its_error)
{
    EXPECT_FALSE(judge_schema_version(3, 3));
    EXPECT_EQ(judge_schema_version(0, 3), ledger_errc::schema_missing);
    EXPECT_EQ(judge_schema_version(2, 3), ledger_errc::schema_outdated);
    EXPECT_EQ(judge_schema_version(4, 3), ledger_errc::schema_newer);
}

TEST(migrations, are_numbered_from_one_without_a_gap)
{
    int expected = 1;
    for (const auto& m : migrations()) EXPECT_EQ(m.version, expected++) << m.name;
    EXPECT_EQ(known_schema_version(), expected - 1);
}

}  // namespace
}  // namespace paymand::ledger
