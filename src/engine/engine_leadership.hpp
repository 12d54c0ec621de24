#pragma once

// A shared ledger (engine_params::gate): only the leader schedules, and a node that gains the
// lease resumes from the ledger's progress before it fires anything (engine_leadership.cpp,
// docs/engine.md "Only the leader schedules"). Without a gate the engine always leads.

#include "paymand/core/error.hpp"
#include "paymand/engine/engine.hpp"
#include "paymand/schedule/identity.hpp"
#include "paymand/schedule/occurrence.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace paymand::engine {

struct leadership_state {
    leadership_state(boost::asio::any_io_executor ex, bool alone)
        : leading(alone), caught_up(alone), timer(ex, boost::asio::steady_timer::time_point::max())
    {
    }

    bool leading;
    bool caught_up;             // the ledger's progress was read and applied in this term
    std::uint64_t term = 0;     // set_leading(true) calls: a read of an older term is stale
    std::string catchup_error;  // the last failed progress read of this term
    std::chrono::seconds retry{1};
    // Cancelled when leadership changes or the engine stops: the standby's and retry's wait.
    boost::asio::steady_timer timer;
    // Scheduled occurrences whose claim or send gate was refused because this node did not
    // lead, each with the term it was asked in: run again (or recorded) by a later term once
    // that has read the ledger's progress (put_back_refused); one closed here without a request
    // is reopened first. Not a rule's earliest alone: a later occurrence may have been claimed
    // under the new term meanwhile.
    std::map<std::string, std::uint64_t, std::less<>> refused;
};

// The occurrence id of a scheduled or a manual identity (a manual run's is the scheduled form
// plus manual_suffix).
core::result<schedule::occurrence_id> parse_identity(std::string_view identity);

// True when the run loop may fire now: always without a gate; with one, while leading and
// caught up with the ledger (its progress is read first in a new term). False after a wait
// (for leadership, or before a failed read is retried): the loop looks again.
boost::asio::awaitable<bool> ready_to_schedule(engine::impl& d);

// A claim or a send gate asked in term `asked_in` and refused because this node does not lead
// (the occurrence driver).
void note_refused(leadership_state& s, const std::string& identity, std::uint64_t asked_in);

// At the engine's end: claims refused in a term that no later one put back are each recorded
// skipped (never left without a record; a refused gate's occurrence has its record already),
// and said in the journal.
boost::asio::awaitable<void> record_refused_at_stop(engine::impl& d);

// With a shared ledger: this node's rows in doubt there that its audit log has settled since
// (an operator's verdict, a listing, a result it could not record) are settled there too. At
// each reconciliation pass (so at the start) and after a resolution.
boost::asio::awaitable<void> settle_doubts_in_ledger(engine::impl& d);

// Called when the occurrence `identity` ended: when it was refused in an older term
// than one that has caught up, the run loop is woken to put it back (it waited for the end).
void refused_ended(engine::impl& d, const std::string& identity);

}  // namespace paymand::engine
