#pragma once

#include "paymand/core/error.hpp"

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::prompt {

enum class prompt_errc {
    empty_template = 1,
    template_too_long,
    bad_placeholder,        // "{{ amount }}", "{{Amount}}", "{{", a lone brace
    unknown_placeholder,    // a name this kind of template does not know
    missing_placeholder,    // a required placeholder is absent ({{amount}} in pay)
    duplicate_placeholder,  // the same placeholder twice
    unsafe_literal,         // literal text outside the template grammar
    unsafe_value,           // an interpolated value refused by the safe-text grammar
    bad_value,              // a value out of range (zero amount, count 0)
};

const boost::system::error_category& prompt_category() noexcept;
boost::system::error_code make_error_code(prompt_errc e) noexcept;

// A refusal is a core::error: the code, the byte offset in the template (or in the value for
// unsafe_value), and a message naming the template and the rule, e.g. "prompt template 'pay':
// unknown placeholder {{amout}} at offset 5; known: amount, currency, payee".

}  // namespace paymand::prompt

template <>
struct boost::system::is_error_code_enum<paymand::prompt::prompt_errc> : std::true_type {
};
