#include "paymand/text/word_class.hpp"

#include "paymand/text/utf8.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace paymand::text {
namespace {

// Sorted lists (binary search by bytes). Latin words in lower-case ASCII without diacritics
// (English, German, French, Spanish, Italian, Portuguese, Dutch: explicit inflected forms, no
// stems, so that names such as "Payton" or "Sender" stay ordinary); Russian words in lower-case
// UTF-8 with 'ё' written 'е' (explicit forms: "плати" is listed, the name "Платон" is not).

// Verbs that move, release or authorise money, with their inflections.
constexpr std::array payment_verbs = std::to_array<std::string_view>(
    {"approuver",      "approuvez",   "approva",       "approvare",   "approvate",   "approve",
     "approved",       "approves",    "approving",     "aprobar",     "aprovar",     "aprove",
     "aprueba",        "apruebe",     "authorise",     "authorised",  "authorises",  "authorize",
     "authorized",     "authorizes",  "betaal",        "betaald",     "betaalt",     "betalen",
     "bevestig",       "bevestigen",  "bezahle",       "bezahlen",    "bezahlt",     "bonifica",
     "bonifico",       "charge",      "charged",       "charges",     "charging",    "conferma",
     "confermare",     "confirm",     "confirma",      "confirmar",   "confirme",    "confirmed",
     "confirmez",      "confirming",  "confirms",      "deposit",     "deposita",    "depositar",
     "deposite",       "deposited",   "deposits",      "disburse",    "disbursed",   "donate",
     "donated",        "envia",       "enviar",        "envie",       "envien",      "envoie",
     "envoyer",        "envoyez",     "gave",          "give",        "given",       "gives",
     "giving",         "goedkeuren",  "invia",         "inviare",     "inviate",     "move",
     "moved",          "moves",       "moving",        "overboeken",  "overboeking", "overmaken",
     "overschrijving", "paga",        "pagar",         "pagare",      "pagate",      "paghi",
     "pague",          "paguen",      "paid",          "pay",         "payer",       "payez",
     "paying",         "pays",        "prepay",        "refund",      "refunded",    "refunds",
     "release",        "released",    "releases",      "rembourser",  "remboursez",  "remit",
     "remits",         "remitted",    "repay",         "resend",      "schicke",     "schicken",
     "send",           "sende",       "sending",       "sends",       "sent",        "sturen",
     "stuur",          "transfer",    "transferencia", "transferer",  "transferez",  "transferir",
     "transferred",    "transfers",   "transfiera",    "transfieran", "transfiere",  "transfira",
     "trasferire",     "trasferisci", "trasferite",    "uberweise",   "uberweisen",  "uberweist",
     "uberweisung",    "uberwiesen",  "versare",       "versate",     "verser",      "versez",
     "virement",       "virer",       "virez",         "wire",        "wired",       "wires",
     "wiring",         "withdraw",    "withdrawn",     "withdraws",   "withdrew",    "zahle",
     "zahlen",         "zahlt",       "вышли",         "вышлите",     "заплати",     "заплатите",
     "заплатить",      "одобри",      "одобрите",      "оплати",      "оплатите",    "оплатить",
     "отправить",      "отправь",     "отправьте",     "переведи",    "переведите",  "перевести",
     "перевод",        "переводи",    "перечисли",     "перечислите", "перечислить", "плати",
     "платите",        "платить",     "подтверди",     "подтвердите", "пошли",       "пошлите"});

// Words that steer an agent away from, or past, the request it was given.
constexpr std::array instruction_words = std::to_array<std::string_view>(
    {"additionally", "afterward",    "afterwards",    "also",          "annulez",    "answer",
     "anweisung",    "anweisungen",  "approval",      "approvals",     "ask",        "asked",
     "asking",       "asks",         "befehl",        "befehle",       "bitte",      "bypass",
     "cancel",       "confirmation", "confirmations", "consigne",      "consignes",  "delete",
     "dimentica",    "dimenticare",  "dimenticate",   "disregard",     "esqueca",    "esquecam",
     "esquecer",     "execute",      "forget",        "ignora",        "ignoran",    "ignorar",
     "ignorare",     "ignorate",     "ignore",        "ignored",       "ignoren",    "ignorer",
     "ignorez",      "ignorier",     "ignoriere",     "ignorieren",    "ignoriert",  "ignoring",
     "instead",      "instrucao",    "instruccion",   "instrucciones", "instrucoes", "instructie",
     "instructies",  "instruction",  "instructions",  "invece",        "istruzione", "istruzioni",
     "negeer",       "negeren",      "olvida",        "olvidar",       "olvide",     "olviden",
     "oublie",       "oublier",      "oubliez",       "overridden",    "override",   "please",
     "plutot",       "prompt",       "repeat",        "reply",         "respond",    "reveal",
     "stattdessen",  "subsequently", "tell",          "then",          "thereafter", "vergeet",
     "vergessen",    "vergesst",     "vergeten",      "vergiss",       "вместо",     "забудь",
     "забудьте",     "забыть",       "затем",         "игнорировать",  "игнорируй",  "игнорируйте",
     "игнорируя",    "инструкции",   "инструкций",    "инструкцию",    "инструкция", "инструкциям",
     "пожалуйста",   "потом",        "также",         "указаний",      "указания"});

// Currency codes and words that read as a currency in any case.
constexpr std::array currency_words = std::to_array<std::string_view>(
    {"aud",    "bitcoin", "brl",      "btc",  "buck",   "bucks",   "cad",    "cent",
     "cents",  "chf",     "cny",      "dkk",  "dollar", "dollars", "eth",    "eur",
     "euro",   "euros",   "gbp",      "hkd",  "inr",    "jpy",     "krw",    "mxn",
     "nok",    "nzd",     "quid",     "rmb",  "rub",    "rupee",   "rupees", "sek",
     "sgd",    "tsd",     "usd",      "usdc", "usdt",   "yen",     "yuan",   "zar",
     "доллар", "доллара", "долларов", "евро", "руб",    "рублей",  "рубль",  "рубля"});

// Words for large numbers.
constexpr std::array number_words = std::to_array<std::string_view>(
    {"billion",   "billions", "crore",     "duizend",   "duizenden", "hundred",   "hundreds",
     "lakh",      "milhao",   "milhares",  "milhoes",   "miliardi",  "miliardo",  "milione",
     "milioni",   "miljard",  "miljoen",   "miljoenen", "milliard",  "milliarde", "milliarden",
     "milliards", "million",  "millionen", "millions",  "millon",    "millones",  "tausend",
     "tausende",  "thousand", "thousands", "trillion",  "миллиард",  "миллиарда", "миллиардов",
     "миллион",   "миллиона", "миллионов", "тысяч",     "тысяча",    "тысячи",    "тысячу"});

// Words that read as an amount: "the full balance", "all remaining funds", "twice".
constexpr std::array quantity_words = std::to_array<std::string_view>(
    {"balance", "balances", "everything", "funds", "guthaben", "kontostand", "percent", "remainder",
     "remaining", "restbetrag", "saldo", "thrice", "twice", "баланс", "остаток"});

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
              sorted(number_words) && sorted(quantity_words) && sorted(iso_codes));

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view word)
{
    return std::binary_search(list.begin(), list.end(), word);
}

// Chinese (simplified and traditional), Japanese and Korean terms, found inside words.
struct listed_term {
    std::string_view text;
    cjk_meaning meaning;
};

constexpr std::array cjk_terms = std::to_array<listed_term>({
    // Steering: ignore, disregard, instruction, command, confirm.
    {"忽略", cjk_meaning::instruction},
    {"无视", cjk_meaning::instruction},
    {"無視", cjk_meaning::instruction},
    {"指令", cjk_meaning::instruction},
    {"指示", cjk_meaning::instruction},
    {"命令", cjk_meaning::instruction},
    {"确认", cjk_meaning::instruction},
    {"確認", cjk_meaning::instruction},
    {"무시", cjk_meaning::instruction},
    {"지시", cjk_meaning::instruction},
    // Paying and moving money.
    {"支付", cjk_meaning::instruction},
    {"付款", cjk_meaning::instruction},
    {"转账", cjk_meaning::instruction},
    {"轉賬", cjk_meaning::instruction},
    {"轉帳", cjk_meaning::instruction},
    {"汇款", cjk_meaning::instruction},
    {"匯款", cjk_meaning::instruction},
    {"打款", cjk_meaning::instruction},
    {"支払", cjk_meaning::instruction},
    {"送金", cjk_meaning::instruction},
    {"振込", cjk_meaning::instruction},
    {"振り込", cjk_meaning::instruction},
    {"지불", cjk_meaning::instruction},
    {"송금", cjk_meaning::instruction},
    {"이체", cjk_meaning::instruction},
    {"결제", cjk_meaning::instruction},
    // Currencies.
    {"美元", cjk_meaning::currency},
    {"人民币", cjk_meaning::currency},
    {"人民幣", cjk_meaning::currency},
    {"日元", cjk_meaning::currency},
    {"달러", cjk_meaning::currency},
    // Balance.
    {"余额", cjk_meaning::amount},
    {"餘額", cjk_meaning::amount},
    {"残高", cjk_meaning::amount},
    {"잔액", cjk_meaning::amount},
});

// Han numerals (common and financial forms).
constexpr std::u32string_view cjk_numerals =
    U"一二三四五六七八九十百千两兩零〇壹贰貳叁參肆伍陆陸柒捌玖拾佰仟";
// Ten thousand and a hundred million: an amount after a numeral (一万), part of names otherwise.
constexpr std::u32string_view cjk_magnitudes = U"万萬亿億";
// After ASCII digits also the currency units yuan, kuai, yen and the Korean 만, 억, 원 (5元,
// 3만원); after Han numerals these stay ordinary (三元 is a company, 一块 means "together").
constexpr std::u32string_view digit_units = U"万萬亿億元块塊円圆圓만억원";

bool in(std::u32string_view set, char32_t cp)
{
    return set.find(cp) != std::u32string_view::npos;
}

// Lower-cases ASCII and Cyrillic letters, reads 'ё' as 'е' and drops combining marks (a
// stress accent), so a Russian word matches its listed form.
std::string fold_case(std::string_view word)
{
    std::string out;
    out.reserve(word.size());
    for (std::size_t i = 0; i < word.size();) {
        const auto d = decode_utf8(word, i);
        if (!d) return std::string(word);
        char32_t cp = d->code_point;
        i += d->length;
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        if (cp >= 0x410 && cp <= 0x42F) cp += 0x20;
        if (cp >= 0x400 && cp <= 0x40F) cp += 0x50;
        if (cp == 0x451) cp = 0x435;
        if (cp >= 0x300 && cp <= 0x36F) continue;
        append_utf8(out, cp);
    }
    return out;
}

}  // namespace

word_class classify_word(std::string_view word)
{
    const std::string lower = fold_case(word);
    if (contains(payment_verbs, lower)) return word_class::payment_verb;
    if (contains(instruction_words, lower)) return word_class::instruction_word;
    if (contains(currency_words, lower)) return word_class::currency_word;
    if (contains(number_words, lower)) return word_class::number_word;
    return word_class::ordinary;
}

bool is_quantity_word(std::string_view word)
{
    return contains(quantity_words, fold_case(word));
}

bool is_iso_currency_code(std::string_view word) noexcept
{
    return contains(iso_codes, word);
}

std::optional<cjk_term> find_cjk_term(std::string_view run, bool after_digit)
{
    char32_t previous = 0;
    for (std::size_t i = 0; i < run.size();) {
        const auto d = decode_utf8(run, i);
        if (!d) return std::nullopt;
        const std::string_view rest = run.substr(i);
        for (const auto& term : cjk_terms)
            if (rest.starts_with(term.text)) return cjk_term{i, term.text.size(), term.meaning};
        const char32_t cp = d->code_point;
        if ((i == 0 && after_digit && in(digit_units, cp)) ||
            (in(cjk_numerals, previous) && in(cjk_magnitudes, cp))) {
            // The amount starts at the numeral before the magnitude.
            std::size_t start = i;
            if (i > 0) {
                std::size_t back = i - 1;
                while (back > 0 && (static_cast<unsigned char>(run[back]) & 0xC0) == 0x80) --back;
                start = back;
            }
            return cjk_term{start, i + d->length - start, cjk_meaning::amount};
        }
        previous = cp;
        i += d->length;
    }
    return std::nullopt;
}

}  // namespace paymand::text
