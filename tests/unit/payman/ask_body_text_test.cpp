// The ask's body written directly as text: byte for byte what serialising build_ask_body's
// tree gives, for plain and escaped text, with and without the metadata ids.

#include "paymand/payman/protocol.hpp"

#include <boost/json/serialize.hpp>

#include <date/date.h>
#include <gtest/gtest.h>

#include <string>

namespace paymand::payman {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const auto text_body_time = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 8h + 1532ms;

std::string via_tree(std::string_view text, const ask_ids& ids, const ask_options& options)
{
    return json::serialize(build_ask_body(text, ids, options, text_body_time));
}

TEST(ask_body_text, is_the_serialised_tree_for_a_plain_prompt)
{
    const ask_ids ids{"req-1", "tsk-1", "ses-1"};
    const auto text = build_ask_body_text("send 100.00 TSD to John Doe", ids, {}, text_body_time);
    EXPECT_EQ(text, via_tree("send 100.00 TSD to John Doe", ids, {}));
    EXPECT_EQ(text, R"({"jsonrpc":"2.0","id":"req-1","method":"tasks.send","params":{"id":"tsk-1",)"
                    R"("sessionId":"ses-1","message":{"role":"user","parts":[{"type":"text",)"
                    R"("text":"send 100.00 TSD to John Doe","metadata":null}],"metadata":null},)"
                    R"("metadata":{"timestamp":"2026-12-01T08:00:01.532Z"}}})");
}

TEST(ask_body_text, is_the_serialised_tree_with_occurrence_and_idempotency_key)
{
    ask_options options;
    options.occurrence_id = "rent-john@2026-12-01T09:00";
    options.idempotency_key = "idem-42";
    const ask_ids ids{"req-2", "tsk-2", "ses-2"};
    EXPECT_EQ(build_ask_body_text("pay", ids, options, text_body_time),
              via_tree("pay", ids, options));
    options.occurrence_id.reset();
    EXPECT_EQ(build_ask_body_text("pay", ids, options, text_body_time),
              via_tree("pay", ids, options));
}

TEST(ask_body_text, escapes_as_the_serialiser_does)
{
    ask_options options;
    options.occurrence_id = "rule \"q\"@x";
    options.idempotency_key = "back\\slash";
    const ask_ids ids{"req-3", "tsk-3", "ses-\t3"};
    std::string every_byte;
    for (int c = 0; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
    for (const auto& text :
         {std::string("pay \"Zoë\" 5 TSD\nplease / \\ \x01\x1f\x7f"), every_byte}) {
        EXPECT_EQ(build_ask_body_text(text, ids, options, text_body_time),
                  via_tree(text, ids, options));
    }
}

TEST(ask_body_text, keeps_free_form_metadata_and_its_order)
{
    ask_options options;
    options.metadata["source"] = "paymand";
    options.metadata["timestamp"] = "overridden";
    options.metadata["n"] = 3;
    options.idempotency_key = "idem-1";
    const ask_ids ids{"r", "t", "s"};
    EXPECT_EQ(build_ask_body_text("x", ids, options, text_body_time), via_tree("x", ids, options));
}

TEST(ask_body_text, stamps_the_time_in_utc_with_milliseconds)
{
    using namespace std::chrono;
    using ms_time = sys_time<milliseconds>;
    for (const ms_time t : {ms_time{}, ms_time{sys_days{year{1999} / 12 / 31} + 86'399'999ms},
                            ms_time{sys_days{year{2026} / 2 / 28} + 9h + 5min + 7s + 40ms},
                            ms_time{sys_days{year{1969} / 7 / 20} + 20h + 1ms}}) {
        const auto body = build_ask_body("x", {"r", "t", "s"}, {}, t + 999us);
        EXPECT_EQ(body.at("params").at("metadata").at("timestamp").as_string(),
                  date::format("%FT%TZ", t));
    }
}

}  // namespace
}  // namespace paymand::payman
