/* The class table of docs/classes.md: names, codes, statuses, Proxy-Status. */
#include <string.h>

#include "gwg_class.h"
#include "unit.h"

static const struct {
    const char *name, *code;
    int status;
    const char *proxy_status;
} spec[] = {
    { "connect_refused", "SC", 503, "connection_refused" },
    { "connect_timeout", "sC", 503, "connection_timeout" },
    { "dns", "DF", 502, "dns_error" },
    { "tls", "ST", 502, "tls_protocol_error" },
    { "header_timeout", "sH", 504, "http_response_timeout" },
    { "reset_before_headers", "SH", 502, "connection_terminated" },
    { "bad_response", "PH", 502, "http_protocol_error" },
    { "body_timeout", "sD", 0, NULL },
    { "body_reset", "SD", 0, NULL },
    { "unavailable", "SQ", 503, "destination_unavailable" },
    { "circuit_open", "UO", 503, "destination_unavailable" },
    { "upstream_5xx", "U5", 0, NULL },
    { "client_abort", "CD", 0, NULL },
    { "other", "XX", 502, "proxy_internal_error" },
    { "maintenance", "MA", 503, "destination_unavailable" },
};

START_TEST(table_matches_spec)
{
    const gwg_class_info *c = gwg_class_get((gwg_class_t)_i);

    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->id, _i);
    ck_assert_str_eq(c->name, spec[_i].name);
    ck_assert_str_eq(c->code, spec[_i].code);
    ck_assert_int_eq(c->status, spec[_i].status);
    if (spec[_i].proxy_status) {
        ck_assert_str_eq(c->proxy_status, spec[_i].proxy_status);
    }
    else {
        ck_assert_ptr_null(c->proxy_status);
    }
    ck_assert_msg(strlen(c->text) > 20, "class %s needs a sentence",
                  c->name);
    ck_assert_int_eq(gwg_class_by_name(spec[_i].name), _i);
    ck_assert_ptr_nonnull(strstr(gwg_class_names_list(), c->name));
}
END_TEST

START_TEST(unknown_names_and_ids)
{
    ck_assert_int_eq(GWG_CLASS_COUNT, 15);
    ck_assert_ptr_null(gwg_class_get(GWG_CLASS_COUNT));
    ck_assert_ptr_null(gwg_class_get(GWG_CLASS_NONE));
    ck_assert_int_eq(gwg_class_by_name("refused"), GWG_CLASS_NONE);
    ck_assert_int_eq(gwg_class_by_name(NULL), GWG_CLASS_NONE);
}
END_TEST

START_TEST(client_abort_is_not_an_upstream_failure)
{
    ck_assert(!gwg_class_is_upstream_failure(GWG_CLASS_CLIENT_ABORT));
    ck_assert(gwg_class_is_upstream_failure(GWG_CLASS_CONNECT_REFUSED));
    ck_assert(gwg_class_is_upstream_failure(GWG_CLASS_UPSTREAM_5XX));
    ck_assert(!gwg_class_is_upstream_failure(GWG_CLASS_NONE));
}
END_TEST

/* An admin's maintenance window is gwguard's answer, like a breaker
 * refusal: no request to the upstream, no failure. */
START_TEST(maintenance_is_neither_a_request_nor_a_failure)
{
    ck_assert(!gwg_class_is_upstream_failure(GWG_CLASS_MAINTENANCE));
    ck_assert(!gwg_class_reaches_upstream(GWG_CLASS_MAINTENANCE));
    ck_assert(gwg_class_reaches_upstream(GWG_CLASS_CONNECT_REFUSED));
}
END_TEST

/* The retry hint: nothing sent, or an idempotent method without a body. */
START_TEST(retry_hint)
{
    static const gwg_class_t unsent[] = {
        GWG_CLASS_CONNECT_REFUSED, GWG_CLASS_CONNECT_TIMEOUT, GWG_CLASS_DNS,
        GWG_CLASS_TLS, GWG_CLASS_UNAVAILABLE, GWG_CLASS_CIRCUIT_OPEN,
        GWG_CLASS_MAINTENANCE
    };
    int i, n = 0;

    for (i = 0; i < 7; i++) {
        ck_assert(gwg_class_retryable(unsent[i], "POST", 1));
    }
    for (i = 0; i < GWG_CLASS_COUNT; i++) {
        n += gwg_class_retryable((gwg_class_t)i, "POST", 1);
        ck_assert(gwg_class_retryable((gwg_class_t)i, "GET", 0));
    }
    ck_assert_int_eq(n, 7);              /* only the unsent classes */
    ck_assert(gwg_class_retryable(GWG_CLASS_HEADER_TIMEOUT, "PUT", 0));
    ck_assert(gwg_class_retryable(GWG_CLASS_HEADER_TIMEOUT, "DELETE", 0));
    ck_assert(!gwg_class_retryable(GWG_CLASS_HEADER_TIMEOUT, "PUT", 1));
    ck_assert(!gwg_class_retryable(GWG_CLASS_BODY_RESET, "PATCH", 0));
    ck_assert(!gwg_class_retryable(GWG_CLASS_BODY_RESET, "get", 0));
    ck_assert(!gwg_class_retryable(GWG_CLASS_BODY_RESET, NULL, 0));
}
END_TEST

Suite *class_suite(void)
{
    Suite *s = suite_create("class");
    TCase *tc = tcase_create("table");

    tcase_add_loop_test(tc, table_matches_spec, 0, GWG_CLASS_COUNT);
    tcase_add_test(tc, unknown_names_and_ids);
    tcase_add_test(tc, client_abort_is_not_an_upstream_failure);
    tcase_add_test(tc, maintenance_is_neither_a_request_nor_a_failure);
    tcase_add_test(tc, retry_hint);
    suite_add_tcase(s, tc);
    return s;
}
