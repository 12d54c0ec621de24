#pragma once

// The engine's front to the audit store: appends from coroutines on the engine's io_context
// that complete once their records are durable, with group commit. A writer thread takes every
// batch queued while its previous write+fsync ran and writes them all with one write and one
// fsync, so N concurrent occurrences cost far fewer than N fsyncs, and the io_context never
// blocks on the disk.

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/audit_store.hpp"
#include "paymand/audit/record.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace paymand::audit {

// Where appends run: on the writer's own thread (the daemon: the io_context never waits for
// the disk), or at once in the caller's thread (a store that never blocks, such as the
// in-memory store of `paymand simulate`, where a thread hop per append would dominate).
enum class writer_thread { own, caller };

class async_audit_writer {
public:
    using append_signature = void(core::result<append_receipt>);

    // Takes the store (locked and replayed) and starts the writer thread.
    explicit async_audit_writer(std::unique_ptr<audit_store> store,
                                writer_thread where = writer_thread::own);
    // Writes whatever is still queued, then stops the thread.
    ~async_audit_writer();
    async_audit_writer(const async_audit_writer&) = delete;
    async_audit_writer& operator=(const async_audit_writer&) = delete;

    // Appends `records` (in order, contiguous in the log) and completes, on the handler's
    // associated executor, once they are durable or the append failed; on failure none of
    // them is in the log. Callable from any thread. Not cancellable: once queued the records
    // will be written, so a deadline applied from outside only stops the wait.
    template <class CompletionToken>
    auto async_append(std::vector<record_body> records, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, append_signature>(
            [this](auto handler, std::vector<record_body> batch) {
                // Keep the caller's executor busy until the completion is delivered there.
                auto work = boost::asio::make_work_guard(handler);
                enqueue(std::move(batch), [h = std::move(handler), w = std::move(work)](
                                              core::result<append_receipt> result) mutable {
                    auto ex = w.get_executor();
                    boost::asio::post(ex, [h = std::move(h), r = std::move(result)]() mutable {
                        std::move(h)(std::move(r));
                    });
                    w.reset();
                });
            },
            token, std::move(records));
    }

    // The coroutine form: co_await writer.async_append(records).
    boost::asio::awaitable<core::result<append_receipt>>
    async_append(std::vector<record_body> records);

    // Batches waiting for the writer thread.
    std::size_t queued() const;
    // store.append calls made so far (each one write and one fsync).
    std::uint64_t commits() const noexcept { return commits_.load(); }
    // The store's health as of its last append.
    store_health health() const noexcept { return health_.load(); }

private:
    using completion = boost::asio::any_completion_handler<append_signature>;
    struct pending {
        std::vector<record_body> records;
        completion done;
    };

    void enqueue(std::vector<record_body> records, completion done);
    void run();
    void write_group(std::vector<pending>& group);

    std::unique_ptr<audit_store> store_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<pending> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<store_health> health_;
    std::thread thread_;
};

}  // namespace paymand::audit
