#pragma once

// Each node's hash-chained audit log, shipped byte for byte into the shared ledger. PostgreSQL
// verifies every link on insert with its built-in sha256() (schema.cpp): a broken link, a gap, a
// malformed line or a second copy of a sequence number is refused, and nothing of the batch is
// stored.

#include "paymand/ledger/connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace paymand::ledger {

struct shipped_record {
    std::int64_t seq = 0;  // the record's "seq"
    std::string line;      // the line exactly as written, without its newline
};

// Ships `records` (consecutive, in order) of `node` in one statement.
boost::asio::awaitable<core::result<void, db_error>>
async_ship_audit(connection& conn, std::string node, std::vector<shipped_record> records);

struct shipped_tail {
    std::int64_t seq = 0;  // 0: nothing shipped
    std::string hash;      // the last shipped record's hash ("" when none)
};

// How far the ledger holds `node`'s chain: where a shipper resumes, and what a node compares
// with its own log (the same hash at that seq, or the chains diverged).
boost::asio::awaitable<core::result<shipped_tail, db_error>> async_shipped_tail(connection& conn,
                                                                                std::string node);

// The nodes whose audit records the ledger holds, by name.
boost::asio::awaitable<core::result<std::vector<std::string>, db_error>>
async_shipped_nodes(connection& conn);

// Up to `limit` records of `node` after seq `after`, in order, each line as shipped. A reader of
// the cluster's logs (`paymand audit report --cluster`) pages through a chain with it.
boost::asio::awaitable<core::result<std::vector<shipped_record>, db_error>>
async_read_shipped(connection& conn, std::string node, std::int64_t after, std::int64_t limit);

}  // namespace paymand::ledger
