// One private PostgreSQL server for the whole paymand_integration_ha binary.

#include "support/pg_server.hpp"

namespace {
[[maybe_unused]] auto* const pg_server_for_this_binary =
    ::testing::AddGlobalTestEnvironment(new paymand::test::pg_environment);
}  // namespace
