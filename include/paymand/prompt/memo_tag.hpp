#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::prompt {

// The tag paymand can put in a memo so a later transaction list is matched to the occurrence
// that paid it: pm:<rule id>:<YYYYMMDD>T<HHMM> (local date-time of the occurrence), e.g.
// pm:rent-john:20261201T0900, and pm:rent-john:20261201T0900m for a manual run (`paymand
// trigger`) in that minute, so that the two can never be taken for each other. The safe-text
// memo grammar accepts either as one word.
struct memo_tag {
    std::string rule_id;
    std::chrono::year_month_day date;
    int hour;             // 0..23
    int minute;           // 0..59
    bool manual = false;  // a manual run's tag ends in "m"

    friend bool operator==(const memo_tag&, const memo_tag&) = default;
};

// The tag's text; the rule id must already be valid ([a-z0-9][a-z0-9._-]{0,63}).
std::string format_memo_tag(const memo_tag& tag);

// Finds the first well-formed tag anywhere in `text` (a memo, a transaction line). Empty when
// none is present or the date-time is not a real one.
std::optional<memo_tag> find_memo_tag(std::string_view text);

}  // namespace paymand::prompt
