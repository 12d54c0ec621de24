#pragma once

// Crash points for the crash-consistency tests: places where a test makes the process die
// (SIGKILL, as a power cut or the OOM killer would) to prove that no moment of death can
// lose or repeat a payment. Only the test-only executable `paymand-crashpoints` is compiled
// with PAYMAND_CRASH_POINTS; in the shipped `paymand` the macro expands to nothing.
//
//   PAYMAND_CRASH_AT=after_intent_durable      die at the first hit of that point
//   PAYMAND_CRASH_AT=request_written:2         die at its second hit

#include <string_view>

namespace paymand::core {

// Kills the process with SIGKILL when PAYMAND_CRASH_AT names this point and its hit count.
void crash_point(std::string_view name) noexcept;

}  // namespace paymand::core

#ifdef PAYMAND_CRASH_POINTS
#define PAYMAND_CRASH_POINT(name) ::paymand::core::crash_point(name)
#else
#define PAYMAND_CRASH_POINT(name) static_cast<void>(0)
#endif
