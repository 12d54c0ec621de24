// Prompt injection through rule files, end to end: every string of
// tests/fixtures/hostile/prompt-injections.jsonl (one JSON string a line), placed in every rule
// field whose text reaches a prompt, must make the rule loader refuse the file, with the error
// at that field. The fields: pay.payee, pay.wallet, pay.memo (all in the pay prompt) and
// when.balance.wallet (in the wallet balance prompt). A rule's description and id never reach
// a prompt verbatim (the id only through the memo tag, and ids are [a-z0-9._-]). The same
// rule with a benign value loads, so each refusal is the injected value's doing.
// tests/unit/text checks the text grammar value by value; this goes through YAML parsing,
// escapes and the loader's field handling.

#include "paymand/rules/rule_loader.hpp"
#include "support/process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace paymand::hostile {
namespace {

std::vector<std::string> injections()
{
    std::ifstream in(test::source_path("tests/fixtures/hostile/prompt-injections.jsonl"));
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        out.emplace_back(boost::json::parse(line).as_string());
    }
    return out;
}

struct field {
    const char* name;
    // The rule file with `{}` where the value goes (as a double-quoted YAML scalar), on line 5.
    const char* layout;
    const char* benign;
    // The start of the error message the loader must give (a memo is refused by the template
    // check or by the text grammar).
    const char* message_prefix;
};

constexpr field fields[] = {
    {"payee",
     "rules:\n  - id: injected\n    schedule: monthly on day 1 at 09:00\n    pay:\n"
     "      payee: {}\n      amount: 100\n",
     "John Doe", "\"payee\": payee name: "},
    {"pay wallet",
     "rules:\n  - id: injected\n    schedule: monthly on day 1 at 09:00\n    pay:\n"
     "      wallet: {}\n      payee: John Doe\n      amount: 100\n",
     "Main", "\"wallet\": wallet name: "},
    {"memo",
     "rules:\n  - id: injected\n    schedule: monthly on day 1 at 09:00\n    pay:\n"
     "      memo: {}\n      payee: John Doe\n      amount: 100\n",
     "Rent {{month}} {{year}}", "\"memo\": "},
    {"condition wallet",
     "rules:\n  - id: injected\n    schedule: monthly on day 1 at 09:00\n    when:\n"
     "      balance: {{wallet: {}, above: 10}}\n    pay: {{payee: John Doe, amount: 100}}\n",
     "Main", "\"wallet\": wallet name: "},
};

// The value as a YAML double-quoted scalar: JSON string syntax is valid YAML there.
std::string quoted(std::string_view value)
{
    return boost::json::serialize(boost::json::string(value));
}

struct load_result {
    bool loaded = false;
    std::vector<yaml::diagnostic> errors;
};

load_result load(const field& f, std::string_view value)
{
    static const auto policy = rules::permissive_policy();
    yaml::diagnostics diags;
    auto text = fmt::format(fmt::runtime(f.layout), quoted(value));
    auto set = rules::load_rules_text(text, "injected.yaml", policy, diags);
    return {set.has_value(), diags.items()};
}

TEST(prompt_injection, the_corpus_has_at_least_thirty_attempts)
{
    EXPECT_GE(injections().size(), 30u);
}

TEST(prompt_injection, every_field_accepts_a_benign_value)
{
    for (const auto& f : fields) {
        auto r = load(f, f.benign);
        EXPECT_TRUE(r.loaded) << f.name;
        EXPECT_TRUE(r.errors.empty()) << f.name << ": " << r.errors.front().to_string();
    }
}

TEST(prompt_injection, every_attempt_is_refused_in_every_field_at_that_field)
{
    const auto attempts = injections();
    for (const auto& f : fields) {
        for (const auto& value : attempts) {
            auto r = load(f, value);
            EXPECT_FALSE(r.loaded) << f.name << " accepted " << quoted(value);
            for (const auto& e : r.errors) {
                EXPECT_EQ(e.line, 5) << f.name << " " << quoted(value) << ": " << e.to_string();
                EXPECT_EQ(e.message.rfind(f.message_prefix, 0), 0u)
                    << f.name << " " << quoted(value) << ": " << e.to_string();
            }
        }
    }
}

}  // namespace
}  // namespace paymand::hostile
