#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace paymand::test {
std::string read_file(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

char process_state(pid_t pid)
{
    const auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto name_end = stat.rfind(')');
    if (name_end == std::string::npos || name_end + 2 >= stat.size()) return '?';
    return stat[name_end + 2];
}

namespace {

// Interval between looks at a file or a process while waiting for a condition.
constexpr auto poll_interval = 2ms;

exit_status decode(int wstatus)
{
    exit_status status;
    if (WIFEXITED(wstatus)) {
        status.exited = true;
        status.code = WEXITSTATUS(wstatus);
    } else if (WIFSIGNALED(wstatus)) {
        status.signal = WTERMSIG(wstatus);
    }
    return status;
}

std::vector<std::string> build_environment(const process_params& params)
{
    std::vector<std::string> env;
    auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
    auto overridden = [&](const std::string& name) {
        for (const auto& unset : params.unset_env)
            if (unset == name) return true;
        for (const auto& added : params.env)
            if (name_of(added) == name) return true;
        return false;
    };
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry = *e;
        if (!overridden(name_of(entry))) env.push_back(std::move(entry));
    }
    env.insert(env.end(), params.env.begin(), params.env.end());
    return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings)
{
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (auto& s : strings) pointers.push_back(s.data());
    pointers.push_back(nullptr);
    return pointers;
}

}  // namespace

temp_dir::temp_dir()
{
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/paymand-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
    path_ = pattern;
}

temp_dir::~temp_dir()
{
    if (std::getenv("PAYMAND_KEEP_TEST_DIRS") != nullptr) {
        std::cerr << "kept test directory " << path_ << '\n';
        return;
    }
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path temp_dir::write(std::string_view name, std::string_view content) const
{
    auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
    return file;
}

child_process::child_process(const std::filesystem::path& program, process_params params)
    : name_(program.filename().string())
{
    std::vector<std::string> argv_strings{program.string()};
    argv_strings.insert(argv_strings.end(), params.args.begin(), params.args.end());
    std::vector<std::string> env_strings = build_environment(params);
    auto argv = c_strings(argv_strings);
    auto envp = c_strings(env_strings);
    const std::string out_path = (output_dir_ / "stdout").string();
    const std::string err_path = (output_dir_ / "stderr").string();
    const std::string workdir = params.workdir ? params.workdir->string() : std::string{};
    const pid_t parent = ::getpid();

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
    if (pid_ == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        int null_in = ::open("/dev/null", O_RDONLY);
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (null_in < 0 || out < 0 || err < 0) ::_exit(127);
        ::dup2(null_in, STDIN_FILENO);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(err, STDERR_FILENO);
        if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) ::_exit(127);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
}

child_process::~child_process()
{
    if (pid_ > 0 && !status_) {
        ::kill(pid_, SIGKILL);
        reap_now();
    }
}

void child_process::reap_now()
{
    int wstatus = 0;
    while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
    }
    status_ = decode(wstatus);
}

bool child_process::running()
{
    if (status_) return false;
    int wstatus = 0;
    pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_) {
        status_ = decode(wstatus);
        return false;
    }
    return true;
}

void child_process::send_signal(int signo) const
{
    if (!status_) ::kill(pid_, signo);
}

exit_status child_process::wait(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline)
            fail("did not exit within " + std::to_string(timeout.count()) + " ms");
        std::this_thread::sleep_for(poll_interval);
    }
    return *status_;
}

std::string child_process::out() const
{
    return read_file(output_dir_ / "stdout");
}
std::string child_process::err() const
{
    return read_file(output_dir_ / "stderr");
}

void child_process::fail(const std::string& what)
{
    std::ostringstream message;
    message << name_ << " (pid " << pid_ << ") " << what;
    if (status_) {
        message << "; it ended with "
                << (status_->exited ? "exit code " + std::to_string(status_->code)
                                    : "signal " + std::to_string(status_->signal));
    }
    message << "\n--- stdout ---\n" << out() << "\n--- stderr ---\n" << err();
    throw std::runtime_error(message.str());
}

std::string child_process::wait_for_line(const std::regex& pattern,
                                         std::chrono::milliseconds timeout, bool from_stderr)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        // Read the output before looking at the process, so a line written just before
        // exiting is still seen.
        bool alive = running();
        std::istringstream lines(from_stderr ? err() : out());
        std::string line;
        while (std::getline(lines, line)) {
            if (lines.eof()) break;  // a line still being written
            std::smatch match;
            if (std::regex_search(line, match, pattern))
                return match.size() > 1 ? match[1].str() : match[0].str();
        }
        if (!alive) fail("ended before printing a line that matches the expected pattern");
        if (std::chrono::steady_clock::now() > deadline)
            fail("printed no matching line within " + std::to_string(timeout.count()) + " ms");
        std::this_thread::sleep_for(poll_interval);
    }
}

std::string child_process::wait_for_file_line(const std::filesystem::path& file,
                                              std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        bool alive = running();
        std::string content = read_file(file);
        if (auto newline = content.find('\n'); newline != std::string::npos)
            return content.substr(0, newline);
        if (!alive) fail("ended before writing a line to " + file.string());
        if (std::chrono::steady_clock::now() > deadline)
            fail("wrote no line to " + file.string() + " within " +
                 std::to_string(timeout.count()) + " ms");
        std::this_thread::sleep_for(poll_interval);
    }
}

std::filesystem::path our_binary(std::string_view name)
{
    return std::filesystem::path(PAYMAND_BINARY_DIR) / name;
}

std::filesystem::path source_path(std::string_view relative)
{
    return std::filesystem::path(PAYMAND_SOURCE_DIR) / relative;
}

run_result run(const std::filesystem::path& program, process_params params,
               std::chrono::milliseconds timeout)
{
    child_process child(program, std::move(params));
    auto status = child.wait(timeout);
    return {status, child.out(), child.err()};
}

}  // namespace paymand::test
