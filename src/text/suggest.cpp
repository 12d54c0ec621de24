#include "paymand/text/suggest.hpp"

#include <algorithm>
#include <utility>

namespace paymand::text {
namespace {

char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    // Three rows of the dynamic programme: two back for the swap.
    std::vector<std::size_t> two(b.size() + 1), one(b.size() + 1), row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) one[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = fold(a[i - 1]) == fold(b[j - 1]);
            row[j] = std::min({one[j] + 1, row[j - 1] + 1, one[j - 1] + (same ? 0 : 1)});
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
                fold(a[i - 2]) == fold(b[j - 1]))
                row[j] = std::min(row[j], two[j - 2] + 1);
        }
        std::swap(two, one);
        std::swap(one, row);
    }
    return one[b.size()];
}

std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates,
                                 std::size_t most)
{
    const std::size_t allowed = word.size() <= 3 ? 1 : std::max<std::size_t>(2, word.size() / 3);
    std::vector<std::pair<std::size_t, const std::string*>> near;
    for (const auto& c : candidates) {
        const auto d = edit_distance(word, c);
        const bool prefix = !word.empty() && c.size() > word.size() && c.starts_with(word);
        if (d <= allowed || prefix) near.emplace_back(prefix ? std::min(d, allowed) : d, &c);
    }
    std::sort(near.begin(), near.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first < y.first : *x.second < *y.second;
    });
    std::vector<std::string> out;
    for (const auto& [d, c] : near) {
        // A name that differs only in case is the answer; the others would be noise.
        if (out.size() == most || (d > 0 && near.front().first == 0)) break;
        if (std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(*c);
    }
    return out;
}

std::string did_you_mean(const std::vector<std::string>& suggestions, std::string_view quote)
{
    if (suggestions.empty()) return {};
    std::string out = "did you mean ";
    for (std::size_t i = 0; i < suggestions.size(); ++i) {
        if (i > 0) out += i + 1 == suggestions.size() ? " or " : ", ";
        out += std::string(quote) + suggestions[i] + std::string(quote);
    }
    return out + "?";
}

}  // namespace paymand::text
