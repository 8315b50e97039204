/*
 * Error-page templates (docs/pages.md): `{{name}}` placeholders compiled once
 * into literal and placeholder pieces, each placeholder tagged with the
 * context it stands in (HTML text, HTML attribute value, JSON string, JSON
 * value, plain text), so rendering is copying pieces and escaping values,
 * never parsing. Compiled templates live in the pool they were compiled
 * in (the config pool, or the per-process .htaccess cache) and are never
 * changed after compilation, so threads share them freely.
 */
#ifndef GWG_TEMPLATE_H
#define GWG_TEMPLATE_H

#include <stddef.h>

#include <apr_pools.h>
#include <apr_tables.h>

#include "gwg_out.h"

#define GWG_TEMPLATE_MAX (1024 * 1024)   /* bytes; larger files refused */

typedef enum {
    GWG_TPL_HTML,
    GWG_TPL_JSON,
    GWG_TPL_TEXT
} gwg_tpl_type;

/* What a page shows. Strings may be NULL (rendered empty); none is
 * trusted but those plain names: each is escaped for where it stands. */
typedef struct {
    int          status;
    const char  *reason;        /* "Bad Gateway" */
    const char  *cls;           /* class name */
    const char  *code;          /* two-letter code */
    const char  *class_text;    /* one sentence */
    const char  *request_id;
    const char  *time;          /* RFC 3339 */
    const char  *host;
    const char  *method;
    const char  *path;
    const char  *upstream;      /* "" unless GwGuardExposeUpstream On */
    long         retry_after;   /* seconds */
    apr_table_t *vars;          /* GwGuardPageVar NAME VALUE, may be NULL */
    int          retryable;     /* the retry hint: 1 true, 0 false */
    const char  *message;       /* a maintenance window's message, or
                                   NULL (rendered empty) */
    unsigned     plain;         /* GWG_USES_* bits of values the caller
                                   made itself of [0-9A-Za-z:-] only (the
                                   time, its own request id): shown
                                   without the escaping scan */
} gwg_page_values;

typedef struct gwg_template gwg_template;

/* Compiles len bytes at data (need not be NUL-terminated; nothing past
 * data[len - 1] is read). file names the template in messages. Returns
 * NULL and sets *out, or "FILE:LINE: what is wrong" from pool p. */
const char *gwg_template_compile(const gwg_template **out, gwg_tpl_type type,
                                 const char *file, const char *data,
                                 size_t len, apr_pool_t *p);

/* The type a file name implies: .html/.htm or .json; -1 otherwise. */
int gwg_template_type_of(const char *path);

/* Reads and compiles a .html or .json file (at most GWG_TEMPLATE_MAX
 * bytes). Returns NULL, or a message that names the file (and the line,
 * when the content is at fault). */
const char *gwg_template_load(const gwg_template **out, const char *path,
                              apr_pool_t *p);

void gwg_template_render(gwg_out *o, const gwg_template *t,
                         const gwg_page_values *v);

/* Renders into one NUL-terminated string from pool p; *len its length.
 * One allocation of the exact size; a value is copied as it is unless it
 * needs escaping (then its escaped form is made in p first). */
char *gwg_template_render_str(const gwg_template *t,
                              const gwg_page_values *v, size_t *len,
                              apr_pool_t *p);
/* The same with room free bytes before the page in the same allocation
 * (the direct answer writes the response head there: one buffer, no
 * copy of the page). */
char *gwg_template_render_room(const gwg_template *t,
                               const gwg_page_values *v, size_t room,
                               size_t *len, apr_pool_t *p);

/* The template with v's status, reason, class, code and class_text made
 * part of its literal runs, for answers that are known at config time to
 * have those values: rendering it with values equal in those five gives
 * the same bytes as rendering t, with fewer pieces to fill. In pool p. */
const gwg_template *gwg_template_bind(const gwg_template *t,
                                      const gwg_page_values *v,
                                      apr_pool_t *p);

/* Which values a template shows, so that the caller finds only those
 * (a clock read, a request id, the retry hint cost something). */
#define GWG_USES_REASON     (1u << 1)
#define GWG_USES_REQUEST_ID (1u << 5)
#define GWG_USES_TIME       (1u << 6)
#define GWG_USES_UPSTREAM   (1u << 11)
#define GWG_USES_RETRYABLE  (1u << 12)
#define GWG_USES_MESSAGE    (1u << 13)
unsigned gwg_template_uses(const gwg_template *t);

gwg_tpl_type gwg_template_type(const gwg_template *t);
const char *gwg_template_file(const gwg_template *t);

/* The placeholder names, for messages and docs. */
const char *gwg_template_names_list(void);

#endif
