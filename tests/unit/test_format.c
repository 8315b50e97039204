/* The status formatter: table and JSON from one snapshot. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "gwg_format.h"
#include "gwg_status_field.h"
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
    ck_assert_ptr_nonnull(strstr(j, "\"stale\":0,\"consecutive_failures\":1,"
                                    "\"first_failure\":\"2025-11-21T09:00:"
                                    "00Z\",\"last_failure\":{\"time\":"
                                    "\"2025-11-21T09:00:00Z\",\"class\":"
                                    "\"connect_refused\"},\"breaker_until\":"
                                    "null,\"breaker_cooldown\":null,"
                                    "\"breaker_panic\":false,"
                                    "\"breaker\":"
                                    "\"closed\",\"maintenance\":null}"));
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

/* A maintenance window in every format, its message escaped for each;
 * the answers it gave are not failures. */
START_TEST(maintenance_in_every_format)
{
    const char *keys[] = { "http://b.example:80" };
    uint64_t now = gwg_now_us();
    gwg_outcome m = { GWG_CLASS_MAINTENANCE, 503, 0, -1 };
    gwg_transition t;
    char *j, *x, *p, *tab, *kv;
    long slot = gwg_shm_find(&shm, keys[0]);

    ck_assert_int_ge(slot, 0);
    m.now = now;
    gwg_shm_record(&shm, (uint32_t)slot, &m, &t);
    gwg_maint_set(&shm.slots[slot], 1763715600000000ull, now + 3600000000ull,
                  33, "back <soon> & \"ok\"");
    j = render(GWG_FORMAT_JSON, keys, 1);
    ck_assert_msg(strstr(j, "\"breaker\":\"closed\",\"maintenance\":{"
                            "\"since\":\"2025-11-21T09:00:00Z\",\"until\":\"")
                  != NULL, "%s", j);
    ck_assert_msg(strstr(j, "\",\"by\":33,\"message\":"
                            "\"back \\u003csoon\\u003e \\u0026 "
                            "\\\"ok\\\"\"}}") != NULL, "%s", j);
    /* counted in its class, not as a request or a failure */
    ck_assert_ptr_nonnull(strstr(j, "\"requests\":2,\"successes\":1,"
                                    "\"failures\":1,"));
    ck_assert_ptr_nonnull(strstr(j, "\"other\":0,\"maintenance\":1}"));
    x = render(GWG_FORMAT_XML, keys, 1);
    ck_assert_msg(strstr(x, "<gwguard:maintenance since=\"2025-11-21T09:00:"
                            "00Z\" until=\"") != NULL, "%s", x);
    ck_assert_msg(strstr(x, "by=\"33\">back &lt;soon&gt; &amp; &quot;ok"
                            "&quot;</gwguard:maintenance>") != NULL, "%s", x);
    p = render(GWG_FORMAT_PROMETHEUS, keys, 1);
    ck_assert_ptr_nonnull(strstr(p, "gwguard_maintenance{upstream="
                                    "\"http://b.example:80\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(p, "gwguard_maintenance_answers_total{"
                                    "upstream=\"http://b.example:80\"} 1\n"));
    ck_assert_ptr_null(strstr(p, "class=\"maintenance\""));
    tab = render(GWG_FORMAT_TABLE, keys, 1);
    ck_assert_msg(strstr(tab, "on, 60m left") != NULL
                  || strstr(tab, "on, 59m left") != NULL, "%s", tab);
    kv = render(GWG_FORMAT_KV, keys, 1);
    ck_assert_ptr_nonnull(strstr(kv, "GwGuardUpstream0Maintenance: 1\n"));
    gwg_maint_clear(&shm.slots[slot]);
    free(j);
    j = render(GWG_FORMAT_JSON, keys, 1);
    ck_assert_ptr_nonnull(strstr(j, "\"maintenance\":null}"));
    free(j); free(x); free(p); free(tab); free(kv);
}
END_TEST

START_TEST(maintenance_column)
{
    gwg_snap_upstream u;
    char buf[48];

    memset(&u, 0, sizeof(u));
    ck_assert_str_eq(gwg_format_maint(buf, sizeof(buf), &u, 10), "-");
    u.maint.on = 1;
    ck_assert_str_eq(gwg_format_maint(buf, sizeof(buf), &u, 10), "on");
    u.maint.until = 100000000;
    ck_assert_str_eq(gwg_format_maint(buf, sizeof(buf), &u, 10000000),
                     "on, 90s left");
    u.maint.until = 7300000000ull;
    ck_assert_str_eq(gwg_format_maint(buf, sizeof(buf), &u, 0),
                     "on, 2h left");
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
    /* the one Accept parser: q above 1 is malformed, wildcards count,
     * a tie goes to the handler's order (HTML, JSON, XML, Prometheus) */
    ck_assert_int_eq(gwg_format_negotiate(NULL, "application/json;q=1.5, "
                                          "text/xml;q=0.4"), GWG_FORMAT_XML);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "application/*"),
                     GWG_FORMAT_JSON);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "*/*;q=0.5, text/html;q=0, "
                                          "application/json;q=0"),
                     GWG_FORMAT_XML);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "text/xml, application/json"),
                     GWG_FORMAT_JSON);
    ck_assert_int_eq(gwg_format_negotiate(NULL, "text/plain;q=0.9;"
                                          "version=0.0.4, text/html;q=0.8"),
                     GWG_FORMAT_PROMETHEUS);
}
END_TEST

/* Every format shows each status-field row it names, with the value the
 * row's getter gives, and nothing beside them: the formats agree because
 * they come from the one table. */
static int count(const char *hay, const char *needle)
{
    int n = 0;

    while ((hay = strstr(hay, needle)) != NULL) {
        n++;
        hay++;
    }
    return n;
}

static void has(const char *doc, const char *what, const char *fmt, ...)
{
    char want[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    ck_assert_msg(strstr(doc, want) != NULL, "%s lacks %s", what, want);
}

START_TEST(formats_agree_with_the_field_table)
{
    char *doc[GWG_FORMAT_KV + 1], head[256] = "";
    const char *col;
    const gwg_status_field *last_json = NULL;
    gwg_snapshot *snap;
    const char *missing;
    int i, f, nprom = 0, njson = 0, ncol = 0;

    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &shm, path, NULL, 0,
                                       pool), APR_SUCCESS);
    for (f = 0; f <= GWG_FORMAT_KV; f++) {
        doc[f] = render((gwg_format_t)f, NULL, 0);
    }
    col = strstr(doc[GWG_FORMAT_TABLE], "UPSTREAM");
    for (i = 0; i < gwg_status_nfields; i++) {
        const gwg_status_field *r = &gwg_status_fields[i];
        const gwg_snap_upstream *t = &snap->totals, *u = &snap->upstreams[1];
        int num = r->kind == GWG_FIELD_U64;
        if (r->json) {
            njson++;
            last_json = r;
            if (num) {
                has(doc[GWG_FORMAT_JSON], "JSON", "%s\"%s\":%" PRIu64,
                    njson == 1 ? "\"totals\":{" : ",", r->json, r->get(t));
                has(doc[GWG_FORMAT_JSON], "JSON", "\"%s\":%" PRIu64,
                    r->json, r->get(u));
            }
            has(doc[GWG_FORMAT_JSON], "JSON", "\"%s\":", r->json);
        }
        if (r->xml) {
            has(doc[GWG_FORMAT_XML], "XML", num ? "<gwguard:%s>%" PRIu64
                : "<gwguard:%s", r->xml, num ? r->get(t) : 0);
        }
        if (r->column) {
            ncol++;
            /* the header lists the columns in row order */
            ck_assert_ptr_nonnull(col = strstr(col, r->column));
        }
        if (r->html) {
            has(doc[GWG_FORMAT_HTML], "HTML", "<th>%s</th>", r->html);
            snprintf(head + strlen(head), sizeof(head) - strlen(head),
                     "<th>%s</th>", r->html);
            has(doc[GWG_FORMAT_HTML_SECTION], "section", "<th>%s</th>",
                r->html);
        }
        if (r->kv && num && (r->kv_where & GWG_KV_TOTAL)) {
            has(doc[GWG_FORMAT_KV], "kv", "GwGuard%s: %" PRIu64 "\n", r->kv,
                r->get(t));
        }
        if (r->kv && num && (r->kv_where & GWG_KV_UPSTREAM)) {
            has(doc[GWG_FORMAT_KV], "kv", "GwGuardUpstream1%s: %" PRIu64
                "\n", r->kv, r->get(u));
        }
        if (r->prom) {
            nprom++;
            has(doc[GWG_FORMAT_PROMETHEUS], "Prometheus", "# HELP %s %s\n"
                "# TYPE %s %s\n", r->prom, r->prom_help, r->prom,
                r->prom_type);
            if (num) {
                has(doc[GWG_FORMAT_PROMETHEUS], "Prometheus", "%s{upstream="
                    "\"%s\"} %" PRIu64 "\n", r->prom, u->name, r->get(u));
            }
        }
    }
    /* and nothing else: the segment's two families (no start or reset
     * time in this fixture), the table's columns in row order */
    ck_assert_int_eq(count(doc[GWG_FORMAT_PROMETHEUS], "# TYPE "),
                     nprom + 2);
    has(doc[GWG_FORMAT_HTML], "HTML", "<tr><th>upstream</th>%s</tr>\n",
        head);
    ck_assert_int_gt(ncol, 0);
    if (last_json && last_json->kind == GWG_FIELD_U64) {
        has(doc[GWG_FORMAT_JSON], "JSON", "\"%s\":%" PRIu64 "}}\n",
            last_json->json, last_json->get(&snap->totals));
    }
    for (f = 0; f <= GWG_FORMAT_KV; f++) {
        free(doc[f]);
    }
}
END_TEST

/* A buffered out (gwguardctl's) writes the same bytes as one that
 * writes every piece, whatever its size: pieces, keys and numbers that
 * straddle the buffer's end, and pieces bigger than the buffer. */
START_TEST(buffered_output_is_the_same)
{
    static const size_t sizes[] = { 1, 2, 3, 5, 8, 19, 20, 21, 33, 64,
                                    4096 };
    gwg_outcome odd = { GWG_CLASS_BAD_RESPONSE, 507, 1763715600000000ull,
                        -1 };
    gwg_transition t;
    gwg_snapshot *snap;
    const char *missing;
    uint64_t now = 1763715600000000ull;
    int f, of;
    size_t i;

    /* a worker to escape, an odd status and a huge counter */
    of = (int)gwg_shm_slot_for(&shm, "http://c.example:1",
                               "w\x01<\xff\xc3\xa9\"", "", &of);
    gwg_shm_record(&shm, (uint32_t)of, &odd, &t);
    shm.slots[of].requests = UINT64_MAX;
    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &shm, path, NULL, 0,
                                       pool), APR_SUCCESS);
    for (f = 0; f <= GWG_FORMAT_KV; f++) {
        membuf want, got;
        gwg_out o;
        membuf_out(&o, &want);
        ck_assert_int_eq(gwg_format_status(&o, snap, (gwg_format_t)f, now),
                         0);
        for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            char *buf = malloc(sizes[i]);
            membuf_out(&o, &got);
            gwg_out_init_buffered(&o, membuf_write, &got, buf, sizes[i]);
            ck_assert_int_eq(gwg_format_status(&o, snap, (gwg_format_t)f,
                                               now), 0);
            ck_assert_int_eq(gwg_out_flush(&o), 0);
            ck_assert_msg(got.len == want.len
                          && memcmp(got.data, want.data, want.len) == 0,
                          "format %d, buffer %zu:\n%s\n---\n%s", f,
                          sizes[i], got.data, want.data);
            free(got.data);
            free(buf);
        }
        free(want.data);
    }
}
END_TEST

/* A snapshot bigger than a huge page is taken whole (its array starts on
 * a 2 MiB boundary, for the huge-page hint) and every field is written:
 * the array is not zeroed. */
START_TEST(large_snapshot)
{
    char why[GWG_ERRMAX], big[160], key[64];
    gwg_outcome ok = { GWG_CLASS_NONE, 0, 1, -1 };
    gwg_outcome bad = { GWG_CLASS_DNS, 502, 2, -1 };
    gwg_transition t;
    gwg_snapshot *snap;
    const char *missing;
    gwg_shm b;
    int fresh, of, i, n = 2000;
    uint64_t failures = 0;

    snprintf(big, sizeof(big), "%s/big.shm", dir);
    ck_assert_int_eq(gwg_shm_attach_or_create(&b, big, (uint32_t)n, 0,
                                              &fresh, why, sizeof(why)),
                     APR_SUCCESS);
    for (i = n - 1; i >= 0; i--) {
        uint32_t s;
        snprintf(key, sizeof(key), "http://u%04d:80", i);
        s = gwg_shm_slot_for(&b, key, key, "", &of);
        gwg_shm_record(&b, s, &ok, &t);
        if (i % 7 == 0) {
            gwg_shm_record(&b, s, &bad, &t);
            failures++;
        }
    }
    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &b, big, NULL, 0,
                                       pool), APR_SUCCESS);
    ck_assert_int_ge(sizeof(gwg_snap_upstream) * (size_t)n, 2u << 20);
    ck_assert_uint_eq((uintptr_t)snap->upstreams % (2u << 20), 0);
    ck_assert_int_eq(snap->nupstreams, n);
    for (i = 0; i < n; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        snprintf(key, sizeof(key), "http://u%04d:80", i);
        ck_assert_str_eq(u->name, key);
        ck_assert_str_eq(u->balancer, "");
        ck_assert_uint_eq(u->requests, i % 7 ? 1 : 2);
        ck_assert_uint_eq(u->classes[GWG_CLASS_DNS], i % 7 ? 0 : 1);
        ck_assert_uint_eq(u->statuses[502 - GWG_STATUS_MIN], i % 7 ? 0 : 1);
        ck_assert_int_eq(u->maint.on, 0);
        ck_assert_int_eq(u->breaker_panic, 0);
    }
    ck_assert_uint_eq(snap->totals.failures, failures);
    ck_assert_uint_eq(snap->totals.requests, (uint64_t)n + failures);
    gwg_shm_close(&b);
    unlink(big);
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
    tcase_add_test(tc, maintenance_in_every_format);
    tcase_add_test(tc, maintenance_column);
    tcase_add_test(tc, negotiation);
    tcase_add_test(tc, formats_agree_with_the_field_table);
    tcase_add_test(tc, buffered_output_is_the_same);
    tcase_add_test(tc, large_snapshot);
    suite_add_tcase(s, tc);
    return s;
}
