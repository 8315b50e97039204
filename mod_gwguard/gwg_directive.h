/*
 * The directives, one table (docs/directives.md): name, how httpd passes
 * the arguments, the glue's setter, contexts, argument count, the core's
 * check with its range, the default and the help text (the Apache-manual
 * Description, word for word). The glue expands it into its command_rec
 * (mod_gwguard_config.c) and `gwguardctl check` into its rules
 * (gwg_confcheck.c), so configtest and check read the same rows; each
 * command_rec carries its row (cmd_data), so a setter takes the range
 * from it. Adding a directive is adding a row here (and its setter and
 * check).
 *
 * X(id, name, how, setter, contexts, min_args, max_args, check, lo, hi,
 *   default, help): how is the AP_INIT_<how> macro; contexts are GWG_CTX_*
 * bits (.htaccess means Override FileInfo); max_args -1 is any number;
 * lo..hi is the range of a number, for the rows that take one; default is
 * the Default line of the docs.
 */
#ifndef GWG_DIRECTIVE_H
#define GWG_DIRECTIVE_H

#include "gwg_confread.h"
#include "gwg_page_conf.h"
#include "gwg_shm.h"

#define GWG_CTX_ALL (GWG_CTX_SERVER | GWG_CTX_VHOST | GWG_CTX_DIR \
                     | GWG_CTX_HTACCESS)

#define GWG_DIRECTIVES(X) \
    X(ENABLED, "GwGuard", TAKE1, gwguard_set_enabled, GWG_CTX_ALL, 1, 1, \
      check_flag, 0, 0, "`GwGuard On`", \
      "Classify, count and answer upstream failures here: On (default) " \
      "or Off") \
    X(SHM_FILE, "GwGuardShmFile", TAKE1, gwguard_set_shm_file, \
      GWG_CTX_SERVER, 1, 1, check_shm_file, 0, 0, \
      "`gwguard.shm` in `DefaultRuntimeDir` (Debian: " \
      "`/var/run/apache2/gwguard.shm`)", \
      "File that holds the shared counters (default gwguard.shm in " \
      "DefaultRuntimeDir)") \
    X(MAX_UPSTREAMS, "GwGuardMaxUpstreams", TAKE1, \
      gwguard_set_max_upstreams, GWG_CTX_SERVER, 1, 1, check_uint, \
      GWG_SLOTS_MIN, GWG_SLOTS_MAX, "`GwGuardMaxUpstreams 1024`", \
      "Number of upstreams counted apart, 16 to 100000 (default 1024); " \
      "more share one overflow slot") \
    X(RECENT, "GwGuardRecent", TAKE1, gwguard_set_recent, GWG_CTX_SERVER, \
      1, 1, check_uint, 0, GWG_RECENT_MAX, "`GwGuardRecent 1024`", \
      "Number of recent failures kept for gwguardctl recent, 0 to " \
      "1000000 (default 1024)") \
    X(ERROR_PAGE, "GwGuardErrorPage", TAKE2, gwguard_set_error_page, \
      GWG_CTX_ALL, 2, 2, check_errorpage, 0, 0, \
      "`GwGuardErrorPage default builtin`", \
      "Page for a status, a class or default: a .html or .json template, " \
      "builtin, or none (leave it to httpd)") \
    X(PAGE_VAR, "GwGuardPageVar", TAKE2, gwguard_set_page_var, GWG_CTX_ALL, \
      2, 2, check_pagevar, 0, 0, "none", \
      "A value for {{var.NAME}} in error pages: NAME VALUE") \
    X(RETRY_AFTER, "GwGuardRetryAfter", TAKE1, gwguard_set_retry_after, \
      GWG_CTX_ALL, 1, 1, check_uint, 0, GWG_RETRY_AFTER_MAX, \
      "`GwGuardRetryAfter 30`", \
      "Seconds sent in Retry-After on 503 pages, 0 to 86400 (default 30)") \
    X(EXPOSE_UPSTREAM, "GwGuardExposeUpstream", TAKE1, \
      gwguard_set_expose_upstream, \
      GWG_CTX_SERVER | GWG_CTX_VHOST | GWG_CTX_DIR, 1, 1, check_flag, 0, 0, \
      "`GwGuardExposeUpstream Off`", \
      "Fill {{upstream}} in error pages with the upstream's address: On " \
      "or Off (default)") \
    X(PROXY_STATUS, "GwGuardProxyStatus", TAKE1, gwguard_set_proxy_status, \
      GWG_CTX_ALL, 1, 1, check_flag, 0, 0, "`GwGuardProxyStatus On`", \
      "Send the RFC 9209 Proxy-Status header on gwguard's pages: On " \
      "(default) or Off") \
    X(INTERCEPT, "GwGuardIntercept", RAW_ARGS, gwguard_set_intercept, \
      GWG_CTX_ALL, 1, -1, check_intercept, 0, 0, "`GwGuardIntercept Off`", \
      "Replace upstream-sent error responses (not JSON ones) with the " \
      "error page: Off (default), On (502 503 504) or a list of statuses") \
    X(STATUS_CODE, "GwGuardStatusCode", TAKE2, gwguard_set_status_code, \
      GWG_CTX_ALL, 2, 2, check_status_code, 0, 0, \
      "the table in docs/classes.md: 503 for `connect_refused`, " \
      "`connect_timeout`, `unavailable`, `circuit_open`; 502 for `dns`, " \
      "`tls`, `reset_before_headers`, `bad_response`, `other`; 504 for " \
      "`header_timeout`; the upstream's own status for `upstream_5xx`", \
      "Status answered for a failure class: CLASS STATUS, STATUS from 500 " \
      "to 599 (defaults in docs/classes.md)") \
    X(BREAKER, "GwGuardBreaker", TAKE_ARGV, gwguard_set_breaker, \
      GWG_CTX_SERVER | GWG_CTX_VHOST, 1, 6, check_breaker, 0, 0, \
      "`GwGuardBreaker Off`", \
      "Circuit breaker: [ORIGIN] failures=N window=SEC cooldown=SEC " \
      "[max_cooldown=SEC] [panic=PERCENT], or " \
      "Off (default)") \
    X(MAINT_BYPASS, "GwGuardMaintenanceBypass", RAW_ARGS, \
      gwguard_set_maint_bypass, \
      GWG_CTX_SERVER | GWG_CTX_VHOST | GWG_CTX_DIR, 1, -1, \
      check_maint_bypass, 0, 0, "none", \
      "Requests matching this ap_expr reach an upstream in maintenance " \
      "anyway, e.g. -R '10.0.0.0/8'")

typedef enum {
#define GWG_DIRECTIVE_ID(id, ...) GWG_DIR_##id,
    GWG_DIRECTIVES(GWG_DIRECTIVE_ID)
#undef GWG_DIRECTIVE_ID
    GWG_DIR_COUNT
} gwg_directive_id;

typedef struct gwg_confcheck_ctx gwg_confcheck_ctx;
typedef struct gwg_directive gwg_directive;

/* Checks one directive's values as `check` reads them; returns NULL or
 * the message. May add warnings through gwg_confcheck_warn. */
typedef const char *(*gwg_dircheck_fn)(gwg_confcheck_ctx *cx,
                                       const gwg_directive *row,
                                       const gwg_confdir *d);

struct gwg_directive {
    const char     *name;
    int             contexts;    /* GWG_CTX_* where it is allowed */
    int             min_args, max_args;   /* max -1: any number */
    gwg_dircheck_fn check;
    unsigned long   lo, hi;      /* a number's range */
    const char     *dflt;        /* the docs' Default */
    const char     *help;        /* the docs' Description */
};

/* The rows, indexed by gwg_directive_id (defined with the checks, in
 * gwg_confcheck.c). */
extern const gwg_directive gwg_directives[GWG_DIR_COUNT];

#endif
