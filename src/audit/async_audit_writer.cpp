#include "paymand/audit/async_audit_writer.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <utility>

namespace paymand::audit {

async_audit_writer::async_audit_writer(std::unique_ptr<audit_store> store, writer_thread where)
    : store_(std::move(store)), health_(store_->health())
{
    if (where == writer_thread::own) thread_ = std::thread([this] { run(); });
}

async_audit_writer::~async_audit_writer()
{
    {
        std::lock_guard lock(shared_->mutex);
        flush_locked(*shared_);
        shared_->stopping = true;
    }
    shared_->wake.notify_one();
    if (thread_.joinable()) thread_.join();
}

boost::asio::awaitable<core::result<append_receipt>>
async_audit_writer::async_append(std::vector<record_body> records)
{
    co_return co_await async_append(std::move(records), boost::asio::use_awaitable);
}

std::size_t async_audit_writer::queued() const
{
    std::lock_guard lock(shared_->mutex);
    return shared_->queue.size() + shared_->gathering.size();
}

void async_audit_writer::flush_locked(shared& s)
{
    for (auto& p : s.gathering) s.queue.push_back(std::move(p));
    s.gathering.clear();
    s.flush_posted = false;
}

void async_audit_writer::enqueue(std::vector<record_body> records, boost::asio::io_context* io,
                                 completion done)
{
    if (!thread_.joinable()) {
        // Caller's thread: write now; the completion is posted to the caller's executor.
        std::vector<pending> group;
        group.push_back({std::move(records), std::move(done)});
        write_group(group);
        return;
    }
    bool post_flush = false;
    {
        std::lock_guard lock(shared_->mutex);
        if (shared_->stopping) {
            // Below: the completion runs outside the lock.
        } else if (io == nullptr) {
            shared_->queue.push_back({std::move(records), std::move(done)});
            shared_->wake.notify_one();
            return;
        } else {
            shared_->gathering.push_back({std::move(records), std::move(done)});
            post_flush = !std::exchange(shared_->flush_posted, true);
            if (!post_flush) return;  // the flush already posted takes it
        }
    }
    if (post_flush) {
        // Behind every handler that is ready now: their appends join this group.
        boost::asio::post(*io, [s = shared_] {
            {
                std::lock_guard lock(s->mutex);
                flush_locked(*s);
            }
            s->wake.notify_one();
        });
        return;
    }
    std::move(done)(core::error{make_error_code(audit_errc::closed), 0,
                                "the audit writer is shutting down; nothing was written"});
}

void async_audit_writer::run()
{
    for (;;) {
        std::vector<pending> group;
        {
            std::unique_lock lock(shared_->mutex);
            shared_->wake.wait(lock, [&] { return shared_->stopping || !shared_->queue.empty(); });
            if (shared_->queue.empty()) return;  // stopping, and everything is written
            group.swap(shared_->queue);
        }
        write_group(group);
    }
}

void async_audit_writer::write_group(std::vector<pending>& group)
{
    std::vector<record_body> all;
    std::vector<std::size_t> starts;
    for (auto& p : group) {
        starts.push_back(all.size());
        for (auto& r : p.records) all.push_back(std::move(r));
    }
    starts.push_back(all.size());

    auto deliver = [&](std::size_t i, core::result<append_receipt> r) {
        std::move(group[i].done)(std::move(r));
    };
    auto write = [&](std::size_t first, std::size_t last) {
        commits_.fetch_add(1);
        auto r =
            store_->append(std::span(all).subspan(starts[first], starts[last] - starts[first]));
        health_.store(store_->health());
        return r;
    };

    auto result = write(0, group.size());
    if (!result && result.error().code == audit_errc::record_invalid && group.size() > 1) {
        // Nothing was written; one bad batch must not sink the others.
        for (std::size_t i = 0; i < group.size(); ++i) deliver(i, write(i, i + 1));
        return;
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
        if (!result) {
            deliver(i, result.error());
            continue;
        }
        append_receipt mine;
        const auto first = result->records.begin() + static_cast<std::ptrdiff_t>(starts[i]);
        const auto last = result->records.begin() + static_cast<std::ptrdiff_t>(starts[i + 1]);
        mine.records.assign(std::make_move_iterator(first), std::make_move_iterator(last));
        deliver(i, std::move(mine));
    }
}

}  // namespace paymand::audit
