#pragma once

// Handing a request to the running daemon through its inbox (daemon/inbox.hpp) and waiting
// for its answer: what `audit resolve` and `trigger` do when the daemon holds the state lock.

#include "paymand/config/daemon_config.hpp"
#include "paymand/daemon/inbox.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace paymand::daemon {

struct handover_answer {
    enum class kind {
        answered,    // `answered` returned true (e.g. the record is in the log)
        done,        // the daemon left <name>.done: `text` is its line
        rejected,    // the daemon left <name>.rejected: `text` is its reason
        timed_out,   // no answer in time: the request stays queued at `posted`
        not_posted,  // the inbox could not be written: `text` says why
    };
    kind what = kind::not_posted;
    std::string text;
    std::filesystem::path posted;
};

// Posts `request` and waits up to `timeout` for the daemon's answer, checking `answered` (may
// be empty) and the answer files every 100 ms.
handover_answer hand_over(const config::daemon_config& cfg, const inbox_request& request,
                          std::chrono::milliseconds timeout, const std::function<bool()>& answered);

}  // namespace paymand::daemon
