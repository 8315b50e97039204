/*
 * `gwguardctl check`: every GwGuard* directive of a configuration read by
 * gwg_confread, validated by the directive table the module's command
 * table is built from (gwg_directive.h: context, argument count, the same
 * value parsers and ranges), then the traps of docs/gwguardctl.md ("check").
 * Results are added to doc->msgs as "error" or "warning".
 */
#ifndef GWG_CONFCHECK_H
#define GWG_CONFCHECK_H

#include "gwg_confread.h"
#include "gwg_directive.h"

/* The row of a directive name (gwg_directive.h), or NULL. */
const gwg_directive *gwg_confcheck_rule(const char *name);

/* Validates doc's GwGuard* directives and looks for the traps. */
void gwg_confcheck(gwg_confdoc *doc);

/* For check functions. */
void gwg_confcheck_warn(gwg_confcheck_ctx *cx, const gwg_confdir *d,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The shared segment's path as the module would compute it: the last
 * GwGuardShmFile (default gwg_default.shm_name) relative to
 * DefaultRuntimeDir (default GWG_DEFAULT_RUNTIME_DIR, httpd's), itself
 * relative to ServerRoot. gwguardctl finds the segment with this. */
const char *gwg_confcheck_shm_path(const gwg_confdoc *doc);

/* Number of errors and warnings in doc->msgs. */
void gwg_confcheck_count(const gwg_confdoc *doc, int *errors,
                         int *warnings);

#endif
