#pragma once

// Crash points for the crash-consistency tests: places where a test makes the process die
// (SIGKILL, as a power cut or the OOM killer would) to prove that no moment of death can
// lose or repeat a payment. Only the test-only executable `paymand-crashpoints` is compiled
// with PAYMAND_CRASH_POINTS; in the shipped `paymand` the macro expands to nothing.
//
//   PAYMAND_CRASH_AT=after_intent_durable      die at the first hit of that point
//   PAYMAND_CRASH_AT=request_written:2         die at its second hit
//
// The points, in a payment's order: after_claim (a shared ledger's claim of the occurrence
// committed), after_intent_durable (the payment's intent fsync'ed), after_gate (its fenced gate
// `claimed -> sending` committed; the request is next), request_written (each HTTP request
// written, the token's included) and after_result_durable (the payment's result fsync'ed).
//
// The same points are pause points: PAYMAND_PAUSE_AT (same syntax) stops the process with
// SIGSTOP at that hit instead, so that a test can hold it frozen (past its lease) and then
// SIGCONT it. Both variables count the same hits: PAYMAND_PAUSE_AT=p PAYMAND_CRASH_AT=p:2
// stops at the first hit of p and, once continued, dies at the second.

#include <optional>
#include <string_view>

namespace paymand::core {

// A point named by PAYMAND_CRASH_AT or PAYMAND_PAUSE_AT: "name" (hit 1) or "name:n", n >= 1.
struct armed_point {
    std::string_view name;
    unsigned long hit = 1;
};

// Parses "name[:n]"; nullopt when the name is empty or n is not a whole number from 1.
std::optional<armed_point> parse_armed_point(std::string_view spec) noexcept;

// Kills the process with SIGKILL when PAYMAND_CRASH_AT names this point and its hit count,
// stops it with SIGSTOP when PAYMAND_PAUSE_AT does. A variable that does not parse aborts
// the process with a message on stderr: a test's typo must not pass for "never reached".
void crash_point(std::string_view name) noexcept;

}  // namespace paymand::core

#ifdef PAYMAND_CRASH_POINTS
#define PAYMAND_CRASH_POINT(name) ::paymand::core::crash_point(name)
#else
#define PAYMAND_CRASH_POINT(name) static_cast<void>(0)
#endif
