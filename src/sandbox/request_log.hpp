#pragma once

// The witness of the payment requests themselves: every tasks.send request the API listener
// handed to the service, in arrival order, with what it asked (prompt, metadata, idempotency
// key, paymand's memo tag), who sent it, the fault that hit it and the HTTP status answered,
// whether or not it moved money. The multi-node tests check "at most one send per occurrence"
// on it, whatever paymand says. Bounded: the oldest entries are dropped (and counted) beyond
// the capacity. In memory only; cleared by a reset.

#include "sandbox/state.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::sandbox {

struct logged_request {
    std::int64_t seq = 0;  // set by request_log::append, from 1
    time_point time{};
    std::optional<std::string> client_id;  // none when the request was not authenticated
    std::optional<std::string> idempotency_key;
    // params.metadata serialised, when it was an object of at most request_log::metadata_limit
    // bytes (kept as text: its size bounds its memory); empty otherwise.
    std::string metadata;
    bool metadata_cut = false;  // it was an object larger than request_log::metadata_limit
    std::optional<std::string> memo_tag;  // the first paymand memo tag in the prompt
    std::string text;                     // the prompt, at most request_log::text_limit bytes
    std::optional<std::string> fault;     // the fault action applied
    std::optional<int> status;            // none when no answer was written (reset, stall)

    boost::json::object to_json() const;
};

class request_log {
public:
    static constexpr std::size_t default_capacity = 100'000;
    static constexpr std::size_t text_limit = 512;       // bytes of prompt kept
    static constexpr std::size_t metadata_limit = 1024;  // bytes of serialised metadata kept
    static constexpr std::size_t key_limit = 512;        // bytes of idempotency key kept

    explicit request_log(std::size_t capacity = default_capacity);

    // Appends `entry` with the next sequence number, dropping the oldest beyond the capacity.
    void append(logged_request entry);
    // Empty again, numbering from 1, nothing dropped.
    void clear();

    const std::deque<logged_request>& entries() const { return entries_; }
    std::int64_t dropped() const { return dropped_; }

    // {"requests":[...],"dropped":N}: the entries whose seq is above `after`.
    boost::json::object to_json(std::int64_t after = 0) const;

private:
    std::size_t capacity_;
    std::deque<logged_request> entries_;
    std::int64_t next_seq_ = 1;
    std::int64_t dropped_ = 0;
};

// What the log keeps of a tasks.send body, read leniently (an invalid request is logged too):
// the text parts joined by newlines (cut), params.metadata, the idempotency key (either
// spelling) and the memo tag. Fields it cannot find stay empty.
logged_request describe_tasks_body(std::string_view body);

// The first paymand memo tag in `text` as written (pm:RULE:YYYYMMDDTHHMM, "m" appended for a
// manual run), or none. The grammar of prompt::find_memo_tag, written again on purpose: the
// sandbox stands in for Payman and shares no parsing with paymand (a unit test holds the two
// to the same answers).
std::optional<std::string> find_memo_tag_text(std::string_view text);

// `text` cut to at most `limit` bytes, never inside a UTF-8 sequence.
std::string cut_utf8(std::string_view text, std::size_t limit);

}  // namespace paymand::sandbox
