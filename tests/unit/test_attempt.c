/* One attempt (gwg_attempt.c): the signals derived when it ends, the one
 * shape the glue records and the rules read, and the failover rule. */
#include <string.h>

#include "gwg_attempt.h"
#include "unit.h"

#define T0 1700000000000000LL           /* an attempt's start, µs */

static gwg_attempt_signals began(void)
{
    gwg_attempt_signals a;

    memset(&a, 0, sizeof(a));
    a.start_us = T0;
    a.connect_timeout_us = 1000000;
    return a;
}

START_TEST(end_derives_timing)
{
    gwg_attempt_signals a = began();

    gwg_attempt_end(&a, T0 + 2500);
    ck_assert_int_eq(a.end_us, T0 + 2500);
    ck_assert_int_eq(a.elapsed_us, 2500);
    ck_assert_int_eq(a.idle_us, 2500);      /* no data: idle since start */
    a.last_out_us = T0 + 2000;
    gwg_attempt_end(&a, T0 + 2500);
    ck_assert_int_eq(a.idle_us, 500);       /* since the last data out */
    a.last_out_us = T0 - 1;                 /* an older attempt's: ignored */
    gwg_attempt_end(&a, T0 + 2500);
    ck_assert_int_eq(a.idle_us, 2500);
    gwg_attempt_end(&a, T0 - 10);           /* clock stepped back */
    ck_assert_int_eq(a.elapsed_us, 0);
    gwg_attempt_end(&a, 0);                 /* never ended: unknown */
    ck_assert_int_eq(a.idle_us, -1);
}
END_TEST

START_TEST(end_derives_connected)
{
    gwg_attempt_signals a = began();

    gwg_attempt_end(&a, T0 + 10);
    ck_assert_int_eq(a.connected, 0);
    a.connected_us = T0 + 5;                /* the backend filter saw it */
    gwg_attempt_end(&a, T0 + 10);
    ck_assert_int_eq(a.connected, 1);
    a.connected_us = 0;
    a.cgi_vars = 1;                         /* fcgi built its variables */
    gwg_attempt_end(&a, T0 + 10);
    ck_assert_int_eq(a.connected, 1);
}
END_TEST

/* The observation carries the attempt as one struct; the rules read its
 * fields by name. */
START_TEST(observation_embeds_signals)
{
    gwg_attempt_signals a = began();
    gwg_observation o;

    a.bytes_read = 42;
    a.io = GWG_IO_RESET;
    a.scheme = GWG_SCHEME_FCGI;
    gwg_attempt_end(&a, T0 + 7);
    memset(&o, 0, sizeof(o));
    o.attempt = a;
    ck_assert_int_eq(o.bytes_read, 42);
    ck_assert_int_eq(o.io, GWG_IO_RESET);
    ck_assert_int_eq(o.scheme, GWG_SCHEME_FCGI);
    ck_assert_int_eq(o.elapsed_us, 7);
    ck_assert_int_eq(o.connect_timeout_us, 1000000);
    ck_assert_ptr_eq((void *)&o.bytes_read, (void *)&o.attempt.bytes_read);
}
END_TEST

static gwg_verdict verdict(const gwg_attempt_signals *a, int i, int n)
{
    static const gwg_verdict request = { GWG_CLASS_HEADER_TIMEOUT,
                                         "head_timeout" };
    gwg_verdict v;

    gwg_attempt_verdict(&v, &request, a, i, n);
    return v;
}

START_TEST(last_attempt_is_the_request)
{
    gwg_attempt_signals a = began();
    gwg_verdict v;

    gwg_attempt_end(&a, T0 + 1000);         /* would be a quick refusal */
    v = verdict(&a, 0, 1);
    ck_assert_int_eq(v.cls, GWG_CLASS_HEADER_TIMEOUT);
    ck_assert_str_eq(v.rule, "head_timeout");
    v = verdict(&a, 2, 3);
    ck_assert_int_eq(v.cls, GWG_CLASS_HEADER_TIMEOUT);
}
END_TEST

/* An earlier attempt failed over: proxy_handler tries the next member
 * only after a 503 from the scheme handler, so its own signals decide. */
START_TEST(earlier_attempt_failed_over)
{
    gwg_attempt_signals a = began();
    gwg_verdict v;

    gwg_attempt_end(&a, T0 + 1000);
    v = verdict(&a, 0, 2);
    ck_assert_int_eq(v.cls, GWG_CLASS_CONNECT_REFUSED);
    ck_assert_str_eq(v.rule, "connect");
    gwg_attempt_end(&a, T0 + 1001000);      /* the whole connect timeout */
    v = verdict(&a, 1, 3);
    ck_assert_int_eq(v.cls, GWG_CLASS_CONNECT_TIMEOUT);
    a.worker_unusable = 1;
    v = verdict(&a, 0, 2);
    ck_assert_int_eq(v.cls, GWG_CLASS_UNAVAILABLE);
    ck_assert_str_eq(v.rule, "worker_unusable");
    a.breaker_refused = 1;
    v = verdict(&a, 0, 2);
    ck_assert_int_eq(v.cls, GWG_CLASS_CIRCUIT_OPEN);
    ck_assert_str_eq(v.rule, "circuit_open");
}
END_TEST

Suite *attempt_suite(void)
{
    Suite *s = suite_create("attempt");
    TCase *tc = tcase_create("attempt");

    tcase_add_test(tc, end_derives_timing);
    tcase_add_test(tc, end_derives_connected);
    tcase_add_test(tc, observation_embeds_signals);
    tcase_add_test(tc, last_attempt_is_the_request);
    tcase_add_test(tc, earlier_attempt_failed_over);
    suite_add_tcase(s, tc);
    return s;
}
