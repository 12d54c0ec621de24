#include "paymand/audit/audit_errc.hpp"

#include <boost/system/system_error.hpp>

namespace paymand::audit {
namespace {

class audit_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.audit"; }

    std::string message(int ev) const override
    {
        switch (static_cast<audit_errc>(ev)) {
        case audit_errc::locked:
            return "the state is locked by another process";
        case audit_errc::not_locked:
            return "the audit store is not locked";
        case audit_errc::not_replayed:
            return "the audit log has not been replayed";
        case audit_errc::corrupt:
            return "the audit log is corrupt";
        case audit_errc::needs_recovery:
            return "a previous audit append failed and the log tail is not re-verified";
        case audit_errc::log_removed:
            return "the audit log file was removed or replaced";
        case audit_errc::log_truncated:
            return "the audit log is shorter than what was written";
        case audit_errc::record_invalid:
            return "the record cannot be written";
        case audit_errc::malformed_line:
            return "malformed audit record";
        case audit_errc::unknown_type:
            return "unknown audit record type";
        case audit_errc::bad_hash:
            return "audit record hash does not match the chain";
        case audit_errc::sequence_gap:
            return "audit record sequence is broken";
        case audit_errc::torn_tail:
            return "the audit log ends with a partial line";
        case audit_errc::line_too_long:
            return "audit line longer than any record";
        case audit_errc::not_found:
            return "no such occurrence in the audit log";
        case audit_errc::not_in_doubt:
            return "the occurrence is not in doubt";
        case audit_errc::closed:
            return "the audit store is closed";
        case audit_errc::untrusted_file:
            return "a state file or directory is not the daemon's own";
        }
        return "unknown audit error";
    }
};

}  // namespace

const boost::system::error_category& audit_category() noexcept
{
    static const audit_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(audit_errc e) noexcept
{
    return {static_cast<int>(e), audit_category()};
}

}  // namespace paymand::audit
