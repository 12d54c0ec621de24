#pragma once

// Field readers shared by the rule and policy parsers: amounts from source text, names
// through the safe-text grammar, time zones.

#include "paymand/money/amount.hpp"
#include "paymand/money/currency.hpp"
#include "paymand/money/parse.hpp"
#include "paymand/schedule/zone.hpp"
#include "paymand/yaml/reader.hpp"

#include <date/tz.h>

#include <optional>
#include <string>

namespace paymand::rules::detail {

// Position of byte `offset` of a field's scalar value in the file. Exact for plain scalars
// and for quoted ones of printable ASCII (no escapes); otherwise the start of the value.
YAML::Mark mark_in_scalar(const yaml::reader& in, const yaml::field& f, std::size_t offset);

// A positive amount of `unit` read from the field's source text (never through double);
// errors point at the offending character.
std::optional<money::amount> read_amount(const yaml::reader& in, const yaml::field& f,
                                         money::currency unit);

// A currency code from the table.
std::optional<money::currency> read_currency(const yaml::reader& in, const yaml::field& f);

// An IANA time zone name resolved through the tz database (never the host's zone).
std::optional<schedule::zone> read_zone(const yaml::reader& in, const yaml::field& f);
// UTC, which always exists.
schedule::zone utc_zone();

enum class text_kind { payee, wallet, memo };

// Text that will be interpolated into a prompt, checked by the safe-text grammar.
std::optional<std::string> read_safe_text(const yaml::reader& in, const yaml::field& f,
                                          text_kind kind);

}  // namespace paymand::rules::detail
