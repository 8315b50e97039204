/*
 * Content negotiation (RFC 9110 §12.5.1), the one Accept parser: which of
 * a caller's media types an Accept header prefers, q-values, wildcards
 * and "the most specific range wins" included. The error page and the
 * status handler each pass their own list.
 */
#ifndef GWG_ACCEPT_H
#define GWG_ACCEPT_H

#include <stddef.h>

/* One media type a caller can send. */
typedef struct {
    const char *type;           /* "application" */
    const char *subtype;        /* "json" */
    const char *param;          /* a parameter a range must carry to name
                                   this type ("version=0.0.4"), or NULL;
                                   wildcards never name such a type */
    int any_json;               /* also named by any other +json range */
} gwg_media;

/* Most media types a list may hold; the rest are ignored. */
#define GWG_ACCEPT_MAX 16

/* The index in media[0..n) of the type the header prefers, or -1 when it
 * accepts none (missing, empty, q=0 everywhere, or nothing matches).
 * Each type is weighed by the most specific range that names it; the
 * highest q wins and a tie goes to the earlier type in the list. A
 * malformed range (q above 1, more than three decimals, no slash) is
 * ignored. No allocation: the header is walked in place. */
int gwg_accept_pick(const char *accept, const gwg_media *media, size_t n);

/* The error page's representations, in the order ties are broken. */
typedef enum {
    GWG_REP_HTML,               /* text/html: the default */
    GWG_REP_JSON,               /* application/json or any +json */
    GWG_REP_PROBLEM,            /* application/problem+json (RFC 9457) */
    GWG_REP_TEXT                /* text/plain */
} gwg_rep;

/* The error page representation to send: gwg_accept_pick among the four,
 * HTML when none is acceptable (an error page is better than a 406). */
gwg_rep gwg_accept_choose(const char *accept);

/* Whether a Content-Type is JSON: application/json or any +json type
 * (parameters ignored). NULL is not. */
int gwg_media_is_json(const char *content_type);

/* "text/html; charset=utf-8" etc. */
const char *gwg_rep_content_type(gwg_rep rep);

#endif
