#pragma once

// The lease keeper: one node's side of the lease (docs/ha.md, "The lease keeper"). It owns the
// lease connection; campaigns when the node is eligible (schema current, continuity intact,
// clock within the skew bound, the same rule set and policy as every other live node) and the
// lease is free; renews every `renew` with retries inside the trusted window; LISTENs on the
// lease channel, so a graceful release is taken over at once; and becomes a standby when a
// renewal is refused or the trusted window runs out.
//
// The trusted window is kept on the monotonic clock: from the moment the acquisition or renewal
// statement was SENT, plus the time left the database answered, minus the safety margin. So the
// node stops trusting its lease before the database lets anyone else take it, however long the
// answer took. is_leader() is exact at every instant: it compares the window with the monotonic
// clock, not with the keeper loop's last look.
//
// One executor, one thread, like the connection. Its two tasks run in a core::task_group and
// are cancelled with it; stop() is the graceful way: the lease is released with NOTIFY.

#include "paymand/core/clock.hpp"
#include "paymand/core/task_group.hpp"
#include "paymand/ledger/connection.hpp"
#include "paymand/ledger/continuity.hpp"
#include "paymand/ledger/node_table.hpp"
#include "paymand/ledger/occurrence_ledger.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::ledger {

struct keeper_settings {
    connection_settings connection;
    node_identity identity;
    std::chrono::milliseconds lease{10000};
    std::chrono::milliseconds renew{2000};
    std::chrono::milliseconds safety_margin{1000};
    std::chrono::milliseconds max_clock_skew{1000};
    node_memory memory;  // what the node's own disk remembers (continuity.hpp)
};

// The keeper reads its clock's wall time for the skew check only (tests inject a skewed one);
// every window is a deadline of a steady timer, so it is kept on std::chrono::steady_clock, the
// timer's own clock.

enum class keeper_role {
    starting,      // not connected yet, or reconnecting while not leader
    standby,       // eligible; another node holds the lease
    leader,        // holds the lease and is within its trusted window
    not_eligible,  // must not campaign: reason in keeper_status::not_eligible
    stopped,       // stop() or cancellation: the task ended
};

std::string_view to_string(keeper_role role) noexcept;

enum class loss_reason {
    renewal_refused,  // the database said the term is over (expired or taken)
    window_ran_out,   // no renewal succeeded within the trusted window
    stopped,          // stop() or cancellation
};

std::string_view to_string(loss_reason reason) noexcept;

// What an operator and the metrics read.
struct keeper_status {
    keeper_role role = keeper_role::starting;
    std::int64_t epoch = 0;  // the term held now, else the last one held (0: never)
    std::chrono::milliseconds lease_remaining{0};  // of the trusted window; 0 unless leader
    std::uint64_t takeovers = 0;                   // acquisitions by this node
    std::uint64_t refused_renewals = 0;            // renewals the database refused
    std::uint64_t refused_gates = 0;               // gates refused, as the engine reports them
    std::uint64_t losses = 0;                      // times the lease was lost (any reason)
    std::optional<std::chrono::milliseconds> clock_skew;  // database minus node, last read
    std::string not_eligible;        // why the node may not campaign; empty when it may
    std::int64_t highest_epoch = 0;  // for the node's own disk (node_memory)
};

class lease_keeper {
public:
    // Called once each time the lease is lost, at once, before anything else is done: the
    // engine stops claiming and opening gates on this call.
    using lost_handler = std::function<void(std::int64_t epoch, loss_reason reason)>;
    // Called once each time the lease is acquired, once the node leads (current_fence() holds
    // the new term): the engine starts scheduling on this call.
    using gained_handler = std::function<void(std::int64_t epoch)>;

    lease_keeper(boost::asio::any_io_executor executor, keeper_settings settings,
                 lost_handler on_lost,
                 std::shared_ptr<const core::clock> clock = core::system_clock());
    ~lease_keeper();
    lease_keeper(const lease_keeper&) = delete;
    lease_keeper& operator=(const lease_keeper&) = delete;

    // Sets the gained handler; call before start().
    void on_gained(gained_handler handler);

    // Spawns the keeper ("lease keeper") and its trust-window watch ("lease window") in `group`.
    void start(core::task_group& group);

    // Graceful stop: the node stops being leader at once (lost handler, reason stopped), then the
    // keeper releases the lease with NOTIFY, retires the node's row and ends. Stop claiming and
    // let sends in flight record their results before calling it.
    void stop();

    // True while this node holds the lease and is inside its trusted window, now.
    bool is_leader() const;
    // The fence for claims and gates while leader; nullopt otherwise.
    std::optional<fence> current_fence() const;
    // What is left of the trusted window (0 unless leader).
    std::chrono::milliseconds trust_remaining() const;
    keeper_status status() const;

    // The engine reports each gate the database refused (metrics and status).
    void note_refused_gate();

    struct state;

private:
    std::shared_ptr<state> state_;
};

}  // namespace paymand::ledger
