/*
 * Glue around the classifier (mod_gwguard_verdict.c), for the mod_proxy
 * hooks in mod_gwguard_proxy.c.
 */
#ifndef MOD_GWGUARD_VERDICT_H
#define MOD_GWGUARD_VERDICT_H

#include "mod_proxy.h"

#include "gwg_classify.h"
#include "mod_gwguard.h"

/* Scheme handler: the attempt's starting state (a->start is set). */
struct gwguard_wentry_s;
void gwguard_attempt_begin(request_rec *r, gwguard_req *st,
                           gwguard_attempt *a,
                           const struct gwguard_wentry_s *e,
                           proxy_worker *worker, proxy_server_conf *conf,
                           const char *url);

/* Begins an attempt on worker from proxy's pre_request, as the scheme
 * handler would (mod_gwguard_proxy.c); DECLINED when admitted (the scheme
 * handler then goes on with it), else the refusal's status. */
int gwguard_attempt_early(request_rec *r, proxy_worker *worker,
                          proxy_server_conf *conf, const char *url);

/* request_status: the last attempt is over; the thread's current
 * request is cleared. */
void gwguard_attempts_done(request_rec *r, gwguard_req *st);

/* The verdict on attempt i of the request (the last one: final). */
void gwguard_attempt_verdict(gwg_verdict *v, const gwguard_req *st, int i,
                             const gwg_observation *final);

/* A balancer request with no attempt: one attempt record for the
 * balancer's own key, so it is counted (as unavailable). */
void gwguard_no_attempt(request_rec *r, gwguard_req *st);

/* The status correction of docs/classes.md and GwGuardStatusCode. */
void gwguard_correct_status(request_rec *r, gwguard_req *st, int *status);

#endif
