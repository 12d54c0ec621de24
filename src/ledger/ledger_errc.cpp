#include "paymand/ledger/ledger_errc.hpp"

#include "paymand/ledger/db_error.hpp"

#include <stdexcept>
#include <string>

namespace paymand::ledger {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.ledger"; }

    std::string message(int ev) const override
    {
        switch (static_cast<ledger_errc>(ev)) {
        case ledger_errc::bad_conninfo:
            return "the database connection string does not parse";
        case ledger_errc::connect_failed:
            return "could not connect to the database";
        case ledger_errc::connect_timeout:
            return "timed out connecting to the database";
        case ledger_errc::not_connected:
            return "not connected to the database";
        case ledger_errc::server_error:
            return "the database refused the statement";
        case ledger_errc::reply_timeout:
            return "the database did not answer in time (the statement may have committed)";
        case ledger_errc::connection_lost:
            return "the database connection broke (the statement may have committed)";
        case ledger_errc::cancelled:
            return "cancelled (the statement may have committed)";
        case ledger_errc::schema_missing:
            return "the database holds no paymand schema (run `paymand db init`)";
        case ledger_errc::schema_outdated:
            return "the database schema is older than this paymand (run `paymand db migrate`)";
        case ledger_errc::schema_newer:
            return "the database schema is newer than this paymand knows (upgrade paymand)";
        case ledger_errc::already_initialised:
            return "the database already holds the paymand schema (use `paymand db migrate`)";
        case ledger_errc::unexpected_answer:
            return "the database's answer has an unexpected shape";
        case ledger_errc::invalid_state:
            return "this operation never writes that occurrence state";
        case ledger_errc::audit_diverged:
            return "the ledger's copy of this node's audit chain is not its audit log";
        }
        return "unknown paymand.ledger error";
    }
};

}  // namespace

const boost::system::error_category& ledger_category() noexcept
{
    static const category instance;
    return instance;
}

bool db_error::outcome_unknown() const noexcept
{
    return code == ledger_errc::reply_timeout || code == ledger_errc::connection_lost ||
           code == ledger_errc::cancelled;
}

std::string db_error::what() const
{
    std::string out = code.message();
    if (!sqlstate.empty()) out += " [" + sqlstate + "]";
    if (!message.empty()) out += ": " + message;
    return out;
}

void throw_exception_from_error(const db_error& e, const boost::source_location&)
{
    throw std::runtime_error(e.what());
}

}  // namespace paymand::ledger
