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
#include "gwg_class.h"
#include "gwg_template.h"

/* Compiles the built-in pages into pool p (one that lives as long as the
 * process: they are shared by every request). Idempotent: later calls
 * keep the first compilation. Returns NULL or what failed. */
const char *gwg_page_builtin_init(apr_pool_t *p);

/* Forgets the compiled pages (their pool is about to be cleared). */
void gwg_page_builtin_clear(void);

/* The built-in page for a representation; NULL before init. */
const gwg_template *gwg_page_builtin(gwg_rep rep);

/* The reason phrase of a status ("Bad Gateway"), as the pages show it. */
typedef const char *(*gwg_reason_fn)(int status);

/* Binds the compiled pages to every class's own values (name, code,
 * sentence, default status and its reason from reason_of), in pool p:
 * config time, after gwg_page_builtin_init. */
void gwg_page_builtin_bind(apr_pool_t *p, gwg_reason_fn reason_of);

/* The page to render for a class's answer: the bound one when status is
 * the class's default and the page will show the class's own sentence
 * (the caller passes status 0 otherwise, e.g. for a local fault), else
 * gwg_page_builtin(rep). Same bytes either way, fewer pieces bound. */
const gwg_template *gwg_page_builtin_for(gwg_rep rep, gwg_class_t cls,
                                         int status);

/* The source text of a built-in page (for docs and tests). */
const char *gwg_page_builtin_source(gwg_rep rep);

/* The built-in maintenance page (class maintenance, with {{message}})
 * for a representation, and its source. */
const gwg_template *gwg_page_builtin_maint(gwg_rep rep);
const char *gwg_page_builtin_maint_source(gwg_rep rep);

#endif
