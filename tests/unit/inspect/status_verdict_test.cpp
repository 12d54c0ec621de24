#include "paymand/inspect/status_verdict.hpp"

#include <gtest/gtest.h>

namespace paymand::inspect {
namespace {

TEST(status_verdict, nothing_found_is_ok_with_exit_code_zero)
{
    status_verdict v;
    EXPECT_EQ(v.level(), health_level::ok);
    EXPECT_EQ(v.exit_code(), 0);
    EXPECT_EQ(v.summary(), "OK");
}

TEST(status_verdict, the_worst_finding_decides_and_the_summary_names_only_its_level)
{
    status_verdict v;
    v.add(health_level::ok, "paymand is running (pid 7)");
    v.add(health_level::warning, "1 occurrence needs an operator");
    EXPECT_EQ(v.exit_code(), 1);
    EXPECT_EQ(v.summary(), "WARNING: 1 occurrence needs an operator");
    v.add(health_level::critical, "the audit log is corrupt");
    v.add(health_level::warning, "the rule files do not load");
    EXPECT_EQ(v.exit_code(), 2);
    EXPECT_EQ(v.summary(), "CRITICAL: the audit log is corrupt");
    EXPECT_EQ(v.findings().size(), 4u);
}

TEST(status_verdict, exit_codes_are_the_monitoring_plugin_ones)
{
    EXPECT_EQ(static_cast<int>(health_level::ok), 0);
    EXPECT_EQ(static_cast<int>(health_level::warning), 1);
    EXPECT_EQ(static_cast<int>(health_level::critical), 2);
    EXPECT_EQ(static_cast<int>(health_level::unknown), 3);
    EXPECT_EQ(to_string(health_level::unknown), "UNKNOWN");
}

}  // namespace
}  // namespace paymand::inspect
