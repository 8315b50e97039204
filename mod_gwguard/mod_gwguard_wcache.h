/*
 * The declared workers of every server, found by pointer (per child,
 * mod_gwguard_wcache.c): an attempt on one of them takes its upstream key,
 * scheme and slot from here instead of building and hashing the key.
 */
#ifndef MOD_GWGUARD_WCACHE_H
#define MOD_GWGUARD_WCACHE_H

#include <stdint.h>

#include "httpd.h"
#include "mod_proxy.h"

typedef struct gwguard_wentry_s {
    const proxy_worker *worker;  /* NULL: an empty entry */
    const char *key;             /* upstream key, GWG_OVERFLOW_KEY if it
                                    has none; lives as long as the child */
    size_t      key_len;         /* strlen(key) */
    uint32_t    slot;            /* slot + 1 once an attempt found it, 0
                                    before: read and written atomically,
                                    every writer writes the same value */
    int         scheme;          /* gwg_scheme of the worker's URL */
    int         check_http;      /* HTTP/1 upstream: "HTTP/" is checked */
    server_rec *server;          /* the server whose ProxyPass made it,
                                    NULL for a balancer member (shared) */
    const void *breaker;         /* its breaker settings for that server
                                    (mod_gwguard_breaker.c fills it in
                                    child_init, after the table is built),
                                    NULL: off */
} gwguard_wentry;

/* Registers the child_init that builds the table from every server's
 * mod_proxy configuration; workers added later (balancer-manager) are not
 * in it. */
void gwguard_wcache_register_hooks(void);

/* The declared worker ap_proxy_get_worker_ex(.., conf, url,
 * AP_PROXY_WORKER_NO_UDS) would return, and its entry (NULL: none), found
 * in the child's table of conf's workers without copying url: 1 when
 * found, 0 when the table cannot tell (then ask mod_proxy). */
int gwguard_wcache_worker(const proxy_server_conf *conf, const char *url,
                          proxy_worker **w, gwguard_wentry **e);

/* The table, for a walk over every entry (*n of them, empty ones have
 * no worker); NULL when there is none. Child init only. */
gwguard_wentry *gwguard_wcache_table(unsigned *n);

/* The worker's entry, NULL when it is not a declared worker known at
 * child start (a default worker, or one added since). */
gwguard_wentry *gwguard_wcache_get(const proxy_worker *w);

/* The entry's slot + 1, 0 while no attempt in this child has looked it
 * up; with find, the segment is searched first (without claiming a slot:
 * another child may have claimed it). Slots never move, so a number once
 * found stays right for the segment's life, which is the child's. */
uint32_t gwguard_wcache_slot(gwguard_wentry *e, int find);

/* Stores the slot an attempt found or claimed for the entry's key. */
void gwguard_wcache_set_slot(gwguard_wentry *e, uint32_t slot);

#endif
