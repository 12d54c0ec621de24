#include "paymand/rules/rule_set.hpp"

namespace paymand::rules {

rule_set::rule_set(std::vector<rule> rules) : rules_(std::move(rules))
{
    // The loader grew the vector by doubling; a daemon keeps the set for its whole life.
    rules_.shrink_to_fit();
    index_.reserve(rules_.size());
    for (std::size_t i = 0; i < rules_.size(); ++i) index_.emplace(rules_[i].id, i);
}

const rule* rule_set::find(std::string_view id) const
{
    auto it = index_.find(std::string(id));
    return it == index_.end() ? nullptr : &rules_[it->second];
}

}  // namespace paymand::rules
