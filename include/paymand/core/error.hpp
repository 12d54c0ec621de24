#pragma once

// paymand's one error type and its result alias. Expected failures are values: a module
// returns core::result<T>; exceptions only cross the outermost boundaries (main, a co_spawn
// completion), thrown by result<T>::value() through throw_exception_from_error below.

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace paymand::core {

// What went wrong: a code of the module's own *_errc (or the system category for errno), where,
// and a message for people that says what, where and what to do. Messages never hold secrets;
// a server's untrusted words stay in the module's own diagnostics, not here.
//
// Where is one position for every reader: `offset` is the byte offset in the text checked (0
// when the error is not about one place in a text: a missing key, a failed write); errors read
// from a file add its 1-based `line` and `column` (0 when not from a file). The message
// already says where in words; the numbers let a caller add its own place (the rules loader
// adds a schedule's offset to the YAML scalar's column) and tests compare. `message` comes
// before line and column so that {code, offset, message} reads as it always did.
struct error {
    boost::system::error_code code;
    std::size_t offset = 0;
    std::string message;
    int line = 0;
    int column = 0;
};

// The one result alias. A domain error (below) names itself: core::result<T, ledger::db_error>.
template <class T, class E = error>
using result = boost::system::result<T, E>;

// A domain error is a core::error plus the facts that decide a money outcome, as a struct
// deriving from it (payman::client_error, net::transport_error, ledger::db_error): `e.code` and
// `e.message` read as everywhere else and a `const core::error&` binds to it. Designated
// initializers cannot name a base's members, so such an error is built from its facts and its
// core::error part: `core::extend({.code = c, .message = m}, client_error{.kind = k})`.
template <class E>
E extend(error base, E facts)
{
    static_assert(std::is_base_of_v<error, E>, "a domain error derives from core::error");
    static_cast<error&>(facts) = std::move(base);
    return facts;
}

// Thrown by result<T>::value() on an error: what() is the message, error() the whole value.
class error_exception : public std::runtime_error {
public:
    explicit error_exception(core::error e);
    const core::error& error() const noexcept { return error_; }

private:
    core::error error_;
};

// Found by ADL: result<T>::value() throws error_exception; only the outermost boundaries use it.
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

}  // namespace paymand::core
