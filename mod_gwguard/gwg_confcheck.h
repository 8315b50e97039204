/*
 * `gwguardctl check`: every GwGuard* directive of a configuration read by
 * gwg_confread, validated by a table with one row per directive (context,
 * argument count, and the same value parser the module's command table
 * uses, from gwg_conf.c), then the traps of docs/gwguardctl.md ("check").
 * Results are added to doc->msgs as "error" or "warning".
 */
#ifndef GWG_CONFCHECK_H
#define GWG_CONFCHECK_H

#include "gwg_confread.h"

typedef struct gwg_confcheck_ctx gwg_confcheck_ctx;

/* Checks one directive's values; returns NULL or the message. May add
 * warnings through gwg_confcheck_warn. */
typedef const char *(*gwg_dircheck_fn)(gwg_confcheck_ctx *cx,
                                       const gwg_confdir *d);

typedef struct {
    const char     *name;
    int             contexts;    /* GWG_CTX_* where it is allowed */
    int             min_args, max_args;   /* max -1: any number */
    gwg_dircheck_fn check;
} gwg_dirrule;

/* The rule for a directive name, or NULL. */
const gwg_dirrule *gwg_confcheck_rule(const char *name);

/* Validates doc's GwGuard* directives and looks for the traps. */
void gwg_confcheck(gwg_confdoc *doc);

/* For check functions. */
void gwg_confcheck_warn(gwg_confcheck_ctx *cx, const gwg_confdir *d,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The shared segment's path as the module would compute it: the last
 * GwGuardShmFile (default GWG_DEFAULT_SHM_NAME) relative to
 * DefaultRuntimeDir (default GWG_DEFAULT_RUNTIME_DIR, httpd's), itself
 * relative to ServerRoot. gwguardctl finds the segment with this. */
const char *gwg_confcheck_shm_path(const gwg_confdoc *doc);

/* Number of errors and warnings in doc->msgs. */
void gwg_confcheck_count(const gwg_confdoc *doc, int *errors,
                         int *warnings);

#endif
