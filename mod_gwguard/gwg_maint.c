/*
 * Maintenance windows in the slot (gwg_maint.h): set and cleared by
 * gwguardctl, read on the request path and by every status format. The
 * message is copied one atomic word at a time; a reader racing a change
 * may see a mix of two messages, which sanitising turns into text that is
 * still valid (the next request sees the new one whole).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "gwg_atomic.h"
#include "gwg_maint.h"

#define US 1000000ull

void gwg_maint_get(gwg_maint *m, const gwg_slot *s, uint64_t now)
{
    uint64_t on = GWG_LOAD(&s->maint_on), words[GWG_MAINT_MSG_WORDS];
    int i;

    memset(m, 0, sizeof(*m));
    if (on == 0) {
        return;
    }
    m->since = (on >> 32) * US;
    m->by = (uint32_t)(on & 0xffffffffu);
    m->until = GWG_LOAD_RELAXED(&s->maint_until);
    if (m->until != 0 && now >= m->until) {
        return;                         /* over by itself */
    }
    for (i = 0; i < GWG_MAINT_MSG_WORDS; i++) {
        words[i] = GWG_LOAD_RELAXED(&s->maint_message[i]);
    }
    gwg_maint_sanitise(m->message, (const char *)words, sizeof(words) - 1);
    m->on = 1;
}

void gwg_maint_set(gwg_slot *s, uint64_t now, uint64_t until, uint32_t uid,
                   const char *message)
{
    uint64_t words[GWG_MAINT_MSG_WORDS];
    uint64_t since = now / US ? now / US : 1;   /* 0 would mean "off" */
    int i;

    memset(words, 0, sizeof(words));
    if (message) {
        strncpy((char *)words, message, sizeof(words) - 1);
    }
    GWG_STORE(&s->maint_until, until);
    for (i = 0; i < GWG_MAINT_MSG_WORDS; i++) {
        GWG_STORE(&s->maint_message[i], words[i]);
    }
    /* last, with release: a reader that sees it sees the rest */
    GWG_STORE(&s->maint_on, ((since & 0xffffffffu) << 32) | uid);
}

void gwg_maint_clear(gwg_slot *s)
{
    int i;

    GWG_STORE(&s->maint_on, 0);
    GWG_STORE(&s->maint_until, 0);
    for (i = 0; i < GWG_MAINT_MSG_WORDS; i++) {
        GWG_STORE(&s->maint_message[i], 0);
    }
}

long gwg_maint_retry_after(const gwg_maint *m, uint64_t now)
{
    uint64_t left;

    if (!m->on || m->until == 0) {
        return -1;
    }
    left = m->until > now ? (m->until - now + US - 1) / US : 1;
    if (left > GWG_MAINT_MAX_SECONDS) {
        left = GWG_MAINT_MAX_SECONDS;   /* --until a year away: "long" */
    }
    return left ? (long)left : 1;
}

/* The length of the UTF-8 sequence at p (n bytes left), 0 if it is not
 * a valid one (overlong, surrogate, beyond U+10FFFF, cut) or it encodes
 * a control character (C0, DEL, C1). */
static size_t utf8_char(const unsigned char *p, size_t n)
{
    uint32_t cp;
    size_t len, i;

    if (p[0] < 0x80) {
        return (p[0] >= 0x20 && p[0] != 0x7f) ? 1 : 0;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) { len = 2; cp = p[0] & 0x1f; }
    else if (p[0] >= 0xe0 && p[0] <= 0xef) { len = 3; cp = p[0] & 0x0f; }
    else if (p[0] >= 0xf0 && p[0] <= 0xf4) { len = 4; cp = p[0] & 0x07; }
    else { return 0; }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
        || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff
        || (cp >= 0x80 && cp <= 0x9f)) {
        return 0;
    }
    return len;
}

size_t gwg_maint_sanitise(char *out, const char *in, size_t n)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, k;

    while (i < n && p[i] && (k = utf8_char(p + i, n - i)) > 0) {
        i += k;
    }
    memcpy(out, in, i);
    out[i] = '\0';
    return i;
}

const char *gwg_maint_check_message(const char *msg, char *why, size_t len)
{
    size_t n = strlen(msg);
    char copy[GWG_MAINT_MSG_MAX + 1];

    if (n > GWG_MAINT_MSG_MAX) {
        snprintf(why, len, "message is %zu bytes; at most %d bytes fit "
                 "(UTF-8)", n, GWG_MAINT_MSG_MAX);
        return why;
    }
    if (gwg_maint_sanitise(copy, msg, n) != n) {
        snprintf(why, len, "message has a control character or is not "
                 "valid UTF-8 at byte %zu", gwg_maint_sanitise(copy, msg, n)
                                             + 1);
        return why;
    }
    return NULL;
}

const char *gwg_maint_parse_duration(uint64_t *seconds, const char *s,
                                     char *why, size_t len)
{
    static const struct { char unit; uint64_t mult; } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
    };
    uint64_t v = 0, mult = 1;
    const char *p = s;
    size_t i;

    while (isdigit((unsigned char)*p) && v <= GWG_MAINT_MAX_SECONDS) {
        v = v * 10 + (uint64_t)(*p++ - '0');
    }
    for (i = 0; p != s && *p && i < sizeof(units) / sizeof(units[0]); i++) {
        if (*p == units[i].unit && p[1] == '\0') {
            mult = units[i].mult;
            p++;
        }
    }
    if (p == s || *p != '\0' || v == 0 || v > GWG_MAINT_MAX_SECONDS / mult) {
        snprintf(why, len, "DURATION '%.64s' is not a number of seconds, "
                 "or a number with s, m, h or d (90, 15m, 2h, 1d), from 1 "
                 "second to %u days", s, GWG_MAINT_MAX_SECONDS / 86400u);
        return why;
    }
    *seconds = v * mult;
    return NULL;
}

/* Reads exactly n digits at *p into *v; 0 if they are not there. */
static int digits(const char **p, int n, int *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) {
            return 0;
        }
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return 1;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 ? 28 + leap : days[m - 1];
}

/* "+HH:MM", "-HH:MM", "Z": the offset east of UTC in seconds. */
static int parse_offset(const char *p, int64_t *off)
{
    int hh, mm, sign;

    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *off = 0;
        return 1;
    }
    if (*p != '+' && *p != '-') {
        return 0;
    }
    sign = *p++ == '-' ? -1 : 1;
    if (!digits(&p, 2, &hh) || *p++ != ':' || !digits(&p, 2, &mm)
        || *p != '\0' || hh > 23 || mm > 59) {
        return 0;
    }
    *off = sign * (int64_t)(hh * 3600 + mm * 60);
    return 1;
}

const char *gwg_maint_parse_time(uint64_t *us, const char *s, char *why,
                                 size_t len)
{
    const char *p = s;
    int y, mo, d, h, mi, sec;
    int64_t off, t;

    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo)
        || *p++ != '-' || !digits(&p, 2, &d)
        || (*p != 'T' && *p != 't' && *p != ' ')) {
        goto bad;
    }
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi)
        || *p++ != ':' || !digits(&p, 2, &sec)) {
        goto bad;
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++) {
            /* fractions of a second: a window ends on a whole second */
        }
    }
    if (!parse_offset(p, &off) || y < 1970 || mo < 1 || mo > 12 || d < 1
        || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60) {
        goto bad;
    }
    t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60
        + (sec == 60 ? 59 : sec) - off;
    if (t <= 0 || t > (int64_t)0xffffffffll) {
        goto bad;
    }
    *us = (uint64_t)t * US;
    return NULL;
bad:
    snprintf(why, len, "TIME '%.64s' is not an RFC 3339 time such as "
             "2026-11-30T15:00:00Z or 2026-11-30T16:00:00+01:00", s);
    return why;
}
