#include "paymand/ledger/occurrence_ledger.hpp"

#include "ledger/statement.hpp"

#include <utility>
#include <vector>

namespace paymand::ledger {

namespace asio = boost::asio;

namespace {

// The fence: the caller's node and epoch hold the current unexpired lease by the database
// clock. FOR SHARE makes a takeover (which updates this row) wait for the statement using it,
// and makes that statement, when a takeover came first, re-read the row and find the new epoch.
// $1 is the node, $2 the epoch.
constexpr std::string_view current_lease =
    "WITH lease AS (SELECT epoch FROM paymand_lease "
    "WHERE holder = $1 AND epoch = $2::bigint AND expires_at > clock_timestamp() FOR SHARE) ";

std::vector<param> fenced_params(const fence& who, std::string identity)
{
    return {who.node, std::to_string(who.epoch), std::move(identity)};
}

// The fenced move `claimed -> to` of the fence's own row, writing what it pays when `payment`
// is given (the gate); true when it committed.
asio::awaitable<core::result<bool, db_error>>
fenced_move(connection& conn, const fence& who, std::string identity, occurrence_state to,
            const std::optional<row_payment>& payment = std::nullopt)
{
    auto params = fenced_params(who, std::move(identity));
    params.emplace_back(std::string(to_string(to)));
    std::string pays;
    if (payment) {
        params.emplace_back(payment->payee);
        params.emplace_back(std::to_string(payment->amount_minor));
        params.emplace_back(payment->currency);
        params.emplace_back(std::to_string(payment->due.time_since_epoch().count()));
        pays = ", payee = $5, amount_minor = $6::bigint, currency = $7, "
               "due_at = to_timestamp($8::bigint)";
    }
    auto moved = co_await conn.async_query(
        std::string(current_lease) + "UPDATE paymand_occurrence o SET state = $4" + pays +
            ", updated_at = clock_timestamp() FROM lease WHERE o.identity = $3 "
            "AND o.state = 'claimed' AND o.node = $1 AND o.epoch = lease.epoch "
            "RETURNING o.identity",
        std::move(params));
    if (!moved) co_return moved.error();
    co_return moved->rows.size() == 1;
}

// Row r of the progress read: what it pays, from columns 3 to 6 (all NULL before version 3).
std::optional<row_payment> payment_at(const query_result& read, std::size_t r)
{
    const auto amount = detail::integer_at(read, r, 4);
    const auto due = detail::integer_at(read, r, 6);
    if (read.is_null(r, 3) || !amount || !due) return std::nullopt;
    return row_payment{.payee = read.text(r, 3),
                       .amount_minor = *amount,
                       .currency = read.text(r, 5),
                       .due = std::chrono::sys_seconds(std::chrono::seconds(*due))};
}

}  // namespace

asio::awaitable<core::result<claim_outcome, db_error>>
async_claim(connection& conn, const fence& who, std::string identity, std::string rule)
{
    auto params = fenced_params(who, std::move(identity));
    params.emplace_back(std::move(rule));
    // A released row, or one only claimed by an older epoch (which can never pass the gate
    // again), is claimed anew; any other existing row makes the claim fail.
    auto claimed = co_await conn.async_query(
        std::string(current_lease) +
            "INSERT INTO paymand_occurrence AS o "
            "(identity, rule, state, epoch, node, claimed_at, updated_at) "
            "SELECT $3, $4, 'claimed', lease.epoch, $1, clock_timestamp(), clock_timestamp() "
            "FROM lease ON CONFLICT (identity) DO UPDATE SET rule = EXCLUDED.rule, "
            "state = 'claimed', epoch = EXCLUDED.epoch, node = EXCLUDED.node, "
            "claimed_at = EXCLUDED.claimed_at, updated_at = EXCLUDED.updated_at "
            "WHERE o.state = 'released' OR (o.state = 'claimed' AND o.epoch < EXCLUDED.epoch) "
            "RETURNING o.epoch",
        params);
    if (!claimed) co_return claimed.error();
    if (claimed->rows.size() == 1) co_return claim_outcome::claimed;
    // Nothing changed: say why (a read only, for the caller's log and metrics).
    params.resize(2);
    auto leading = co_await conn.async_query(
        "SELECT count(*) FROM paymand_lease "
        "WHERE holder = $1 AND epoch = $2::bigint AND expires_at > clock_timestamp()",
        std::move(params));
    if (!leading) co_return leading.error();
    co_return detail::integer_at(*leading, 0, 0) == 1 ? claim_outcome::taken
                                                      : claim_outcome::not_leader;
}

asio::awaitable<core::result<bool, db_error>>
async_open_gate(connection& conn, const fence& who, std::string identity, row_payment payment)
{
    const std::optional<row_payment> pays(std::move(payment));
    co_return co_await fenced_move(conn, who, std::move(identity), occurrence_state::sending, pays);
}

asio::awaitable<core::result<bool, db_error>>
async_settle_unsent(connection& conn, const fence& who, std::string identity, occurrence_state end)
{
    if (!is_unsent_end(end))
        co_return db_error{{.code = ledger_errc::invalid_state,
                            .message = "a claim ends without a send as skipped or failed only"}};
    co_return co_await fenced_move(conn, who, std::move(identity), end);
}

asio::awaitable<core::result<bool, db_error>> async_record_result(connection& conn,
                                                                  const fence& who,
                                                                  std::string identity,
                                                                  occurrence_state result)
{
    if (!is_send_result(result))
        co_return db_error{{.code = ledger_errc::invalid_state,
                            .message = "the result of a send is paid, failed or in_doubt"}};
    // No lease check: the request is already sent, and its truth must be kept. Only the row of
    // the gate this node passed (its node and epoch) is written.
    auto params = fenced_params(who, std::move(identity));
    params.emplace_back(std::string(to_string(result)));
    auto recorded = co_await conn.async_query(
        "UPDATE paymand_occurrence SET state = $4, updated_at = clock_timestamp() "
        "WHERE identity = $3 AND node = $1 AND epoch = $2::bigint AND (state = 'sending' "
        "OR state = $4 OR (state = 'in_doubt' AND $4 IN ('paid', 'failed'))) "
        "RETURNING identity",
        std::move(params));
    if (!recorded) co_return recorded.error();
    co_return recorded->rows.size() == 1;
}

asio::awaitable<core::result<std::vector<std::string>, db_error>>
async_read_in_doubt(connection& conn, std::string node)
{
    std::vector<param> params{std::move(node)};
    auto read = co_await conn.async_query(
        "SELECT identity FROM paymand_occurrence WHERE node = $1 AND state = 'in_doubt' "
        "ORDER BY identity COLLATE \"C\"",
        std::move(params));
    if (!read) co_return read.error();
    std::vector<std::string> out;
    out.reserve(read->rows.size());
    for (std::size_t r = 0; r < read->rows.size(); ++r) out.push_back(read->text(r, 0));
    co_return out;
}

asio::awaitable<core::result<bool, db_error>>
async_settle_in_doubt(connection& conn, std::string node, std::string identity, occurrence_state to)
{
    if (to != occurrence_state::paid && to != occurrence_state::failed)
        co_return db_error{{.code = ledger_errc::invalid_state,
                            .message = "a row in doubt is settled as paid or failed only"}};
    std::vector<param> params{std::move(node), std::move(identity), std::string(to_string(to))};
    auto settled = co_await conn.async_query(
        "UPDATE paymand_occurrence SET state = $3, updated_at = clock_timestamp() "
        "WHERE identity = $2 AND node = $1 AND state = 'in_doubt' RETURNING identity",
        std::move(params));
    if (!settled) co_return settled.error();
    co_return settled->rows.size() == 1;
}

asio::awaitable<core::result<std::optional<occurrence_row>, db_error>>
async_read_occurrence(connection& conn, std::string identity)
{
    std::vector<param> params{std::move(identity)};
    auto read = co_await conn.async_query(
        "SELECT identity, rule, state, epoch, node FROM paymand_occurrence WHERE identity = $1",
        std::move(params));
    if (!read) co_return read.error();
    if (read->rows.empty()) co_return std::optional<occurrence_row>();
    const auto state = parse_occurrence_state(read->text(0, 2));
    const auto epoch = detail::integer_at(*read, 0, 3);
    if (!state || !epoch) co_return detail::unexpected_answer("paymand_occurrence");
    co_return std::optional<occurrence_row>(occurrence_row{.identity = read->text(0, 0),
                                                           .rule = read->text(0, 1),
                                                           .state = *state,
                                                           .epoch = *epoch,
                                                           .node = read->text(0, 4)});
}

asio::awaitable<core::result<std::vector<rule_progress>, db_error>>
async_read_progress(connection& conn, std::string not_latest_suffix, std::string reader)
{
    std::vector<param> params{std::move(not_latest_suffix), std::move(reader)};
    // COLLATE "C": byte order, so the text order of a rule's identities is their time order
    // whatever the database's collation. The age of the others' payments is judged by the
    // database's clock, like every time in the ledger.
    auto read = co_await conn.async_query(
        "SELECT rule, 'latest' AS kind, max(identity COLLATE \"C\") AS identity, "
        "NULL AS payee, NULL::bigint AS amount_minor, NULL AS currency, NULL::bigint AS due "
        "FROM paymand_occurrence "
        "WHERE state <> 'released' AND ($1 = '' OR right(identity, length($1)) <> $1) "
        "GROUP BY rule "
        "UNION ALL SELECT rule, 'released', identity COLLATE \"C\", NULL, NULL, NULL, NULL "
        "FROM paymand_occurrence WHERE state = 'released' "
        "UNION ALL SELECT rule, CASE state WHEN 'paid' THEN 'paid' ELSE 'doubt' END, "
        "identity COLLATE \"C\", payee, amount_minor, currency, "
        "extract(epoch FROM due_at)::bigint FROM paymand_occurrence WHERE node <> $2 "
        "AND state IN ('sending', 'paid', 'in_doubt') "
        "AND claimed_at > clock_timestamp() - interval '32 days' ORDER BY 1, 2, 3",
        std::move(params));
    if (!read) co_return read.error();
    std::vector<rule_progress> out;
    for (std::size_t r = 0; r < read->rows.size(); ++r) {
        if (out.empty() || out.back().rule != read->text(r, 0))
            out.push_back(rule_progress{.rule = read->text(r, 0)});
        auto& p = out.back();
        const auto kind = read->text(r, 1);
        if (kind == "latest")
            p.latest = read->text(r, 2);
        else if (kind == "released")
            p.released.push_back(read->text(r, 2));
        else
            (kind == "paid" ? p.others_paid : p.others_in_doubt)
                .push_back(others_payment{read->text(r, 2), payment_at(*read, r)});
    }
    co_return out;
}

}  // namespace paymand::ledger
