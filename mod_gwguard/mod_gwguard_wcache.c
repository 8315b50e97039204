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
#include "mod_gwguard.h"
#include "mod_gwguard_upstream.h"
#include "mod_gwguard_wcache.h"

static gwguard_wentry *table;      /* NULL: no table in this child */
static unsigned table_bits;

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

static void wcache_child_init(apr_pool_t *p, server_rec *s)
{
    module *proxy = ap_find_linked_module("mod_proxy.c");
    unsigned n;

    table = NULL;
    if (!proxy) {
        return;
    }
    n = walk(s, proxy, p, NULL);
    for (table_bits = 4; (1u << table_bits) < 2 * n; table_bits++) {
    }
    table = apr_pcalloc(p, sizeof(*table) << table_bits);
    walk(s, proxy, p, add);
}

gwguard_wentry *gwguard_wcache_table(unsigned *n)
{
    *n = table ? 1u << table_bits : 0;
    return table;
}

gwguard_wentry *gwguard_wcache_get(const proxy_worker *w)
{
    unsigned i, mask;

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
