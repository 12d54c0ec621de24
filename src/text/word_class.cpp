#include "paymand/text/word_class.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace paymand::text {
namespace {

// Sorted lists (binary search). Lower case ASCII; callers fold before asking.
// Verbs that move, release or authorise money, with their inflections.
constexpr std::array payment_verbs = std::to_array<std::string_view>({
    "approve",   "approved",   "approves",   "approving", "authorise", "authorised", "authorises",
    "authorize", "authorized", "authorizes", "charge",    "charged",   "charges",    "charging",
    "confirm",   "confirmed",  "confirming", "confirms",  "deposit",   "deposited",  "deposits",
    "disburse",  "disbursed",  "donate",     "donated",   "gave",      "give",       "given",
    "gives",     "giving",     "move",       "moved",     "moves",     "moving",     "paid",
    "pay",       "paying",     "pays",       "prepay",    "refund",    "refunded",   "refunds",
    "release",   "released",   "releases",   "remit",     "remits",    "remitted",   "repay",
    "resend",    "send",       "sending",    "sends",     "sent",      "transfer",   "transferred",
    "transfers", "wire",       "wired",      "wires",     "wiring",    "withdraw",   "withdrawn",
    "withdraws", "withdrew",
});

// Words that steer an agent away from the request it was given.
constexpr std::array instruction_words = std::to_array<std::string_view>({
    "answer",       "bypass",     "cancel",   "delete",   "disregard", "execute",
    "forget",       "ignore",     "ignored",  "ignoring", "instead",   "instruction",
    "instructions", "overridden", "override", "please",   "prompt",    "repeat",
    "reply",        "respond",    "reveal",   "tell",
});

// Currency codes and words that read as a currency in any case.
constexpr std::array currency_words = std::to_array<std::string_view>({
    "aud",    "bitcoin", "brl",    "btc",     "buck", "bucks", "cad",  "cent",  "cents", "chf",
    "cny",    "dkk",     "dollar", "dollars", "eth",  "eur",   "euro", "euros", "gbp",   "hkd",
    "inr",    "jpy",     "krw",    "mxn",     "nok",  "nzd",   "quid", "rmb",   "rub",   "rupee",
    "rupees", "sek",     "sgd",    "tsd",     "usd",  "usdc",  "usdt", "yen",   "yuan",  "zar",
});

constexpr std::array number_words = std::to_array<std::string_view>({
    "billion",
    "billions",
    "crore",
    "hundred",
    "hundreds",
    "lakh",
    "million",
    "millions",
    "thousand",
    "thousands",
    "trillion",
});

// ISO 4217 active codes (plus TSD, Payman's test dollars).
constexpr std::array iso_codes = std::to_array<std::string_view>({
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SYP", "SZL", "THB", "TJS",
    "TMT", "TND", "TOP", "TRY", "TSD", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
});

template <std::size_t N>
constexpr bool sorted(const std::array<std::string_view, N>& list)
{
    return std::is_sorted(list.begin(), list.end());
}
static_assert(sorted(payment_verbs) && sorted(instruction_words) && sorted(currency_words) &&
              sorted(number_words) && sorted(iso_codes));

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view word)
{
    return std::binary_search(list.begin(), list.end(), word);
}

}  // namespace

word_class classify_word(std::string_view word)
{
    std::string lower;
    lower.reserve(word.size());
    for (char c : word) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        lower += c;
    }
    if (contains(payment_verbs, lower)) return word_class::payment_verb;
    if (contains(instruction_words, lower)) return word_class::instruction_word;
    if (contains(currency_words, lower)) return word_class::currency_word;
    if (contains(number_words, lower)) return word_class::number_word;
    return word_class::ordinary;
}

bool is_iso_currency_code(std::string_view word) noexcept
{
    return contains(iso_codes, word);
}

}  // namespace paymand::text
