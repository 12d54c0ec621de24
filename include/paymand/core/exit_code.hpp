#pragma once

// The exit codes of every paymand command, one list (sysexits where one fits). `paymand
// status` alone follows the monitoring-plugin convention instead (0 ok, 1 warning, 2
// critical, 3 unknown: inspect::health_level), because monitoring systems read it.

namespace paymand::core {

enum exit_code : int {
    exit_ok = 0,       // done; `trigger`: paid, a report answered, or (dry run) would pay
    exit_failure = 1,  // configuration, rules or input wrong (printed as file:line:col), or a
                       // failure the server reported
    exit_usage = 2,    // bad command line
    // `auth login`: how the person's consent ended
    exit_consent_denied = 3,   // the person pressed Deny on the consent page
    exit_state_mismatch = 4,   // the redirect's state is not ours: forged or stale
    exit_consent_refused = 5,  // invalid_scope or another error= in the redirect
    exit_consent_timeout = 6,  // no redirect came back in time
    // `trigger`: the occurrence's outcome class
    exit_not_run = 10,      // skipped: not due, condition not met, ...
    exit_denied = 11,       // refused by a limit: nothing was sent
    exit_not_paid = 12,     // failed: not paid
    exit_in_doubt = 13,     // may have been paid, or contradicts the intent: an operator decides
    exit_data_error = 65,   // EX_DATAERR: the audit log is corrupt; an operator must act
    exit_no_input = 66,     // EX_NOINPUT: the audit log does not exist or cannot be opened
    exit_unavailable = 69,  // EX_UNAVAILABLE: Payman cannot be reached or set up (secret,
                            // URL), a request not sent or its outcome unknown, the metrics
                            // endpoint cannot listen
    exit_software = 70,     // EX_SOFTWARE: an internal error
    exit_cant_create = 73,  // EX_CANTCREAT: the state directory or audit log can't be written
    exit_io_error = 74,     // EX_IOERR: reading failed half-way
    exit_locked = 75,       // EX_TEMPFAIL: another paymand holds the state lock
    exit_no_grant = 77,     // EX_NOPERM: authorization_code mode and no valid grant stored: a
                            // person must run `paymand auth login`
};

}  // namespace paymand::core
