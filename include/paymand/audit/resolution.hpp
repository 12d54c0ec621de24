#pragma once

// `paymand audit resolve OCCURRENCE --paid|--not-paid --note TEXT`: an operator's verdict on an
// in-doubt occurrence, appended to the log like any other record.

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/record.hpp"

#include <string>

namespace paymand::audit {

inline constexpr std::size_t max_note_bytes = 500;

struct resolution_request {
    std::string occurrence;
    audit::resolution verdict = resolution::not_paid;
    std::string note;  // why the operator decided so; required
};

// The resolved record for `request`, with the occurrence's rule and instant from the
// projection. Refuses (not_found / not_in_doubt / record_invalid) an unknown occurrence, one
// that is not in doubt or mismatched, and a note that is empty, over max_note_bytes, not
// valid UTF-8 or holds control characters.
core::result<resolved_record> make_resolution(const audit_projection& projection,
                                              const resolution_request& request);

// make_resolution, then appends it durably to `store` and applies it to `projection`.
core::result<record> append_resolution(audit_store& store, audit_projection& projection,
                                       const resolution_request& request);

}  // namespace paymand::audit
