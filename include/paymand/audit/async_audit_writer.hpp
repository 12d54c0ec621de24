#pragma once

// The engine's front to the audit store: appends from coroutines on the engine's io_context
// that complete once their records are durable, with group commit. Appends made on an
// io_context's own thread are gathered until the handlers that were ready with them have run
// (one flush posted behind them), so occurrences that are ready at the same moment share one
// write and one fsync; a writer thread then takes every batch released while its previous
// write+fsync ran and writes them all at once. N concurrent occurrences cost far fewer than N
// fsyncs, and the io_context never blocks on the disk.

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/audit_store.hpp"
#include "paymand/audit/record.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
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
                const auto ex = work.get_executor();
                // Gather only on the io_context's own thread: there the flush posted behind
                // the ready handlers is sure to run. From elsewhere, release at once.
                auto* io = gathering_context(ex);
                enqueue(std::move(batch), io,
                        [h = std::move(handler),
                         w = std::move(work)](core::result<append_receipt> result) mutable {
                            auto ex = w.get_executor();
                            boost::asio::post(ex,
                                              [h = std::move(h), r = std::move(result)]() mutable {
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

    // Batches waiting for the writer thread (released or still gathering).
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
    // What the writer thread, the callers and a posted flush share. A flush may still be
    // queued on the io_context when the writer is gone: it holds this, not the writer.
    struct shared {
        std::mutex mutex;
        std::condition_variable wake;
        std::vector<pending> queue;      // released: the writer thread takes all of it
        std::vector<pending> gathering;  // waiting for the flush behind the ready handlers
        bool flush_posted = false;
        bool stopping = false;
    };

    // The io_context to gather on: the executor's, when the caller runs on its thread.
    template <class Executor>
    static boost::asio::io_context* gathering_context(const Executor& ex)
    {
        using io_executor = boost::asio::io_context::executor_type;
        const io_executor* io = nullptr;
        if constexpr (std::is_same_v<Executor, io_executor>)
            io = &ex;
        else if constexpr (std::is_same_v<Executor, boost::asio::any_io_executor>)
            io = ex.template target<io_executor>();
        if (io == nullptr || !io->running_in_this_thread()) return nullptr;
        return &io->context();
    }

    void enqueue(std::vector<record_body> records, boost::asio::io_context* io, completion done);
    static void flush_locked(shared& s);  // gathered -> released; the caller holds the lock
    void run();
    void write_group(std::vector<pending>& group);

    std::unique_ptr<audit_store> store_;
    std::shared_ptr<shared> shared_ = std::make_shared<shared>();
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<store_health> health_;
    std::thread thread_;
};

}  // namespace paymand::audit
