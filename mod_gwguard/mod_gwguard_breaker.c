/*
 * Circuit breaker glue: GwGuardBreaker (server-wide and per origin), the
 * check made in the scheme handler before each attempt, the report of
 * each attempt's outcome from request_status, and one log line per
 * transition. The decisions are the core's (gwg_breaker.c).
 *
 * Refusing is returning 503 from our REALLY_FIRST scheme handler, before
 * mod_proxy_http connects: a plain worker's request ends 503 (class
 * circuit_open); a balancer member is marked in error by proxy_handler
 * itself and the request fails over to another member, which also keeps
 * the member out of the lbmethod's choice for the worker's `retry`
 * seconds (see docs/breaker.md for why we write nothing to worker->s).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "apr_hash.h"
#include "apr_strings.h"
#include "mod_proxy.h"

#include "gwg_atomic.h"
#include "gwg_breaker.h"
#include "gwg_time.h"
#include "mod_gwguard.h"
#include "mod_gwguard_breaker.h"
#include "mod_gwguard_req.h"
#include "mod_gwguard_upstream.h"
#include "mod_gwguard_wcache.h"

APLOG_USE_MODULE(gwguard);

/* What one server (or virtual host) says. */
struct gwguard_breaker_srv {
    gwg_breaker_conf dflt;       /* for origins not listed */
    int              dflt_set;   /* 0: inherit the main server's */
    apr_hash_t      *origins;    /* upstream key -> gwg_breaker_conf */
};

const char *gwguard_set_breaker(cmd_parms *cmd, void *dirconf, int argc,
                                char *const argv[])
{
    gwguard_srv_conf *sc = ap_get_module_config(cmd->server->module_config,
                                                &gwguard_module);
    gwg_breaker_conf c, *copy;
    const char *origin, *err;

    (void)dirconf;
    err = gwg_conf_breaker(&c, &origin, cmd->cmd->name, argc, argv,
                           cmd->pool);
    if (err) {
        return err;
    }
    if (!sc->breaker) {
        sc->breaker = apr_pcalloc(cmd->pool, sizeof(*sc->breaker));
        sc->breaker->origins = apr_hash_make(cmd->pool);
    }
    if (!origin) {
        sc->breaker->dflt = c;
        sc->breaker->dflt_set = 1;
        return NULL;
    }
    copy = apr_pmemdup(cmd->pool, &c, sizeof(c));
    apr_hash_set(sc->breaker->origins, origin, APR_HASH_KEY_STRING, copy);
    return NULL;
}

/* A virtual host inherits the main server's settings; its own win, origin
 * by origin. */
struct gwguard_breaker_srv *gwguard_breaker_merge(
    apr_pool_t *p, struct gwguard_breaker_srv *base,
    struct gwguard_breaker_srv *add)
{
    struct gwguard_breaker_srv *m;

    if (!add || !base) {
        return add ? add : base;
    }
    m = apr_pcalloc(p, sizeof(*m));
    *m = add->dflt_set ? *add : *base;
    m->origins = apr_hash_overlay(p, add->origins, base->origins);
    return m;
}

static int breakers_on;          /* some server has an enabled breaker
                                    (post_config): else none is consulted */

/* The settings for an upstream, or NULL when its breaker is off. */
static const gwg_breaker_conf *conf_for(server_rec *s, const char *key)
{
    gwguard_srv_conf *sc = ap_get_module_config(s->module_config,
                                                &gwguard_module);
    const gwg_breaker_conf *c;

    if (!sc->breaker) {
        return NULL;
    }
    c = apr_hash_get(sc->breaker->origins, key, APR_HASH_KEY_STRING);
    if (!c) {
        c = sc->breaker->dflt_set ? &sc->breaker->dflt : NULL;
    }
    return c && c->enabled ? c : NULL;
}

/* The same for an attempt: a declared worker's, looked up once per child
 * for the server whose ProxyPass made it (breaker_child_init). */
static const gwg_breaker_conf *conf_of(request_rec *r,
                                       const gwguard_attempt *a)
{
    if (a->entry && a->entry->server == r->server) {
        return a->entry->breaker;
    }
    return conf_for(r->server, a->key);
}

static gwg_slot *slot_of(const gwguard_attempt *a)
{
    if (!gwguard_segment.ok || a->slot == GWGUARD_NO_SLOT
        || a->slot == gwg_shm_overflow_slot(&gwguard_segment.shm)) {
        return NULL;                /* *overflow* mixes upstreams */
    }
    return &gwguard_segment.shm.slots[a->slot];
}

/* One line per transition, made by the caller whose CAS made it;
 * nothing (and no class looked up) when there was none, the common
 * case of an open breaker's refusal. */
static void log_event(request_rec *r, const char *key,
                      const gwg_breaker_conf *c, gwg_breaker_event ev,
                      gwg_class_t cls, const gwg_slot *s)
{
    const gwg_class_info *info;

    if (ev == GWG_BREAKER_EV_NONE) {
        return;
    }
    info = gwg_class_get(cls);
    switch (ev) {
    case GWG_BREAKER_EV_OPENED:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "GWG00400: "
                      "upstream=%s breaker=open: %u failures within %us "
                      "(last class=%s); answering 503 circuit_open for %us "
                      "(opening #%" APR_UINT64_T_FMT ")", key,
                      c->failures, c->window_s, info ? info->name : "-",
                      gwg_breaker_cooldown_now(s, c),
                      (apr_uint64_t)__atomic_load_n(&s->breaker_opens,
                                                    __ATOMIC_RELAXED));
        break;
    case GWG_BREAKER_EV_HALF_OPENED:
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "GWG00401: "
                      "upstream=%s breaker=half_open: cooldown of %us over; "
                      "letting one trial request through", key,
                      c->cooldown_s);
        break;
    case GWG_BREAKER_EV_CLOSED:
        ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "GWG00402: "
                      "upstream=%s breaker=closed: the trial request "
                      "succeeded", key);
        break;
    case GWG_BREAKER_EV_REOPENED:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "GWG00403: "
                      "upstream=%s breaker=open: the trial request failed "
                      "(class=%s); answering 503 circuit_open for %us", key,
                      info ? info->name : "-", gwg_breaker_cooldown_now(s, c));
        break;
    case GWG_BREAKER_EV_TRIAL_LOST:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "GWG00404: "
                      "upstream=%s breaker=half_open: the trial request did "
                      "not report back within %us (its process may have "
                      "died); letting another one through", key,
                      GWG_BREAKER_TRIAL_LEASE_US / 1000000u);
        break;
    default:
        break;
    }
}

/* --- panic threshold (docs/degrade.md) ------------------------------
 * Looked at only when a balancer member would be refused, or its breaker
 * closes: a walk over the balancer's configured members and their slots
 * (index lookups, no lock, no allocation). */

typedef struct {
    uint32_t  open, members;
    gwg_slot *first;             /* the first member with a slot: holds the
                                    balancer's "panic logged" flag */
} panic_count;

/* Whether the server has balancers at all: without, no member's panic
 * to count (a plain worker's refusal pays no call for it). */
static int any_balancer(const gwguard_req *st)
{
    const proxy_server_conf *conf = st ? st->proxy_conf : NULL;

    return conf && conf->balancers && conf->balancers->nelts > 0;
}

/* The balancer the request was routed through (mod_proxy_balancer sets
 * BALANCER_NAME in pre_request, before the scheme handler), or NULL. st
 * may be NULL (record_configured asks without a request record). */
static proxy_balancer *balancer_of(request_rec *r, const gwguard_req *st)
{
    proxy_server_conf *conf = st ? st->proxy_conf : NULL;
    const char *name;
    proxy_balancer *b;
    int i;

    /* no balancer to find (a plain worker's refusal): no table lookup */
    if (!any_balancer(st)
        || !(name = apr_table_get(r->subprocess_env, "BALANCER_NAME"))) {
        return NULL;
    }
    b = (proxy_balancer *)conf->balancers->elts;
    for (i = 0; i < conf->balancers->nelts; i++, b++) {
        if (strcasecmp(b->s->name, name) == 0) {
            return b;
        }
    }
    return NULL;
}

/* The member's slot, -1 if it has none (a member that never had a
 * request: its breaker is closed): from the child's table when the
 * member is in it (no key built), else looked up by its key. */
static long member_slot(proxy_worker *w)
{
    gwguard_wentry *e = gwguard_wcache_get(w);
    char key[GWG_KEY_MAX];
    uint32_t v;

    if (e) {
        if (strcmp(e->key, GWG_OVERFLOW_KEY) == 0
            || !(v = gwguard_wcache_slot(e, 1))) {
            return -1;
        }
        return (long)v - 1;
    }
    if (gwguard_worker_key(key, sizeof(key), w) < 0) {
        return -1;
    }
    return gwg_shm_find(&gwguard_segment.shm, key);
}

static void count_open(proxy_balancer *b, panic_count *pc)
{
    proxy_worker **w = (proxy_worker **)b->workers->elts;
    int i;

    memset(pc, 0, sizeof(*pc));
    for (i = 0; i < b->workers->nelts; i++) {
        gwg_slot *s;
        long n;

        pc->members++;
        if ((n = member_slot(w[i])) < 0) {
            continue;
        }
        s = &gwguard_segment.shm.slots[n];
        if (!pc->first) {
            pc->first = s;
        }
        if (GWG_LOAD(&s->breaker_state) != GWG_BREAKER_CLOSED) {
            pc->open++;
        }
    }
}

/* Whether the balancer is in panic now; logs entering (warn) and leaving
 * (notice) once per balancer, by the request whose CAS flips the flag. */
static int panic_check(request_rec *r, const gwguard_req *st,
                       const gwg_breaker_conf *c)
{
    proxy_balancer *b = balancer_of(r, st);
    panic_count pc;
    uint64_t expected;
    int in;

    if (!b) {
        return 0;
    }
    count_open(b, &pc);
    in = gwg_breaker_panic(pc.open, pc.members, c->panic_pct);
    expected = in ? 0 : 1;
    if (pc.first && GWG_CAS(&pc.first->panic_logged, &expected, in)) {
        if (in) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "GWG00405: "
                          "balancer=%s breaker=panic: %u of %u members' "
                          "breakers are open, more than panic=%u%%; gwguard "
                          "refuses none of its members until that changes, "
                          "mod_proxy may try every one", b->s->name, pc.open,
                          pc.members, c->panic_pct);
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, "GWG00406: "
                          "balancer=%s breaker=panic over: %u of %u members' "
                          "breakers are open (panic=%u%%); open members are "
                          "refused again", b->s->name, pc.open, pc.members,
                          c->panic_pct);
        }
    }
    return in;
}

/* gwguard_breaker_admit for a breaker that is not closed: out of line,
 * so that a closed one (the common case) costs no frame (stack
 * protector, saves). */
static __attribute__((noinline)) int admit_not_closed(
    request_rec *r, gwguard_req *st, gwguard_attempt *a,
    const gwg_breaker_conf *c, gwg_slot *s)
{
    gwg_breaker_admission adm;

    /* the attempt began a moment ago (begin_attempt): its clock read */
    gwg_breaker_admit(&adm, s, c, a->sig.start_us > 0
                                  ? (uint64_t)a->sig.start_us : gwg_now_us());
    log_event(r, a->key, c, adm.event, GWG_CLASS_NONE, s);
    a->breaker_trial = adm.trial;
    if (adm.admit) {
        /* a member refused earlier set it; this attempt's answer (if it
         * fails) is not circuit_open, so the default applies again */
        st->retry_after = -1;
        return DECLINED;            /* on to mod_proxy_http */
    }
    if (c->panic_pct && any_balancer(st) && panic_check(r, st, c)) {
        /* mark it for status, as Envoy's panic routing does; no trial */
        uint64_t zero = 0;

        GWG_CAS(&s->breaker_panic, &zero, gwg_now_us());
        st->retry_after = -1;
        return DECLINED;
    }
    if (GWG_LOAD_RELAXED(&s->breaker_panic)) {
        GWG_STORE(&s->breaker_panic, 0);
    }
    a->sig.breaker_refused = 1;
    st->retry_after = (int)adm.retry_after;
    return HTTP_SERVICE_UNAVAILABLE;
}

int gwguard_breaker_admit(request_rec *r, gwguard_req *st,
                          gwguard_attempt *a)
{
    const gwg_breaker_conf *c;
    gwg_slot *s;

    /* none configured, or closed: admitted, as gwg_breaker_admit would,
     * without its clock read (the common case, a healthy upstream) */
    if (!breakers_on || !(c = conf_of(r, a)) || !c->enabled
        || !(s = slot_of(a))
        || GWG_LOAD(&s->breaker_state) == GWG_BREAKER_CLOSED) {
        a->breaker_trial = 0;
        st->retry_after = -1;
        return DECLINED;
    }
    return admit_not_closed(r, st, a, c, s);
}

/* gwguard_breaker_record for an attempt a breaker may have seen: out
 * of line (see admit_not_closed). */
static __attribute__((noinline)) void record_configured(
    request_rec *r, const gwguard_attempt *a, gwg_class_t cls,
    int intercepted)
{
    const gwg_breaker_conf *c;
    gwg_slot *s;
    gwg_breaker_event ev;

    if (!(s = slot_of(a))
        || (!a->breaker_trial && gwg_breaker_outcome_of(cls, intercepted)
                                 != GWG_BREAKER_FAILURE)) {
        return;     /* gwg_breaker_record would do nothing: no clock read */
    }
    c = conf_of(r, a);
    if (!c && !a->breaker_trial) {
        return;
    }
    ev = gwg_breaker_record(s, c, a->breaker_trial,
                            gwg_breaker_outcome_of(cls, intercepted),
                            gwg_now_us());
    log_event(r, a->key, c, ev, cls, s);
    if (ev == GWG_BREAKER_EV_CLOSED) {
        GWG_STORE(&s->breaker_panic, 0);
        if (c && c->panic_pct) {
            panic_check(r, gwguard_req_get(r, 0), c);  /* may end a panic */
        }
    }
}

void gwguard_breaker_record(request_rec *r, const gwguard_attempt *a,
                            gwg_class_t cls, int intercepted)
{
    if (a->sig.breaker_refused || (!breakers_on && !a->breaker_trial)) {
        return;                 /* no breaker anywhere: no settings */
    }
    if (cls == GWG_CLASS_NONE && !a->breaker_trial) {
        return;     /* a success outside a trial: gwg_breaker_record would
                       do nothing (the common case, without a call) */
    }
    record_configured(r, a, cls, intercepted);
}

/* --- deciding early ----------------------------------------------------
 * mod_gwguard_proxy.c's pre_request asks these before mod_proxy's worker
 * machinery runs (docs/breaker.md, "Plain workers"). */

int gwguard_breakers_on(void)
{
    return breakers_on;
}

int gwguard_breaker_not_closed(uint32_t slot)
{
    return gwguard_segment.ok && slot < gwguard_segment.shm.slot_count
           && GWG_LOAD(&gwguard_segment.shm.slots[slot].breaker_state)
              != GWG_BREAKER_CLOSED;
}

static int enabled_somewhere(const struct gwguard_breaker_srv *b)
{
    apr_hash_index_t *hi;

    if (!b) {
        return 0;
    }
    if (b->dflt_set && b->dflt.enabled) {
        return 1;
    }
    for (hi = apr_hash_first(NULL, b->origins); hi; hi = apr_hash_next(hi)) {
        const gwg_breaker_conf *c = apr_hash_this_val(hi);
        if (c->enabled) {
            return 1;
        }
    }
    return 0;
}

static int breaker_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf; (void)plog; (void)ptemp;
    breakers_on = 0;
    for (; s && !breakers_on; s = s->next) {
        gwguard_srv_conf *sc = ap_get_module_config(s->module_config,
                                                    &gwguard_module);
        breakers_on = enabled_somewhere(sc->breaker);
    }
    return OK;
}

/* Each declared worker's settings for the server that declared it, once
 * per child, after mod_gwguard_wcache.c has built its table. */
static void breaker_child_init(apr_pool_t *p, server_rec *s)
{
    unsigned i, n;
    gwguard_wentry *t = gwguard_wcache_table(&n);

    (void)p; (void)s;
    for (i = 0; i < n; i++) {
        if (t[i].worker && t[i].server) {
            t[i].breaker = conf_for(t[i].server, t[i].key);
        }
    }
}

void gwguard_breaker_register_hooks(void)
{
    ap_hook_post_config(breaker_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* the table's own child_init is APR_HOOK_MIDDLE */
    ap_hook_child_init(breaker_child_init, NULL, NULL, APR_HOOK_LAST);
}
