#include "paymand/audit/resolution.hpp"

#include "paymand/text/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace paymand::audit {

core::result<resolved_record> make_resolution(const audit_projection& projection,
                                              const resolution_request& request)
{
    const occurrence_status* o = projection.find(request.occurrence);
    if (!o) {
        return core::error{make_error_code(audit_errc::not_found), 0,
                           fmt::format("no occurrence '{}' in the audit log (see `paymand "
                                       "status` for the in-doubt ones)",
                                       request.occurrence)};
    }
    if (!resolvable(o->state)) {
        return core::error{make_error_code(audit_errc::not_in_doubt), 0,
                           fmt::format("occurrence '{}' is {}, not in doubt: nothing to resolve",
                                       request.occurrence, to_string(o->state))};
    }
    const std::string& note = request.note;
    const bool has_control = std::any_of(note.begin(), note.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
    if (note.empty() || note.size() > max_note_bytes || !text::is_valid_utf8(note) || has_control) {
        return core::error{make_error_code(audit_errc::record_invalid), 0,
                           fmt::format("--note must be one line of 1 to {} bytes of text saying "
                                       "why (e.g. \"checked the Payman dashboard: paid\")",
                                       max_note_bytes)};
    }
    return resolved_record{o->ref, request.verdict, note};
}

core::result<record> append_resolution(audit_store& store, audit_projection& projection,
                                       const resolution_request& request)
{
    auto resolved = make_resolution(projection, request);
    if (!resolved) return resolved.error();
    const record_body body = std::move(*resolved);
    auto receipt = store.append(std::span(&body, 1));
    if (!receipt) return receipt.error();
    projection.apply(receipt->records.front());
    return std::move(receipt->records.front());
}

}  // namespace paymand::audit
