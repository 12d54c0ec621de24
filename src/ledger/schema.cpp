#include "paymand/ledger/schema.hpp"

#include "ledger/statement.hpp"

#include <array>
#include <optional>
#include <string>
#include <utility>

namespace paymand::ledger {

namespace asio = boost::asio;

namespace {

// Version 1: the occurrence ledger, the lease and the shipped audit chains (docs/ha.md).
constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE paymand_schema (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version integer NOT NULL
);
INSERT INTO paymand_schema (version) VALUES (0);

-- Who schedules: one row, timed by the database clock only; epoch + 1 on every acquisition.
CREATE TABLE paymand_lease (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    holder text,
    epoch bigint NOT NULL CHECK (epoch >= 0),
    acquired_at timestamptz,
    expires_at timestamptz NOT NULL
);
INSERT INTO paymand_lease (holder, epoch, expires_at) VALUES (NULL, 0, '1970-01-01Z');

-- One row per occurrence identity: whoever inserts it first owns it.
CREATE TABLE paymand_occurrence (
    identity text PRIMARY KEY,
    rule text NOT NULL,
    state text NOT NULL CHECK (state IN
        ('claimed', 'sending', 'paid', 'failed', 'skipped', 'in_doubt', 'released')),
    epoch bigint NOT NULL,
    node text NOT NULL,
    claimed_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX paymand_occurrence_open ON paymand_occurrence (epoch)
    WHERE state IN ('claimed', 'sending');

-- Each node's audit log, line by line, byte for byte; every link verified on insert.
CREATE TABLE paymand_audit (
    node text NOT NULL,
    seq bigint NOT NULL CHECK (seq >= 1),
    record bytea NOT NULL,
    hash text NOT NULL,
    prev_hash text NOT NULL,
    shipped_at timestamptz NOT NULL,
    PRIMARY KEY (node, seq)
);

-- A record is one line of the log without its newline, ending in ,"hash":"<64 hex>"} where
-- hash(n) = hex(sha256(hash(n - 1) || the bytes before ,"hash":")) and hash(0) = 64 zeros.
CREATE FUNCTION paymand_audit_link() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    n integer := length(NEW.record);
    stated text;
    prefix bytea;
    previous text;
BEGIN
    IF n < 76 OR substring(NEW.record FROM n - 74 FOR 9) <> '\x2c2268617368223a22'::bytea
       OR substring(NEW.record FROM n - 1 FOR 2) <> '\x227d'::bytea THEN
        RAISE EXCEPTION USING ERRCODE = 'PMA01', MESSAGE = format(
            'audit record %s of node %s does not end in ,"hash":"<64 hex>"}', NEW.seq, NEW.node);
    END IF;
    stated := encode(substring(NEW.record FROM n - 65 FOR 64), 'escape');
    prefix := substring(NEW.record FROM 1 FOR n - 75);
    IF stated !~ '^[0-9a-f]{64}$'
       OR position(convert_to('{"seq":' || NEW.seq || ',', 'UTF8') IN prefix) <> 1 THEN
        RAISE EXCEPTION USING ERRCODE = 'PMA01', MESSAGE = format(
            'audit record %s of node %s is malformed (its hash or its seq)', NEW.seq, NEW.node);
    END IF;
    IF NEW.seq = 1 THEN
        previous := repeat('0', 64);
    ELSE
        SELECT a.hash INTO previous FROM paymand_audit a
            WHERE a.node = NEW.node AND a.seq = NEW.seq - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'PMA02', MESSAGE = format(
                'audit record %s of node %s leaves a gap: record %s was never shipped',
                NEW.seq, NEW.node, NEW.seq - 1);
        END IF;
    END IF;
    IF encode(sha256(convert_to(previous, 'UTF8') || prefix), 'hex') <> stated THEN
        RAISE EXCEPTION USING ERRCODE = 'PMA03', MESSAGE = format(
            'audit record %s of node %s breaks the chain: its hash is not sha256 of the '
            'previous hash and its bytes', NEW.seq, NEW.node);
    END IF;
    NEW.hash := stated;
    NEW.prev_hash := previous;
    NEW.shipped_at := now();
    RETURN NEW;
END
$fn$;
CREATE TRIGGER paymand_audit_link BEFORE INSERT ON paymand_audit
    FOR EACH ROW EXECUTE FUNCTION paymand_audit_link();

CREATE FUNCTION paymand_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'PMA04',
        MESSAGE = 'shipped audit records are never changed or deleted';
END
$fn$;
CREATE TRIGGER paymand_audit_immutable BEFORE UPDATE OR DELETE ON paymand_audit
    FOR EACH ROW EXECUTE FUNCTION paymand_audit_immutable();
)sql";

// Version 2: the nodes, each with the rule set and policy it runs, alive until a time of the
// database's clock that every renewal or campaign moves on (docs/ha.md, "Eligibility").
constexpr std::string_view schema_v2 = R"sql(
CREATE TABLE paymand_node (
    node text PRIMARY KEY,
    rules_hash text NOT NULL,
    policy_hash text NOT NULL,
    seen_at timestamptz NOT NULL,
    alive_until timestamptz NOT NULL
);
)sql";

// Version 3: what each payment's row pays, written at its send gate, so that another node's
// limits count it exactly (docs/ha.md, "Limits across nodes"). Rows gated before it have none.
constexpr std::string_view schema_v3 = R"sql(
ALTER TABLE paymand_occurrence
    ADD COLUMN payee text,
    ADD COLUMN amount_minor bigint,
    ADD COLUMN currency text,
    ADD COLUMN due_at timestamptz,
    ADD CONSTRAINT paymand_occurrence_payment_whole CHECK (
        (payee IS NULL) = (amount_minor IS NULL) AND (payee IS NULL) = (currency IS NULL)
        AND (payee IS NULL) = (due_at IS NULL) AND (amount_minor IS NULL OR amount_minor >= 0));
)sql";

constexpr std::array all_migrations{
    migration{
        .version = 1, .name = "occurrence ledger, lease, shipped audit chains", .sql = schema_v1},
    migration{.version = 2, .name = "nodes and the rule set and policy they run", .sql = schema_v2},
    migration{
        .version = 3, .name = "the payment each row pays, written at its gate", .sql = schema_v3},
};

// Held for the whole of one migration's transaction: concurrent `db migrate` runs (or nodes)
// take turns, and the second finds the work done. The number is arbitrary and fixed.
constexpr std::string_view advisory_lock_key = "7212075465738117121";

db_error error_of(boost::system::error_code code, std::string message = {})
{
    return db_error{{.code = code, .message = std::move(message)}};
}

asio::awaitable<core::result<int, db_error>> read_version(connection& conn)
{
    auto exists = co_await conn.async_query("SELECT to_regclass('paymand_schema') IS NOT NULL");
    if (!exists) co_return exists.error();
    if (exists->rows.size() != 1) co_return detail::unexpected_answer("paymand_schema");
    if (exists->text(0, 0) != "t") co_return 0;
    auto version = co_await conn.async_query("SELECT version FROM paymand_schema");
    if (!version) co_return version.error();
    if (version->rows.size() != 1) co_return detail::unexpected_answer("paymand_schema");
    const auto number = detail::integer_at(*version, 0, 0);
    if (!number) co_return detail::unexpected_answer("paymand_schema.version");
    co_return static_cast<int>(*number);
}

std::string versions_text(int database_version, int known)
{
    return "the database is at version " + std::to_string(database_version) +
           ", this paymand knows version " + std::to_string(known);
}

}  // namespace

std::span<const migration> migrations() noexcept
{
    return all_migrations;
}

int known_schema_version() noexcept
{
    return all_migrations.back().version;
}

boost::system::error_code judge_schema_version(int database_version, int known) noexcept
{
    if (database_version == known) return {};
    if (database_version == 0) return ledger_errc::schema_missing;
    if (database_version < known) return ledger_errc::schema_outdated;
    return ledger_errc::schema_newer;
}

asio::awaitable<core::result<int, db_error>> async_schema_version(connection& conn)
{
    co_return co_await read_version(conn);
}

asio::awaitable<core::result<void, db_error>> async_check_schema(connection& conn)
{
    auto version = co_await read_version(conn);
    if (!version) co_return version.error();
    const int known = known_schema_version();
    if (auto verdict = judge_schema_version(*version, known))
        co_return error_of(verdict, versions_text(*version, known));
    co_return core::result<void, db_error>{};
}

asio::awaitable<core::result<migrate_report, db_error>> async_migrate(connection& conn,
                                                                      migrate_mode mode)
{
    const int known = known_schema_version();
    migrate_report report{.from = -1};
    for (;;) {
        if (auto begun = co_await conn.async_query("BEGIN"); !begun) co_return begun.error();
        std::vector<param> key{std::string(advisory_lock_key)};
        auto locked =
            co_await conn.async_query("SELECT pg_advisory_xact_lock($1::bigint)", std::move(key));
        core::result<int, db_error> version =
            locked ? core::result<int, db_error>(0) : core::result<int, db_error>(locked.error());
        if (locked) version = co_await read_version(conn);
        if (!version) {
            co_await detail::roll_back(conn);
            co_return version.error();
        }
        if (report.from < 0) {
            report.from = *version;
            std::optional<db_error> refused;
            if (*version > known)
                refused = error_of(ledger_errc::schema_newer, versions_text(*version, known));
            else if (mode == migrate_mode::init && *version != 0)
                refused =
                    error_of(ledger_errc::already_initialised, versions_text(*version, known));
            else if (mode == migrate_mode::migrate && *version == 0)
                refused = error_of(ledger_errc::schema_missing, versions_text(0, known));
            if (refused) {
                co_await detail::roll_back(conn);
                co_return *refused;
            }
        }
        if (*version >= known) {
            co_await detail::roll_back(
                conn);  // nothing was written: the lock goes with the transaction
            report.to = *version;
            co_return report;
        }
        const auto& next = all_migrations.at(static_cast<std::size_t>(*version));
        auto stamped = co_await conn.async_script(std::string(next.sql));
        if (stamped) {
            std::vector<param> to{std::to_string(next.version)};
            stamped = co_await conn.async_query("UPDATE paymand_schema SET version = $1::int",
                                                std::move(to));
        }
        if (stamped) stamped = co_await conn.async_query("COMMIT");
        if (!stamped) {
            co_await detail::roll_back(conn);
            co_return stamped.error();
        }
    }
}

}  // namespace paymand::ledger
