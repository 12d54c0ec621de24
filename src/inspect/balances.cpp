#include "paymand/inspect/balances.hpp"

#include "paymand/money/parse.hpp"
#include "paymand/yaml/document.hpp"
#include "paymand/yaml/reader.hpp"

#include <fmt/format.h>

namespace paymand::inspect {

boost::system::result<money::amount, std::string> parse_balance(std::string_view text)
{
    std::string_view number = text;
    std::string_view code = "TSD";
    if (auto space = text.find(' '); space != std::string_view::npos) {
        number = text.substr(0, space);
        code = text.substr(space + 1);
    }
    auto amount = money::parse_amount(number, code, {.sign = money::sign_rule::non_negative});
    if (!amount)
        return fmt::format("balance \"{}\": {} (write e.g. 1500.00 or 1500.00 USD)", text,
                           amount.error().message);
    return *amount;
}

std::optional<engine::assumed_balances> load_balances_file(const std::filesystem::path& path,
                                                           yaml::diagnostics& diags)
{
    const auto file = path.string();
    const auto errors_before = diags.size();
    auto root = yaml::load_file(path, file, diags);
    if (!root || diags.size() != errors_before) return std::nullopt;
    yaml::reader in(file, diags);
    if (!root->IsMap()) {
        in.error(*root, "a balances file is a mapping of wallet names to balances, e.g. "
                        "\"Main: 1500.00\"");
        return std::nullopt;
    }
    engine::assumed_balances balances;
    for (const auto& pair : *root) {
        yaml::field f{pair.first.Scalar(), pair.first, pair.second};
        if (!pair.first.IsScalar() || f.name.empty()) {
            in.error(pair.first, "a wallet name must be non-empty text");
            continue;
        }
        auto text = in.scalar(f);
        if (!text) continue;
        auto amount = parse_balance(text->text);
        if (!amount) {
            in.error(text->mark, amount.error());
            continue;
        }
        if (f.name == "default")
            balances.fallback = *amount;
        else
            balances.wallets.insert_or_assign(f.name, *amount);
    }
    if (diags.size() != errors_before) return std::nullopt;
    return balances;
}

}  // namespace paymand::inspect
