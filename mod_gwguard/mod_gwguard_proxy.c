/*
 * mod_proxy hooks. A scheme handler that runs before every other one and
 * declines records each attempt with the worker mod_proxy really chose;
 * request_status, which runs once when proxy_handler is done, turns what
 * httpd shows into an observation, lets the core classify it, counts every
 * attempt, sets the GWGUARD_* variables and logs.
 */
#include <dlfcn.h>

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"
#include "apr_optional_hooks.h"
#include "mod_proxy.h"

#include "gwg_attempt.h"
#include "gwg_time.h"
#include "mod_gwguard.h"
#include "mod_gwguard_backend.h"
#include "mod_gwguard_breaker.h"
#include "mod_gwguard_config.h"
#include "mod_gwguard_errlog.h"
#include "mod_gwguard_observe.h"
#include "mod_gwguard_page.h"
#include "mod_gwguard_proxy.h"
#include "mod_gwguard_recent.h"
#include "mod_gwguard_req.h"
#include "mod_gwguard_upstream.h"
#include "mod_gwguard_verdict.h"
#include "mod_gwguard_maint.h"
#include "mod_gwguard_wcache.h"

APLOG_USE_MODULE(gwguard);

/* One line per upstream event, prefixed alike so grep finds them all. */
#define GWG_UP_FMT "upstream=%s class=%s code=%s"

/* Finds or claims the attempt's slot; logs once when the table is full. */
static void claim_slot(request_rec *r, gwguard_attempt *a,
                       proxy_worker *worker, int dynamic)
{
    const char *wname = worker ? worker->s->name_ex : "";
    int overflow_first;

    if (strcmp(a->key, GWG_OVERFLOW_KEY) == 0) {
        a->slot = gwg_shm_overflow_slot(&gwguard_segment.shm);
        return;
    }
    a->slot = dynamic
        ? gwg_shm_slot_for_dynamic(&gwguard_segment.shm, a->key, wname,
                                   &overflow_first)
        : gwg_shm_slot_for(&gwguard_segment.shm, a->key, wname,
                           apr_table_get(r->subprocess_env, "BALANCER_NAME"),
                           &overflow_first);
    if (overflow_first) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "GWG00009: %s; %s "
                      "and any further upstreams are counted together as "
                      GWG_OVERFLOW_KEY " (raise GwGuardMaxUpstreams)",
                      dynamic ? apr_psprintf(r->pool, "the %u upstream slots "
                                             "for targets taken from request "
                                             "URLs are taken",
                                             gwg_shm_dynamic_budget(
                                                 &gwguard_segment.shm))
                              : apr_psprintf(r->pool, "all %u upstream slots "
                                             "are taken",
                                             gwguard_segment.shm.hdr
                                                 ->slot_count),
                      a->key);
    }
}

/* The attempt's key and slot: a declared worker's from the child's table
 * (the slot looked up once per child), any other's built from the request
 * and looked up per attempt. */
static __attribute__((noinline)) void key_built(request_rec *r,
                                                gwguard_attempt *a,
                                                proxy_worker *worker,
                                                proxy_server_conf *conf,
                                                const char *url);

static void key_and_slot(request_rec *r, gwguard_attempt *a,
                         gwguard_wentry *e, proxy_worker *worker,
                         proxy_server_conf *conf, const char *url)
{
    uint32_t v;

    a->entry = e;
    if (!e) {
        key_built(r, a, worker, conf, url);
        return;
    }
    a->key = e->key;
    if (!gwguard_segment.ok) {
        return;
    }
    if ((v = gwguard_wcache_slot(e, 0)) != 0) {
        a->slot = v - 1;
        return;
    }
    claim_slot(r, a, worker, 0);
    gwguard_wcache_set_slot(e, a->slot);
}

/* A worker without an entry in the child's table: the key built from
 * the request and the slot looked up per attempt. Out of line, so that
 * a declared worker's attempt pays no frame for it. */
static void key_built(request_rec *r, gwguard_attempt *a,
                      proxy_worker *worker, proxy_server_conf *conf,
                      const char *url)
{
    char *buf;
    int dynamic;

    buf = apr_palloc(r->pool, GWG_KEY_MAX);
    a->key = gwguard_upstream_key(buf, GWG_KEY_MAX, r, worker, conf, url,
                                  &dynamic) < 0 ? GWG_OVERFLOW_KEY : buf;
    if (gwguard_segment.ok) {
        claim_slot(r, a, worker, dynamic);
    }
}

/* An attempt on worker (e its entry in the child's table, NULL none)
 * begins: its record, key and slot, and the breaker's say (DECLINED: go
 * on; HTTP_SERVICE_UNAVAILABLE: refused). */
static int begin_attempt(request_rec *r, gwguard_req *st,
                         proxy_worker *worker, gwguard_wentry *e,
                         proxy_server_conf *conf, const char *url)
{
    gwguard_attempt *a;
    int rv;

    st->proxy_conf = conf;
    /* the first attempt has its room in st, zeroed with it: no call */
    if (st->attempts->nelts == 0 && st->attempts->elts == (char *)&st->first) {
        a = &st->first;
        st->attempts->nelts = 1;
    }
    else {
        a = apr_array_push(st->attempts);
        gwguard_zero(a, sizeof(*a));
    }
    a->sig.start_us = apr_time_now();
    a->slot = GWGUARD_NO_SLOT;
    gwguard_attempt_begin(r, st, a, e, worker, conf, url);
    key_and_slot(r, a, e, worker, conf, url);
    if (a->slot == GWGUARD_NO_SLOT
        || a->slot == gwg_shm_overflow_slot(&gwguard_segment.shm)) {
        return DECLINED;
    }
    if ((rv = gwguard_maint_admit(r, st, a)) != DECLINED) {
        return rv;                  /* in maintenance: before the breaker */
    }
    return gwguard_breaker_admit(r, st, a);
}

static int gwguard_scheme_handler(request_rec *r, proxy_worker *worker,
                                  proxy_server_conf *conf, char *url,
                                  const char *proxyhost,
                                  apr_port_t proxyport)
{
    gwguard_req *st;
    int rc = DECLINED;

    (void)proxyhost; (void)proxyport;
    if (!gwguard_enabled(r)) {
        return DECLINED;
    }
    st = gwguard_req_get(r, 1);
    if (st->prepared && st->prepared == worker) {
        st->prepared = NULL;        /* begun and admitted in pre_request */
    }
    else {
        rc = begin_attempt(r, st, worker, gwguard_wcache_get(worker), conf,
                           url);
    }
    if (rc == DECLINED) {           /* the attempt goes on */
        gwguard_backend_attempt_filters(
            r, st, APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                                 gwguard_attempt).sig.scheme);
    }
    return rc;
}

/* Deciding before mod_proxy's worker machinery (docs/breaker.md, "Plain
 * workers"): for a URL that is no balancer's, this finds the worker as
 * ap_proxy_pre_request would (which then skips its own lookup) and, when
 * the worker's breaker is not closed, begins the attempt now, so that a
 * refusal ends the request before any scheme handler runs. Balancer
 * members are decided in the scheme handler, once chosen. */
typedef proxy_worker *(*get_worker_fn)(apr_pool_t *p, proxy_balancer *b,
                                       proxy_server_conf *conf,
                                       const char *url, unsigned int mask);
static get_worker_fn get_worker;

/* The declared worker for url, found as ap_proxy_pre_request would (NULL
 * when it is none; the child's table answers first, mod_proxy's lookup
 * when it cannot tell), and *e its table entry when its breaker is not
 * closed (one load in the worker's slot), else NULL. */
static proxy_worker *worker_for(request_rec *r, proxy_server_conf *conf,
                                const char *url, gwguard_wentry **e)
{
    proxy_worker *w;
    uint32_t v;

    if (!gwguard_wcache_worker(conf, url, &w, e)) {
        w = get_worker(r->pool, NULL, conf, url, AP_PROXY_WORKER_NO_UDS);
        *e = w ? gwguard_wcache_get(w) : NULL;
    }
    if (*e && (!(v = gwguard_wcache_slot(*e, 1))
               || !gwguard_breaker_not_closed(v - 1))) {
        *e = NULL;
    }
    return w;
}

/* What the fixups hook found for its request, which pre_request takes
 * when mod_proxy's URL is still the same string (same input, same
 * worker) instead of looking twice; a breaker that opens in between is
 * the scheme handler's to see, as before. Per thread (a request's fixups
 * and handler run on one), forgotten by every fixups call and once used. */
static AP_THREAD_LOCAL struct {
    const request_rec *r;
    const proxy_server_conf *conf;
    const char *url;
    proxy_worker *w;
    gwguard_wentry *e;
} looked GWGUARD_TLS_IE;            /* 40 bytes of static TLS */

void gwguard_proxy_early_forget(void)
{
    looked.r = NULL;
}

static proxy_worker *worker_again(request_rec *r, proxy_server_conf *conf,
                                  const char *url, gwguard_wentry **e)
{
    if (looked.r == r && looked.conf == conf
        && strcmp(looked.url, url) == 0) {
        looked.r = NULL;
        *e = looked.e;
        return looked.w;
    }
    return worker_for(r, conf, url, e);
}

/* Begins the attempt on w (e its entry) now: DECLINED when admitted
 * (the scheme handler goes on with it), else the refusal. */
static int begin_early(request_rec *r, gwguard_req *st, proxy_worker *w,
                       gwguard_wentry *e, proxy_server_conf *conf,
                       const char *url)
{
    int rc = begin_attempt(r, st, w, e, conf, url);

    if (rc == DECLINED) {
        st->prepared = w;
    }
    return rc;
}

static int gwguard_pre_request(proxy_worker **worker,
                               proxy_balancer **balancer, request_rec *r,
                               proxy_server_conf *conf, char **url)
{
    gwguard_wentry *e;
    gwguard_req *st;
    proxy_worker *w;
    int rc;

    if (*worker || *balancer || !*url || gwguard_balancer_url(*url)
        || !gwguard_enabled(r)) {
        return DECLINED;
    }
    if (!gwguard_breakers_on() || !gwguard_segment.ok) {
        /* No breaker to consult: only the worker, found in the child's
         * table as mod_proxy's lookup would find it, which then does not
         * run (the table costs about a quarter as much). What the table
         * cannot tell is mod_proxy's to find, as before. */
        if (!gwguard_wcache_worker(conf, *url, &w, &e)) {
            return DECLINED;
        }
        ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, "%s: found worker %s "
                      "for %s (the child's table)", w->s->scheme,
                      w->s->name_ex, *url);
        *worker = w;
        return OK;
    }
    if ((st = gwguard_req_get(r, 0)) && st->prepared) {
        *worker = (proxy_worker *)st->prepared;     /* begun in fixups */
        return OK;
    }
    if (!(w = worker_again(r, conf, *url, &e))) {
        return DECLINED;
    }
    *worker = w;
    if (e && (rc = begin_early(r, gwguard_req_get(r, 1), w, e, conf,
                               *url)) != DECLINED) {
        return rc;                  /* refused: no scheme handler runs */
    }
    return OK;
}

/* --- the breaker's answer decided in fixups (mod_gwguard_early.c) --- */

static module *proxy_mod;          /* mod_proxy's record, found by dlsym */

proxy_worker *gwguard_proxy_early_worker(request_rec *r, const char *url,
                                         proxy_server_conf **conf,
                                         gwguard_wentry **e)
{
    *e = NULL;
    if (!proxy_mod || !get_worker) {
        return NULL;                /* mod_proxy is not loaded */
    }
    *conf = ap_get_module_config(r->server->module_config, proxy_mod);
    looked.w = worker_for(r, *conf, url, e);
    looked.e = *e;
    looked.r = r;
    looked.conf = *conf;
    looked.url = url;
    return looked.w;
}

/* A refusal here is answered at once (gwguard_proxy_early_answer, whose
 * request_status clears the current request): the current request's
 * pool cleanup is registered only when the attempt goes on. */
int gwguard_proxy_early_begin(request_rec *r, proxy_worker *w,
                              gwguard_wentry *e, proxy_server_conf *conf,
                              const char *url)
{
    gwguard_req *st = gwguard_req_get(r, 1);
    int registered = st->current_cleanup, rc;

    st->current_cleanup = 1;        /* as if registered: none made */
    rc = begin_early(r, st, w, e, conf, url);
    st->current_cleanup = registered;
    if (rc == DECLINED) {
        gwguard_current_set(r, st);     /* admitted: now with its cleanup */
    }
    return rc;
}

/* The status the client gets for a failure httpd answers itself, 0 when
 * the response was already committed or is the upstream's own. */
static int answered_status(const gwg_observation *o)
{
    if (o->handler_status >= 500 && o->handler_status <= 599) {
        return o->handler_status;
    }
    return 0;
}

static void log_transition(request_rec *r, const gwguard_attempt *a,
                           const gwg_transition *t, gwg_class_t cls)
{
    if (t->started_failing) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "GWG00007: upstream "
                      "starts failing: " GWG_UP_FMT, a->key,
                      gwg_class_get(cls)->name, gwg_class_get(cls)->code);
    }
    if (t->recovered) {
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "GWG00008: upstream "
                      "recovered: upstream=%s after %" APR_UINT64_T_FMT
                      " failures in %.1fs", a->key,
                      (apr_uint64_t)t->streak_failures,
                      (double)t->streak_us / 1e6);
    }
}

/* The verdict on every attempt (gwg_attempt_verdict): the earlier ones
 * of a failover from their own signals, the last one the request's. */
static void judge_attempts(gwguard_req *st)
{
    gwguard_attempt *attempts = (gwguard_attempt *)st->attempts->elts;
    int i, n = st->attempts->nelts;
    gwg_verdict request;

    request.cls = st->cls;
    request.rule = st->rule;
    for (i = 0; i < n; i++) {
        gwg_verdict v;

        gwg_attempt_verdict(&v, &request, &attempts[i].sig, i, n);
        attempts[i].cls = v.cls;
        attempts[i].rule = v.rule;
    }
}

/* Counts one attempt (a slot's) with the answer's status (0 for an
 * attempt failed over), at now; overridden: the upstream's own 5xx was
 * replaced (ProxyErrorOverride, GwGuardIntercept). */
static void count_one(request_rec *r, const gwguard_attempt *a, int status,
                      uint64_t now, int overridden)
{
    gwg_outcome outcome;
    gwg_transition t;

    outcome.cls = (gwg_class_t)a->cls;
    outcome.status = status;
    outcome.now = now;
    outcome.ttfb_us = a->sig.first_byte_us
                      ? a->sig.first_byte_us - a->sig.start_us : -1;
    gwg_shm_record(&gwguard_segment.shm, a->slot, &outcome, &t);
    if (t.started_failing || t.recovered) {
        log_transition(r, a, &t, outcome.cls);
    }
    gwguard_breaker_record(r, a, outcome.cls, overridden);
}

/* Counts every attempt under its own upstream. */
static void count_attempts(request_rec *r, gwguard_req *st, int overridden)
{
    gwguard_attempt *attempts = (gwguard_attempt *)st->attempts->elts;
    int i, n = st->attempts->nelts;
    /* the last attempt ended a moment ago (gwguard_attempts_done) */
    uint64_t now = n > 0 && attempts[n - 1].sig.end_us > 0
                   ? (uint64_t)attempts[n - 1].sig.end_us : gwg_now_us();

    for (i = 0; i < n; i++) {
        if (attempts[i].slot != GWGUARD_NO_SLOT) {
            count_one(r, &attempts[i], i != n - 1 ? 0
                      : st->intercepted ? r->status : st->status, now,
                      overridden || st->intercepted);
        }
    }
}

/* One line per attempt that failed and was failed over (the request's own
 * verdict gets GWG00006), and its entry in the recent ring. */
static void note_failovers(request_rec *r, const gwguard_req *st)
{
    const gwguard_attempt *attempts = (const gwguard_attempt *)
                                      st->attempts->elts;
    int i, n = st->attempts->nelts;

    for (i = 0; i < n - 1; i++) {
        const gwg_class_info *info = gwg_class_get(
            (gwg_class_t)attempts[i].cls);

        if (!info || attempts[i].cls == GWG_CLASS_MAINTENANCE) {
            continue;          /* it did not fail (GWG00700 said why) */
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00100: upstream "
                      "failure, failed over: " GWG_UP_FMT " attempt=%d/%d "
                      "request_id=%s rule=%s%s", attempts[i].key, info->name,
                      info->code, i + 1, n, gwguard_request_id(r, st),
                      attempts[i].rule, gwguard_detail(r, &attempts[i]));
        gwguard_recent_note_attempt(r, st, i);
    }
}

/* Whether t holds a GWGUARD_* key already (set by an earlier pass, or
 * by anyone). APR's tables tell keys apart by their first four bytes
 * before comparing strings, and ours all start "GWGU": setting the second
 * and third would each compare strings with the ones before. */
static int has_ours(const apr_table_t *t)
{
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (e[i].key && (e[i].key[0] | 0x20) == 'g'
            && strncasecmp(e[i].key, "GWGUARD_", 8) == 0) {
            return 1;
        }
    }
    return 0;
}

/* GWGUARD_* for LogFormat and ErrorDocument, and the one info line. */
static void annotate(request_rec *r, const gwguard_req *st)
{
    const gwguard_attempt *last = NULL;
    const gwg_class_info *info;
    const gwg_local_fault_info *lf;
    /* none there yet (the usual case): adding is what setting would do */
    void (*put)(apr_table_t *, const char *, const char *) =
        has_ours(r->subprocess_env) ? apr_table_setn : apr_table_addn;

    if (st->attempts->nelts > 0) {
        last = &APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                              gwguard_attempt);
        /* the key outlives the request (child table or r->pool) */
        put(r->subprocess_env, "GWGUARD_UPSTREAM", last->key);
    }
    if (st->cls == GWG_CLASS_NONE) {
        return;
    }
    info = gwg_class_get(st->cls);
    put(r->subprocess_env, "GWGUARD_CLASS", info->name);
    put(r->subprocess_env, "GWGUARD_CODE", info->code);
    if (st->cls == GWG_CLASS_MAINTENANCE) {
        return;                     /* not a failure: GWG00700 */
    }
    lf = st->local_fault    /* none (the usual): no table walk */
         ? gwg_local_fault_get((gwg_local_fault)st->local_fault) : NULL;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00006: upstream "
                  "failure: " GWG_UP_FMT " status=%d request_id=%s rule=%s"
                  "%s%s%s%s", last ? last->key : "-", info->name, info->code,
                  st->status ? st->status : r->status,
                  gwguard_request_id(r, st),
                  st->rule, lf ? " local=" : "", lf ? lf->name : "",
                  st->attempts->nelts > 1
                      ? apr_psprintf(r->pool, " attempts=%d",
                                     st->attempts->nelts) : "",
                  gwguard_detail(r, last));
}

/* Whether the request is a plain success (gwg_plain_success) of one
 * attempt, decided without an observation or r->notes. */
static int plain_success(const request_rec *r, const gwguard_req *st,
                         int status)
{
    return st->attempts->nelts == 1 && !st->head_broke_held
           && gwg_plain_success(status, r->status, r->connection->aborted,
                                &((const gwguard_attempt *)
                                  st->attempts->elts)->sig);
}

/* The request's verdict and answered status for anything but a plain
 * success. Returns whether ProxyErrorOverride replaced the upstream's
 * own 5xx. */
static int judge_request(request_rec *r, gwguard_req *st, int *status)
{
    gwg_observation o;
    gwg_verdict v;

    if (st->head_broke_held && (*status == OK
                                || *status == HTTP_INTERNAL_SERVER_ERROR)) {
        /* nothing reached the h2 client (mod_gwguard_backend.c): answer
         * the 502 mod_proxy_http meant, through the core's error path */
        *status = HTTP_BAD_GATEWAY;
    }
    gwguard_observe(&o, r, *status, st);
    gwguard_maint_no_member(r, st, &o);     /* no member: all in maint? */
    gwg_classify(&v, &o);
    st->cls = v.cls;
    st->rule = v.rule;
    st->status = answered_status(&o);
    gwguard_correct_status(r, st, status);
    if (o.committed) {
        /* the head went out (mod_proxy_http2 then returns 502/408 and
         * runs ap_die, which can no longer change it): the client has
         * r->status, cut short; no page, no status of ours */
        st->status = 0;
    }
    if (st->cls == GWG_CLASS_UNAVAILABLE
        || st->cls == GWG_CLASS_MAINTENANCE) {
        gwguard_no_attempt(r, st);      /* when there was no attempt */
    }
    if (st->cls == GWG_CLASS_CONNECT_REFUSED && st->attempts->nelts > 0) {
        const gwguard_attempt *last = &APR_ARRAY_IDX(
            st->attempts, st->attempts->nelts - 1, gwguard_attempt);
        /* detail only: from the error-log hook, so LogLevel may hide it */
        st->local_fault = gwg_local_fault_of(last->ah_number,
                                             (int)last->apr_status);
    }
    return o.error_override;
}

/* request_status for anything but a plain success: the verdicts,
 * counts, log lines, ring entry and page. Out of line, so that a
 * success pays for none of its frame. */
static __attribute__((noinline)) void after_failure(request_rec *r,
                                                    gwguard_req *st,
                                                    int *status)
{
    int overridden = judge_request(r, st, status);

    judge_attempts(st);
    if (gwguard_segment.ok) {
        count_attempts(r, st, overridden);
    }
    note_failovers(r, st);
    annotate(r, st);
    gwguard_recent_note(r, st);
    if (gwguard_page_send(r, st, *status)) {
        *status = DONE;             /* answered: ap_die only finishes */
    }
}

static int gwguard_request_status(int *status, request_rec *r)
{
    gwguard_req *st;
    gwguard_attempt *a;

    if (!gwguard_enabled(r)) {
        return OK;
    }
    st = gwguard_req_get(r, 1);     /* none yet: no attempt was made */
    gwguard_attempts_done(r, st);
    if (!plain_success(r, st, *status)) {
        after_failure(r, st, status);
        return OK;
    }
    /* nothing failed: counted, GWGUARD_UPSTREAM set (as annotate does);
     * no log line, ring entry or page; st->status stays 0 (the answer
     * is the upstream's) */
    a = (gwguard_attempt *)st->attempts->elts;
    a->cls = st->cls = GWG_CLASS_NONE;
    a->rule = st->rule = "success";
    if (gwguard_segment.ok && a->slot != GWGUARD_NO_SLOT) {
        /* as count_attempts would: it ended a moment ago */
        count_one(r, a, st->intercepted ? r->status : 0,
                  (uint64_t)a->sig.end_us, st->intercepted);
    }
    apr_table_setn(r->subprocess_env, "GWGUARD_UPSTREAM", a->key);
    return OK;
}

int gwguard_proxy_early_answer(request_rec *r, int status)
{
    gwguard_request_status(&status, r);
    return status;
}

/* proxy_hook_scheme_handler is mod_proxy's export. It is looked up at run
 * time, not linked, so that loading mod_gwguard without mod_proxy gives a
 * clear message (see gwguard_check_config) instead of "undefined symbol". */
typedef void (*scheme_hook_fn)(proxy_HOOK_scheme_handler_t *pf,
                               const char *const *pre,
                               const char *const *succ, int order);
typedef void (*pre_request_hook_fn)(proxy_HOOK_pre_request_t *pf,
                                    const char *const *pre,
                                    const char *const *succ, int order);
static int scheme_hooked;

void gwguard_proxy_register_hooks(void)
{
    scheme_hook_fn hook = (scheme_hook_fn)dlsym(RTLD_DEFAULT,
                                                "proxy_hook_scheme_handler");

    pre_request_hook_fn pre = (pre_request_hook_fn)dlsym(
        RTLD_DEFAULT, "proxy_hook_pre_request");

    if (hook) {
        hook(gwguard_scheme_handler, NULL, NULL, APR_HOOK_REALLY_FIRST);
        scheme_hooked = 1;
    }
    get_worker = (get_worker_fn)dlsym(RTLD_DEFAULT, "ap_proxy_get_worker_ex");
    proxy_mod = (module *)dlsym(RTLD_DEFAULT, "proxy_module");
    if (pre && get_worker) {
        pre(gwguard_pre_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
    }
    APR_OPTIONAL_HOOK(proxy, request_status, gwguard_request_status, NULL,
                      NULL, APR_HOOK_MIDDLE);
}

int gwguard_proxy_hooks_present(void)
{
    return scheme_hooked;
}
