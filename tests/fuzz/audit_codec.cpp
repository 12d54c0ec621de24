// Fuzzes the audit log line codec. Any bytes as one line (without its newline): parse_line
// must refuse or return a record, and a record it returns must survive a round trip: the
// line format_line writes for it parses back to the same record (hash aside), and writing
// that again gives the same bytes.

#include "fuzz_support.hpp"
#include "paymand/audit/codec.hpp"
#include "paymand/audit/hash_chain.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace paymand;
    auto parsed = audit::parse_line(fuzz::as_text(data, size));
    if (!parsed) return 0;
    fuzz::require(parsed->hash.size() == audit::hash_hex_length, "a parsed hash has 64 digits");

    audit::record first = *parsed;
    auto line = audit::format_line(first, audit::genesis_hash);
    if (!line) return 0;  // e.g. longer than max_line_bytes once re-encoded
    fuzz::require(!line->empty() && line->back() == '\n', "a formatted line ends with newline");
    auto again = audit::parse_line(std::string_view(*line).substr(0, line->size() - 1));
    fuzz::require(again.has_value(), "a formatted line parses");
    fuzz::require(*again == first, "a formatted line parses to the record it was made from");
    audit::record second = *again;
    auto line2 = audit::format_line(second, audit::genesis_hash);
    fuzz::require(line2.has_value() && *line2 == *line, "formatting is deterministic");
    return 0;
}
