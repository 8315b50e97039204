/* The recent-failures ring as gwguardctl reads it: newest first, key
 * filter, lookup by request id, JSON and the plain-language explanation. */
#include <stdio.h>
#include <unistd.h>

#include <apr_strings.h>

#include "gwg_recent.h"
#include "membuf.h"
#include "unit.h"

static char dir[64], path[128];
static apr_pool_t *pool;
static gwg_shm shm;

static void add(const char *id, const char *key, gwg_class_t cls,
                unsigned status)
{
    gwg_recent e;

    memset(&e, 0, sizeof(e));
    e.time = 1763715600000000ull;
    e.class_id = (uint32_t)cls;
    e.status = status;
    e.ah_number = 1114;
    e.apr_status = 111;                    /* ECONNREFUSED */
    e.t_total_us = 1500;
    e.retryable = GWG_RETRY_YES;
    snprintf(e.request_id, sizeof(e.request_id), "%s", id);
    snprintf(e.key, sizeof(e.key), "%s", key);
    snprintf(e.method, sizeof(e.method), "GET");
    snprintf(e.path, sizeof(e.path), "/a\"b<c>");
    gwg_shm_recent_add(&shm, &e);
}

static void setup(void)
{
    char why[GWG_ERRMAX];
    int fresh;

    apr_pool_create(&pool, NULL);
    strcpy(dir, "/tmp/gwg-rec-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/s.shm", dir);
    ck_assert_int_eq(gwg_shm_attach_or_create(&shm, path, 16, 4, &fresh, why,
                                              sizeof(why)), APR_SUCCESS);
}

static void teardown(void)
{
    gwg_shm_close(&shm);
    unlink(path);
    rmdir(dir);
    apr_pool_destroy(pool);
}

START_TEST(newest_first_and_filter)
{
    const char *keys[] = { "http://b:2" };
    gwg_recent *e;
    int n;

    add("r1", "http://a:1", GWG_CLASS_CONNECT_REFUSED, 503);
    add("r2", "http://b:2", GWG_CLASS_DNS, 502);
    add("r3", "http://a:1", GWG_CLASS_HEADER_TIMEOUT, 504);
    n = gwg_recent_collect(&e, &shm, NULL, 0, 10, pool);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(e[0].request_id, "r3");
    ck_assert_str_eq(e[2].request_id, "r1");
    ck_assert_int_eq(gwg_recent_collect(&e, &shm, NULL, 0, 2, pool), 2);
    n = gwg_recent_collect(&e, &shm, keys, 1, 10, pool);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(e[0].request_id, "r2");
}
END_TEST

START_TEST(ring_wraps)
{
    gwg_recent e, *all;
    char id[16];
    int i;

    for (i = 0; i < 6; i++) {            /* ring of 4 */
        snprintf(id, sizeof(id), "r%d", i);
        add(id, "http://a:1", GWG_CLASS_OTHER, 502);
    }
    ck_assert_int_eq(gwg_recent_collect(&all, &shm, NULL, 0, 10, pool), 4);
    ck_assert_str_eq(all[3].request_id, "r2");
    ck_assert_int_eq(gwg_recent_find(&shm, "r1", &e), -1);   /* overwritten */
    ck_assert_int_eq(gwg_recent_find(&shm, "r5", &e), 0);
}
END_TEST

START_TEST(json_and_explain)
{
    gwg_recent *e;
    membuf m;
    gwg_out o;

    add("r1", "http://a:1", GWG_CLASS_CONNECT_REFUSED, 503);
    ck_assert_int_eq(gwg_recent_collect(&e, &shm, NULL, 0, 10, pool), 1);
    membuf_out(&o, &m);
    gwg_recent_json(&o, e, 1);
    ck_assert_str_eq(m.data, "{\"version\":1,\"recent\":[{\"time\":"
                     "\"2025-11-21T09:00:00Z\",\"request_id\":\"r1\","
                     "\"upstream\":\"http://a:1\",\"class\":"
                     "\"connect_refused\",\"code\":\"SC\",\"status\":503,"
                     "\"method\":\"GET\",\"path\":\"/a\\\"b\\u003cc\\u003e\","
                     "\"ah\":\"AH01114\",\"apr_status\":111,\"connect_us\":"
                     "null,\"ttfb_us\":null,\"total_us\":1500,\"detail\":\"\","
                     "\"retryable\":true}"
                     "]}\n");
    free(m.data);
    membuf_out(&o, &m);
    gwg_recent_explain(&o, &e[0]);
    ck_assert_ptr_nonnull(strstr(m.data, "Upstream:       http://a:1\n"));
    ck_assert_ptr_nonnull(strstr(m.data, "Class:          connect_refused "
                                         "(SC): The upstream server refused"));
    ck_assert_ptr_nonnull(strstr(m.data, "httpd reported: AH01114 "
                                         "(mod_proxy_http could not connect "
                                         "to the backend), status 111 ("
                                         "Connection refused)\n"));
    ck_assert_ptr_nonnull(strstr(m.data, "total 1.5ms"));
    ck_assert_ptr_nonnull(strstr(m.data, "Retryable:      yes (no byte"));
    ck_assert_ptr_nonnull(strstr(m.data, "Check first:    Is the upstream "
                                         "service running"));
    free(m.data);
}
END_TEST

/* A failover: the attempts that failed before the request's own entry
 * are listed by explain; a local fault gets its own words. */
START_TEST(explain_failover_and_local_fault)
{
    gwg_recent last, e;
    membuf m;
    gwg_out o;

    add("fo", "http://dead:1", GWG_CLASS_CONNECT_REFUSED, 0);
    add("other", "http://x:1", GWG_CLASS_DNS, 502);
    add("fo", "http://slow:2", GWG_CLASS_HEADER_TIMEOUT, 504);
    ck_assert_int_eq(gwg_recent_find(&shm, "fo", &last), 0);
    ck_assert_str_eq(last.key, "http://slow:2");
    membuf_out(&o, &m);
    gwg_recent_explain_attempts(&o, &shm, &last);
    ck_assert_ptr_nonnull(strstr(m.data, "Failed over:"));
    ck_assert_ptr_nonnull(strstr(m.data, "http://dead:1"));
    ck_assert_ptr_null(strstr(m.data, "http://x:1"));
    ck_assert_ptr_null(strstr(m.data, "http://slow:2"));
    free(m.data);
    /* nothing to list for a request tried once */
    ck_assert_int_eq(gwg_recent_find(&shm, "other", &e), 0);
    membuf_out(&o, &m);
    gwg_recent_explain_attempts(&o, &shm, &e);
    ck_assert(m.data == NULL || m.data[0] == '\0');
    free(m.data);
    /* EACCES on a unix socket: the gateway's own setup */
    memset(&e, 0, sizeof(e));
    e.class_id = GWG_CLASS_CONNECT_REFUSED;
    e.status = 503;
    e.ah_number = 2454;
    e.apr_status = 13;
    snprintf(e.key, sizeof(e.key), "fcgi+unix:/run/php/a.sock");
    membuf_out(&o, &m);
    gwg_recent_explain(&o, &e);
    ck_assert_ptr_nonnull(strstr(m.data, "Local fault:    socket_denied"));
    ck_assert_ptr_nonnull(strstr(m.data, "may not open"));
    ck_assert_ptr_nonnull(strstr(m.data, "listen.mode"));
    ck_assert_ptr_null(strstr(m.data, "nothing is listening"));
    free(m.data);
}
END_TEST

START_TEST(advice_for_every_class)
{
    int c;

    for (c = 0; c < GWG_CLASS_COUNT; c++) {
        ck_assert_ptr_nonnull(gwg_recent_advice((gwg_class_t)c));
        ck_assert_int_gt(strlen(gwg_recent_advice((gwg_class_t)c)), 20);
    }
    ck_assert_ptr_nonnull(gwg_recent_advice(GWG_CLASS_NONE));
}
END_TEST

Suite *recent_suite(void)
{
    Suite *s = suite_create("recent");
    TCase *tc = tcase_create("ring");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, newest_first_and_filter);
    tcase_add_test(tc, ring_wraps);
    tcase_add_test(tc, json_and_explain);
    tcase_add_test(tc, advice_for_every_class);
    tcase_add_test(tc, explain_failover_and_local_fault);
    suite_add_tcase(s, tc);
    return s;
}
