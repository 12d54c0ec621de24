// Fuzzes the rule loader: any bytes as a rule file, checked against the permissive policy
// (paymand check --no-config) or the example policy (first byte odd). The loader's promise:
// a load yields a rule set or errors, never both and never neither; a loaded set can be
// scheduled.

#include "fuzz_support.hpp"
#include "paymand/core/sha256.hpp"
#include "paymand/rules/rule_loader.hpp"
#include "paymand/rules/rule_schedule.hpp"

#include <chrono>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace paymand;
    if (size == 0) return 0;
    static const rules::policy permissive = rules::permissive_policy();
    const rules::policy& pol = (data[0] & 1) != 0 ? fuzz::example_policy() : permissive;
    auto text = fuzz::as_text(data + 1, size - 1);

    yaml::diagnostics diags;
    auto set = rules::load_rules_text(text, "fuzz.yaml", pol, diags);
    fuzz::require(set.has_value() == diags.empty(), "a load yields a rule set xor errors");
    for (const auto& d : diags.items())
        fuzz::require(!d.to_string().empty(), "every diagnostic has a text");
    if (!set) return 0;

    const auto after = std::chrono::sys_days{std::chrono::year{2026} / 11 / 28};
    for (const auto& r : set->rules()) {
        fuzz::require(!r.id.empty() && r.id.size() <= 64, "rule ids are 1-64 characters");
        fuzz::require(paymand::core::sha256_hex(rules::canonical_form(r)) == r.content_hash,
                      "content_hash is the hash of canonical_form");
        fuzz::require(set->find(r.id) == &r, "ids are unique");
    }
    for (const auto& due : rules::next_per_rule(*set, after))
        fuzz::require(due.occ.instant > after, "the next occurrence lies after `after`");
    auto soon = rules::occurrences_between(*set, after, after + std::chrono::days(62), 200);
    for (std::size_t i = 1; i < soon.size(); ++i)
        fuzz::require(soon[i - 1].occ.instant <= soon[i].occ.instant,
                      "occurrences come in instant order");
    return 0;
}
