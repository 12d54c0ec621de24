#pragma once

// Helpers the engine's unit tests share: amounts in the sandbox's test currency and the memo
// tags of a rent rule's occurrences.

#include "paymand/money/parse.hpp"
#include "paymand/prompt/memo_tag.hpp"

#include <chrono>
#include <string_view>

namespace paymand::test {

// An amount in TSD, the sandbox's test currency; `text` must parse.
inline money::amount tsd(std::string_view text)
{
    return money::parse_amount(text, "TSD").value();
}

// The memo tag of rule "rent"'s occurrence on 2026-12-01 at 09:`minute`.
inline prompt::memo_tag tag(int minute, bool manual = false)
{
    using namespace std::chrono;
    return {"rent", year{2026} / December / 1, 9, minute, manual};
}

}  // namespace paymand::test
