#pragma once

// Confirmation from the ledger, without I/O: after the agent reports a payment completed,
// paymand reads recent transactions and settles each awaiting payment by what the listing
// shows. The agent's prose is never the witness; the listing is.

#include "paymand/audit/record.hpp"
#include "paymand/engine/reconcile.hpp"
#include "paymand/reply/transactions.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::engine {

enum class listing_verdict {
    confirmed,     // exactly one transaction carries the tag, with the amount and payee
    not_listed,    // no transaction carries the tag readably: proves nothing either way
    contradicted,  // the tag on two or more transactions, or with another amount or payee
};

struct listing_match {
    listing_verdict verdict = listing_verdict::not_listed;
    std::vector<std::size_t> entries;  // the listed transactions that carry the tag
    std::string explanation;           // our words, for records and the journal
};

// For each sought payment, in order, what `listed` shows about it. A transaction carries a
// tag when the reply reader found paymand's tag in it; exactly one such transaction
// confirms the payment when it names the intended payee (a listing that omits the payee
// proves nothing), shows the intended amount, was sent (not received) and, when the memo is
// shown, ends it with the tag, as paymand writes it.
std::vector<listing_match> confirm_listed(const std::vector<reply::transaction_entry>& listed,
                                          const std::vector<sought_payment>& sought);

// A completed payment waiting to be confirmed.
struct awaiting_payment {
    audit::occurrence_ref ref;
    sought_payment sought;
    std::uint32_t listings = 0;  // listings read for it so far
    // Payments this process had reported completed when this one was: how deep it lies
    // in a listing, newest first, is the difference to the current count.
    std::uint64_t completed_seq = 0;
};

inline constexpr int max_listing_count = 100;  // the transactions prompt's upper bound

// Which awaiting payments one listing covers, and how long it must be.
struct listing_plan {
    std::vector<awaiting_payment> batch;         // looked up in this listing
    std::vector<awaiting_payment> out_of_reach;  // too many payments since: no listing shows them
    int count = 0;                               // transactions to ask for
};

// Transactions a listing asks for beyond what paymand can account for: payments made by
// others (another client, the dashboard) in the meantime.
inline constexpr int listing_slack = 5;

// Takes up to `max_batch` payments from the front of `queue` (oldest first). A payment can
// lie below every payment completed after it plus those in flight (`in_flight`); the listing
// asks for that depth plus `admit` (payments that may still complete while the listing is
// read: the engine holds any more back until it is answered) and listing_slack, at least
// `min_count` and at most max_listing_count. A payment deeper than a listing can reach is out
// of reach.
listing_plan plan_listing(std::vector<awaiting_payment>& queue, std::size_t max_batch,
                          std::uint64_t completed_now, std::size_t in_flight, std::size_t admit,
                          int min_count);

// What one round settles: records to append (confirmed, mismatch, unconfirmed) and the
// payments to look for again.
struct confirmation_round {
    std::vector<audit::record_body> records;
    std::vector<awaiting_payment> again;
};

// Settles `batch` by a listing read from `reply` (its entries `listed`). A payment not listed
// is looked for again until it has been looked up in `max_listings` listings; then it is
// recorded unconfirmed.
confirmation_round settle_listing(std::vector<awaiting_payment> batch,
                                  const std::vector<reply::transaction_entry>& listed,
                                  std::string_view reply, std::uint32_t max_listings);

// The same when the listing could not be read (`why`): it counts as a listing that showed
// nothing.
confirmation_round settle_without_listing(std::vector<awaiting_payment> batch, std::string_view why,
                                          std::uint32_t max_listings);

// Records out-of-reach payments unconfirmed.
std::vector<audit::record_body> unreachable(const std::vector<awaiting_payment>& payments);

}  // namespace paymand::engine
