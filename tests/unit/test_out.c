/* Escaping: no input may break JSON or inject markup. */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "gwg_out.h"
#include "gwg_time.h"
#include "membuf.h"
#include "unit.h"

static const char *json(const char *s)
{
    static membuf m;
    gwg_out o;

    free(m.data);
    membuf_out(&o, &m);
    gwg_out_json_str(&o, s);
    return m.data;
}

static const char *html(const char *s)
{
    static membuf m;
    gwg_out o;

    free(m.data);
    membuf_out(&o, &m);
    gwg_out_html(&o, s);
    return m.data;
}

static const char *text(const char *s)
{
    static membuf m;
    gwg_out o;

    free(m.data);
    membuf_out(&o, &m);
    gwg_out_text(&o, s);
    return m.data ? m.data : "";
}

/* Issue 11, item 6: what a client put in a path cannot drive a terminal. */
START_TEST(terminal_escapes)
{
    char buf[GWG_TEXT_MAX(16)], tiny[6];
    const char *plain = "/ok/caf\xc3\xa9";

    ck_assert_str_eq(text("/down/a\nFORGED\x1b[2J\x1b]0;x\x07"),
                     "/down/a\\x0aFORGED\\x1b[2J\\x1b]0;x\\x07");
    ck_assert_str_eq(text("del\x7f c1\xc2\x9b" "2J"),
                     "del\\x7f c1\\xc2\\x9b2J");
    ck_assert_str_eq(text(plain), plain);
    ck_assert_ptr_eq(gwg_text_safe(buf, sizeof(buf), plain), plain);
    ck_assert_str_eq(gwg_text_safe(buf, sizeof(buf), "a\tb"), "a\\x09b");
    /* cut to fit, never inside an escape */
    ck_assert_str_eq(gwg_text_safe(tiny, sizeof(tiny), "ab\ncd"), "ab");
}
END_TEST

START_TEST(json_escapes)
{
    ck_assert_str_eq(json("plain"), "\"plain\"");
    ck_assert_str_eq(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
    ck_assert_str_eq(json("\n\t\x01"), "\"\\u000a\\u0009\\u0001\"");
    ck_assert_str_eq(json("</script>"), "\"\\u003c/script\\u003e\"");
    ck_assert_str_eq(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    ck_assert_str_eq(json("bad\xff"), "\"bad\\ufffd\"");
    ck_assert_str_eq(json("cut\xc3"), "\"cut\\ufffd\"");   /* ends mid-char */
    ck_assert_str_eq(json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
    ck_assert_str_eq(json(NULL), "\"\"");
}
END_TEST

START_TEST(html_escapes)
{
    ck_assert_str_eq(html("<img src=x onerror='a'>&\""),
                     "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot;");
    ck_assert_str_eq(html("ok"), "ok");
    ck_assert_str_eq(html("&"), "&amp;");      /* escape at the very end */
}
END_TEST

START_TEST(printf_and_failed_writes)
{
    membuf m;
    gwg_out o;

    membuf_out(&o, &m);
    gwg_out_printf(&o, "%d-%s", 42, "x");
    ck_assert_str_eq(m.data, "42-x");
    ck_assert_int_eq(o.failed, 0);
    free(m.data);
}
END_TEST

/* A buffered out: numbers and pieces across the buffer's end, a piece
 * bigger than the buffer, and a failed write reported by the flush. */
static int failing_write(void *ctx, const char *data, size_t len)
{
    (void)ctx; (void)data; (void)len;
    return -1;
}

START_TEST(buffered_out)
{
    static const uint64_t vals[] = { 0, 9, 10, 99, 100, 12345,
                                     10000000000000000000ULL, UINT64_MAX };
    char buf[24], want[512], big[100];
    size_t size, i, n;
    membuf m;
    gwg_out o;

    memset(big, 'b', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (size = 1; size <= sizeof(buf); size++) {
        membuf_out(&o, &m);
        gwg_out_init_buffered(&o, membuf_write, &m, buf, size);
        n = 0;
        for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
            gwg_out_u64(&o, vals[i]);
            gwg_out_str(&o, i % 2 ? "," : "");
            n += (size_t)snprintf(want + n, sizeof(want) - n, "%llu%s",
                                  (unsigned long long)vals[i],
                                  i % 2 ? "," : "");
        }
        gwg_out_str(&o, big);
        gwg_out_json_str(&o, "a\"<\xff");
        snprintf(want + n, sizeof(want) - n, "%s\"a\\\"\\u003c\\ufffd\"",
                 big);
        ck_assert_int_eq(gwg_out_flush(&o), 0);
        ck_assert_str_eq(m.data, want);
        free(m.data);
    }
    gwg_out_init_buffered(&o, failing_write, NULL, buf, sizeof(buf));
    gwg_out_str(&o, "fits");
    ck_assert_int_eq(o.failed, 0);              /* nothing written yet */
    ck_assert_int_eq(gwg_out_flush(&o), -1);
    ck_assert_int_eq(o.failed, 1);
    gwg_out_str(&o, big);                       /* sticky */
    ck_assert_int_eq(gwg_out_flush(&o), -1);
}
END_TEST

/* The bounded appends cut at the field's end and keep the NUL in it. */
START_TEST(bounded_appends_and_hex)
{
    char f[8], *at, hex[17];
    const uint64_t vals[] = { 0, 1, 15, 16, 0xabc, 0x5f3a2b1c4d5eULL,
                              UINT64_MAX };
    unsigned i;

    at = gwg_append(f, f + sizeof(f), "abc");
    ck_assert_str_eq(f, "abc");
    at = gwg_append_u64(at, f + sizeof(f), 42);
    ck_assert_str_eq(f, "abc42");
    at = gwg_append(at, f + sizeof(f), "xyz");
    ck_assert_str_eq(f, "abc42xy");             /* 7 bytes and the NUL */
    ck_assert_ptr_eq(at, f + 7);
    at = gwg_append(at, f + sizeof(f), "more");
    ck_assert_str_eq(f, "abc42xy");
    gwg_append(f, f + sizeof(f), NULL);
    ck_assert_str_eq(f, "");
    gwg_append_u64(f, f + 4, 123456);
    ck_assert_str_eq(f, "123");
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        char want[32];
        *gwg_hex(hex, vals[i]) = '\0';
        snprintf(want, sizeof(want), "%llx", (unsigned long long)vals[i]);
        ck_assert_str_eq(hex, want);
    }
    /* every length and every digit in every place; nothing past the end */
    for (i = 0; i < 4096; i++) {
        char want[32];
        uint64_t v = (i < 64 ? 1ULL << i : 0) | (i < 64 ? 0
                     : (0x9e3779b97f4a7c15ULL * i) >> (i % 64));
        memset(hex, 'X', sizeof(hex));
        at = gwg_hex(hex, v);
        snprintf(want, sizeof(want), "%llx", (unsigned long long)v);
        ck_assert_int_eq(at - hex, (int)strlen(want));
        ck_assert_int_eq(*at, 'X');
        *at = '\0';
        ck_assert_str_eq(hex, want);
    }
}
END_TEST

/* The digit-by-digit RFC 3339 writer says what gmtime_r and strftime
 * say, leap days, centuries and far-off (hostile segment) times too. */
START_TEST(rfc3339_is_strftime)
{
    const uint64_t fixed[] = { 1, 951782400000000ULL /* 2000-02-29 */,
                               4107542399999999ULL, 253402300799000000ULL,
                               253402300800000000ULL, UINT64_MAX };
    uint64_t us = 1;
    char got[GWG_RFC3339_LEN], want[64], small[8];
    int i;

    for (i = 0; i < 2000; i++) {
        time_t secs;
        struct tm tm;
        us = i < 6 ? fixed[i]
             : us * 6364136223846793005ULL + 1442695040888963407ULL;
        if (i >= 6 && i % 2) {
            us %= 4102444800000000ULL;      /* mostly 1970..2100 */
        }
        secs = (time_t)(us / 1000000u);
        gmtime_r(&secs, &tm);
        strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
        gwg_time_rfc3339(got, sizeof(got), us);
        ck_assert_str_eq(got, want);
    }
    ck_assert_str_eq(gwg_time_rfc3339(got, sizeof(got), 0), "");
    ck_assert_str_eq(gwg_time_rfc3339(small, sizeof(small), 1), "");
}
END_TEST

/* The HTTP date says what strftime says in the C locale (what
 * ap_recent_rfc822_date writes), on a miss and on the hit after it; a
 * year past 9999 is left to httpd. */
START_TEST(http_date_is_strftime)
{
    uint64_t us = 1;
    char got[GWG_HTTP_DATE_LEN], want[64];
    int i, again;

    for (i = 0; i < 4000; i++) {
        time_t secs;
        struct tm tm;
        us = i == 0 ? 951782400000000ULL /* 2000-02-29, a Tuesday */
             : us * 6364136223846793005ULL + 1442695040888963407ULL;
        us %= 253402300800000000ULL;        /* up to 9999-12-31 */
        if (i % 2) {
            us %= 4102444800000000ULL;      /* mostly 1970..2100 */
        }
        secs = (time_t)(us / 1000000u);
        gmtime_r(&secs, &tm);
        strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        for (again = 0; again < 2; again++) {
            memset(got, 'x', sizeof(got));
            ck_assert_int_eq(gwg_time_http(got, us + (uint64_t)again), 1);
            ck_assert_str_eq(got, want);
        }
    }
    ck_assert_int_eq(gwg_time_http(got, 253402300800000000ULL), 0);
}
END_TEST

/* The last second's text is kept for the next caller: a hit says what a
 * miss would, also while other threads keep other seconds (a torn copy
 * would show up as a wrong string). */
#define CACHE_THREADS 4
#define CACHE_SECONDS 6
static char cache_want[CACHE_SECONDS][GWG_RFC3339_LEN];
static int cache_wrong;

static void *format_many(void *arg)
{
    unsigned k = (unsigned)(uintptr_t)arg, i;
    char got[GWG_RFC3339_LEN];

    for (i = 0; i < 20000; i++) {
        unsigned which = (i / (k + 1) + k) % CACHE_SECONDS;
        uint64_t us = (1700000000ULL + which * 86399ULL) * 1000000ULL
                      + i % 1000000u;
        gwg_time_rfc3339(got, sizeof(got), us);
        if (strcmp(got, cache_want[which]) != 0) {
            __atomic_store_n(&cache_wrong, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

START_TEST(rfc3339_cache_is_exact)
{
    pthread_t t[CACHE_THREADS];
    char got[GWG_RFC3339_LEN];
    unsigned i;

    for (i = 0; i < CACHE_SECONDS; i++) {
        time_t secs = (time_t)(1700000000ULL + i * 86399ULL);
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(cache_want[i], GWG_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
        /* a miss, then hits at other microseconds of the same second */
        gwg_time_rfc3339(got, sizeof(got), (uint64_t)secs * 1000000u);
        ck_assert_str_eq(got, cache_want[i]);
        gwg_time_rfc3339(got, sizeof(got), (uint64_t)secs * 1000000u + 999999);
        ck_assert_str_eq(got, cache_want[i]);
    }
    /* a second below 1 (secs 0) is not the empty cache */
    ck_assert_str_eq(gwg_time_rfc3339(got, sizeof(got), 1),
                     "1970-01-01T00:00:00Z");
    ck_assert_str_eq(gwg_time_rfc3339(got, sizeof(got), 2),
                     "1970-01-01T00:00:00Z");
    for (i = 0; i < CACHE_THREADS; i++) {
        ck_assert_int_eq(pthread_create(&t[i], NULL, format_many,
                                        (void *)(uintptr_t)i), 0);
    }
    for (i = 0; i < CACHE_THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    ck_assert_int_eq(cache_wrong, 0);
}
END_TEST

Suite *out_suite(void)
{
    Suite *s = suite_create("out");
    TCase *tc = tcase_create("escape");

    tcase_add_test(tc, json_escapes);
    tcase_add_test(tc, terminal_escapes);
    tcase_add_test(tc, html_escapes);
    tcase_add_test(tc, printf_and_failed_writes);
    tcase_add_test(tc, buffered_out);
    tcase_add_test(tc, bounded_appends_and_hex);
    tcase_add_test(tc, rfc3339_is_strftime);
    tcase_add_test(tc, http_date_is_strftime);
    tcase_add_test(tc, rfc3339_cache_is_exact);
    suite_add_tcase(s, tc);
    return s;
}
