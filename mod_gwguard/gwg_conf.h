/*
 * Parsing and validating directive values, shared by the module (at
 * `apachectl configtest`) and `gwguardctl check`, so both give the same
 * verdict in the same words. Each returns NULL when the value is good, or
 * a message naming the directive, the value and what is allowed, allocated
 * from pool p.
 */
#ifndef GWG_CONF_H
#define GWG_CONF_H

#include <apr_pools.h>

/* The defaults, in one place: the module, `gwguardctl check` and
 * gwguardctl's search for the segment all use these, and the Default
 * lines of docs/directives.md (the directive table's rows) say the same
 * (tests/unit/test_directive.c). */
typedef struct {
    int           enabled;          /* GwGuard */
    const char   *shm_name;         /* GwGuardShmFile, in DefaultRuntimeDir */
    unsigned long max_upstreams;    /* GwGuardMaxUpstreams */
    unsigned long recent;           /* GwGuardRecent */
    unsigned long retry_after;      /* GwGuardRetryAfter, seconds */
    int           expose_upstream;  /* GwGuardExposeUpstream */
    int           proxy_status;     /* GwGuardProxyStatus */
    int           breaker;          /* GwGuardBreaker */
    /* what a GwGuardBreaker line leaves out (docs/breaker.md) */
    unsigned long breaker_failures;
    unsigned long breaker_window_s;
    unsigned long breaker_cooldown_s;
    unsigned long breaker_max_cooldown_s;   /* 0: no doubling */
    unsigned long breaker_panic_pct;        /* as Envoy's
                                               healthy_panic_threshold */
} gwg_defaults;

extern const gwg_defaults gwg_default;

/* The segment's default file name as a literal, for the paths built at
 * compile time (gwguardctl's last resort); gwg_default.shm_name is it. */
#define GWG_DEFAULT_SHM_NAME      "gwguard.shm"   /* in DefaultRuntimeDir */
/* DefaultRuntimeDir when the configuration sets none: httpd's compiled-in
 * DEFAULT_REL_RUNTIMEDIR (Debian builds "/var/run/apache2"; a relative one
 * is relative to ServerRoot). The glue asserts at compile time that it
 * matches the httpd it is built against; define it for another build. */
#ifndef GWG_DEFAULT_RUNTIME_DIR
#define GWG_DEFAULT_RUNTIME_DIR   "/var/run/apache2"
#endif

/* "On" / "Off" (any case). */
const char *gwg_conf_flag(int *out, const char *directive, const char *value,
                          apr_pool_t *p);

/* A whole decimal number in [min, max]. */
const char *gwg_conf_uint(unsigned long *out, const char *directive,
                          const char *value, unsigned long min,
                          unsigned long max, apr_pool_t *p);

/* A file path for GwGuardShmFile: non-empty, no NUL tricks, not a
 * directory name ending in '/'. */
const char *gwg_conf_path(const char *directive, const char *value,
                          apr_pool_t *p);

/* GwGuardStatusCode CLASS STATUS: a known class name and a status from
 * 500 to 599. */
const char *gwg_conf_status_code(int *cls, int *status, const char *directive,
                                 const char *class_name, const char *value,
                                 apr_pool_t *p);

#endif
