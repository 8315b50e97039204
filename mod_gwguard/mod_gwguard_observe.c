/*
 * What httpd shows about a finished proxied request, extracted into the
 * core's plain gwg_observation. Only state is read (handler result,
 * r->status, notes, the connection, what the backend filter and the
 * scheme handler recorded for each attempt), never log text, so the class
 * cannot depend on LogLevel.
 */
#include "httpd.h"
#include "http_config.h"
#include "apr_strings.h"

#include "gwg_classify.h"
#include "mod_gwguard_observe.h"

/* Whether fewer body bytes reached the client than the backend's own
 * Content-Length announced: only asked of a handler that ends a body at
 * the backend's EOF as if complete (not mod_proxy_http, which checks the
 * framing itself), for a response that has a body. */
static int body_short(const request_rec *r, int status)
{
    const char *cl;
    apr_off_t len;
    char *end;

    if (status != OK || r->header_only || r->status < 200
        || r->status == HTTP_NO_CONTENT || r->status == HTTP_NOT_MODIFIED
        || !(cl = apr_table_get(r->headers_out, "Content-Length"))
        || apr_strtoff(&len, cl, &end, 10) != APR_SUCCESS || *end) {
        return 0;
    }
    return r->bytes_sent < len;
}

void gwguard_observe(gwg_observation *o, request_rec *r, int status,
                     const gwguard_req *st)
{
    memset(o, 0, sizeof(*o));
    o->handler_status = status;
    o->response_status = r->status;
    o->attempts = st->attempts->nelts;
    o->final_attempt = 1;
    o->client_aborted = r->connection->aborted;
    o->eos_sent = r->eos_sent;
    o->committed = r->sent_bodyct;
    o->error_override = apr_table_get(r->notes, "proxy-error-override")
                        != NULL;
    o->timed_out = apr_table_get(r->notes, "proxy_timedout") != NULL;
    o->status_parsed = apr_table_get(r->notes, "proxy-status") != NULL;
    /* ap_proxy_http_process_response's own marker for a failed header
     * read (AH01106): a status line without a code. */
    o->header_failed = r->status_line
                       && strcmp(r->status_line, "bad gateway") == 0;
    o->proxy_error = gwg_proxy_error_of(apr_table_get(r->notes,
                                                      "error-notes"));
    if (st->attempts->nelts > 0) {
        o->attempt = APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                                   gwguard_attempt).sig;
        if (o->scheme == GWG_SCHEME_UWSGI) {
            o->body_short = body_short(r, status);
        }
    }
}
