#include "app/db_command.hpp"

#include "paymand/ledger/connection.hpp"
#include "paymand/ledger/schema.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <fmt/format.h>

#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace paymand::app {
namespace {

// EX_DATAERR: the database's schema is newer than this paymand; upgrade paymand.
constexpr int exit_schema_newer = 65;

struct db_args {
    std::string conninfo;
};

int db_exit_for(const ledger::db_error& e)
{
    using ledger::ledger_errc;
    if (e.code == ledger_errc::schema_newer) return exit_schema_newer;
    if (e.code == ledger_errc::connect_failed || e.code == ledger_errc::connect_timeout ||
        e.outcome_unknown())
        return exit_unavailable;
    return exit_failure;
}

int run_db(const db_args& args, ledger::migrate_mode mode)
{
    const char* name =
        mode == ledger::migrate_mode::init ? "paymand db init" : "paymand db migrate";
    boost::asio::io_context io;
    ledger::connection conn(io.get_executor());
    ledger::connection_settings settings;
    settings.conninfo = args.conninfo;
    // A migration may take locks others hold for a moment and rewrite tables: longer than the
    // nodes' statements, never without a bound.
    settings.statement_timeout = std::chrono::minutes(5);
    settings.reply_timeout = std::chrono::minutes(6);
    settings.lock_timeout = std::chrono::seconds(30);
    settings.application_name = "paymand db";

    std::optional<core::result<ledger::migrate_report, ledger::db_error>> outcome;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            auto connected = co_await conn.async_connect(settings);
            if (!connected) {
                outcome = connected.error();
                co_return;
            }
            outcome = co_await ledger::async_migrate(conn, mode);
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    io.run();
    if (!outcome) {
        std::cerr << name << ": error: the command did not complete\n";
        return exit_software;
    }
    if (!*outcome) {
        const auto& e = outcome->error();
        std::cerr << name << ": error: " << e.what() << "\n";
        if (e.outcome_unknown())
            std::cerr << name << ": the migration may or may not have been applied: run "
                      << "`paymand db migrate` again (each migration is applied at most once)\n";
        return db_exit_for(e);
    }
    const auto& r = outcome->value();
    if (r.from == r.to)
        fmt::print("{}: the schema is at version {}, as this paymand expects: nothing to do\n",
                   name, r.to);
    else if (r.from == 0)
        fmt::print("{}: schema created at version {}\n", name, r.to);
    else
        fmt::print("{}: schema migrated from version {} to {}\n", name, r.from, r.to);
    return exit_ok;
}

}  // namespace

command add_db_command(CLI::App& parent)
{
    auto args = std::make_shared<db_args>();
    auto* cmd = parent.add_subcommand(
        "db", "Create or migrate the PostgreSQL ledger that several nodes share (docs/ha.md)");
    cmd->require_subcommand(1, 1);
    const std::string exit_codes =
        "Exit codes: 0 ok, 1 refused or failed (the message says why), 2 usage,\n"
        "65 the database's schema is newer than this paymand (upgrade paymand),\n"
        "69 the database could not be reached, or the outcome is unknown (run again).\n"
        "Keep the password out of the command line: ~/.pgpass, PGPASSFILE or PGPASSWORD.\n";
    cmd->footer(exit_codes + "Example: paymand db init --conninfo 'host=db1,db2 dbname=paymand "
                             "target_session_attrs=read-write'");
    auto add = [&](const char* name, const char* what) {
        auto* sub = cmd->add_subcommand(name, what);
        sub->add_option("--conninfo", args->conninfo,
                        "libpq connection string or URI of the ledger database")
            ->envname("PAYMAND_DB_CONNINFO")
            ->required();
        sub->footer(exit_codes + "Example: paymand db " + name +
                    " --conninfo 'host=db1,db2 dbname=paymand target_session_attrs=read-write'");
        return sub;
    };
    auto* init =
        add("init", "Create the schema in a database that holds none (refuses one that does)");
    add("migrate", "Apply the migrations the database lacks, each in one transaction");
    return command{cmd, [args, init] {
                       return run_db(*args, init->parsed() ? ledger::migrate_mode::init
                                                           : ledger::migrate_mode::migrate);
                   }};
}

}  // namespace paymand::app
