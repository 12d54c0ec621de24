// What the endpoint answers, decided without sockets.

#include "paymand/metrics/exposition.hpp"
#include "paymand/metrics/routes.hpp"

#include <gtest/gtest.h>

namespace paymand::metrics {
namespace {

namespace http = boost::beast::http;

class routes_test : public ::testing::Test {
protected:
    http_answer ask(http::verb method, std::string_view target, bool has_body = false)
    {
        return route(method, target, has_body, reg_, health_);
    }

    registry reg_{std::chrono::system_clock::time_point{}, "0.1.0"};
    health_fn health_ = [] { return health_status{}; };
};

TEST_F(routes_test, get_metrics_answers_the_scrape)
{
    reg_.set_rules(3, 2);
    auto a = ask(http::verb::get, "/metrics");
    EXPECT_EQ(a.status, http::status::ok);
    EXPECT_EQ(a.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(a.content_type, exposition_content_type);
    EXPECT_EQ(a.body, reg_.render());
    EXPECT_FALSE(a.close);
}

TEST_F(routes_test, head_metrics_answers_like_get)
{
    auto a = ask(http::verb::head, "/metrics");
    EXPECT_EQ(a.status, http::status::ok);
    EXPECT_EQ(a.body, reg_.render());
}

TEST_F(routes_test, ignores_a_query_string)
{
    EXPECT_EQ(ask(http::verb::get, "/metrics?name[]=x").status, http::status::ok);
}

TEST_F(routes_test, healthz_says_ok_when_healthy)
{
    auto a = ask(http::verb::get, "/healthz");
    EXPECT_EQ(a.status, http::status::ok);
    EXPECT_EQ(a.body, "ok\n");
    EXPECT_EQ(a.content_type, "text/plain; charset=utf-8");
}

TEST_F(routes_test, healthz_gives_the_reason_when_unhealthy)
{
    health_ = [] { return health_status{.ok = false, .reason = "audit log unwritable"}; };
    auto a = ask(http::verb::get, "/healthz");
    EXPECT_EQ(a.status, http::status::service_unavailable);
    EXPECT_EQ(a.body, "audit log unwritable\n");
}

TEST_F(routes_test, healthz_names_unhealthy_without_a_reason)
{
    health_ = [] { return health_status{.ok = false}; };
    EXPECT_EQ(ask(http::verb::get, "/healthz").body, "unhealthy\n");
}

TEST_F(routes_test, other_paths_are_not_found)
{
    for (auto target : {"/", "/metrics/", "/METRICS", "/metricsx", "http://h/metrics", "*"})
        EXPECT_EQ(ask(http::verb::get, target).status, http::status::not_found) << target;
}

TEST_F(routes_test, other_methods_are_not_allowed_and_say_which_are)
{
    for (auto m : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::options,
                   http::verb::unknown}) {
        auto a = ask(m, "/metrics");
        EXPECT_EQ(a.status, http::status::method_not_allowed);
        EXPECT_EQ(a.allow, "GET, HEAD");
        EXPECT_FALSE(a.close);
    }
}

TEST_F(routes_test, a_body_is_refused_and_closes_the_connection)
{
    auto a = ask(http::verb::post, "/metrics", true);
    EXPECT_EQ(a.status, http::status::payload_too_large);
    EXPECT_TRUE(a.close);
    EXPECT_EQ(ask(http::verb::get, "/metrics", true).status, http::status::payload_too_large);
}

}  // namespace
}  // namespace paymand::metrics
