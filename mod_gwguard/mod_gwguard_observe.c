/*
 * What httpd shows about a finished proxied request, extracted into the
 * core's plain gwg_observation. Only state is read (handler result,
 * r->status, notes, the connection, what the backend filter and the
 * scheme handler recorded for each attempt), never log text, so the class
 * cannot depend on LogLevel.
 */
#include <dlfcn.h>
#include <stddef.h>

#include "httpd.h"
#include "http_config.h"
#include "http_request.h"
#include "apr_strings.h"
#include "mod_proxy.h"

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

/* ProxyErrorOverride as httpd decides it: ap_proxy_should_override on
 * mod_proxy's per-directory config. mod_proxy's symbols are looked up,
 * not linked (mod_gwguard_proxy.c says why), once per process; the
 * release store orders the pointers before the flag. */
typedef int (*should_override_fn)(proxy_dir_conf *conf, int code);

static int proxy_overrides(request_rec *r, int code)
{
    static module *proxy_mod;
    static should_override_fn should;
    static int looked;
    proxy_dir_conf *dc;

    if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
        proxy_mod = (module *)dlsym(RTLD_DEFAULT, "proxy_module");
        should = (should_override_fn)dlsym(RTLD_DEFAULT,
                                           "ap_proxy_should_override");
        __atomic_store_n(&looked, 1, __ATOMIC_RELEASE);
    }
    if (!proxy_mod || !should) {
        return 0;
    }
    dc = ap_get_module_config(r->per_dir_config, proxy_mod);
    return dc && should(dc, code);
}

/* mod_proxy_fcgi and mod_proxy_uwsgi honour ProxyErrorOverride without
 * note "proxy-error-override", so without this the upstream's 5xx they
 * caught would not count for the breaker as mod_proxy_http's does.
 * fcgi (dispatch) runs ap_die on the script's status itself and returns
 * OK, r->status that 5xx. uwsgi (uwsgi_response) returns the status
 * after putting r->status back to 200 without a status line, once the
 * head parsed: bytes read and headers kept tell it from its own 500/502
 * for a head it could not read. */
static int override_unnoted(request_rec *r, const gwg_observation *o,
                            int status)
{
    int code = 0;

    if (o->scheme == GWG_SCHEME_FCGI && status == OK
        && ap_is_initial_req(r)) {
        code = r->status;
    }
    else if (o->scheme == GWG_SCHEME_UWSGI && r->status == HTTP_OK
             && !r->status_line && o->bytes_read > 0
             && !apr_is_empty_table(r->headers_out)) {
        code = status;
    }
    return code >= 500 && code <= 599 && proxy_overrides(r, code);
}

void gwguard_observe(gwg_observation *o, request_rec *r, int status,
                     const gwguard_req *st)
{
    /* the signals are the last attempt's, copied whole below: only the
     * rest zeroed (an inline memset stores 8 bytes an instruction) */
    memset(o, 0, offsetof(gwg_observation, attempt));
    o->handler_status = status;
    o->response_status = r->status;
    o->attempts = st->attempts->nelts;
    o->final_attempt = 1;
    o->client_aborted = r->connection->aborted;
    o->eos_sent = r->eos_sent;
    o->committed = r->sent_bodyct;
    /* ap_proxy_http_process_response's own marker for a failed header
     * read (AH01106): a status line without a code. */
    o->header_failed = r->status_line
                       && strcmp(r->status_line, "bad gateway") == 0;
    if (st->attempts->nelts > 0) {
        o->attempt = APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                                   gwguard_attempt).sig;
        /* mod_proxy_scgi drops the backend's Content-Length unless
         * ap_trust_cgilike_cl is set; then it is there to compare. */
        if (o->scheme == GWG_SCHEME_UWSGI || o->scheme == GWG_SCHEME_SCGI) {
            o->body_short = body_short(r, status);
        }
        if (!o->error_override) {
            o->error_override = override_unnoted(r, o, status);
        }
    }
    else {
        memset(&o->attempt, 0, sizeof(o->attempt));
    }
    if (!gwg_classify_reads_notes(o)) {
        return;                 /* a plain success: no table lookups */
    }
    o->error_override = o->error_override
                        || apr_table_get(r->notes, "proxy-error-override");
    o->timed_out = apr_table_get(r->notes, "proxy_timedout") != NULL;
    o->status_parsed = apr_table_get(r->notes, "proxy-status") != NULL;
    o->proxy_error = gwg_proxy_error_of(apr_table_get(r->notes,
                                                      "error-notes"));
}
