/* The child's worker table (gwg_wmatch.c) against a plain longest-prefix
 * lookup written from mod_proxy's rules (ap_proxy_get_worker_ex with
 * AP_PROXY_WORKER_NO_UDS, every worker a prefix one): wherever the table
 * decides, it decides the same; and it decides every URL that is written
 * as a worker's name starts. */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>

#include "gwg_wmatch.h"
#include "unit.h"

/* The lookup as mod_proxy does it: NULL-safe "scheme://x" check, a copy
 * lower-cased up to the first '/' after "://", then the longest name
 * that is a prefix of the copy, at least as long as scheme://host and no
 * longer than the URL; the first of equal length wins. */
static long reference(const char *const *names, unsigned n, const char *url)
{
    const char *c = strchr(url, ':');
    size_t url_len, min_match, max_match = 0, i;
    char copy[256];
    long best = -1;

    if (!c || c[1] != '/' || c[2] != '/' || c[3] == '\0') {
        return -1;
    }
    url_len = strlen(url);
    ck_assert_uint_lt(url_len, sizeof(copy));
    memcpy(copy, url, url_len + 1);
    c = strchr(c + 3, '/');
    min_match = c ? (size_t)(c - url) : url_len;
    for (i = 0; i < min_match; i++) {
        copy[i] = (char)apr_tolower(copy[i]);
    }
    for (i = 0; i < n; i++) {
        size_t len = strlen(names[i]);

        if (len <= url_len && len > max_match && len >= min_match
            && strncmp(copy, names[i], len) == 0) {
            best = (long)i;
            max_match = len;
        }
    }
    return best;
}

static unsigned table_of(gwg_wname *t, const char *const *names, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        t[i].name = names[i];
        t[i].index = i;
    }
    gwg_wmatch_prepare(t, &n);
    return n;
}

static const char *const NAMES[] = {
    "http://127.0.0.1:8080", "http://127.0.0.1:8080/app",
    "http://127.0.0.1:8080/app/v2", "http://127.0.0.1:808",
    "https://Upper.example", "http://h/a", "http://h/a", "http://h/ab",
    "unix:/run/x.sock|http://h", "http:/h", "http://", "ws://h:1/",
    "http://h\xc3\xa9:1", "fcgi://h//x",
};
#define N_NAMES (sizeof(NAMES) / sizeof(NAMES[0]))

START_TEST(decides_as_mod_proxy)
{
    static const char *const urls[] = {
        "http://127.0.0.1:8080/ok", "http://127.0.0.1:8080",
        "http://127.0.0.1:8080/app/x", "http://127.0.0.1:8080/app",
        "http://127.0.0.1:8080/app/v2?q", "http://127.0.0.1:80800/",
        "http://127.0.0.1:808/", "http://127.0.0.1:8080?x",
        "https://upper.example/", "https://Upper.example/",
        "http://h/a", "http://h/ab", "http://h/abc", "http://h/b",
        "HTTP://127.0.0.1:8080/ok", "http://H/a", "ws://h:1/x",
        "http://h\xc3\xa9:1/z", "fcgi://h//x/y", "http://", "http:/h/",
        "", "http", "unix:/run/x.sock|http://h/",
    };
    gwg_wname t[N_NAMES];
    unsigned n = table_of(t, NAMES, N_NAMES), i;

    for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        long got = gwg_wmatch_find(t, n, urls[i]);
        long want = reference(NAMES, N_NAMES, urls[i]);

        if (got != -1) {
            ck_assert_msg(got == want, "%s: table %ld, lookup %ld", urls[i],
                          got, want);
        }
    }
    /* decided: written as the names start (the longest wins, the first
     * of two equal names wins, a name is no match past a host of its
     * own) */
    ck_assert_int_eq(gwg_wmatch_find(t, n, "http://127.0.0.1:8080/ok"), 0);
    ck_assert_int_eq(gwg_wmatch_find(t, n, "http://127.0.0.1:8080/app/x"),
                     1);
    ck_assert_int_eq(gwg_wmatch_find(t, n, "http://127.0.0.1:8080/app/v2"),
                     2);
    ck_assert_int_eq(gwg_wmatch_find(t, n, "http://h/a/b"), 5);
    ck_assert_int_eq(gwg_wmatch_find(t, n, "http://h/ab"), 7);
    ck_assert_int_eq(gwg_wmatch_find(t, n, "http://127.0.0.1:80800/"), -1);
    ck_assert_int_eq(reference(NAMES, N_NAMES, "http://127.0.0.1:80800/"),
                     -1);
    ck_assert_int_eq(gwg_wmatch_find(t, n, "http://h\xc3\xa9:1/z"), 12);
    /* not as written: left to mod_proxy, which lower-cases */
    ck_assert_int_eq(gwg_wmatch_find(t, n, "HTTP://127.0.0.1:8080/ok"), -1);
    ck_assert_int_eq(reference(NAMES, N_NAMES, "HTTP://127.0.0.1:8080/ok"),
                     0);
}
END_TEST

/* A byte from a small alphabet where the rules live: scheme and host
 * separators, both cases, a non-ASCII byte. */
static char pick(unsigned *seed)
{
    static const char alphabet[] = "hH:/a.A1\xc3?";

    *seed = *seed * 1103515245u + 12345u;
    return alphabet[(*seed >> 16) % (sizeof(alphabet) - 1)];
}

/* Random lists and URLs, most of them built from the names (a random
 * cut, a random tail, letters flipped in case), compared with the
 * lookup: every decision equal, and most URLs decided. */
START_TEST(random_lists_agree)
{
    unsigned seed = 12345, round, decided = 0, asked = 0;
    static char store[8][24];
    const char *names[8];
    gwg_wname t[8];

    for (round = 0; round < 20000; round++) {
        unsigned n = 1 + round % 8, i, k, tn;
        char url[64];
        size_t len;
        long got, want;

        for (i = 0; i < n; i++) {
            k = 0;
            if (pick(&seed) != 'A') {
                memcpy(store[i], "ht://", 5);
                k = 5;
            }
            len = k + (seed >> 8) % 12;
            for (; k < len; k++) {
                store[i][k] = pick(&seed);
            }
            store[i][k] = '\0';
            names[i] = store[i];
        }
        tn = table_of(t, names, n);
        len = strlen(names[round % n]);
        memcpy(url, names[round % n], len + 1);
        if ((seed >> 4) % 4 == 0) {
            url[(seed >> 6) % (len + 1)] = '\0';     /* cut short */
        }
        for (k = strlen(url), len = k + (seed >> 12) % 6; k < len; k++) {
            url[k] = pick(&seed);
        }
        url[k] = '\0';
        if ((seed >> 20) % 4 == 0 && url[0]) {
            url[(seed >> 8) % strlen(url)] ^= 0x20;
        }
        got = gwg_wmatch_find(t, tn, url);
        want = reference(names, n, url);
        ck_assert_msg(got == -1 || got == want, "%s: table %ld, lookup %ld",
                      url, got, want);
        asked += want != -1;
        decided += want != -1 && got == want;
    }
    /* the table is no "always don't know" */
    ck_assert_uint_gt(asked, 2000);
    ck_assert_uint_gt(decided * 10, asked * 8);
}
END_TEST

Suite *wmatch_suite(void)
{
    Suite *s = suite_create("wmatch");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, decides_as_mod_proxy);
    tcase_add_test(tc, random_lists_agree);
    suite_add_tcase(s, tc);
    return s;
}
