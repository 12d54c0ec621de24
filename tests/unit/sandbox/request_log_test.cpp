#include "paymand/prompt/memo_tag.hpp"
#include "sandbox/request_log.hpp"

#include <gtest/gtest.h>

#include <random>

namespace paymand::sandbox {
namespace {

namespace json = boost::json;

// What paymand's own reader finds, as text: the sandbox's scan must agree with it.
std::optional<std::string> paymands_tag(std::string_view text)
{
    auto tag = prompt::find_memo_tag(text);
    if (!tag) return std::nullopt;
    return prompt::format_memo_tag(*tag);
}

TEST(SandboxRequestLog, MemoTagScanAgreesWithPaymandsReader)
{
    const std::vector<std::string> cases = {
        "send 100.00 TSD to \"John Doe\" with memo \"rent pm:rent-john:20261201T0900\"",
        "pm:rent-john:20261201T0900m",
        "pm:a:20240229T2359",   // a leap day
        "pm:a:20230229T1200",   // not a date
        "pm:a:20261301T0900",   // month 13
        "pm:a:20261201T2400",   // hour 24
        "pm:a:20261201T0960",   // minute 60
        "xpm:a:20261201T0900",  // glued to a word
        "pm:a:20261201T0900x",  // runs on
        "pm:a:20261201T0900:",  // runs on with ':'
        "pm:A:20261201T0900",   // upper-case id
        "pm:-a:20261201T0900",  // id must start with a letter or digit
        "pm::20261201T0900",    // empty id
        "pm:a:20261201T090",    // short stamp
        "pm:a:20261201X0900",   // no T
        "pm:a:2026120aT0900",   // not digits
        "pm:x pm:b.c_d-e:20261201T0900",
        "pm:a:20261201T0900mm",
        "(pm:a:20261201T0900).",
        "pm:" + std::string(64, 'a') + ":20261201T0900",
        "pm:" + std::string(65, 'a') + ":20261201T0900",
        "",
        "pm:",
    };
    for (const auto& text : cases) EXPECT_EQ(find_memo_tag_text(text), paymands_tag(text)) << text;
    EXPECT_EQ(find_memo_tag_text(cases[0]), "pm:rent-john:20261201T0900");
    EXPECT_EQ(find_memo_tag_text(cases[1]), "pm:rent-john:20261201T0900m");
    EXPECT_EQ(find_memo_tag_text(cases[3]), std::nullopt);

    // Mutations of a valid tag: every byte replaced by characters near the grammar's edges.
    const std::string base = "memo pm:rent-john:20261201T0900m end";
    const std::string alphabet = "pm:T0912m-._aZ \"x";
    std::mt19937 rng(7);
    for (int round = 0; round < 20000; ++round) {
        std::string text = base;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e)
            text[rng() % text.size()] = alphabet[rng() % alphabet.size()];
        ASSERT_EQ(find_memo_tag_text(text), paymands_tag(text)) << text;
    }
}

TEST(SandboxRequestLog, CutsTextOnUtf8Boundaries)
{
    EXPECT_EQ(cut_utf8("abc", 5), "abc");
    EXPECT_EQ(cut_utf8("abc", 2), "ab");
    EXPECT_EQ(cut_utf8("a\xc3\xa9", 2), "a");  // é is two bytes: not split
    EXPECT_EQ(cut_utf8("a\xc3\xa9", 3), "a\xc3\xa9");
    EXPECT_EQ(cut_utf8("\xe2\x82\xac\xe2\x82\xac", 5), "\xe2\x82\xac");  // €€
    EXPECT_EQ(cut_utf8("", 0), "");
}

TEST(SandboxRequestLog, DescribesABodyLeniently)
{
    auto body = json::object{
        {"jsonrpc", "2.0"},
        {"id", 1},
        {"method", "tasks.send"},
        {"params",
         json::object{
             {"id", "t"},
             {"message",
              json::object{
                  {"role", "user"},
                  {"parts", json::array{json::object{{"type", "text"}, {"text", "first"}},
                                        json::object{{"type", "data"}, {"text", "skipped"}},
                                        json::object{{"type", "text"},
                                                     {"text", std::string(600, 'y') +
                                                                  " pm:r:20261201T0900"}}}}}},
             {"metadata", json::object{{"idempotency_key", "k-1"}, {"x", 1}}}}}};
    auto entry = describe_tasks_body(json::serialize(body));
    EXPECT_EQ(entry.text.size(), request_log::text_limit);
    EXPECT_EQ(entry.text.substr(0, 7), "first\ny");
    EXPECT_EQ(entry.memo_tag, "pm:r:20261201T0900");  // found past the cut
    EXPECT_EQ(entry.idempotency_key, "k-1");
    EXPECT_EQ(json::parse(entry.metadata), (json::object{{"idempotency_key", "k-1"}, {"x", 1}}));
    EXPECT_EQ(entry.to_json().at("metadata"), (json::object{{"idempotency_key", "k-1"}, {"x", 1}}));
    EXPECT_FALSE(entry.metadata_cut);

    // Too large a metadata object is not kept, but its key is.
    body["params"].as_object()["metadata"] =
        json::object{{"idempotencyKey", "k-2"}, {"pad", std::string(2000, 'p')}};
    entry = describe_tasks_body(json::serialize(body));
    EXPECT_EQ(entry.metadata, "");
    EXPECT_TRUE(entry.metadata_cut);
    EXPECT_TRUE(entry.to_json().at("metadata").is_null());
    EXPECT_EQ(entry.idempotency_key, "k-2");

    // Not JSON, or no params: nothing but an empty text.
    for (std::string_view bad : {"{", "[]", "{\"params\":3}", "{\"params\":{\"message\":1}}"}) {
        entry = describe_tasks_body(bad);
        EXPECT_EQ(entry.text, "") << bad;
        EXPECT_EQ(entry.metadata, "") << bad;
        EXPECT_FALSE(entry.idempotency_key) << bad;
        EXPECT_FALSE(entry.memo_tag) << bad;
    }
}

TEST(SandboxRequestLog, KeepsTheLastEntriesAndCountsTheDropped)
{
    request_log log(3);
    for (int i = 0; i < 5; ++i) {
        logged_request entry;
        entry.text = std::to_string(i);
        log.append(std::move(entry));
    }
    ASSERT_EQ(log.entries().size(), 3u);
    EXPECT_EQ(log.dropped(), 2);
    EXPECT_EQ(log.entries().front().seq, 3);
    EXPECT_EQ(log.entries().front().text, "2");
    auto all = log.to_json();
    EXPECT_EQ(all.at("dropped"), 2);
    EXPECT_EQ(all.at("requests").as_array().size(), 3u);
    auto later = log.to_json(4);
    ASSERT_EQ(later.at("requests").as_array().size(), 1u);
    EXPECT_EQ(later.at("requests").at(0).at("seq"), 5);

    log.clear();
    EXPECT_EQ(log.dropped(), 0);
    log.append(logged_request{});
    EXPECT_EQ(log.entries().front().seq, 1);
}

TEST(SandboxRequestLog, AnEntryInJsonHasEveryField)
{
    logged_request entry;
    entry.time = time_point{std::chrono::milliseconds(1'795'000'000'123)};
    auto v = entry.to_json();
    for (std::string_view key : {"seq", "time", "client_id", "idempotency_key", "metadata",
                                 "metadata_cut", "memo_tag", "text", "fault", "status"})
        EXPECT_TRUE(v.contains(key)) << key;
    EXPECT_TRUE(v.at("client_id").is_null());
    EXPECT_TRUE(v.at("status").is_null());
    EXPECT_TRUE(v.at("fault").is_null());
    EXPECT_EQ(v.size(), 10u);
}

}  // namespace
}  // namespace paymand::sandbox
