/*
 * The classification table. Each row: a predicate over the observation,
 * the class it gives, and the httpd code path it relies on (see
 * docs/classes.md). Order matters: the first row that matches decides.
 */
#include <stddef.h>

#include "gwg_classify.h"

typedef int (*gwg_rule_fn)(const gwg_observation *o);

typedef struct {
    const char *name;
    gwg_rule_fn match;
    gwg_class_t cls;
    const char *httpd_path;
} gwg_rule;

static int refused_by_breaker(const gwg_observation *o)
{
    /* Our REALLY_FIRST scheme handler returned 503 without connecting
     * (mod_gwguard_breaker.c); proxy_handler may then have failed over. */
    return o->breaker_refused;
}

static int earlier_attempt(const gwg_observation *o)
{
    /* proxy_handler retries only after a 503 from the scheme handler
     * (mod_proxy.c, the do/while loop): the attempt could not connect. */
    return !o->final_attempt;
}

static int aborted(const gwg_observation *o)
{
    /* Client went away while the response streamed: handler returns OK
     * or DONE with c->aborted set (mod_proxy_http, ap_proxy_pass_brigade). */
    return o->client_aborted
           && (o->handler_status == GWG_HANDLER_OK
               || o->handler_status == GWG_HANDLER_DONE);
}

static int upstream_sent_5xx(const gwg_observation *o)
{
    /* The upstream's own 5xx: streamed (OK, r->status 5xx) or caught by
     * ProxyErrorOverride (handler returns the code, note set). */
    if (o->handler_status == GWG_HANDLER_OK) {
        return o->response_status >= 500 && o->response_status <= 599;
    }
    return o->error_override && o->handler_status >= 500
           && o->handler_status <= 599;
}

static int succeeded(const gwg_observation *o)
{
    return o->handler_status == GWG_HANDLER_OK;
}

static int no_attempt(const gwg_observation *o)
{
    /* pre_request found no usable member (mod_proxy_balancer AH01170,
     * AH01171): 503 with no scheme-handler call. */
    return o->attempts == 0 && o->handler_status == 503;
}

static int connect_failed(const gwg_observation *o)
{
    /* ap_proxy_connect_backend failed (AH00957): 503 after an attempt. */
    return o->attempts > 0 && o->handler_status == 503;
}

static int any(const gwg_observation *o)
{
    (void)o;
    return 1;
}

static const gwg_rule rules[] = {
    { "circuit_open", refused_by_breaker, GWG_CLASS_CIRCUIT_OPEN,
      "gwguard scheme handler: breaker open, 503 before connecting" },
    { "failover", earlier_attempt, GWG_CLASS_CONNECT_REFUSED,
      "mod_proxy.c proxy_handler: retry after 503" },
    { "client_abort", aborted, GWG_CLASS_CLIENT_ABORT,
      "proxy_http: c->aborted while streaming" },
    { "upstream_5xx", upstream_sent_5xx, GWG_CLASS_UPSTREAM_5XX,
      "proxy_http: upstream status 5xx, or ProxyErrorOverride" },
    { "success", succeeded, GWG_CLASS_NONE,
      "proxy_handler returned OK" },
    { "no_member", no_attempt, GWG_CLASS_UNAVAILABLE,
      "proxy_balancer pre_request: no usable worker" },
    { "connect", connect_failed, GWG_CLASS_CONNECT_REFUSED,
      "proxy_util.c ap_proxy_connect_backend: 503" },
    { "other", any, GWG_CLASS_OTHER, "anything else" },
};

void gwg_classify(gwg_verdict *v, const gwg_observation *o)
{
    size_t i;

    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (rules[i].match(o)) {
            v->cls = rules[i].cls;
            v->rule = rules[i].name;
            return;
        }
    }
    v->cls = GWG_CLASS_OTHER;
    v->rule = "none";
}
