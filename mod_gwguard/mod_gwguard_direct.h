/*
 * The direct answer (mod_gwguard_direct.c): a page's response head made
 * as httpd's HTTP_HEADER filter would and written to the connection's
 * filters, when nothing else could change the answer.
 */
#ifndef MOD_GWGUARD_DIRECT_H
#define MOD_GWGUARD_DIRECT_H

#include "httpd.h"

/* Free bytes a page is rendered after (gwg_template_render_room), where
 * the head goes when it fits: more than a head usually takes. */
#define GWGUARD_DIRECT_ROOM 512

/* Sends body (len bytes, in r->pool, with room free bytes before it;
 * Content-Type and status already set, the request body discarded,
 * r->headers_out holding only gwguard's own valid fields) with the head
 * the protocol filters would make, and returns 1; returns 0, having
 * changed nothing, when the protocol filters must answer (anything that
 * could change the answer). */
int gwguard_direct_send(request_rec *r, char *body, apr_size_t len,
                        apr_size_t room);

#endif
