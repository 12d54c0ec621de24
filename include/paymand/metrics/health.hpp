#pragma once

// What `/healthz` answers: healthy, or not with a reason an operator can act on.

#include <functional>
#include <string>

namespace paymand::metrics {

struct health_status {
    bool ok = true;
    // Why not healthy, one line for people, e.g. "audit log unwritable". Ignored when ok.
    std::string reason;
};

// Asked once per /healthz request, on the server's executor.
using health_fn = std::function<health_status()>;

}  // namespace paymand::metrics
