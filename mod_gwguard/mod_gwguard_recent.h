/*
 * The recent-failures ring (mod_gwguard_recent.c) and the retry hint.
 */
#ifndef MOD_GWGUARD_RECENT_H
#define MOD_GWGUARD_RECENT_H

#include "httpd.h"

#include "gwg_class.h"
#include "mod_gwguard_req.h"

/* One entry for a failed request; nothing for a success. */
void gwguard_recent_note(request_rec *r, const gwguard_req *st);

/* The same for attempt i of a failover that failed before the request's
 * last attempt (status 0: the client got the later attempt's answer). */
void gwguard_recent_note_attempt(request_rec *r, const gwguard_req *st,
                                 int i);

/* The retry hint for a request that failed with cls
 * (gwg_class_retryable). */
int gwguard_retryable(request_rec *r, gwg_class_t cls);

#endif
