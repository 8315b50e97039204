/*
 * httpd glue shared by the mod_gwguard*.c files: the module record,
 * configuration records and the per-process view of the shared segment.
 */
#ifndef MOD_GWGUARD_H
#define MOD_GWGUARD_H

#include "httpd.h"
#include "http_config.h"

#include "gwg_class.h"
#include "gwg_shm.h"

extern module AP_MODULE_DECLARE_DATA gwguard_module;

#define GWGUARD_UNSET (-1)

/* Server-wide settings (docs/directives.md, context server config). */
typedef struct {
    const char   *shm_file;        /* GwGuardShmFile, NULL = default */
    unsigned long max_upstreams;   /* GwGuardMaxUpstreams */
    unsigned long recent;          /* GwGuardRecent */
    struct gwguard_breaker_srv *breaker; /* GwGuardBreaker (S V), NULL =
                                            not set here: inherit */
} gwguard_srv_conf;

/* Per-directory settings (contexts S V D H). */
typedef struct {
    int enabled;                   /* GwGuard; GWGUARD_UNSET = inherit */
    struct gwguard_page_conf *page;/* error pages, NULL = defaults
                                      (mod_gwguard_page.h) */
    int *status_codes;             /* GwGuardStatusCode by class, 0 unset;
                                      NULL when none is set in this scope */
} gwguard_dir_conf;

/* The segment as this process sees it: mapped by the parent in
 * post_config, inherited by every child across fork. */
typedef struct {
    gwg_shm     shm;
    int         ok;                /* 0: no segment, count nothing */
    const char *path;
} gwguard_state;

extern gwguard_state gwguard_segment;

#endif
