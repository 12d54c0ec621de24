#include "paymand/reply/phrase_set.hpp"

#include <algorithm>
#include <stdexcept>

namespace paymand::reply {

namespace {

std::uint16_t pair_at(std::string_view text, std::size_t at)
{
    return static_cast<std::uint16_t>(static_cast<unsigned char>(text[at]) << 8 |
                                      static_cast<unsigned char>(text[at + 1]));
}

std::size_t filter_bit(std::uint16_t start)
{
    return ((start >> 8) << 4 ^ (start & 0xff)) & 0xfff;
}

}  // namespace

phrase_set::phrase_set(std::vector<std::string_view> phrases) : phrases_(std::move(phrases))
{
    if (phrases_.size() > max_phrases) throw std::logic_error("phrase_set: too many phrases");
    for (std::size_t i = 0; i < phrases_.size(); ++i) {
        const auto p = phrases_[i];
        if (p.empty()) throw std::logic_error("phrase_set: an empty phrase");
        const auto index = static_cast<std::uint16_t>(i);
        if (p.size() == 1) {
            single_bytes_.push_back(index);
            continue;
        }
        by_start_.emplace_back(pair_at(p, 0), index);
        may_start_.set(filter_bit(pair_at(p, 0)));
    }
    std::sort(by_start_.begin(), by_start_.end());
}

phrase_set::found phrase_set::find(std::string_view text) const
{
    found out;
    for (const auto index : single_bytes_)
        if (text.find(phrases_[index][0]) != std::string_view::npos) out.set(index);
    for (std::size_t at = 0; at + 1 < text.size(); ++at) {
        const auto start = pair_at(text, at);
        if (!may_start_.test(filter_bit(start))) continue;
        const auto rest = text.substr(at);
        auto it = std::lower_bound(by_start_.begin(), by_start_.end(),
                                   std::pair<std::uint16_t, std::uint16_t>(start, 0));
        for (; it != by_start_.end() && it->first == start; ++it) {
            const auto phrase = phrases_[it->second];
            // Two bytes in common are common in prose: the last byte rejects most cheaply.
            if (rest.size() < phrase.size() || rest[phrase.size() - 1] != phrase.back()) continue;
            if (rest.starts_with(phrase)) out.set(it->second);
        }
    }
    return out;
}

}  // namespace paymand::reply
