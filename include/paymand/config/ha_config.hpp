#pragma once

// The checks and the connection string of the `ha:` section (daemon_config::ha).

#include "paymand/config/secret_source.hpp"

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace paymand::config {

// Pure: an error saying why `name` cannot be a node name; nothing when it can.
core::result<void> check_node_name(std::string_view name);

// Pure: an error saying why the timing of `ha` does not hold together (renew shorter than the
// lease, the safety margin and one renewal inside it); nothing when it does.
core::result<void> check_ha_timing(const ha_config& ha);

// The connection string: as written, or read from its source (a file must be private to its
// owner, like the client secret's). The error names the source, never the value.
core::result<payman::secret> load_conninfo(const ha_config& ha, const env_lookup& getenv);

}  // namespace paymand::config
