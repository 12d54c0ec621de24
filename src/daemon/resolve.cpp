#include "handover.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/resolution.hpp"
#include "paymand/config/daemon_config.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/daemon/daemon.hpp"
#include "paymand/daemon/inbox.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

namespace paymand::daemon {

namespace {

using namespace std::chrono_literals;

// How long the command waits for a running daemon to record a verdict it was handed.
constexpr auto daemon_answer_timeout = 15s;

// The resolved record for `occurrence` in records after `reader`'s position, if any.
std::optional<std::uint64_t> find_resolution(audit::audit_reader& reader,
                                             const std::string& occurrence)
{
    auto records = reader.read_new();
    if (!records) return std::nullopt;
    for (const auto& r : *records) {
        const auto* resolved = std::get_if<audit::resolved_record>(&r.body);
        if (resolved != nullptr && resolved->ref.occurrence == occurrence) return r.seq;
    }
    return std::nullopt;
}

// The daemon holds the lock: check the request against the log as it stands (read-only),
// hand it to the daemon through its inbox and wait for the daemon's record or refusal.
int hand_to_daemon(const config::daemon_config& cfg, const audit::resolution_request& request)
{
    auto reader = audit::audit_reader::open(cfg.audit_log);
    if (!reader) {
        std::cerr << "paymand audit resolve: " << reader.error().message << "\n";
        return exit_cant_create;
    }
    audit::audit_projection projection;
    auto read = reader->read_to_end([&](const audit::record& r) { projection.apply(r); });
    if (!read) {
        std::cerr << "paymand audit resolve: " << read.error().message << "\n";
        return exit_data_error;
    }
    if (auto check = audit::make_resolution(projection, request); !check) {
        std::cerr << "paymand audit resolve: " << check.error().message << "\n";
        return exit_failure;
    }
    std::optional<std::uint64_t> seq;
    auto answer = hand_over(cfg, request, daemon_answer_timeout, [&] {
        seq = find_resolution(*reader, request.occurrence);
        return seq.has_value();
    });
    switch (answer.what) {
    case handover_answer::kind::answered:
    case handover_answer::kind::done:
        std::cout << "resolved " << request.occurrence << " as "
                  << audit::to_string(request.verdict) << " (audit record " << seq.value_or(0)
                  << ", recorded by the running daemon)\n";
        return exit_ok;
    case handover_answer::kind::rejected:
        std::cerr << "paymand audit resolve: the daemon refused it: " << answer.text << "\n";
        return exit_failure;
    case handover_answer::kind::not_posted:
        std::cerr << "paymand audit resolve: the daemon is running and its inbox cannot be "
                     "written: "
                  << answer.text << "\n";
        return exit_cant_create;
    case handover_answer::kind::timed_out:
        break;
    }
    std::cerr << "paymand audit resolve: the running daemon has not taken the request within "
              << daemon_answer_timeout.count() << " s; it stays queued in "
              << answer.posted.string()
              << " and is recorded when the daemon reads its inbox (at the latest when it "
                 "starts)\n";
    return exit_locked;
}

}  // namespace

handover_answer hand_over(const config::daemon_config& cfg, const inbox_request& request,
                          std::chrono::milliseconds timeout, const std::function<bool()>& answered)
{
    handover_answer answer;
    auto posted = post_request(inbox_directory(cfg.state_directory), request);
    if (!posted) {
        answer.text = posted.error().message;
        return answer;
    }
    answer.posted = *posted;
    const auto until = core::system_clock()->steady_now() + timeout;
    const auto read_answer = [&](const std::filesystem::path& file, handover_answer::kind what) {
        std::error_code ec;
        if (!std::filesystem::exists(file, ec)) return false;
        std::ifstream in(file);
        std::getline(in, answer.text);
        std::filesystem::remove(file, ec);
        answer.what = what;
        return true;
    };
    while (core::system_clock()->steady_now() < until) {
        if (answered && answered()) {
            answer.what = handover_answer::kind::answered;
            return answer;
        }
        if (read_answer(done_path(*posted), handover_answer::kind::done) ||
            read_answer(rejection_path(*posted), handover_answer::kind::rejected))
            return answer;
        std::this_thread::sleep_for(100ms);
    }
    answer.what = handover_answer::kind::timed_out;
    answer.text.clear();
    return answer;
}

int resolve(const std::filesystem::path& config_path, const std::string& occurrence, bool paid,
            const std::string& note)
{
    yaml::diagnostics diags;
    auto cfg = config::load_daemon_config(
        config_path, [](const char* name) { return std::getenv(name); }, diags);
    if (!cfg) {
        std::cerr << diags.to_string();
        return exit_failure;
    }
    audit::file_audit_store store({.log_path = cfg->audit_log, .lock_path = cfg->lock_path()});
    if (auto locked = store.lock(); !locked) {
        if (locked.error().code == audit::audit_errc::locked)
            return hand_to_daemon(
                *cfg, {.occurrence = occurrence,
                       .verdict = paid ? audit::resolution::paid : audit::resolution::not_paid,
                       .note = note});
        std::cerr << "paymand audit resolve: " << locked.error().message << "\n";
        return exit_cant_create;
    }
    audit::audit_projection projection;
    auto replay = store.replay(projection);
    if (!replay) {
        std::cerr << "paymand audit resolve: " << replay.error().message << "\n";
        return exit_cant_create;
    }
    if (replay->corruption) {
        std::cerr << "paymand audit resolve: " << store.describe()
                  << " is corrupt: " << replay->corruption->message << "\n";
        return exit_data_error;
    }
    auto written = audit::append_resolution(
        store, projection,
        {.occurrence = occurrence,
         .verdict = paid ? audit::resolution::paid : audit::resolution::not_paid,
         .note = note});
    if (!written) {
        std::cerr << "paymand audit resolve: " << written.error().message << "\n";
        return exit_failure;
    }
    std::cout << "resolved " << occurrence << " as " << (paid ? "paid" : "not paid")
              << " (audit record " << written->seq << ")\n";
    return exit_ok;
}

}  // namespace paymand::daemon
