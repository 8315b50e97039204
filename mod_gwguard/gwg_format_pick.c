/*
 * Which format the status handler answers with: ?format= first, then the
 * Accept header by q-value (RFC 9110 §12.5.1), HTML by default. A browser
 * sends "text/html,...,application/xml;q=0.9", so only q-values keep it
 * from getting XML; Prometheus sends openmetrics first and text/plain
 * with version=0.0.4 as its fallback.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gwg_format.h"

/* The value of ?format= in a query string, copied into buf, or NULL. */
static const char *query_format(char *buf, size_t len, const char *args)
{
    const char *p = args;

    while (p && *p) {
        size_t n = strcspn(p, "&;");
        if (n > 7 && strncmp(p, "format=", 7) == 0 && n - 7 < len) {
            memcpy(buf, p + 7, n - 7);
            buf[n - 7] = '\0';
            return buf;
        }
        p += n;
        p += (*p != '\0');
    }
    return NULL;
}

/* Which format one media range (without its parameters) names; -1 for
 * none of ours. params is the text after the first ';'. */
static int range_format(const char *type, size_t n, const char *params,
                        size_t plen)
{
    if (n == 9 && strncasecmp(type, "text/html", n) == 0) {
        return GWG_FORMAT_HTML;
    }
    if (n == 16 && strncasecmp(type, "application/json", n) == 0) {
        return GWG_FORMAT_JSON;
    }
    if ((n == 15 && strncasecmp(type, "application/xml", n) == 0)
        || (n == 8 && strncasecmp(type, "text/xml", n) == 0)) {
        return GWG_FORMAT_XML;
    }
    if (n == 26 && strncasecmp(type, "application/openmetrics-text", n) == 0) {
        return GWG_FORMAT_PROMETHEUS;
    }
    if (n == 10 && strncasecmp(type, "text/plain", n) == 0 && params
        && memmem(params, plen, "version=0.0.4", 13)) {
        return GWG_FORMAT_PROMETHEUS;
    }
    return -1;
}

/* The q parameter of a media range, 1.0 when absent. */
static double range_q(const char *params, size_t n)
{
    const char *q;

    for (q = params; q && q < params + n; q++) {
        if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '='
            && (q == params || q[-1] == ';' || isspace((unsigned char)q[-1]))) {
            return strtod(q + 2, NULL);
        }
    }
    return 1.0;
}

static int accept_format(const char *accept)
{
    const char *p = accept;
    double best_q = 0.0;
    int best = GWG_FORMAT_HTML;

    while (p && *p) {
        size_t n = strcspn(p, ","), tn, plen;
        const char *semi;
        int f;

        while (n > 0 && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        semi = memchr(p, ';', n);
        tn = semi ? (size_t)(semi - p) : n;
        while (tn > 0 && isspace((unsigned char)p[tn - 1])) {
            tn--;
        }
        plen = semi ? n - (size_t)(semi - p) : 0;
        f = range_format(p, tn, semi, plen);
        if (f >= 0) {
            double q = semi ? range_q(semi, plen) : 1.0;
            if (q > best_q) {             /* first wins a tie */
                best_q = q;
                best = f;
            }
        }
        p += n;
        p += (*p != '\0');
    }
    return best;
}

int gwg_format_negotiate(const char *args, const char *accept)
{
    char buf[32];
    const char *name = query_format(buf, sizeof(buf), args);

    if (name) {
        int f = gwg_format_by_name(name);
        return f == GWG_FORMAT_KV ? -1 : f;
    }
    return accept_format(accept);
}
