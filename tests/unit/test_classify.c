/* The classification table, row by row. */
#include <string.h>

#include "gwg_classify.h"
#include "unit.h"

static gwg_observation obs(int handler, int response, int attempts)
{
    gwg_observation o;

    memset(&o, 0, sizeof(o));
    o.handler_status = handler;
    o.response_status = response;
    o.attempts = attempts;
    o.final_attempt = 1;
    return o;
}

static void expect(const gwg_observation *o, gwg_class_t cls,
                   const char *rule)
{
    gwg_verdict v;

    gwg_classify(&v, o);
    ck_assert_int_eq(v.cls, cls);
    ck_assert_str_eq(v.rule, rule);
}

START_TEST(success)
{
    gwg_observation o = obs(GWG_HANDLER_OK, 200, 1);
    expect(&o, GWG_CLASS_NONE, "success");
    o.response_status = 404;            /* an upstream 4xx is a success */
    expect(&o, GWG_CLASS_NONE, "success");
}
END_TEST

START_TEST(upstream_5xx_streamed_and_overridden)
{
    gwg_observation o = obs(GWG_HANDLER_OK, 503, 1);
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
    o = obs(502, 200, 1);
    o.error_override = 1;
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
}
END_TEST

START_TEST(client_abort)
{
    gwg_observation o = obs(GWG_HANDLER_DONE, 200, 1);
    o.client_aborted = 1;
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_abort");
    o.handler_status = GWG_HANDLER_OK;
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_abort");
}
END_TEST

START_TEST(connect_and_no_member)
{
    gwg_observation o = obs(503, 200, 1);
    expect(&o, GWG_CLASS_CONNECT_REFUSED, "connect");
    o = obs(503, 200, 0);
    expect(&o, GWG_CLASS_UNAVAILABLE, "no_member");
}
END_TEST

START_TEST(failover_attempt)
{
    gwg_observation o = obs(GWG_HANDLER_OK, 200, 2);
    o.final_attempt = 0;
    expect(&o, GWG_CLASS_CONNECT_REFUSED, "failover");
}
END_TEST

START_TEST(anything_else_is_other)
{
    gwg_observation o = obs(500, 500, 1);
    expect(&o, GWG_CLASS_OTHER, "other");
}
END_TEST

Suite *classify_suite(void)
{
    Suite *s = suite_create("classify");
    TCase *tc = tcase_create("rules");

    tcase_add_test(tc, success);
    tcase_add_test(tc, upstream_5xx_streamed_and_overridden);
    tcase_add_test(tc, client_abort);
    tcase_add_test(tc, connect_and_no_member);
    tcase_add_test(tc, failover_attempt);
    tcase_add_test(tc, anything_else_is_other);
    suite_add_tcase(s, tc);
    return s;
}
