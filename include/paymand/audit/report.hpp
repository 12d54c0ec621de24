#pragma once

// `paymand audit report --month YYYY-MM`: what happened to the occurrences of one month, built
// from the audit log's records alone (pure: no I/O, no clock). Records are fed one by one in
// seq order; each occurrence's state comes from audit_projection, so the report and the
// daemon's replay share one set of state transitions. An occurrence belongs to the month of its
// scheduled instant (`utc` in its records), whenever its records were written: a resolution
// recorded in January of a December occurrence changes December's report.

#include "paymand/audit/projection.hpp"
#include "paymand/audit/record.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/money/money_errc.hpp"
#include "paymand/schedule/zone.hpp"

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace paymand::audit {

// The occurrences a report covers: those whose instant lies in [begin, end): one calendar
// month, or a run of whole days (`--from`/`--to`, a year at once).
struct month_window {
    std::optional<std::chrono::year_month> month;  // set when the window is one calendar month
    std::string label;                             // "2026-12", or "2026-01-01 to 2026-12-31"
    std::string zone;                              // "UTC", or the IANA zone whose calendar this is
    utc_seconds begin{};
    utc_seconds end{};
};

// "2026-12" exactly: four-digit year 0001-9999, two-digit month 01-12; anything else nullopt.
std::optional<std::chrono::year_month> parse_month(std::string_view text) noexcept;
// "2026-12-31" exactly, a real date; anything else nullopt.
std::optional<std::chrono::year_month_day> parse_day(std::string_view text) noexcept;

// The days `first` to `last`, both included, in UTC (`zone` null) or in `zone`'s calendar:
// from local midnight of `first` up to local midnight of the day after `last`.
month_window day_range(std::chrono::year_month_day first, std::chrono::year_month_day last,
                       const schedule::zone* zone);

// The calendar month in UTC: first day 00:00:00Z up to the next month's first day.
month_window utc_month(std::chrono::year_month month);
// The calendar month in `zone`: from local midnight of its first day up to local midnight of
// the next month's first day (a midnight that does not exist is read as schedule::zone does).
month_window local_month(std::chrono::year_month month, const schedule::zone& zone);

// One occurrence of the month and what became of it.
struct report_entry {
    occurrence_ref ref;
    occurrence_state state = occurrence_state::in_flight;
    std::optional<intended_payment> payment;  // set once an intent was recorded
    std::string limit;                        // denied: the limit that refused it
    // Why, in the log's words: the reason, the operator's note, the task or transaction id.
    std::string detail;
    bool dry_run = false;  // from the dry-run log: never paid

    friend bool operator==(const report_entry&, const report_entry&) = default;
};

struct payee_total {
    std::string payee;
    money::amount total;
    std::uint64_t payments = 0;

    friend bool operator==(const payee_total&, const payee_total&) = default;
};

struct currency_total {
    money::amount total;
    std::uint64_t payments = 0;

    friend bool operator==(const currency_total&, const currency_total&) = default;
};

// Every list is ordered by instant, then occurrence identity.
struct month_report {
    month_window window;
    std::vector<report_entry> paid;      // completed, reconciled_paid, resolved_paid
    std::vector<report_entry> open;      // in_doubt, mismatch, in_flight: need a look
    std::vector<report_entry> denied;    // refused by a limit; nothing was sent
    std::vector<report_entry> failed;    // not paid: failed, resolved_not_paid
    std::vector<report_entry> skipped;   // not run (condition not met, overlap, ...)
    std::vector<report_entry> missed;    // past the catch-up window
    std::vector<report_entry> reported;  // read-only report actions
    // Payments a dry run would have asked for (never sent, never counted as paid).
    std::vector<report_entry> dry_run;
    // Sums of `paid` only: per payee and currency (by payee, then currency code) and per
    // currency (by code). Integer minor units.
    std::vector<payee_total> per_payee;
    std::vector<currency_total> per_currency;
    std::uint64_t records = 0;  // records about this month's occurrences
    // Records the state transitions did not expect (see projection_warning); at most 100.
    std::vector<projection_warning> warnings;
};

// Feeds records into a month_report. Memory grows with the month's occurrences only.
class month_report_builder {
public:
    explicit month_report_builder(month_window window);

    // Applies one record; records must come in seq order (as audit_reader returns them).
    // Records about the daemon itself and about occurrences of other months are ignored.
    // Records marked dry_run are kept apart and never count as paid.
    void add(const record& r);

    // The report as of the records added so far; the builder can go on afterwards. An
    // intent without a result is reported in_flight (the daemon may still be asking, or it
    // stopped mid-payment and will record in_doubt when it starts). Fails only when a total
    // leaves the int64 range of minor units (money_errc::overflow).
    core::result<month_report> finish() const;

private:
    struct extra {
        std::string limit;
        std::string detail;
    };
    void apply(audit_projection& projection, std::vector<std::string>& order,
               std::unordered_map<std::string, extra>& extras, const record& r);
    // Adds the occurrences of one projection (real or dry run) to the report's lists.
    static void collect(month_report& report, const audit_projection& projection,
                        const std::vector<std::string>& order,
                        const std::unordered_map<std::string, extra>& extras, bool dry);

    month_window window_;
    std::uint64_t records_ = 0;
    // Real and dry-run records in separate projections: a dry run never touches real state.
    audit_projection real_;
    audit_projection dry_;
    std::vector<std::string> real_order_;  // occurrence identities in order of first record
    std::vector<std::string> dry_order_;
    std::unordered_map<std::string, extra> real_extra_;
    std::unordered_map<std::string, extra> dry_extra_;
};

// Convenience: a report over `records` (in seq order).
core::result<month_report> build_month_report(const month_window& window,
                                              const std::vector<record>& records);

// The command an operator runs for an open occurrence, e.g.
// `paymand audit resolve rent-john@2026-12-01T10:00 --paid|--not-paid --note "..."`.
// The identity is single-quoted for the shell when it holds anything but [A-Za-z0-9@:._~+-].
std::string resolve_command(std::string_view occurrence);

// The report as one JSON object (see docs/audit-cli.md): amounts as exact decimal strings
// with their currency code, instants as RFC 3339 UTC.
boost::json::object to_json(const month_report& report);

}  // namespace paymand::audit
