#pragma once

// The daemon's inbox: how `paymand audit resolve` hands an operator's verdict, and `paymand
// trigger` a manual run, to a running daemon, which holds the state lock and is the only
// writer of the audit log. A request is a small JSON file renamed into
// <state_directory>/inbox/ (so it appears whole); the daemon learns of it through inotify (no
// polling), checks it against its own state, acts on it and deletes the file, or leaves
// <name>.rejected beside it with the reason. A trigger's occurrence identity is left in
// <name>.done once it has run. Only who can write into the state directory (root, the
// service's user) can use it.

#include "paymand/audit/resolution.hpp"
#include "paymand/core/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace paymand::daemon {

// Requests larger than this are refused unread.
inline constexpr std::size_t max_request_bytes = 4096;

std::filesystem::path inbox_directory(const std::filesystem::path& state_directory);

// `paymand trigger RULE` handed to the daemon: run one manual occurrence of the rule now.
struct trigger_request {
    std::string rule;
};

using inbox_request = std::variant<audit::resolution_request, trigger_request>;

// Writes `request` into `inbox` atomically (temporary file, fsync, rename); the request's
// path, or the error.
core::result<std::filesystem::path> post_request(const std::filesystem::path& inbox,
                                                 const inbox_request& request);

// The request in `file`, or the error (unreadable, too large, not the shape:
// {"occurrence", "verdict", "note"} or {"trigger"}).
core::result<inbox_request> read_request(const std::filesystem::path& file);

// The requests waiting in `inbox`, oldest name first (names start with a time stamp).
std::vector<std::filesystem::path> pending_requests(const std::filesystem::path& inbox);

// Where the daemon puts its reason for refusing `request_file`.
std::filesystem::path rejection_path(const std::filesystem::path& request_file);

// Replaces `request_file` by its rejection note (best effort: the log has the reason too).
void reject_request(const std::filesystem::path& request_file, const std::string& reason);

// Where the daemon leaves the identity of the occurrence a trigger request ran.
std::filesystem::path done_path(const std::filesystem::path& request_file);

// Replaces `request_file` by its answer `line` (best effort: the log has the records).
void complete_request(const std::filesystem::path& request_file, const std::string& line);

// inotify on the inbox directory: completes when a file was moved or written into it.
class inbox_watch {
public:
    // Creates `inbox` (mode 0700) if needed and watches it; or the reason it cannot, with the
    // directory's name.
    static boost::system::result<inbox_watch, std::string>
    open(boost::asio::any_io_executor executor, const std::filesystem::path& inbox);

    // Completes (error_code empty) after one or more new files, or with operation_aborted.
    boost::asio::awaitable<boost::system::error_code> async_wait_change();

    void cancel() { descriptor_.cancel(); }

    const std::filesystem::path& directory() const noexcept { return directory_; }

private:
    inbox_watch(std::filesystem::path inbox, boost::asio::posix::stream_descriptor descriptor);

    std::filesystem::path directory_;
    boost::asio::posix::stream_descriptor descriptor_;
};

}  // namespace paymand::daemon
