/*
 * The glue around the classifier: what each attempt starts with (worker
 * state, connect timeout, the thread's current request) and ends with,
 * the balancer that had no member to try, and the status correction of
 * docs/classes.md (GwGuardStatusCode). The verdicts are the core's
 * (gwg_classify.c, gwg_attempt.c).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "mod_proxy.h"

#include "gwg_attempt.h"
#include "mod_gwguard_req.h"
#include "mod_gwguard_statuscode.h"
#include "mod_gwguard_verdict.h"
#include "mod_gwguard_wcache.h"

APLOG_USE_MODULE(gwguard);

/* Whether ap_proxy_acquire_connection will refuse the worker (AH00940):
 * not usable, and ap_proxy_retry_worker will not clear it (only
 * IN_ERROR is cleared, once ignore-errors is set or retry is due). */
static int worker_will_refuse(const proxy_worker *w, apr_time_t now)
{
    apr_uint32_t st = w->s->status;

    if (PROXY_WORKER_IS_USABLE(w)) {
        return 0;
    }
    if ((st & PROXY_WORKER_NOT_USABLE_BITMAP) != PROXY_WORKER_IN_ERROR
        || !(st & PROXY_WORKER_INITIALIZED)) {
        return 1;
    }
    return !((st & PROXY_WORKER_IGNORE_ERRORS)
             || now > w->s->error_time + w->s->retry);
}

/* The connect timeout ap_proxy_connect_backend applies. */
static apr_interval_time_t connect_timeout(const proxy_worker *w,
                                           const proxy_server_conf *conf,
                                           const server_rec *s)
{
    if (w->s->conn_timeout_set) {
        return w->s->conn_timeout;
    }
    if (w->s->timeout_set) {
        return w->s->timeout;
    }
    return conf && conf->timeout_set ? conf->timeout : s->timeout;
}

/* Whether this process's connection pool for the worker has every one of
 * its max= connections out, so that acquiring one waits and may fail
 * (AH00941). Only a worker with acquire= can fail so (without it the wait
 * has no end), and only for it do we read the count, which takes the
 * reslist's mutex: the same one mod_proxy takes on its next line. */
static int pool_exhausted(const proxy_worker *w)
{
    return w->s->hmax > 0 && w->s->acquire_set && w->cp && w->cp->res
           && apr_reslist_acquired_count(w->cp->res)
              >= (apr_uint32_t)w->s->hmax;
}

/* The timeout ap_proxy_connect_backend gives the backend socket, which
 * every read and poll of the exchange then waits at most. */
static apr_interval_time_t io_timeout(const proxy_worker *w,
                                      const proxy_server_conf *conf,
                                      const server_rec *s)
{
    if (w->s->timeout_set) {
        return w->s->timeout;
    }
    return conf && conf->timeout_set ? conf->timeout : s->timeout;
}

/* The handler a worker URL ("fcgi://...") goes to. */
static int scheme_of_url(const char *url)
{
    const char *colon = url ? strchr(url, ':') : NULL;

    return colon ? gwg_scheme_of(url, (size_t)(colon - url))
                 : GWG_SCHEME_OTHER;
}

static int is_cgi_like(int scheme)
{
    return scheme == GWG_SCHEME_FCGI || scheme == GWG_SCHEME_SCGI
           || scheme == GWG_SCHEME_UWSGI;
}

/* mod_proxy_fcgi, _scgi and _uwsgi run ap_add_cgi_vars only after they
 * connected (fcgi: after BEGIN_REQUEST was written), and they have no
 * backend conn_rec for our filter (fcgi, scgi): GATEWAY_INTERFACE in
 * subprocess_env is the state that says the attempt got that far. It is
 * removed when such an attempt starts, so an earlier attempt's does not
 * count, and looked at when it ends. */
static void cgi_vars_start(request_rec *r, gwguard_attempt *a)
{
    if (is_cgi_like(a->sig.scheme)) {
        apr_table_unset(r->subprocess_env, "GATEWAY_INTERFACE");
    }
}

static void attempt_end(request_rec *r, gwguard_attempt *a, apr_time_t at)
{
    if (is_cgi_like(a->sig.scheme)) {
        a->sig.cgi_vars = apr_table_get(r->subprocess_env,
                                        "GATEWAY_INTERFACE") != NULL;
    }
    gwg_attempt_end(&a->sig, at);
}

void gwguard_attempt_begin(request_rec *r, gwguard_req *st,
                           gwguard_attempt *a, const gwguard_wentry *e,
                           proxy_worker *worker, proxy_server_conf *conf,
                           const char *url)
{
    static apr_uint64_t seq;
    int n = st->attempts->nelts;

    a->seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
    if (n > 1) {
        attempt_end(r, &APR_ARRAY_IDX(st->attempts, n - 2, gwguard_attempt),
                    a->sig.start_us);
    }
    if (worker) {
        a->sig.worker_unusable = worker_will_refuse(worker,
                                                    a->sig.start_us);
        a->sig.connect_timeout_us = connect_timeout(worker, conf,
                                                    r->server);
        a->sig.io_timeout_us = io_timeout(worker, conf, r->server);
        a->sig.pool_exhausted = pool_exhausted(worker);
    }
    /* Only an HTTP/1 exchange must start with "HTTP/"; AJP, FastCGI,
     * h2 and the others speak their own protocols on the connection. A
     * declared worker's URL has the worker's scheme: its table says. */
    if (e) {
        a->sig.scheme = (gwg_scheme)e->scheme;
        a->check_http = e->check_http;
    }
    else {
        a->sig.scheme = scheme_of_url(url);
        a->check_http = url && (strncasecmp(url, "http://", 7) == 0
                                || strncasecmp(url, "https://", 8) == 0
                                || strncasecmp(url, "ws://", 5) == 0
                                || strncasecmp(url, "wss://", 6) == 0);
    }
    cgi_vars_start(r, a);
    gwguard_current_set(r, st);
}

void gwguard_attempts_done(request_rec *r, gwguard_req *st)
{
    if (st->attempts->nelts > 0) {
        attempt_end(r, &APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                                      gwguard_attempt), apr_time_now());
    }
    st->in_proxy = 0;
    gwguard_current_clear(r);
}

/* "proxy:balancer://name/path" → "balancer://name", or NULL. */
static const char *balancer_key(request_rec *r)
{
    const char *url = r->filename, *host, *end;

    if (!gwguard_proxy_prefix(url)) {
        return NULL;
    }
    url += 6;
    if (strncasecmp(url, "balancer://", 11) != 0) {
        return NULL;
    }
    host = url + 11;
    end = host + strcspn(host, "/?#");
    if (end == host || end - url >= GWG_KEY_MAX) {
        return NULL;
    }
    return apr_pstrndup(r->pool, url, end - url);
}

/* A request that never reached a worker (no usable balancer member, 503
 * from pre_request) is counted against the balancer itself: there is no
 * member to blame, and the balancer is what the admin configured. */
void gwguard_no_attempt(request_rec *r, gwguard_req *st)
{
    const char *key = balancer_key(r);
    gwguard_attempt *a;
    int overflow_first = 0;

    if (!key || st->attempts->nelts > 0) {
        return;
    }
    a = apr_array_push(st->attempts);
    memset(a, 0, sizeof(*a));
    a->sig.start_us = apr_time_now();
    gwg_attempt_end(&a->sig, a->sig.start_us);
    a->slot = GWGUARD_NO_SLOT;
    a->key = key;
    if (gwguard_segment.ok) {
        a->slot = gwg_shm_slot_for(&gwguard_segment.shm, a->key, "", key,
                                   &overflow_first);
    }
}

/* docs/classes.md's corrections of mod_proxy's statuses (DNS and TLS 502,
 * header timeout 504) and the admin's GwGuardStatusCode, on the final answer
 * only: the failover loop is over when request_status runs. */
void gwguard_correct_status(request_rec *r, gwguard_req *st, int *status)
{
    int want;

    if (st->cls == GWG_CLASS_NONE) {
        return;
    }
    want = gwg_answer_status(st->cls, *status, gwguard_status_code(r,
                                                                   st->cls));
    if (want != *status) {
        *status = want;
        /* ap_proxyerror's "500 Proxy Error" would no longer match. */
        r->status_line = NULL;
    }
    if (*status >= 500 && *status <= 599) {
        st->status = *status;
    }
}
