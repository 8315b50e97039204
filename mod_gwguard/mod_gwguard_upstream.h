/*
 * Upstream keys (mod_gwguard_upstream.c, docs/formats.md "Upstream keys"):
 * the key of a declared worker, and the key of an attempt.
 */
#ifndef MOD_GWGUARD_UPSTREAM_H
#define MOD_GWGUARD_UPSTREAM_H

#include "httpd.h"
#include "mod_proxy.h"

/* The upstream key of a declared worker; < 0 when it has none. */
int gwguard_worker_key(char *buf, size_t len, const proxy_worker *w);

/* The key of an attempt on worker for url: a unix socket by its path, a
 * declared worker by its origin, a default worker's request by its real
 * target (then *dynamic is set: the key came from the request). */
int gwguard_upstream_key(char *buf, size_t len, request_rec *r,
                         proxy_worker *worker, proxy_server_conf *conf,
                         const char *url, int *dynamic);

#endif
