#include "paymand/daemon/inbox.hpp"

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/state_file.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/daemon/atomic_file.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/system/errc.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <random>

namespace paymand::daemon {

namespace {

constexpr std::string_view request_suffix = ".json";

}  // namespace

std::filesystem::path inbox_directory(const std::filesystem::path& state_directory)
{
    return state_directory / "inbox";
}

core::result<std::filesystem::path> post_request(const std::filesystem::path& inbox,
                                                 const inbox_request& request)
{
    boost::json::object body;
    if (const auto* resolution = std::get_if<audit::resolution_request>(&request))
        body = {{"occurrence", resolution->occurrence},
                {"verdict", std::string(audit::to_string(resolution->verdict))},
                {"note", resolution->note}};
    else
        body = {{"trigger", std::get<trigger_request>(request).rule}};
    const auto now = core::system_clock()->wall_now().time_since_epoch();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    std::random_device random;
    const auto name = fmt::format("{:020}-{:08x}{}", micros, random(), request_suffix);
    const auto target = inbox / name;
    if (auto checked = audit::check_state_directory(inbox, false); !checked) return checked.error();
    // Readable by the service's user when root writes it (the inbox is 0700 either way).
    if (auto written = write_atomically(target, boost::json::serialize(body), 0644); !written)
        return written.error();
    return target;
}

core::result<inbox_request> read_request(const std::filesystem::path& file)
{
    // A verdict is root's or the daemon's user's: relative to the inbox, no symlink, owned by
    // one of them (state_file.hpp).
    auto opened = audit::open_state_file(file, O_RDONLY);
    if (!opened) return opened.error();
    const int fd = *opened;
    std::string text(max_request_bytes + 1, '\0');
    std::size_t size = 0;
    for (;;) {
        auto n = ::read(fd, text.data() + size, text.size() - size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size += static_cast<std::size_t>(n);
        if (size == text.size()) break;
    }
    ::close(fd);
    if (size > max_request_bytes)
        return core::error{
            make_error_code(boost::system::errc::file_too_large), 0,
            fmt::format("{} is larger than {} bytes", file.string(), max_request_bytes)};
    text.resize(size);
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    const auto* object = ec ? nullptr : value.if_object();
    const auto field = [&](std::string_view key) -> const boost::json::string* {
        if (object == nullptr) return nullptr;
        const auto* v = object->if_contains(key);
        return v != nullptr ? v->if_string() : nullptr;
    };
    if (const auto* rule = field("trigger"); rule != nullptr && object->size() == 1)
        return trigger_request{std::string(*rule)};
    const auto* occurrence = field("occurrence");
    const auto* verdict = field("verdict");
    const auto* note = field("note");
    std::optional<audit::resolution> parsed_verdict;
    if (verdict != nullptr) parsed_verdict = audit::parse_resolution(*verdict);
    if (occurrence == nullptr || note == nullptr || !parsed_verdict || object->size() != 3) {
        return core::error{
            make_error_code(boost::system::errc::invalid_argument), 0,
            fmt::format("{} is not a resolution request ({{\"occurrence\", \"verdict\": "
                        "\"paid\"|\"not_paid\", \"note\"}}) nor a trigger ({{\"trigger\": "
                        "RULE}})",
                        file.string())};
    }
    return audit::resolution_request{.occurrence = std::string(*occurrence),
                                     .verdict = *parsed_verdict,
                                     .note = std::string(*note)};
}

std::vector<std::filesystem::path> pending_requests(const std::filesystem::path& inbox)
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(inbox, ec)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with('.') || !name.ends_with(request_suffix)) continue;
        if (!entry.is_regular_file(ec)) continue;
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::filesystem::path rejection_path(const std::filesystem::path& request_file)
{
    auto path = request_file;
    path.replace_extension(".rejected");
    return path;
}

namespace {

// Replaces `request_file` by `answer` holding `line`.
void answer_request(const std::filesystem::path& request_file, const std::filesystem::path& answer,
                    const std::string& line)
{
    (void)write_atomically(answer, line + "\n", 0644);  // the request goes either way
    std::error_code ec;
    std::filesystem::remove(request_file, ec);
}

}  // namespace

void reject_request(const std::filesystem::path& request_file, const std::string& reason)
{
    answer_request(request_file, rejection_path(request_file), reason);
}

std::filesystem::path done_path(const std::filesystem::path& request_file)
{
    auto path = request_file;
    path.replace_extension(".done");
    return path;
}

void complete_request(const std::filesystem::path& request_file, const std::string& line)
{
    answer_request(request_file, done_path(request_file), line);
}

boost::system::result<inbox_watch, std::string>
inbox_watch::open(boost::asio::any_io_executor executor, const std::filesystem::path& inbox)
{
    std::error_code fs_error;
    std::filesystem::create_directories(inbox, fs_error);
    if (!fs_error) std::filesystem::permissions(inbox, std::filesystem::perms::owner_all, fs_error);
    if (fs_error) return fmt::format("inbox {}: {}", inbox.string(), fs_error.message());
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return fmt::format("inbox {}: inotify_init1: {}", inbox.string(), std::strerror(errno));
    boost::asio::posix::stream_descriptor descriptor(executor, fd);
    if (::inotify_add_watch(fd, inbox.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
        return fmt::format("inbox {}: inotify_add_watch: {}", inbox.string(), std::strerror(errno));
    return inbox_watch(inbox, std::move(descriptor));
}

inbox_watch::inbox_watch(std::filesystem::path inbox,
                         boost::asio::posix::stream_descriptor descriptor)
    : directory_(std::move(inbox)), descriptor_(std::move(descriptor))
{
}

boost::asio::awaitable<boost::system::error_code> inbox_watch::async_wait_change()
{
    std::array<char, 4096> events{};
    auto [ec, n] = co_await descriptor_.async_read_some(
        boost::asio::buffer(events), boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return ec;
}

}  // namespace paymand::daemon
