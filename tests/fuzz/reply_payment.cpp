// Fuzzes the payment reply reader: the first byte picks the A2A task state (none, completed,
// input-required, failed, or a state word taken from the input), the rest is the reply.
// Promises: input-required never reads as completed, failed/canceled never as completed,
// a completed reading states no failure reason, and the claim check always answers.

#include "fuzz_support.hpp"
#include "paymand/reply/payment.hpp"

#include <array>
#include <optional>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace paymand;
    if (size == 0) return 0;
    static constexpr std::array<std::string_view, 6> states{
        "completed", "input-required", "INPUT_REQUIRED", "failed", "canceled", "working"};
    std::optional<std::string_view> state;
    if (data[0] < states.size()) state = states[data[0]];
    auto text = fuzz::as_text(data + 1, size - 1);

    auto r = reply::read_payment(text, state);
    fuzz::require(!r.explanation.empty(), "a reading explains itself");
    if (state && (*state == "input-required" || *state == "INPUT_REQUIRED"))
        fuzz::require(r.outcome == reply::payment_outcome::needs_input ||
                          r.outcome == reply::payment_outcome::unclear,
                      "input-required means needs_input or unclear");
    if (state && (*state == "failed" || *state == "canceled"))
        fuzz::require(r.outcome == reply::payment_outcome::failed ||
                          r.outcome == reply::payment_outcome::unclear,
                      "failed/canceled means failed or unclear");
    if (r.outcome == reply::payment_outcome::completed)
        fuzz::require(r.reason == reply::failure_reason::none, "a completion has no failure");

    static const auto tsd = *money::currency::find("TSD");
    (void)reply::check_claims(r, money::amount(tsd, 10000), "John Doe");
    if (r.claimed_payee) {
        fuzz::require(reply::same_payee(*r.claimed_payee, *r.claimed_payee),
                      "same_payee is reflexive");
    }
    return 0;
}
