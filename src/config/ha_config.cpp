#include "paymand/config/ha_config.hpp"

#include "config/config_readers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <system_error>

namespace paymand::config {

using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_node_name = 63;

constexpr std::string_view conninfo_how =
    "keep the password out of the configuration: in ~/.pgpass or PGPASSFILE, or name a private "
    "file, a systemd credential or an environment variable holding the whole connection string "
    "(conninfo: {file: /etc/paymand/db-conninfo})";

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// A connection string written in the configuration must not carry a password: the keyword
// (password=...), a URI parameter (?password=...) or a URI's user:password@.
bool holds_password(std::string_view conninfo)
{
    const auto text = lower(conninfo);
    if (text.find("password") != std::string::npos) return true;
    for (std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (!text.starts_with(scheme)) continue;
        const auto rest = std::string_view(text).substr(scheme.size());
        const auto at = rest.find('@');
        const auto authority_end = rest.find_first_of("/?");
        if (at == std::string_view::npos ||
            (authority_end != std::string_view::npos && authority_end < at))
            return false;
        return rest.substr(0, at).find(':') != std::string_view::npos;
    }
    return false;
}

void read_conninfo(const yaml::reader& in, const yaml::field& f,
                   const std::filesystem::path& base_dir, ha_config& out)
{
    if (f.value.IsScalar()) {
        // Never quoted in a message: it may hold what it must not.
        const auto& text = f.value.Scalar();
        if (text.empty())
            in.error(in.value_mark(f), "ha.conninfo must not be empty");
        else if (holds_password(text))
            in.error(
                in.value_mark(f),
                fmt::format("ha.conninfo holds a password (value not shown): {}", conninfo_how));
        else
            out.conninfo = text;
        return;
    }
    secret_source source;
    read_secret_source(in, f, base_dir, source, "ha.conninfo", conninfo_how);
    const auto at = f.key.Mark();
    source.defined_at = fmt::format("{}:{}:{}", in.file(), at.line + 1, at.column + 1);
    source.what = "database connection string";
    source.key = "ha.conninfo";
    if (source.from != secret_source::kind::automatic) out.conninfo_source = source;
}

void read_ha_timeouts(const yaml::reader& in, const yaml::field& f, ha_timeouts& out)
{
    auto m = in.read_mapping(
        f.value, {{"connect"}, {"reply"}, {"statement"}, {"lock"}, {"idle_in_transaction"}},
        "ha.timeouts");
    if (!m) return;
    std::pair<std::string_view, std::chrono::seconds*> slots[] = {
        {"connect", &out.connect},
        {"reply", &out.reply},
        {"statement", &out.statement},
        {"lock", &out.lock},
        {"idle_in_transaction", &out.idle_in_transaction},
    };
    for (auto& [key, slot] : slots)
        if (const auto* g = m->find(key))
            if (auto v = in.duration(*g, 1s, 3600s)) *slot = *v;
}

// A setting of ha: that cannot be used, and why.
core::error invalid_ha(std::string message)
{
    return {.code = make_error_code(std::errc::invalid_argument), .message = std::move(message)};
}

}  // namespace

core::result<void> check_node_name(std::string_view name)
{
    if (name.empty()) return invalid_ha("a node name must not be empty");
    if (name.size() > max_node_name)
        return invalid_ha(fmt::format("a node name has at most {} bytes, this one {}",
                                      max_node_name, name.size()));
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-') continue;
        return invalid_ha(fmt::format("a node name holds letters, digits, '.', '_' and '-' only; "
                                      "byte {} is \\x{:02X}",
                                      i, c));
    }
    return {};
}

core::result<void> check_ha_timing(const ha_config& ha)
{
    // A renewal and one retry must fit inside the window the node trusts its lease for.
    if (2 * ha.renew + ha.safety_margin > ha.lease)
        return invalid_ha(fmt::format("ha.lease ({}) must be at least twice ha.renew ({}) plus "
                                      "ha.safety_margin ({}): a renewal and one retry must fit "
                                      "inside the trusted window",
                                      yaml::format_duration_ms(ha.lease),
                                      yaml::format_duration_ms(ha.renew),
                                      yaml::format_duration_ms(ha.safety_margin)));
    return {};
}

void read_ha(const yaml::reader& in, const yaml::field& section,
             const std::filesystem::path& base_dir, std::string_view hostname, ha_config& out)
{
    auto m = in.read_mapping(section.value,
                             {{"conninfo", yaml::presence::required},
                              {"node"},
                              {"lease"},
                              {"renew"},
                              {"safety_margin"},
                              {"max_clock_skew"},
                              {"timeouts"}},
                             "ha");
    if (!m) return;
    if (const auto* f = m->find("conninfo")) read_conninfo(in, *f, base_dir, out);
    if (const auto* f = m->find("node")) {
        if (auto name = in.text(*f)) {
            if (auto checked = check_node_name(*name); !checked)
                in.error(in.value_mark(*f), fmt::format("ha.node: {}", checked.error().message));
            else
                out.node = *name;
        }
    } else if (auto checked = check_node_name(hostname); !checked) {
        in.error(section, fmt::format("the host name cannot be the node name ({}): set ha.node",
                                      checked.error().message));
    } else {
        out.node = std::string(hostname);
    }
    std::pair<std::string_view, std::chrono::milliseconds*> slots[] = {
        {"lease", &out.lease},
        {"renew", &out.renew},
        {"safety_margin", &out.safety_margin},
        {"max_clock_skew", &out.max_clock_skew},
    };
    bool timing_read = true;
    for (auto& [key, slot] : slots) {
        if (const auto* f = m->find(key)) {
            const auto min = key == "safety_margin" ? 0ms : 100ms;
            if (auto v = in.duration_ms(*f, min, 3600s))
                *slot = *v;
            else
                timing_read = false;
        }
    }
    if (timing_read) {
        if (auto checked = check_ha_timing(out); !checked) {
            const auto* at = m->find("lease");
            if (at == nullptr) at = m->find("renew");
            if (at == nullptr) at = m->find("safety_margin");
            if (at != nullptr)
                in.error(*at, checked.error().message);
            else
                in.error(section, checked.error().message);
        }
    }
    if (const auto* f = m->find("timeouts")) read_ha_timeouts(in, *f, out.timeouts);
}

core::result<payman::secret> load_conninfo(const ha_config& ha, const env_lookup& getenv)
{
    if (ha.conninfo) return payman::secret(*ha.conninfo);
    if (ha.conninfo_source) return load_secret(*ha.conninfo_source, getenv);
    return core::error{make_error_code(std::errc::invalid_argument), 0, "ha.conninfo is not set"};
}

}  // namespace paymand::config
