/*
 * The per-child table of declared workers (mod_gwguard_wcache.h). Built in
 * child_init, before any request, from configuration the child inherited:
 * worker structs live in pconf and never move, so their addresses are
 * keys. After that the request path only reads it, except the slot
 * number, which the first attempt on a worker stores (atomically, the
 * same value whoever stores it): no lock, no allocation.
 */
#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "mod_proxy.h"

#include "gwg_atomic.h"
#include "gwg_classify.h"
#include "gwg_layout.h"
#include "gwg_wmatch.h"
#include "mod_gwguard.h"
#include "mod_gwguard_req.h"
#include "mod_gwguard_upstream.h"
#include "mod_gwguard_wcache.h"

static gwguard_wentry *table;      /* NULL: no table in this child */
static unsigned table_bits;
static unsigned table_gen;          /* tables built in this process */

/* The worker gwguard_wcache_worker found last on this thread, for the
 * scheme handler's gwguard_wcache_get of the same request: a stale one
 * is still right (a worker's entry is the same for the table's life),
 * and gen tells a table built since (a restart in one process). */
static AP_THREAD_LOCAL struct {
    const proxy_worker *worker;
    gwguard_wentry *entry;
    unsigned gen;
} found GWGUARD_TLS_IE;             /* 24 bytes of static TLS */

static unsigned bucket(const proxy_worker *w)
{
    return (unsigned)(((uintptr_t)w * UINT64_C(0x9E3779B97F4A7C15))
                      >> (64 - table_bits));
}

/* An HTTP/1 scheme: the response must start with "HTTP/". */
static int checks_http(const char *scheme, size_t len)
{
    return (len == 4 && strncasecmp(scheme, "http", 4) == 0)
           || (len == 5 && strncasecmp(scheme, "https", 5) == 0)
           || (len == 2 && strncasecmp(scheme, "ws", 2) == 0)
           || (len == 3 && strncasecmp(scheme, "wss", 3) == 0);
}

/* A default worker (host "*" or none) stands for no backend of its own:
 * its attempts are keyed by their URL, so it has no entry. */
static void add(apr_pool_t *p, server_rec *s, const proxy_worker *w)
{
    char key[GWG_KEY_MAX];
    gwguard_wentry *e;
    unsigned i, mask = (1u << table_bits) - 1;
    size_t slen;

    if (!w || !w->s->hostname_ex[0] || strcmp(w->s->hostname_ex, "*") == 0) {
        return;
    }
    for (i = bucket(w); table[i].worker; i = (i + 1) & mask) {
        if (table[i].worker == w) {
            table[i].server = NULL;     /* shared by two servers */
            return;
        }
    }
    e = &table[i];
    e->worker = w;
    e->server = s;
    e->key = gwguard_worker_key(key, sizeof(key), w) < 0
             ? GWG_OVERFLOW_KEY : apr_pstrdup(p, key);
    e->key_len = strlen(e->key);
    slen = strlen(w->s->scheme);
    e->scheme = gwg_scheme_of(w->s->scheme, slen);
    e->check_http = checks_http(w->s->scheme, slen);
}

/* Calls fn for every worker of every server's mod_proxy configuration. */
static unsigned walk(server_rec *s, module *proxy, apr_pool_t *p,
                     void (*fn)(apr_pool_t *, server_rec *,
                                const proxy_worker *))
{
    unsigned n = 0;
    int i, j;

    for (; s; s = s->next) {
        proxy_server_conf *c = ap_get_module_config(s->module_config, proxy);
        proxy_balancer *b;

        if (!c) {
            continue;
        }
        for (i = 0; c->workers && i < c->workers->nelts; i++, n++) {
            if (fn) {
                fn(p, s, &APR_ARRAY_IDX(c->workers, i, proxy_worker));
            }
        }
        b = c->balancers ? (proxy_balancer *)c->balancers->elts : NULL;
        for (i = 0; b && i < c->balancers->nelts; i++, b++) {
            for (j = 0; b->workers && j < b->workers->nelts; j++, n++) {
                if (fn) {
                    /* a member is shared by every server */
                    fn(p, NULL, APR_ARRAY_IDX(b->workers, j,
                                              proxy_worker *));
                }
            }
        }
    }
    return n;
}

/* One server configuration's plain workers as a gwg_wmatch table, with
 * each worker's entry by its index in conf->workers. */
typedef struct {
    const proxy_server_conf *conf;  /* NULL: an empty bucket */
    const char      *elts;          /* conf->workers as the table saw it: */
    int              nelts;         /* if it ever changed, no answer */
    gwg_wname       *names;         /* NULL: a ProxyPassMatch worker (the
                                       lookup matches patterns) */
    unsigned         n;
    gwguard_wentry **entry;         /* by index, NULL: none */
} conf_table;

static conf_table *confs;           /* NULL: no worker lookup here */
static unsigned conf_bits;

static unsigned conf_bucket(const proxy_server_conf *c)
{
    return (unsigned)(((uintptr_t)c * UINT64_C(0x9E3779B97F4A7C15))
                      >> (64 - conf_bits));
}

static conf_table *conf_find(const proxy_server_conf *c, int claim)
{
    unsigned i, mask = (1u << conf_bits) - 1;

    for (i = conf_bucket(c); confs[i].conf; i = (i + 1) & mask) {
        if (confs[i].conf == c) {
            return &confs[i];
        }
    }
    return claim ? &confs[i] : NULL;
}

/* The table of c's workers (every entry already in the worker table). */
static void conf_add(apr_pool_t *p, const proxy_server_conf *c)
{
    conf_table *t = conf_find(c, 1);
    int i, n = c->workers->nelts;

    if (t->conf) {
        return;                     /* shared by two servers */
    }
    t->conf = c;
    t->elts = c->workers->elts;
    t->nelts = n;
    t->entry = apr_pcalloc(p, sizeof(*t->entry) * (n ? n : 1));
    t->names = apr_pcalloc(p, sizeof(*t->names) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        const proxy_worker *w = &APR_ARRAY_IDX(c->workers, i, proxy_worker);

        if (w->s->is_name_matchable) {
            t->names = NULL;
            return;
        }
        t->entry[i] = gwguard_wcache_get(w);
        t->names[i].name = w->s->name_ex;
        t->names[i].index = (unsigned)i;
    }
    t->n = (unsigned)n;
    gwg_wmatch_prepare(t->names, &t->n);
}

static void confs_build(apr_pool_t *p, server_rec *s, module *proxy)
{
    server_rec *v;
    unsigned n = 0;

    for (v = s; v; v = v->next) {
        n++;
    }
    for (conf_bits = 2; (1u << conf_bits) < 2 * n; conf_bits++) {
    }
    confs = apr_pcalloc(p, sizeof(*confs) << conf_bits);
    for (v = s; v; v = v->next) {
        proxy_server_conf *c = ap_get_module_config(v->module_config, proxy);

        if (c && c->workers) {
            conf_add(p, c);
        }
    }
}

int gwguard_wcache_worker(const proxy_server_conf *conf, const char *url,
                          proxy_worker **w, gwguard_wentry **e)
{
    const conf_table *t;
    long i;

    if (!confs || !(t = conf_find(conf, 0)) || !t->names
        || conf->workers->elts != t->elts
        || conf->workers->nelts != t->nelts
        || (i = gwg_wmatch_find(t->names, t->n, url)) < 0) {
        return 0;
    }
    *w = &APR_ARRAY_IDX(conf->workers, i, proxy_worker);
    *e = t->entry[i];
    found.worker = *w;
    found.entry = *e;
    found.gen = table_gen;
    return 1;
}

static void wcache_child_init(apr_pool_t *p, server_rec *s)
{
    module *proxy = ap_find_linked_module("mod_proxy.c");
    unsigned n;

    table = NULL;
    confs = NULL;
    table_gen++;
    if (!proxy) {
        return;
    }
    n = walk(s, proxy, p, NULL);
    for (table_bits = 4; (1u << table_bits) < 2 * n; table_bits++) {
    }
    table = apr_pcalloc(p, sizeof(*table) << table_bits);
    walk(s, proxy, p, add);
    confs_build(p, s, proxy);
}

gwguard_wentry *gwguard_wcache_table(unsigned *n)
{
    *n = table ? 1u << table_bits : 0;
    return table;
}

gwguard_wentry *gwguard_wcache_get(const proxy_worker *w)
{
    unsigned i, mask;

    if (found.worker == w && found.gen == table_gen) {
        return found.entry;
    }
    if (!table || !w) {
        return NULL;
    }
    mask = (1u << table_bits) - 1;
    for (i = bucket(w); table[i].worker; i = (i + 1) & mask) {
        if (table[i].worker == w) {
            return &table[i];
        }
    }
    return NULL;
}

void gwguard_wcache_register_hooks(void)
{
    /* after mod_proxy_balancer has attached its members' shared data */
    static const char *const pre[] = { "mod_proxy.c",
                                       "mod_proxy_balancer.c", NULL };

    ap_hook_child_init(wcache_child_init, pre, NULL, APR_HOOK_MIDDLE);
}

uint32_t gwguard_wcache_slot(gwguard_wentry *e, int find)
{
    uint32_t v = __atomic_load_n(&e->slot, __ATOMIC_RELAXED);
    long n;

    if (!v && find && gwguard_segment.ok
        && (n = gwg_shm_find(&gwguard_segment.shm, e->key)) >= 0) {
        v = (uint32_t)n + 1;
        __atomic_store_n(&e->slot, v, __ATOMIC_RELAXED);
    }
    return v;
}

void gwguard_wcache_set_slot(gwguard_wentry *e, uint32_t slot)
{
    __atomic_store_n(&e->slot, slot + 1, __ATOMIC_RELAXED);
}
