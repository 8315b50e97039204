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

/* Whether some server has an enabled breaker (set in post_config). */
int gwguard_breakers_on(void);

/* Whether the breaker in slot is open or half-open: one load. */
int gwguard_breaker_not_closed(uint32_t slot);

/* post_config (whether any breaker is on) and child_init (each declared
 * worker's settings, into the child's table). */
void gwguard_breaker_register_hooks(void);

#endif
