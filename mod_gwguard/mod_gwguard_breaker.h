/*
 * Circuit breaker (mod_gwguard_breaker.c): the directive, its merge, the
 * check before an attempt (DECLINED, or HTTP_SERVICE_UNAVAILABLE to refuse
 * it without connecting) and the report of an attempt's outcome.
 */
#ifndef MOD_GWGUARD_BREAKER_H
#define MOD_GWGUARD_BREAKER_H

#include "httpd.h"
#include "http_config.h"

#include "gwg_class.h"
#include "mod_gwguard_req.h"

const char *gwguard_set_breaker(cmd_parms *cmd, void *dirconf, int argc,
                                char *const argv[]);
struct gwguard_breaker_srv *gwguard_breaker_merge(
    apr_pool_t *p, struct gwguard_breaker_srv *base,
    struct gwguard_breaker_srv *add);
int gwguard_breaker_admit(request_rec *r, gwguard_req *st,
                          gwguard_attempt *a);
void gwguard_breaker_record(request_rec *r, const gwguard_attempt *a,
                            gwg_class_t cls, int intercepted);

#endif
