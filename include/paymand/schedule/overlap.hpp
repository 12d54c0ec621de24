#pragma once

#include "paymand/text/word_table.hpp"

#include <optional>
#include <string_view>

namespace paymand::schedule {

// What happens when an occurrence of a rule is due while the previous occurrence of the same
// rule is still in flight (YAML key `overlap`): `queue` (default) runs it once the previous
// one has finished, `skip` records it as skipped. There is no cancel: cancelling a payment in
// flight is unsafe.
enum class overlap_policy { queue, skip };

// The words of the rule key `overlap`.
inline constexpr auto overlap_words = text::make_word_table<overlap_policy>({
    {overlap_policy::queue, "queue"},
    {overlap_policy::skip, "skip"},
});

inline constexpr overlap_policy default_overlap = overlap_policy::queue;

// "queue", "skip".
std::string_view to_string(overlap_policy p) noexcept;

}  // namespace paymand::schedule
