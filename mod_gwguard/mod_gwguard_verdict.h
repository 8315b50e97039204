/*
 * Glue around the classifier (mod_gwguard_verdict.c), for the mod_proxy
 * hooks in mod_gwguard_proxy.c.
 */
#ifndef MOD_GWGUARD_VERDICT_H
#define MOD_GWGUARD_VERDICT_H

#include "mod_proxy.h"

#include "mod_gwguard_req.h"

/* Scheme handler: the attempt's starting state (a->start is set). */
void gwguard_attempt_begin(request_rec *r, gwguard_req *st,
                           gwguard_attempt *a, proxy_worker *worker,
                           proxy_server_conf *conf, const char *url);

/* request_status: the last attempt is over; the thread's current
 * request is cleared. */
void gwguard_attempts_done(request_rec *r, gwguard_req *st);

/* A balancer request with no attempt: one attempt record for the
 * balancer's own key, so it is counted (as unavailable). */
void gwguard_no_attempt(request_rec *r, gwguard_req *st);

/* The status correction of docs/classes.md and GwGuardStatusCode. */
void gwguard_correct_status(request_rec *r, gwguard_req *st, int *status);

#endif
