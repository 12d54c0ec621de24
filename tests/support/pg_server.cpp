#include "support/pg_server.hpp"

#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace paymand::test {
namespace {

namespace fs = std::filesystem;

const fs::path pg_bin = "/usr/lib/postgresql/15/bin";
constexpr auto start_deadline = std::chrono::seconds(30);
constexpr auto stop_deadline = std::chrono::seconds(30);
constexpr auto poll_interval = std::chrono::milliseconds(5);

// Who runs initdb and postgres: `postgres` when we are root (both refuse root), else us.
struct run_user {
    std::optional<uid_t> uid;  // set: switch to it in the child
    gid_t gid = 0;
};

run_user pick_user()
{
    if (geteuid() != 0) return {};
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr)
        throw std::runtime_error("pg_server: running as root needs the `postgres` user "
                                 "(scripts/setup installs postgresql-15, which creates it)");
    return {.uid = pw->pw_uid, .gid = pw->pw_gid};
}

void require_binaries()
{
    for (const char* name : {"initdb", "postgres"}) {
        if (access((pg_bin / name).c_str(), X_OK) != 0)
            throw std::runtime_error("pg_server: " + (pg_bin / name).string() +
                                     " is missing: PostgreSQL 15 is not installed (scripts/setup "
                                     "installs postgresql-15)");
    }
}

void give_to(const fs::path& path, const run_user& user)
{
    if (user.uid && chown(path.c_str(), *user.uid, user.gid) != 0)
        throw std::runtime_error("pg_server: cannot chown " + path.string());
}

// Starts `args` as `user` with stdout and stderr appended to `log`; the child gets `deathsig`
// (after the switch of user, which would clear it) so that it dies with the test binary.
pid_t spawn(const std::vector<std::string>& args, const run_user& user, const fs::path& log,
            int deathsig)
{
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("pg_server: fork failed");
    if (pid > 0) return pid;
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) _exit(126);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (user.uid) {
        if (setgroups(0, nullptr) != 0 || setgid(user.gid) != 0 || setuid(*user.uid) != 0)
            _exit(126);
    }
    if (deathsig != 0) {
        prctl(PR_SET_PDEATHSIG, deathsig);
        if (getppid() != parent) _exit(126);
    }
    execv(argv[0], argv.data());
    _exit(127);
}

// Waits for `pid` until the deadline; nullopt when it still runs.
std::optional<int> wait_exit(pid_t pid, std::chrono::steady_clock::duration limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0) return -1;
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(poll_interval);
    }
}

void run_to_end(const std::vector<std::string>& args, const run_user& user, const fs::path& log)
{
    const pid_t pid = spawn(args, user, log, SIGKILL);
    const auto status = wait_exit(pid, start_deadline);
    if (!status) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
        throw std::runtime_error("pg_server: " + args.front() + " failed:\n" + read_file(log));
}

// A free loopback port at the time of asking (the server may still lose it to a race: start()
// then tries another).
int free_port()
{
    const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (s >= 0) close(s);
        throw std::runtime_error("pg_server: no free loopback port");
    }
    close(s);
    return ntohs(addr.sin_port);
}

// initdb takes most of a second; its result is the same for every test binary, so it runs once
// per build tree (under a file lock: ctest runs binaries in parallel) and each server starts
// from a copy.
fs::path cached_cluster(const run_user& user)
{
    // Named after the recipe below: a change of the initdb options gets a new cache.
    const fs::path cache = fs::path(PAYMAND_BINARY_DIR) / "tests" / "pg15-cluster-2";
    fs::create_directories(cache.parent_path());
    const fs::path lock_path = cache.parent_path() / "pg15-cluster.lock";
    const int lock = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0 || flock(lock, LOCK_EX) != 0)
        throw std::runtime_error("pg_server: cannot lock " + lock_path.string());
    struct unlock {
        int fd;
        ~unlock() { close(fd); }
    } guard{lock};
    if (fs::exists(cache / "data" / "PG_VERSION")) return cache / "data";

    const fs::path building = cache.string() + ".building";
    fs::remove_all(building);
    fs::remove_all(cache);
    fs::create_directories(building);
    give_to(building, user);
    const fs::path pwfile = building / "pw";
    std::ofstream(pwfile) << pg_server::password << "\n";
    give_to(pwfile, user);
    run_to_end({(pg_bin / "initdb").string(), "--no-sync", "-D", (building / "data").string(), "-U",
                "postgres", "--pwfile", pwfile.string(), "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                // 1 MB WAL segments instead of 16: less to copy for every server.
                "--wal-segsize=1"},
               user, building / "initdb.log");
    fs::remove(pwfile);
    fs::rename(building, cache);
    return cache / "data";
}

// Where servers live: /dev/shm when it has room (a copied cluster and a CREATE DATABASE cost a
// quarter of the time there than on a disk), else $TMPDIR or /tmp.
std::string server_base_dir()
{
    struct statvfs shm {};
    constexpr unsigned long long room = 1ULL << 30;
    if (statvfs("/dev/shm", &shm) == 0 &&
        static_cast<unsigned long long>(shm.f_bavail) * shm.f_frsize >= room &&
        access("/dev/shm", W_OK | X_OK) == 0)
        return "/dev/shm";
    const char* base = std::getenv("TMPDIR");
    return base != nullptr && *base != '\0' ? base : "/tmp";
}

// A test binary that crashed cannot remove its server's directory (its postmaster died with it:
// PR_SET_PDEATHSIG); the next server removes such orphans, which would otherwise fill /dev/shm.
void remove_orphans(const std::string& base)
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(base, ec)) {
        if (entry.path().filename().string().rfind("paymand-pg-", 0) != 0) continue;
        std::ifstream owner_file(entry.path() / "owner.pid");
        pid_t owner = 0;
        if (!(owner_file >> owner) || owner <= 0) continue;  // being set up, or not ours
        if (kill(owner, 0) == 0 || errno != ESRCH) continue;
        if (fs::exists(entry.path() / "data" / "postmaster.pid")) {
            // Its postmaster may still be shutting down: leave it to a later server.
            std::ifstream pid_file(entry.path() / "data" / "postmaster.pid");
            pid_t postmaster = 0;
            if (pid_file >> postmaster && postmaster > 0 && kill(postmaster, 0) == 0) continue;
        }
        std::error_code ignored;
        fs::remove_all(entry.path(), ignored);
    }
}

struct pg_connection {
    explicit pg_connection(const std::string& conninfo) : conn(PQconnectdb(conninfo.c_str()))
    {
        if (PQstatus(conn) != CONNECTION_OK) {
            const std::string what = PQerrorMessage(conn);
            PQfinish(conn);
            throw std::runtime_error("pg_server: connect: " + what);
        }
    }
    ~pg_connection() { PQfinish(conn); }
    pg_connection(const pg_connection&) = delete;
    pg_connection& operator=(const pg_connection&) = delete;

    std::string run(std::string_view sql) const
    {
        PGresult* r = PQexec(conn, std::string(sql).c_str());
        const auto status = PQresultStatus(r);
        std::string value;
        if (status == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0)
            value = PQgetvalue(r, 0, 0);
        const std::string error = PQresultErrorMessage(r);
        PQclear(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error("pg_server: " + std::string(sql) + ": " + error);
        return value;
    }

    PGconn* conn;
};

}  // namespace

pg_server::pg_server(pg_server_params params) : params_(params)
{
    require_binaries();
    const run_user user = pick_user();
    const fs::path cluster = cached_cluster(user);
    const std::string base = server_base_dir();
    remove_orphans(base);
    std::string pattern = base + "/paymand-pg-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("pg_server: cannot create a directory like " + pattern);
    dir_ = pattern;
    std::ofstream(dir_ / "owner.pid") << getpid() << "\n";
    // `cp -a` keeps the owner (postgres) and the 0700 mode the server insists on.
    const pid_t cp = spawn({"/bin/cp", "-a", cluster.string(), (dir_ / "data").string()}, {},
                           dir_ / "cp.log", SIGKILL);
    const auto copied = wait_exit(cp, start_deadline);
    if (!copied || !WIFEXITED(*copied) || WEXITSTATUS(*copied) != 0)
        throw std::runtime_error("pg_server: copying the cluster failed: " +
                                 read_file(dir_ / "cp.log"));
    give_to(dir_, user);
    start();
}

pg_server::~pg_server()
{
    stop(SIGQUIT);
    if (std::getenv("PAYMAND_KEEP_TEST_DIRS") == nullptr) {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
}

void pg_server::start()
{
    const run_user user = pick_user();
    const fs::path log = dir_ / "postgres.log";
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (port_ == 0 || attempt > 0) port_ = free_port();
        std::vector<std::string> args{(pg_bin / "postgres").string(),
                                      "-D",
                                      (dir_ / "data").string(),
                                      "-k",
                                      dir_.string(),
                                      "-p",
                                      std::to_string(port_),
                                      "-c",
                                      "listen_addresses=127.0.0.1",
                                      "-c",
                                      "max_connections=60",
                                      "-c",
                                      "shared_buffers=16MB"};
        if (!params_.durable) {
            for (const char* setting :
                 {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
                args.push_back("-c");
                args.push_back(setting);
            }
        }
        postmaster_ = spawn(args, user, log, SIGQUIT);
        const std::string ping = socket_conninfo("postgres") + " connect_timeout=1";
        const auto deadline = std::chrono::steady_clock::now() + start_deadline;
        for (;;) {
            if (PQping(ping.c_str()) == PQPING_OK) return;
            if (wait_exit(postmaster_, std::chrono::seconds(0))) {
                postmaster_ = -1;
                break;  // ended: most likely the port was taken meanwhile; try another
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                stop(SIGQUIT);
                throw std::runtime_error("pg_server: not ready within 30 s:\n" + read_file(log));
            }
            std::this_thread::sleep_for(poll_interval);
        }
        if (read_file(log).find("could not bind") == std::string::npos) break;
    }
    throw std::runtime_error("pg_server: postgres did not start:\n" + read_file(log));
}

void pg_server::stop(int signo)
{
    if (postmaster_ <= 0) return;
    kill(postmaster_, signo);
    if (!wait_exit(postmaster_, stop_deadline)) {
        kill(postmaster_, SIGKILL);
        waitpid(postmaster_, nullptr, 0);
    }
    postmaster_ = -1;
}

void pg_server::restart(bool immediate)
{
    stop(immediate ? SIGQUIT : SIGINT);
    start();
}

std::string pg_server::dump(std::string_view dbname) const
{
    auto dumped = run(pg_bin / "pg_dump", {.args = {"--no-owner", "-d", socket_conninfo(dbname)}});
    if (!dumped.status.ok())
        throw std::runtime_error("pg_server: pg_dump " + std::string(dbname) + ": " + dumped.err);
    return dumped.out;
}

void pg_server::restore(std::string_view dbname, const std::string& sql) const
{
    const std::string name(dbname);
    execute("postgres", "DROP DATABASE " + name);
    execute("postgres", "CREATE DATABASE " + name + " TEMPLATE template0");
    const fs::path file = dir_ / ("restore-" + name + ".sql");
    std::ofstream(file, std::ios::binary | std::ios::trunc) << sql;
    auto loaded =
        run(pg_bin / "psql", {.args = {"-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                                       "-d", socket_conninfo(dbname), "-f", file.string()}});
    fs::remove(file);
    if (!loaded.status.ok())
        throw std::runtime_error("pg_server: restoring " + name + ": " + loaded.err);
}

std::string pg_server::socket_conninfo(std::string_view dbname) const
{
    return "host=" + dir_.string() + " port=" + std::to_string(port_) +
           " user=postgres dbname=" + std::string(dbname);
}

std::string pg_server::tcp_conninfo(std::string_view dbname) const
{
    return "host=127.0.0.1 port=" + std::to_string(port_) +
           " user=postgres password=" + std::string(password) + " dbname=" + std::string(dbname);
}

std::string pg_server::create_database()
{
    const std::string name = "test_" + std::to_string(++databases_);
    execute("postgres", "CREATE DATABASE " + name + " TEMPLATE template0");
    return name;
}

void pg_server::execute(std::string_view dbname, std::string_view sql) const
{
    pg_connection(socket_conninfo(dbname)).run(sql);
}

std::string pg_server::query_value(std::string_view dbname, std::string_view sql) const
{
    return pg_connection(socket_conninfo(dbname)).run(sql);
}

namespace {
std::unique_ptr<pg_server>& instance()
{
    static std::unique_ptr<pg_server> server;
    return server;
}
std::string& start_failure()
{
    static std::string what = "pg_environment: not registered in this test binary";
    return what;
}
}  // namespace

// A fatal failure here would make gtest skip every test (and ctest count them as passed): the
// failure is recorded instead, and each test fails when it asks for the server.
void pg_environment::SetUp()
{
    try {
        instance() = std::make_unique<pg_server>();
    } catch (const std::exception& e) {
        start_failure() = e.what();
        ADD_FAILURE() << e.what();
    }
}

void pg_environment::TearDown()
{
    instance().reset();
}

pg_server& pg_environment::server()
{
    if (!instance()) throw std::runtime_error(start_failure());
    return *instance();
}

}  // namespace paymand::test
