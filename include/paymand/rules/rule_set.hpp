#pragma once

// A complete, validated set of rules: what one load of the rule files yields.

#include "paymand/rules/rule.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace paymand::rules {

class rule_set {
public:
    rule_set() = default;
    // `rules` must have unique ids (the loader guarantees it). Order is kept: files sorted
    // by name, rules in file order.
    explicit rule_set(std::vector<rule> rules);

    const std::vector<rule>& rules() const { return rules_; }
    std::size_t size() const { return rules_.size(); }
    bool empty() const { return rules_.empty(); }

    // The rule with this id, or nullptr.
    const rule* find(std::string_view id) const;

private:
    std::vector<rule> rules_;
    std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace paymand::rules
