/*
 * What httpd shows about a finished proxied request, extracted into the
 * core's plain gwg_observation. Only state is read (handler result,
 * r->status, notes, the connection), never log text, so the class cannot
 * depend on LogLevel.
 */
#include "httpd.h"
#include "http_config.h"

#include "gwg_classify.h"
#include "mod_gwguard.h"

void gwguard_observe(gwg_observation *o, request_rec *r, int status,
                     const gwguard_req *st)
{
    memset(o, 0, sizeof(*o));
    o->handler_status = status;
    o->response_status = r->status;
    o->attempts = st->attempts->nelts;
    o->final_attempt = 1;
    o->client_aborted = r->connection->aborted;
    o->error_override = apr_table_get(r->notes, "proxy-error-override")
                        != NULL;
    o->timed_out = apr_table_get(r->notes, "proxy_timedout") != NULL;
    o->breaker_refused = st->attempts->nelts > 0
        && APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                         gwguard_attempt).breaker_refused;
}
