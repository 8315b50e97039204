/*
 * The breaker's answer decided in fixups (docs/breaker.md, "Deciding in
 * fixups"). For a request mod_proxy would serve with a declared plain
 * worker whose breaker is not closed, the attempt begins before mod_proxy
 * canonicalises the URL, inserts filters and runs its handler; a refusal
 * is answered right there by request_status's pipeline (counting, log,
 * ring, page) and the request ends (DONE). An admitted trial, and every
 * other request, goes on to mod_proxy as before; mod_gwguard_proxy.c's
 * pre_request hands mod_proxy the worker the trial was begun on.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_lib.h"
#include "apr_strings.h"
#include "mod_proxy.h"

#include "gwg_classify.h"
#include "mod_gwguard.h"
#include "mod_gwguard_breaker.h"
#include "mod_gwguard_config.h"
#include "mod_gwguard_early.h"
#include "mod_gwguard_proxy.h"
#include "mod_gwguard_req.h"
#include "mod_gwguard_wcache.h"

/* What canon_accepts stops at: 1 the end, 2 a '%', 3 a byte every
 * canonicaliser refuses (a control character, a space, DEL). */
static const unsigned char canon_stop[256] = {
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,     /* 0x00-0x0f */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,     /* 0x10-0x1f */
    3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* ' ', '%' */
    [0x7f] = 3,
};

/* Whether s passes every canonicaliser of mod_proxy's modules (http, ws,
 * fcgi, scgi, uwsgi, ajp, h2): they answer 400 for a '%' not followed by
 * two hex digits (where they decode) and 403 for a control character or
 * a space in a raw path or the query. A URL with either goes the
 * ordinary way and gets their answer, as with the breaker closed. One
 * table load per byte. */
static int canon_accepts(const char *s)
{
    for (;; s++) {
        unsigned char stop;

        while (!(stop = canon_stop[(unsigned char)*s])) {
            s++;
        }
        if (stop != 2) {
            return stop == 1;
        }
        if (!(apr_isxdigit(s[1]) && apr_isxdigit(s[2]))) {
            return 0;
        }
    }
}

/* A request proxy_handler would serve for a plain worker, and go straight
 * to ap_proxy_pre_request with: reverse-proxied, its handler not
 * overridden, not a TRACE (proxy_handler answers some itself; so it does
 * with Max-Forwards, looked at once the breaker is known not closed), not
 * a subrequest, not through a balancer. */
static int candidate(request_rec *r)
{
    return r->proxyreq == PROXYREQ_REVERSE && !r->main
           && gwguard_proxy_prefix(r->filename) && r->handler
           && strcmp(r->handler, "proxy-server") == 0
           && r->method_number != M_TRACE
           && !gwguard_balancer_url(r->filename + 6)
           && gwguard_segment.ok && gwguard_enabled(r);
}

static int gwguard_early_fixup(request_rec *r)
{
    const char *url;
    proxy_server_conf *conf;
    gwguard_wentry *e;
    proxy_worker *w;
    int rc;

    if (!gwguard_breakers_on()) {
        return DECLINED;
    }
    gwguard_proxy_early_forget();   /* an earlier request's, maybe */
    if (!candidate(r)) {
        return DECLINED;
    }
    url = r->filename + 6;
    w = gwguard_proxy_early_worker(r, url, &conf, &e);
    if (!w || !e || conf->domain || e->scheme == GWG_SCHEME_OTHER
        || apr_table_get(r->headers_in, "Max-Forwards")
        || !canon_accepts(url) || (r->args && !canon_accepts(r->args))) {
        return DECLINED;            /* closed, or mod_proxy's to decide */
    }
    rc = gwguard_proxy_early_begin(r, w, e, conf, url);
    if (rc == DECLINED) {
        return DECLINED;            /* admitted: on to mod_proxy */
    }
    return gwguard_proxy_early_answer(r, rc);   /* DONE: ap_die finishes */
}

void gwguard_early_register_hooks(void)
{
    /* after mod_rewrite's per-directory rules (they may change the
     * target), before mod_proxy canonicalises the URL */
    static const char *const pre[] = { "mod_rewrite.c", NULL };
    static const char *const succ[] = { "mod_proxy.c", NULL };

    ap_hook_fixups(gwguard_early_fixup, pre, succ, APR_HOOK_FIRST);
}
