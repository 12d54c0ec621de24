#pragma once

// Child processes for integration tests: started with their output captured to files,
// waited on with deadlines, and always killed and reaped when the handle goes away,
// including when a test assertion fails half-way.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace paymand::test {

using namespace std::chrono_literals;

// True when this build runs under a sanitizer (scripts/test --sanitize, --tsan). Their runtimes
// hold tens of MiB of their own (shadow memory, quarantine, history), so a peak-RSS bound set
// for the Release build is doubled there, plus a fixed allowance, by rss_bound_kib; what a bound is
// about (a 50 MB answer kept out of memory) is checked against a baseline run in the same build as
// well.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool sanitized_build = true;
#else
inline constexpr bool sanitized_build = false;
#endif
#else
inline constexpr bool sanitized_build = false;
#endif

constexpr long rss_bound_kib(long release_kib)
{
    // The ASan build is unoptimized (-O0): its runtime and larger frames add about 120 MiB
    // to any run, whatever it does.
    return sanitized_build ? 2 * release_kib + 160 * 1024 : release_kib;
}

// The whole content of `file` as bytes; empty when it cannot be read.
std::string read_file(const std::filesystem::path& file);

// The state letter of /proc/PID/stat: 'T' stopped by a signal, 'Z' ended (not yet reaped),
// '?' gone or unreadable.
char process_state(pid_t pid);

// A directory under $TMPDIR (or /tmp) removed with everything in it on destruction,
// unless PAYMAND_KEEP_TEST_DIRS is set (then its path is printed for post-mortems).
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

    // Writes `content` to `name` inside the directory and returns the full path.
    std::filesystem::path write(std::string_view name, std::string_view content) const;

private:
    std::filesystem::path path_;
};

struct process_params {
    std::vector<std::string> args;
    // Added to (or replacing in) the test's own environment, "NAME=value".
    std::vector<std::string> env;
    // Removed from the inherited environment before `env` is applied.
    std::vector<std::string> unset_env;
    std::optional<std::filesystem::path> workdir;
};

struct exit_status {
    bool exited = false;  // true: normal exit with `code`; false: killed by `signal`
    int code = 0;
    int signal = 0;
    bool ok() const { return exited && code == 0; }
};

class child_process {
public:
    // Starts `program` (an absolute path, or one of ours: see `our_binary`) with stdout and
    // stderr written to files in a directory owned by this handle. Throws on failure to start.
    child_process(const std::filesystem::path& program, process_params params = {});
    ~child_process();
    child_process& operator=(child_process&&) = delete;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    void send_signal(int signo) const;

    // Waits for the process to end; throws std::runtime_error (with its output) past `timeout`.
    exit_status wait(std::chrono::milliseconds timeout = 30s);

    std::string out() const;
    std::string err() const;

    // Waits until a line of stdout (or stderr when `from_stderr`) matches `pattern` and returns
    // the first capture group (or the whole line). Throws with the output so far when the
    // deadline passes or the process ends first.
    std::string wait_for_line(const std::regex& pattern, std::chrono::milliseconds timeout = 30s,
                              bool from_stderr = false);

    // Waits until `file` exists and holds a complete line; returns that line without the
    // newline. The process ending first, or the deadline, throws.
    std::string wait_for_file_line(const std::filesystem::path& file,
                                   std::chrono::milliseconds timeout = 30s);

private:
    [[noreturn]] void fail(const std::string& what);
    void reap_now();

    temp_dir output_dir_;
    pid_t pid_ = -1;
    std::optional<exit_status> status_;
    std::string name_;
};

// Path of an executable built by this project (build/paymand, build/payman-sandbox).
std::filesystem::path our_binary(std::string_view name);

// Path of a file in the source tree (examples, fixtures).
std::filesystem::path source_path(std::string_view relative);

// Runs `program` to completion and returns its status and output: for CLI tests.
struct run_result {
    exit_status status;
    std::string out;
    std::string err;
};
run_result run(const std::filesystem::path& program, process_params params = {},
               std::chrono::milliseconds timeout = 60s);

}  // namespace paymand::test
