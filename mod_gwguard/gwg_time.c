/*
 * Wall-clock helpers. CLOCK_REALTIME because the values are shown to
 * people and compared across processes and restarts.
 */
#include <string.h>
#include <time.h>

#include "gwg_atomic.h"

#include "gwg_time.h"

uint64_t gwg_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Days since 1970-01-01 to a proleptic Gregorian date, by eras of 400
 * years (146097 days each), with years starting in March so the leap day
 * is the last of a year: a handful of divisions, no tables, no locale. */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m,
                            unsigned *d)
{
    int64_t z = days + 719468;          /* days since 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);              /* 0..146096 */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);   /* 0..365 */
    unsigned mp = (5 * doy + 2) / 153;                        /* March: 0 */

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* Digit by digit (strftime with gmtime_r costs ten times as much). */
static char *format(char *buf, size_t len, uint64_t us)
{
    uint64_t secs = us / 1000000u;
    unsigned sod = (unsigned)(secs % 86400u), m, d;
    int64_t y;
    char year[24], *yp = year + sizeof(year), *p = buf;
    size_t ylen;

    civil_from_days((int64_t)(secs / 86400u), &y, &m, &d);
    do {                                /* at least 4 digits (y >= 1970) */
        *--yp = (char)('0' + y % 10);
        y /= 10;
    } while (y);
    ylen = (size_t)(year + sizeof(year) - yp);
    if (us == 0 || len < ylen + sizeof("-MM-DDTHH:MM:SSZ")) {
        if (len) {
            buf[0] = '\0';
        }
        return buf;
    }
    memcpy(p, yp, ylen);
    p += ylen;
    *p++ = '-';
    p = two(p, m);
    *p++ = '-';
    p = two(p, d);
    *p++ = 'T';
    p = two(p, sod / 3600);
    *p++ = ':';
    p = two(p, sod / 60 % 60);
    *p++ = ':';
    p = two(p, sod % 60);
    *p++ = 'Z';
    *p = '\0';
    return buf;
}

/* The last second formatted in this process, for the pages of a burst of
 * failures, one per format: a seqlock (odd seq while written) over whole
 * words, so a reader either gets one writer's complete text or formats it
 * itself; a writer that finds it taken does not wait. */
typedef struct {
    uint64_t seq;
    uint64_t secs1;                     /* the second + 1; 0: none */
    uint64_t text[4];
} second_cache;

static int cached(second_cache *c, char *buf, size_t n, uint64_t secs)
{
    uint64_t seq = GWG_LOAD(&c->seq), text[4];
    int i;

    if ((seq & 1) || GWG_LOAD_RELAXED(&c->secs1) != secs + 1) {
        return 0;
    }
    for (i = 0; i < 4; i++) {
        text[i] = GWG_LOAD_RELAXED(&c->text[i]);
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (GWG_LOAD_RELAXED(&c->seq) != seq) {
        return 0;
    }
    memcpy(buf, text, n);
    return 1;
}

static void keep(second_cache *c, const char *buf, size_t n, uint64_t secs)
{
    uint64_t seq = GWG_LOAD_RELAXED(&c->seq), text[4] = { 0, 0, 0, 0 };
    int i;

    if ((seq & 1) || !GWG_CAS(&c->seq, &seq, seq + 1)) {
        return;                         /* another thread is writing it */
    }
    memcpy(text, buf, n);
    __atomic_store_n(&c->secs1, secs + 1, __ATOMIC_RELAXED);
    for (i = 0; i < 4; i++) {
        __atomic_store_n(&c->text[i], text[i], __ATOMIC_RELAXED);
    }
    GWG_STORE(&c->seq, seq + 2);
}

/* Only the 20-byte form (4-digit years) is kept. */
#define CACHED_LEN sizeof("YYYY-MM-DDTHH:MM:SSZ")
static second_cache last_rfc3339, last_http;

/* Every failure shows the time; most in a burst share their second. */
char *gwg_time_rfc3339(char *buf, size_t len, uint64_t us)
{
    uint64_t secs = us / 1000000u;

    if (us == 0 || len < CACHED_LEN
        || !cached(&last_rfc3339, buf, CACHED_LEN, secs)) {
        format(buf, len, us);
        if (len >= CACHED_LEN && strlen(buf) == CACHED_LEN - 1) {
            keep(&last_rfc3339, buf, CACHED_LEN, secs);
        }
    }
    return buf;
}

static const char day_names[7][4] = {
    "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"     /* 1970-01-01: Thu */
};
static const char month_names[12][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static char *three(char *p, const char *s)
{
    memcpy(p, s, 3);
    return p + 3;
}

int gwg_time_http(char buf[GWG_HTTP_DATE_LEN], uint64_t us)
{
    uint64_t secs = us / 1000000u, days = secs / 86400u;
    unsigned sod = (unsigned)(secs % 86400u), m, d;
    int64_t y;
    char *p = buf;

    if (cached(&last_http, buf, GWG_HTTP_DATE_LEN, secs)) {
        return 1;
    }
    civil_from_days((int64_t)days, &y, &m, &d);
    if (y > 9999) {
        return 0;
    }
    p = three(p, day_names[days % 7]);
    *p++ = ',';
    *p++ = ' ';
    p = two(p, d);
    *p++ = ' ';
    p = three(p, month_names[m - 1]);
    *p++ = ' ';
    p = two(two(p, (unsigned)(y / 100)), (unsigned)(y % 100));
    *p++ = ' ';
    p = two(p, sod / 3600);
    *p++ = ':';
    p = two(p, sod / 60 % 60);
    *p++ = ':';
    p = two(p, sod % 60);
    memcpy(p, " GMT", sizeof(" GMT"));
    keep(&last_http, buf, GWG_HTTP_DATE_LEN, secs);
    return 1;
}
