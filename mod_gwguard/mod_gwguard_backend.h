/*
 * The backend connection filter and the request filters an attempt's
 * handler needs (mod_gwguard_backend.c).
 */
#ifndef MOD_GWGUARD_BACKEND_H
#define MOD_GWGUARD_BACKEND_H

#include "httpd.h"

#include "gwg_classify.h"
#include "mod_gwguard_req.h"

void gwguard_backend_register_hooks(void);

/* Filter handles of other modules, once they are all registered. */
void gwguard_backend_post_config(void);

/* The request filters an attempt of scheme (gwg_scheme) needs: the
 * progress filter for handlers that read the backend socket themselves,
 * AJP's request-sent filter, the h2 head hold. Called by the scheme
 * handler for each attempt; an HTTP/1 client's HTTP attempt (the common
 * one) needs none, which the inline test says without a call. */
void gwguard_backend_attempt_filters_slow(request_rec *r, gwguard_req *st,
                                          int scheme);

static inline void gwguard_backend_attempt_filters(request_rec *r,
                                                   gwguard_req *st,
                                                   int scheme)
{
    if (scheme != GWG_SCHEME_HTTP || r->connection->master) {
        gwguard_backend_attempt_filters_slow(r, st, scheme);
    }
}

#endif
