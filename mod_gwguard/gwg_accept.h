/*
 * Content negotiation for error pages (RFC 9110 §12.5.1): which of the
 * page's representations an Accept header prefers, q-values included.
 */
#ifndef GWG_ACCEPT_H
#define GWG_ACCEPT_H

typedef enum {
    GWG_REP_HTML,               /* text/html: the default */
    GWG_REP_JSON,               /* application/json or any +json */
    GWG_REP_PROBLEM,            /* application/problem+json (RFC 9457) */
    GWG_REP_TEXT                /* text/plain */
} gwg_rep;

/* The representation to send. Each is weighed by the most specific media
 * range that matches it; the highest weight wins and ties go in the order
 * of the enum (HTML first). A missing or empty header, or one that
 * accepts none of them, gets HTML: an error page is better than a 406. */
gwg_rep gwg_accept_choose(const char *accept);

/* Whether a Content-Type is JSON: application/json or any +json type
 * (parameters ignored). NULL is not. */
int gwg_media_is_json(const char *content_type);

/* "text/html; charset=utf-8" etc. */
const char *gwg_rep_content_type(gwg_rep rep);

#endif
