#include "paymand/daemon/trigger_outcome.hpp"
#include "paymand/money/parse.hpp"

#include <gtest/gtest.h>

namespace paymand::daemon {
namespace {

const std::string id = "rent@2026-12-03T14:05~manual";

audit::occurrence_ref ref()
{
    return {"rent", id, audit::utc_seconds(std::chrono::seconds(1'796'000'000))};
}

std::vector<audit::record> records(std::vector<audit::record_body> bodies)
{
    std::vector<audit::record> out;
    std::uint64_t seq = 0;
    for (auto& b : bodies) out.push_back(audit::record{.seq = ++seq, .body = std::move(b)});
    return out;
}

audit::intent_record intent()
{
    auto amount = money::parse_amount("10.00", "TSD");
    return audit::intent_record{.ref = ref(), .payee = "John Doe", .amount = *amount};
}

TEST(trigger_outcome, each_outcome_class_has_its_exit_code)
{
    const auto paid = describe_trigger(
        id, records({intent(),
                     audit::result_record{.ref = ref(), .outcome = audit::outcome::completed}}));
    EXPECT_EQ(paid.exit_code, exit_ok);
    EXPECT_EQ(paid.line, id + ": paid 10.00 TSD to John Doe");

    EXPECT_EQ(describe_trigger(id, records({audit::skipped_record{ref(), "condition not met"}}))
                  .exit_code,
              exit_not_run);
    EXPECT_EQ(
        describe_trigger(id, records({audit::denied_record{ref(), "daily", "over"}})).exit_code,
        exit_denied);
    EXPECT_EQ(describe_trigger(id, records({intent(), audit::failed_record{ref(), "refused", 1}}))
                  .exit_code,
              exit_not_paid);
    const auto doubt =
        describe_trigger(id, records({intent(), audit::in_doubt_record{ref(), "reset"}}));
    EXPECT_EQ(doubt.exit_code, exit_in_doubt);
    EXPECT_NE(doubt.line.find("IN DOUBT: reset"), std::string::npos) << doubt.line;
    EXPECT_EQ(
        describe_trigger(id, records({intent(), audit::mismatch_record{.ref = ref()}})).exit_code,
        exit_in_doubt);
}

TEST(trigger_outcome, a_dry_run_would_pay_and_exits_0)
{
    const auto dry = describe_trigger(
        id, records({intent(), audit::result_record{.ref = ref(),
                                                    .outcome = audit::outcome::dry_run,
                                                    .reason = "would pay 10.00 TSD to John Doe"}}));
    EXPECT_EQ(dry.exit_code, exit_ok);
    EXPECT_EQ(dry.line, id + ": dry_run: would pay 10.00 TSD to John Doe");
}

TEST(trigger_outcome, an_intent_without_an_outcome_is_in_doubt)
{
    EXPECT_EQ(describe_trigger(id, records({intent()})).exit_code, exit_in_doubt);
    EXPECT_EQ(describe_trigger(id, {}).exit_code, exit_in_doubt);
}

}  // namespace
}  // namespace paymand::daemon
