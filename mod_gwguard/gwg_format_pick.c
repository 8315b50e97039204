/*
 * Which format the status handler answers with: ?format= first, then the
 * Accept header through the one Accept parser (gwg_accept.c), HTML by
 * default. A browser sends "text/html,...,application/xml;q=0.9", so only
 * q-values keep it from getting XML; Prometheus sends openmetrics first
 * and text/plain with version=0.0.4 as its fallback.
 */
#include <string.h>

#include "gwg_accept.h"
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

/* What the status handler can send, in the order ties are broken (two
 * parallel rows: the media type and the format it names); a plain
 * text/plain is not Prometheus's, only with its version. */
static const gwg_media offer_media[] = {
    { "text", "html", NULL, 0 },
    { "application", "json", NULL, 0 },
    { "application", "xml", NULL, 0 },
    { "text", "xml", NULL, 0 },
    { "application", "openmetrics-text", NULL, 0 },
    { "text", "plain", "version=0.0.4", 0 },
};
static const gwg_format_t offer_format[] = {
    GWG_FORMAT_HTML, GWG_FORMAT_JSON, GWG_FORMAT_XML, GWG_FORMAT_XML,
    GWG_FORMAT_PROMETHEUS, GWG_FORMAT_PROMETHEUS,
};

#define OFFERS (sizeof(offer_media) / sizeof(offer_media[0]))
_Static_assert(OFFERS == sizeof(offer_format) / sizeof(offer_format[0]),
               "one format per offered media type");

static int accept_format(const char *accept)
{
    int pick = gwg_accept_pick(accept, offer_media, OFFERS);

    return pick < 0 ? GWG_FORMAT_HTML : (int)offer_format[pick];
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
