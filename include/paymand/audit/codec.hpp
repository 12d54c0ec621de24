#pragma once

// Records to and from their line form. A line is one compact JSON object whose first keys
// are always "seq", "ts", "type" (then "dry_run":true when set, then "node" and "epoch" in HA
// mode), then the type's fields, and last "hash". Unknown keys, missing keys, wrong types and
// unknown record types are errors.

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/record.hpp"

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>

#include <string>
#include <string_view>

namespace paymand::audit {

// The type-specific fields of `body`, in their wire order, allocated from `storage` (the
// default resource unless given). Fails (record_invalid) on text that is not valid UTF-8 or on
// an excerpt over its cap.
core::result<boost::json::object> body_to_json(const record_body& body,
                                               boost::json::storage_ptr storage = {});

// The body of a record of type `type` from `fields` (which holds only the type's fields).
core::result<record_body> body_from_json(record_type type, const boost::json::object& fields);

// The bytes of the line before `,"hash":"`: everything the hash covers. `r.hash` is ignored.
core::result<std::string> line_prefix(const record& r);

// The full line (with its trailing newline) of `r` chained onto `prev_hash`; sets `r.hash`.
// Fails when the line would exceed max_line_bytes.
core::result<std::string> format_line(record& r, std::string_view prev_hash);

// A complete line (without newline) back into a record, strictly. Checks the line's shape and
// that its stored hash is well-formed, but not the chain (that needs the previous line).
core::result<record> parse_line(std::string_view line);

}  // namespace paymand::audit
