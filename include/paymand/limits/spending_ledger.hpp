#pragma once

// Running totals of past payments per calendar day and month (in one time zone), per
// currency and per payee, so that a limit check costs a few map lookups however long the
// history is. Completed and in-doubt payments both count: a payment whose outcome is unknown
// may have moved money, so limits treat it as paid.

#include <date/tz.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

namespace paymand::limits {

enum class payment_status { completed, in_doubt };

struct payment_record {
    std::int64_t amount = 0;  // minor units
    std::string currency;
    std::string payee;
    std::chrono::sys_seconds instant;  // UTC
    payment_status status = payment_status::completed;
};

// Totals for one calendar day and the month it lies in, as seen by a limit check.
struct period_totals {
    std::int64_t day = 0;
    std::int64_t month = 0;
};

class spending_ledger {
public:
    // `zone` decides where calendar days and months begin; it must outlive the ledger
    // (tz database zones live as long as the process). nullptr means UTC.
    explicit spending_ledger(const date::time_zone* zone = nullptr);

    // Adds one payment; O(log n). Amounts must be positive.
    void add(const payment_record& payment);
    // Takes back a payment added before (a reservation whose payment was never asked for).
    void remove(const payment_record& payment);

    const date::time_zone* zone() const { return zone_; }

    // Totals in `currency` (all payees) for the local day and month containing `instant`.
    period_totals currency_totals(const std::string& currency,
                                  std::chrono::sys_seconds instant) const;
    // The same for one payee.
    period_totals payee_totals(const std::string& payee, const std::string& currency,
                               std::chrono::sys_seconds instant) const;
    // Number of payments (any currency, any payee) on the local day containing `instant`.
    std::int64_t payments_on_day(std::chrono::sys_seconds instant) const;

    // Local day number (days since 1970-01-01 in the zone) and month number (year*12+month-1).
    std::pair<std::int64_t, std::int64_t>
    local_day_and_month(std::chrono::sys_seconds instant) const;

private:
    const date::time_zone* zone_;
    std::map<std::tuple<std::string, std::int64_t>, std::int64_t, std::less<>> currency_day_;
    std::map<std::tuple<std::string, std::int64_t>, std::int64_t, std::less<>> currency_month_;
    std::map<std::tuple<std::string, std::string, std::int64_t>, std::int64_t, std::less<>>
        payee_day_;
    std::map<std::tuple<std::string, std::string, std::int64_t>, std::int64_t, std::less<>>
        payee_month_;
    std::map<std::int64_t, std::int64_t> count_day_;
};

}  // namespace paymand::limits
