#pragma once

// Readable text for the audit subcommands: one line per record (`audit tail`), and the month
// report as text tables or CSV (`audit report`). JSON comes from the records' own lines and
// from audit::to_json.

#include "paymand/audit/record.hpp"
#include "paymand/audit/report.hpp"

#include <string>
#include <string_view>

namespace paymand::app {

// "2026-12-01T09:00:01.251234Z  seq 5  intent  rent-john@2026-12-01T10:00  1200.00 TSD to
// John Doe from Main": time (UTC), seq, type, occurrence and the record's key facts, on one
// line whatever the record holds.
std::string describe_record(const audit::record& r);

// The report as text: sections of aligned rows, totals, the resolve command for each open
// occurrence (with `resolve_suffix` appended, e.g. " --config /etc/x.yaml"), counts.
std::string report_text(const audit::month_report& report, std::string_view log,
                        std::string_view resolve_suffix);

// The report as CSV (RFC 4180, header row first): one row per occurrence with its section,
// then one row per payee total and per currency total.
std::string report_csv(const audit::month_report& report);

}  // namespace paymand::app
