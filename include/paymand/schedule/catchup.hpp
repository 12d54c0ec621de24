#pragma once

#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/occurrence.hpp"
#include "paymand/schedule/zone.hpp"
#include "paymand/text/word_table.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace paymand::schedule {

// What happens to occurrences that were due while the daemon was down or the clock jumped
// forward (YAML key `catchup`): `each` (default) runs every missed occurrence inside the window,
// oldest first; `latest` runs only the newest one; `none` runs none of them. Whatever is not
// run is recorded as missed, never dropped silently.
enum class catchup_policy { each, latest, none };

// The words of the rule key `catchup`.
inline constexpr auto catchup_words = text::make_word_table<catchup_policy>({
    {catchup_policy::each, "each"},
    {catchup_policy::latest, "latest"},
    {catchup_policy::none, "none"},
});

inline constexpr catchup_policy default_catchup = catchup_policy::each;
inline constexpr std::chrono::seconds default_catchup_window = std::chrono::hours{72};

// "each", "latest", "none".
std::string_view to_string(catchup_policy p) noexcept;

struct catchup_params {
    catchup_policy policy = default_catchup;
    // Due occurrences whose instant is older than now - window are missed under every policy.
    std::chrono::seconds window = default_catchup_window;
    // An occurrence at most this late is on time, not a catch-up: it runs under every policy
    // (the daemon's timer fires a little after the instant).
    std::chrono::seconds grace = std::chrono::seconds{60};
    // At most this many occurrences to run; under `each` the oldest beyond it are missed.
    std::size_t max_runs = 1000;
    // At most this many missed occurrences listed one by one (the newest); older ones are
    // counted in catchup_plan::unlisted_missed, so a rule that fired every minute through a
    // year of downtime costs a bounded amount of work and memory.
    std::size_t max_listed_missed = 1000;
};

// Why a due occurrence is not run.
enum class missed_reason {
    outside_window,  // older than now - window
    superseded,      // `latest`: a newer occurrence runs instead
    catchup_none,    // `none`: late occurrences are not run
    run_cap,         // `each`: more than max_runs were due; the oldest are not run
};

std::string_view to_string(missed_reason r) noexcept;

struct missed_occurrence {
    occurrence occ;
    missed_reason reason;

    friend bool operator==(const missed_occurrence&, const missed_occurrence&) = default;
};

// What to do now. Every due occurrence is in exactly one of: run, missed, or the unlisted
// summary. All lists are in identity order (oldest first).
struct catchup_plan {
    std::vector<occurrence> run;
    std::vector<missed_occurrence> missed;
    // Missed occurrences older than those listed: how many, and the first and last identity of
    // that contiguous range (to be recorded as one summary record).
    std::uint64_t unlisted_missed = 0;
    std::optional<local_minutes> first_unlisted;
    std::optional<local_minutes> last_unlisted;
    // The newest identity the plan accounts for (the new "handled through" once the plan is
    // carried out); empty when nothing was due.
    std::optional<local_minutes> handled_through;

    std::uint64_t missed_total() const noexcept { return missed.size() + unlisted_missed; }
};

// Plan for a rule whose occurrences were all handled (run, missed, skipped: any outcome) up to
// and including the identity `handled_through`. Due: every occurrence with a later identity
// whose instant is at or before `now`. Pure: no clock, no I/O.
catchup_plan plan_catchup(const calendar& cal, const zone& z, local_minutes handled_through,
                          std::chrono::sys_seconds now, const catchup_params& params = {});

// Plan for a rule with no handled occurrence yet: due are the occurrences whose instant is in
// (since, now], where `since` is when the rule became active (e.g. first loaded).
catchup_plan plan_catchup_since(const calendar& cal, const zone& z, std::chrono::sys_seconds since,
                                std::chrono::sys_seconds now, const catchup_params& params = {});

}  // namespace paymand::schedule
