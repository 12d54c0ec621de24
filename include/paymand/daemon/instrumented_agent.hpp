#pragma once

// An engine::agent that counts and times every ask of the agent it wraps.

#include "paymand/core/clock.hpp"
#include "paymand/engine/agent.hpp"
#include "paymand/metrics/registry.hpp"

#include <memory>

namespace paymand::daemon {

// Wraps `inner`: each async_ask is forwarded unchanged and its outcome returned unchanged;
// in between, the time from the call to the answer (clock's monotonic time) is recorded with
// reg.observe_ask(kind, status). kind is payment when options.idempotency_key is set, read
// otherwise; status is answered or the failure's error class. An ask that ends with an
// exception (cancellation) is rethrown and not counted. `reg` must outlive the returned agent,
// and asks must run on the registry's thread (the daemon's io_context).
std::shared_ptr<engine::agent>
instrument(std::shared_ptr<engine::agent> inner, metrics::registry& reg,
           std::shared_ptr<const core::clock> clock = core::system_clock());

}  // namespace paymand::daemon
