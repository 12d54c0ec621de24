// `paymand audit tail [-n N] [-f] [--json]`: the last records of the log, each checked against
// the chain; with -f also every record the daemon completes afterwards, until SIGINT/SIGTERM.
// Following wakes on inotify (IN_MODIFY) and re-reads at least once a second in case the
// file system does not report changes (network file systems).

#include "app/audit_format.hpp"
#include "app/audit_log_source.hpp"
#include "app/audit_subcommands.hpp"
#include "paymand/audit/reader.hpp"

#include <boost/system/result.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>

namespace paymand::app {
namespace {

constexpr std::string_view who = "paymand audit tail";
constexpr int backstop_ms = 1000;

// Which records to print: all when empty.
struct record_filter {
    std::string rule;        // --rule: records about this rule's occurrences
    std::string occurrence;  // --occurrence: records about this occurrence
    std::string type;        // --type: records of this type

    bool empty() const { return rule.empty() && occurrence.empty() && type.empty(); }
    bool matches(const audit::record& r) const
    {
        if (!type.empty() && audit::to_string(audit::type_of(r.body)) != type) return false;
        if (rule.empty() && occurrence.empty()) return true;
        const auto* ref = audit::occurrence_of(r.body);
        if (ref == nullptr) return false;
        return (rule.empty() || ref->rule == rule) &&
               (occurrence.empty() || ref->occurrence == occurrence);
    }
};

struct tail_args {
    audit_log_args source;
    std::size_t lines = 10;
    bool follow = false;
    bool json = false;
    record_filter filter;
};

// Closes a descriptor when it goes out of scope.
struct fd_guard {
    int fd = -1;
    explicit fd_guard(int f) : fd(f) {}
    ~fd_guard()
    {
        if (fd >= 0) ::close(fd);
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
};

// Copies bytes [from, to) of `fd` to stdout: the records' lines exactly as stored.
bool copy_range(int fd, std::uint64_t from, std::uint64_t to)
{
    std::array<char, 1 << 16> buffer{};
    while (from < to) {
        const auto want =
            static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), to - from));
        const ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(from));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        std::cout.write(buffer.data(), n);
        from += static_cast<std::uint64_t>(n);
    }
    return true;
}

// One record and where its line lies in the file.
struct placed_record {
    audit::record record;
    std::uint64_t from = 0;
    std::uint64_t to = 0;
};

class tail_printer {
public:
    tail_printer(audit::audit_reader& reader, int raw_fd, const std::filesystem::path& log,
                 bool json, const record_filter& filter)
        : reader_(reader), raw_fd_(raw_fd), log_(log), json_(json), filter_(filter)
    {
    }

    // Reads the whole log from the reader's position and prints the last `n` records that
    // match the filter (-n with --rule/--occurrence/--type). Returns an exit code on failure.
    std::optional<int> print_last_matching(std::size_t n)
    {
        std::deque<placed_record> kept;
        for (;;) {
            auto next = read_one();
            if (!next) return next.error();
            if (!*next) break;
            if (!filter_.matches((*next)->record)) continue;
            kept.push_back(std::move(**next));
            if (kept.size() > n) kept.pop_front();
        }
        for (const auto& p : kept)
            if (auto failed = print(p)) return failed;
        return finish();
    }

    // Prints every record completed since the last call. Returns an exit code on failure.
    std::optional<int> print_new()
    {
        if (!filter_.empty()) {
            for (;;) {
                auto next = read_one();
                if (!next) return next.error();
                if (!*next) break;
                if (filter_.matches((*next)->record))
                    if (auto failed = print(**next)) return failed;
            }
            return finish();
        }
        for (;;) {
            const std::uint64_t from = reader_.offset();
            auto batch = reader_.read_new();
            if (!batch) {
                std::cout.flush();
                print_read_error(who, log_, batch.error());
                return exit_for(batch.error(), false);
            }
            if (batch->empty()) break;
            if (json_) {
                if (!copy_range(raw_fd_, from, reader_.offset())) return read_failed();
            } else {
                for (const auto& r : *batch) std::cout << describe_record(r) << "\n";
            }
        }
        return finish();
    }

private:
    // The next complete record with its place, nothing at the end, or an exit code.
    boost::system::result<std::optional<placed_record>, int> read_one()
    {
        const std::uint64_t from = reader_.offset();
        auto batch = reader_.read_new(1);
        if (!batch) {
            std::cout.flush();
            print_read_error(who, log_, batch.error());
            return exit_for(batch.error(), false);
        }
        if (batch->empty()) return std::optional<placed_record>();
        return std::optional<placed_record>(
            placed_record{std::move(batch->front()), from, reader_.offset()});
    }

    std::optional<int> print(const placed_record& p)
    {
        if (json_) {
            if (!copy_range(raw_fd_, p.from, p.to)) return read_failed();
        } else {
            std::cout << describe_record(p.record) << "\n";
        }
        return std::nullopt;
    }

    int read_failed() const
    {
        std::cerr << who << ": cannot read " << log_.string() << ": " << std::strerror(errno)
                  << "\n";
        return exit_io_error;
    }

    // After a read: the output flushed, and the log no shorter than what was read.
    std::optional<int> finish()
    {
        std::cout.flush();
        struct stat st {};
        if (::fstat(raw_fd_, &st) == 0 &&
            static_cast<std::uint64_t>(st.st_size) < reader_.offset()) {
            std::cerr << who << ": " << log_.string() << " is now shorter (" << st.st_size
                      << " bytes) than what was read (" << reader_.offset()
                      << " bytes): it was truncated; the log must only ever grow\n";
            return exit_data_error;
        }
        return std::nullopt;
    }

    audit::audit_reader& reader_;
    int raw_fd_;
    const std::filesystem::path& log_;
    bool json_;
    const record_filter& filter_;
};

// A descriptor that becomes readable when `log` is written to, or -1 when inotify is not
// available (then the backstop re-read still sees new records).
int watch_log(const std::filesystem::path& log)
{
    const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd >= 0 && ::inotify_add_watch(fd, log.c_str(), IN_MODIFY) < 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Waits for changes to the log (`inotify`) or a stop signal, printing new records, until
// SIGINT/SIGTERM.
int follow(tail_printer& printer, const fd_guard& inotify, int signal_fd)
{
    for (;;) {
        std::array<pollfd, 2> fds{pollfd{signal_fd, POLLIN, 0}, pollfd{inotify.fd, POLLIN, 0}};
        const int ready = ::poll(fds.data(), inotify.fd >= 0 ? 2 : 1, backstop_ms);
        if (ready < 0 && errno != EINTR) {
            std::cerr << who << ": poll: " << std::strerror(errno) << "\n";
            return exit_software;
        }
        if (fds[0].revents & POLLIN) return exit_ok;
        if (inotify.fd >= 0 && (fds[1].revents & POLLIN)) {
            std::array<char, 4096> events{};
            while (::read(inotify.fd, events.data(), events.size()) > 0) {
            }
        }
        if (auto failed = printer.print_new()) return *failed;
    }
}

int run_tail(const tail_args& args)
{
    int code = exit_ok;
    const auto log = locate_log(args.source, who, code);
    if (!log) return code;

    // With -f, SIGINT/SIGTERM end the command through a descriptor (exit 0), never mid-write.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    std::optional<fd_guard> signal_fd;
    if (args.follow) {
        if (::sigprocmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
            std::cerr << who << ": sigprocmask: " << std::strerror(errno) << "\n";
            return exit_software;
        }
        signal_fd.emplace(::signalfd(-1, &stop_signals, SFD_CLOEXEC));
        if (signal_fd->fd < 0) {
            std::cerr << who << ": signalfd: " << std::strerror(errno) << "\n";
            return exit_software;
        }
    }

    auto reader = audit::audit_reader::open(*log);
    if (!reader) {
        print_read_error(who, *log, reader.error());
        return exit_for(reader.error(), true);
    }
    fd_guard raw(::open(log->c_str(), O_RDONLY | O_CLOEXEC));
    if (raw.fd < 0) {
        std::cerr << who << ": cannot open " << log->string() << ": " << std::strerror(errno)
                  << "\n";
        return exit_no_input;
    }
    // Watch before the first read, so that nothing written after it goes unnoticed.
    fd_guard inotify(args.follow ? watch_log(*log) : -1);
    tail_printer printer(*reader, raw.fd, *log, args.json, args.filter);
    if (args.filter.empty()) {
        if (auto sought = reader->seek_last(args.lines); !sought) {
            print_read_error(who, *log, sought.error());
            return exit_for(sought.error(), false);
        }
        if (auto failed = printer.print_new()) return *failed;
    } else if (auto failed = printer.print_last_matching(args.lines)) {
        return *failed;
    }
    if (!args.follow) return exit_ok;
    return follow(printer, inotify, signal_fd->fd);
}

}  // namespace

command add_audit_tail(CLI::App& audit)
{
    auto a = std::make_shared<tail_args>();
    auto* cmd = audit.add_subcommand(
        "tail", "The last records of the audit log, each checked against the hash chain");
    add_log_options(*cmd, a->source);
    cmd->add_option("-n,--lines", a->lines, "How many of the last records to print")
        ->capture_default_str();
    cmd->add_flag("-f,--follow", a->follow,
                  "Then print each new record as the daemon completes it, until Ctrl-C "
                  "(SIGINT) or SIGTERM");
    cmd->add_flag("--json", a->json,
                  "Print each record as its exact stored JSON line (one per line, for jq)");
    cmd->add_option("--rule", a->filter.rule, "Only records about this rule's occurrences");
    cmd->add_option("--occurrence", a->filter.occurrence,
                    "Only records about this occurrence (e.g. rent-john@2026-12-01T09:00)");
    std::vector<std::string> types;
    for (std::size_t i = 0; i < audit::record_type_count; ++i)
        types.emplace_back(audit::to_string(static_cast<audit::record_type>(i)));
    cmd->add_option("--type", a->filter.type, "Only records of this type (intent, result, ...)")
        ->check(CLI::IsMember(types));
    cmd->footer(fmt::format(
        "Text: time (UTC), seq, type, occurrence and the record's key facts, one line each.\n"
        "With --rule, --occurrence or --type, -n counts the records that match (the whole log\n"
        "is read and verified), and -f prints only new ones that match.\n"
        "Read-only, no lock: works while the daemon runs. A bad record (also while following)\n"
        "is reported with its line and seq, exit 65.\n"
        "{}\n"
        "Example: paymand audit tail -n 20 -f --json | jq -c 'select(.type==\"in_doubt\")'",
        audit_exit_codes));
    return {cmd, [a] { return run_tail(*a); }};
}

}  // namespace paymand::app
