#pragma once

// A restored backup must not re-pay. Before it campaigns, a node compares what the ledger holds
// with what it knows it wrote there: a database whose epoch went backwards, or that holds less
// of this node's chain than the node had shipped, is an older copy, and the node refuses to lead.

#include "paymand/ledger/connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

namespace paymand::ledger {

// What the node remembers on its own disk (kept by the node, never read from the ledger).
struct node_memory {
    std::int64_t highest_epoch = 0;  // the highest lease epoch it has seen
    std::int64_t shipped_seq = 0;    // the last audit seq the ledger acknowledged
};

// What the ledger holds now.
struct ledger_position {
    std::int64_t epoch = 0;        // the lease's epoch
    std::int64_t shipped_seq = 0;  // the last seq of this node's chain it holds
};

enum class continuity {
    intact,
    epoch_went_backwards,  // the lease epoch is lower than one this node saw
    chain_shorter,         // the ledger lost records of this node's chain it had acknowledged
};

// Pure: the verdict. Only `intact` allows leading.
continuity judge_continuity(const ledger_position& ledger, const node_memory& memory) noexcept;

std::string_view to_string(continuity c) noexcept;

// Reads the ledger's position for `node` in one statement.
boost::asio::awaitable<core::result<ledger_position, db_error>>
async_read_position(connection& conn, std::string node);

}  // namespace paymand::ledger
