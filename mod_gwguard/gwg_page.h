/*
 * The module's own pages: one self-contained HTML document, the JSON body
 * and the RFC 9457 problem+json body of docs/pages.md, and a text/plain one.
 * They are templates like any admin's, compiled by the same engine, so the
 * same escaping applies and the same checks prove them well-formed.
 */
#ifndef GWG_PAGE_H
#define GWG_PAGE_H

#include <apr_pools.h>

#include "gwg_accept.h"
#include "gwg_template.h"

/* Compiles the built-in pages into pool p (one that lives as long as the
 * process: they are shared by every request). Idempotent: later calls
 * keep the first compilation. Returns NULL or what failed. */
const char *gwg_page_builtin_init(apr_pool_t *p);

/* Forgets the compiled pages (their pool is about to be cleared). */
void gwg_page_builtin_clear(void);

/* The built-in page for a representation; NULL before init. */
const gwg_template *gwg_page_builtin(gwg_rep rep);

/* The source text of a built-in page (for docs and tests). */
const char *gwg_page_builtin_source(gwg_rep rep);

/* The built-in maintenance page (class maintenance, with {{message}})
 * for a representation, and its source. */
const gwg_template *gwg_page_builtin_maint(gwg_rep rep);
const char *gwg_page_builtin_maint_source(gwg_rep rep);

#endif
