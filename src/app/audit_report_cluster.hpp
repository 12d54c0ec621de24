#pragma once

// `paymand audit report --cluster` on a node with an `ha:` section: the report of every node of
// the cluster, each read from the shared ledger's copy of its audit log (docs/ha.md, "The audit
// shipper"), and the cluster's totals. Each occurrence is paid by one node at most (the send
// gate), so the nodes' paid totals add up; one found paid on two nodes is reported loudly.

#include "paymand/audit/report.hpp"

#include <string>

namespace paymand::app {

struct cluster_report_args {
    std::string config;  // the node's configuration: its `ha:` section names the ledger
    audit::month_window window;
    bool json = false;
};

// Prints the reports; the exit code: 0, 1 (no `ha:` section, bad configuration), 65 (a shipped
// line that does not parse, or an occurrence paid on two nodes), 69 (the ledger cannot be read).
int run_cluster_report(const cluster_report_args& args);

}  // namespace paymand::app
