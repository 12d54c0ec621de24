#pragma once

// `paymand status` on a node with an `ha:` section: what the shared ledger says of the whole
// cluster (docs/ha.md, "Reading status and metrics"), read with the node's own connection
// string and short bounds. Who leads by the database's clock, which nodes live, and the rows
// other nodes left `in_doubt` or `sending`, each with the command that resolves it on that
// node. When the ledger cannot be read, it says so: "cannot tell", never "all is well".

#include "paymand/config/daemon_config.hpp"
#include "paymand/inspect/status_verdict.hpp"
#include "paymand/ledger/cluster_view.hpp"
#include "paymand/ledger/occurrence_ledger.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace paymand::app {

struct cluster_status {
    std::string self;  // this node's name (ha.node): its own rows are in its audit log
    std::optional<ledger::cluster_view> view;
    std::string cannot_tell;  // why there is no view: never the connection string or a password
    // The other nodes' payments claimed within 32 days (`paid`, and `sending` or `in_doubt`),
    // each with what its row says it pays (none for a row gated before schema version 3).
    std::vector<ledger::others_payment> others_paid, others_in_doubt;
};

// Connects (3 s), checks the schema and reads the cluster (3 s a reply, 2 s a statement).
cluster_status read_cluster_status(const config::ha_config& ha, const config::env_lookup& getenv);

// The open rows of the other nodes, oldest first.
std::vector<const ledger::open_occurrence*> others_open(const cluster_status& c);

// A warning when nobody leads, when another node's row needs an operator, or when the ledger
// cannot be read; ok when a node leads.
void add_cluster_verdict(inspect::status_verdict& verdict, const cluster_status& c);

// The `cluster:` lines of the text output.
void print_cluster(const cluster_status& c);

// The `cluster` object of `status --json`.
boost::json::object cluster_json(const cluster_status& c);

}  // namespace paymand::app
