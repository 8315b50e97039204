/* The status formatter: table and JSON from one snapshot. */
#include <stdio.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "gwg_format.h"
#include "gwg_time.h"
#include "membuf.h"
#include "unit.h"

static char dir[64], path[128];
static apr_pool_t *pool;
static gwg_shm shm;

static void setup(void)
{
    char why[GWG_ERRMAX];
    int fresh, of;
    gwg_transition t;
    gwg_outcome ok = { GWG_CLASS_NONE, 0, 1, -1 };
    gwg_outcome bad = { GWG_CLASS_CONNECT_REFUSED, 503, 1763715600000000ull,
                        -1 };
    uint32_t a, b;

    apr_pool_create(&pool, NULL);
    strcpy(dir, "/tmp/gwg-fmt-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/s.shm", dir);
    ck_assert_int_eq(gwg_shm_attach_or_create(&shm, path, 16, 0, &fresh, why,
                                              sizeof(why)), APR_SUCCESS);
    a = gwg_shm_slot_for(&shm, "http://b.example:80", "http://b.example/",
                         "", &of);
    b = gwg_shm_slot_for(&shm, "http://a.example:8080",
                         "http://a.example:8080/", "balancer://c\"x", &of);
    gwg_shm_record(&shm, a, &ok, &t);
    gwg_shm_record(&shm, a, &bad, &t);
    gwg_shm_record(&shm, b, &ok, &t);
}

static void teardown(void)
{
    gwg_shm_close(&shm);
    unlink(path);
    rmdir(dir);
    apr_pool_destroy(pool);
}

static char *render(gwg_format_t f, const char *const *keys, int n)
{
    gwg_snapshot *snap;
    const char *missing;
    membuf m;
    gwg_out o;

    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &shm, path, keys, n,
                                       pool), APR_SUCCESS);
    membuf_out(&o, &m);
    ck_assert_int_eq(gwg_format_status(&o, snap, f, gwg_now_us()), 0);
    return m.data;
}

START_TEST(json_document)
{
    char *j = render(GWG_FORMAT_JSON, NULL, 0);

    ck_assert_msg(strncmp(j, "{\"version\":1,\"shm\":\"", 20) == 0, "%s", j);
    /* sorted by name, escaped balancer, every class present */
    ck_assert_ptr_nonnull(strstr(j, "\"upstreams\":[{\"name\":"
                                    "\"http://a.example:8080\""));
    ck_assert_ptr_nonnull(strstr(j, "\"balancer\":\"balancer://c\\\"x\""));
    ck_assert_ptr_nonnull(strstr(j, "\"name\":\"http://b.example:80\","
                                    "\"worker\":\"http://b.example/\","
                                    "\"balancer\":null,\"requests\":2,"
                                    "\"successes\":1,\"failures\":1,"
                                    "\"classes\":{\"connect_refused\":1,"
                                    "\"connect_timeout\":0,"));
    ck_assert_ptr_nonnull(strstr(j, "\"statuses\":{\"502\":0,\"503\":1,"
                                    "\"504\":0}"));
    ck_assert_ptr_nonnull(strstr(j, "\"consecutive_failures\":1,"
                                    "\"stale\":0,\"first_failure\":\"2025-11-21T09:00:"
                                    "00Z\",\"last_failure\":{\"time\":"
                                    "\"2025-11-21T09:00:00Z\",\"class\":"
                                    "\"connect_refused\"},\"breaker_until\":"
                                    "null,\"breaker_cooldown\":null,"
                                    "\"breaker_panic\":false,"
                                    "\"breaker\":"
                                    "\"closed\"}"));
    ck_assert_ptr_nonnull(strstr(j, "\"totals\":{\"requests\":3,"
                                    "\"successes\":2,\"failures\":1,"));
    ck_assert_ptr_nonnull(strstr(j, "\"reset\":null"));
    free(j);
}
END_TEST

START_TEST(table_and_key_filter)
{
    const char *keys[] = { "http://b.example:80" };
    char *t = render(GWG_FORMAT_TABLE, keys, 1);

    ck_assert_ptr_nonnull(strstr(t, "UPSTREAM"));
    ck_assert_ptr_nonnull(strstr(t, "http://b.example:80"));
    ck_assert_ptr_nonnull(strstr(t, "50.0%"));
    ck_assert_ptr_nonnull(strstr(t, "connect_refused"));
    ck_assert_ptr_null(strstr(t, "a.example"));
    free(t);
}
END_TEST

START_TEST(missing_key)
{
    const char *keys[] = { "http://nope:1" };
    const char *missing = NULL;
    gwg_snapshot *snap;

    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &shm, path, keys, 1,
                                       pool), APR_NOTFOUND);
    ck_assert_str_eq(missing, "http://nope:1");
}
END_TEST


START_TEST(xml_document)
{
    char *x = render(GWG_FORMAT_XML, NULL, 0);
    xmlDocPtr doc = xmlReadMemory(x, (int)strlen(x), "s.xml", NULL,
                                  XML_PARSE_NONET);

    ck_assert_msg(doc != NULL, "not well-formed: %s", x);
    xmlFreeDoc(doc);
    ck_assert_ptr_nonnull(strstr(x, "<gwguard:status version=\"1\" "
                                    "xmlns:gwguard=\"urn:x-mod-gwguard:"
                                    "status:1\">"));
    /* the balancer name's quote is escaped by libxml2 */
    ck_assert_ptr_nonnull(strstr(x, "<gwguard:balancer>balancer://c&quot;x"
                                    "</gwguard:balancer>"));
    ck_assert_ptr_nonnull(strstr(x, "<gwguard:class name=\"connect_refused\""
                                    " code=\"SC\">1</gwguard:class>"));
    ck_assert_ptr_nonnull(strstr(x, "<gwguard:status code=\"503\">1"
                                    "</gwguard:status>"));
    ck_assert_ptr_nonnull(strstr(x, "<gwguard:totals>\n    <gwguard:"
                                    "requests>3</gwguard:requests>"));
    ck_assert_ptr_nonnull(strstr(x, "<gwguard:breaker>closed"));
    ck_assert_ptr_null(strstr(x, "<gwguard:reset>"));   /* never reset */
    free(x);
}
END_TEST

START_TEST(prometheus_text)
{
    char *t = render(GWG_FORMAT_PROMETHEUS, NULL, 0);

    ck_assert_ptr_nonnull(strstr(t, "# TYPE gwguard_requests_total counter\n"
                                    "gwguard_requests_total{upstream="
                                    "\"http://a.example:8080\"} 1\n"
                                    "gwguard_requests_total{upstream="
                                    "\"http://b.example:80\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(t, "gwguard_failures_total{upstream="
                                    "\"http://b.example:80\",class="
                                    "\"connect_refused\"} 1\n"));
    /* client_abort is not an upstream failure: a counter of its own */
    ck_assert_ptr_null(strstr(t, "class=\"client_abort\""));
    ck_assert_ptr_nonnull(strstr(t, "gwguard_responses_total{upstream="
                                    "\"http://b.example:80\",status=\"503\"}"
                                    " 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "gwguard_breaker_open{upstream="
                                    "\"http://a.example:8080\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(t, "# TYPE gwguard_upstream_response_"
                                    "seconds histogram\n"));
    ck_assert_ptr_nonnull(strstr(t, "gwguard_upstream_response_seconds_"
                                    "bucket{upstream=\"http://b.example:80\""
                                    ",le=\"+Inf\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(t, "gwguard_last_failure_timestamp_seconds"
                                    "{upstream=\"http://b.example:80\"} "
                                    "1763715600.000000\n"));
    free(t);
}
END_TEST

/* Cumulative buckets ending in +Inf == _count, and _sum in seconds. */
START_TEST(prometheus_histogram)
{
    gwg_outcome fast = { GWG_CLASS_NONE, 0, 1, 2000 };     /* 2 ms */
    gwg_outcome slow = { GWG_CLASS_NONE, 0, 1, 300000 };   /* 300 ms */
    const char *keys[] = { "http://a.example:8080" };
    gwg_transition tr;
    char *t;
    uint32_t a = (uint32_t)gwg_shm_find(&shm, "http://a.example:8080");

    gwg_shm_record(&shm, a, &fast, &tr);
    gwg_shm_record(&shm, a, &slow, &tr);
    t = render(GWG_FORMAT_PROMETHEUS, keys, 1);
    ck_assert_ptr_nonnull(strstr(t, "le=\"0.001\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(t, "le=\"0.0025\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "le=\"0.25\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(t, "le=\"0.5\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(t, "le=\"+Inf\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(t, "gwguard_upstream_response_seconds_sum"
                                    "{upstream=\"http://a.example:8080\"} "
                                    "0.302000\n"));
    ck_assert_ptr_nonnull(strstr(t, "_count{upstream=\"http://a.example:"
                                    "8080\"} 2\n"));
    free(t);
}
END_TEST

START_TEST(html_escapes_and_kv)
{
    gwg_snapshot *snap;
    const char *missing;
    gwg_snap_upstream *u;
    membuf m;
    gwg_out o;

    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &shm, path, NULL, 0,
                                       pool), APR_SUCCESS);
    u = &snap->upstreams[0];
    u->name = "http://<b>&x:1";           /* as if a name held markup */
    membuf_out(&o, &m);
    gwg_format_html(&o, snap, gwg_now_us(), 1);
    ck_assert_ptr_null(strstr(m.data, "<b>&x"));
    ck_assert_ptr_nonnull(strstr(m.data, "http://&lt;b&gt;&amp;x:1"));
    ck_assert_ptr_nonnull(strstr(m.data, "<!DOCTYPE html>"));
    free(m.data);
    membuf_out(&o, &m);
    gwg_format_html(&o, snap, gwg_now_us(), 0);
    ck_assert_ptr_null(strstr(m.data, "<!DOCTYPE"));
    ck_assert_ptr_nonnull(strstr(m.data, "<table class=\"gwguard\">"));
    free(m.data);
    membuf_out(&o, &m);
    gwg_format_kv(&o, snap);
    ck_assert_ptr_nonnull(strstr(m.data, "GwGuardRequests: 3\n"
                                         "GwGuardSuccesses: 2\n"
                                         "GwGuardFailures: 1\n"));
    ck_assert_ptr_nonnull(strstr(m.data, "GwGuardClass_connect_refused: 1\n"));
    ck_assert_ptr_nonnull(strstr(m.data, "GwGuardStale: 0\n"));
    ck_assert_ptr_nonnull(strstr(m.data, "GwGuardUpstream1: "
                                         "http://b.example:80\n"
                                         "GwGuardUpstream1Requests: 2\n"));
    free(m.data);
}
END_TEST

/* Label values escape what the exposition format says: \\, \" and \n. */
START_TEST(prometheus_label_escapes)
{
    gwg_snapshot *snap;
    const char *missing;
    membuf m;
    gwg_out o;

    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &shm, path, NULL, 0,
                                       pool), APR_SUCCESS);
    snap->upstreams[0].name = "http://a\"b\\c\nd:1";
    membuf_out(&o, &m);
    ck_assert_int_eq(gwg_format_status(&o, snap, GWG_FORMAT_PROMETHEUS,
                                       gwg_now_us()), 0);
    ck_assert_ptr_nonnull(strstr(m.data, "gwguard_requests_total{upstream="
                                         "\"http://a\\\"b\\\\c\\nd:1\"} "));
    free(m.data);
}
END_TEST

START_TEST(breaker_column)
{
    gwg_snap_upstream u;
    char buf[48];

    memset(&u, 0, sizeof(u));
    ck_assert_str_eq(gwg_format_breaker(buf, sizeof(buf), &u, 10), "closed");
    u.breaker = GWG_BREAKER_OPEN;
    u.breaker_until = 20500000;
    ck_assert_str_eq(gwg_format_breaker(buf, sizeof(buf), &u, 10000000),
                     "open (half-opens in 11s)");
    ck_assert_str_eq(gwg_format_breaker(buf, sizeof(buf), &u, 30000000),
                     "open (half-opens now)");
    u.breaker = GWG_BREAKER_HALF_OPEN;
    ck_assert_str_eq(gwg_format_breaker(buf, sizeof(buf), &u, 1),
                     "half_open");
}
END_TEST

START_TEST(negotiation)
{
    const char *browser = "text/html,application/xhtml+xml,application/xml;"
                          "q=0.9,*/*;q=0.8";
    const char *prom = "application/openmetrics-text;version=1.0.0,"
                       "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    ck_assert_int_eq(gwg_format_negotiate(NULL, NULL), GWG_FORMAT_HTML);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "*/*"), GWG_FORMAT_HTML);
    ck_assert_int_eq(gwg_format_negotiate(NULL, browser), GWG_FORMAT_HTML);
    ck_assert_int_eq(gwg_format_negotiate(NULL, prom),
                     GWG_FORMAT_PROMETHEUS);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "text/plain;version=0.0.4"),
                     GWG_FORMAT_PROMETHEUS);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "text/plain"),
                     GWG_FORMAT_HTML);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "application/json"),
                     GWG_FORMAT_JSON);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "application/json;q=0.1, "
                                          "text/xml;q=0.4"), GWG_FORMAT_XML);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "application/json;q=0"),
                     GWG_FORMAT_HTML);
    ck_assert_int_eq(gwg_format_negotiate("a=1&format=json", browser),
                     GWG_FORMAT_JSON);
    ck_assert_int_eq(gwg_format_negotiate("format=prometheus", NULL),
                     GWG_FORMAT_PROMETHEUS);
    ck_assert_int_eq(gwg_format_negotiate("format=yaml", NULL), -1);
    ck_assert_int_eq(gwg_format_negotiate("format=kv", NULL), -1);
    ck_assert_int_eq(gwg_format_negotiate("xformat=json", NULL),
                     GWG_FORMAT_HTML);
}
END_TEST

Suite *format_suite(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("status");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, json_document);
    tcase_add_test(tc, table_and_key_filter);
    tcase_add_test(tc, missing_key);
    tcase_add_test(tc, xml_document);
    tcase_add_test(tc, prometheus_text);
    tcase_add_test(tc, prometheus_histogram);
    tcase_add_test(tc, prometheus_label_escapes);
    tcase_add_test(tc, html_escapes_and_kv);
    tcase_add_test(tc, breaker_column);
    tcase_add_test(tc, negotiation);
    suite_add_tcase(s, tc);
    return s;
}
