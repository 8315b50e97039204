/*
 * Maintenance windows in httpd (mod_gwguard_maint.c): the check in the
 * scheme handler before the breaker, GwGuardMaintenanceBypass, and what
 * the maintenance page shows. The window itself is the core's
 * (gwg_maint.c), set with gwguardctl maintenance.
 */
#ifndef MOD_GWGUARD_MAINT_H
#define MOD_GWGUARD_MAINT_H

#include "mod_gwguard.h"
#include "mod_gwguard_req.h"

/* Before the breaker: DECLINED (on to the breaker and mod_proxy), or
 * HTTP_SERVICE_UNAVAILABLE for an upstream in a maintenance window that
 * this request may not bypass (never contacted; a balancer member is
 * failed over by proxy_handler). */
int gwguard_maint_admit(request_rec *r, gwguard_req *st, gwguard_attempt *a);

/* A balancer request mod_proxy answered without trying a member (all
 * in error: with forcerecovery=Off those we refused stay so): when every
 * member is in maintenance, marks the observation refused for
 * maintenance and returns 1. Before the request is classified. */
struct gwg_observation;
int gwguard_maint_no_member(request_rec *r, gwguard_req *st,
                            struct gwg_observation *o);

/* The window's message for the page ({{message}}), "" when none. */
const char *gwguard_maint_message(request_rec *r);

/* GwGuardMaintenanceBypass EXPR (S V D): parsed once, at config time. */
const char *gwguard_set_maint_bypass(cmd_parms *cmd, void *dirconf,
                                     const char *expr);

#endif
