/*
 * httpd glue for error-page settings (mod_gwguard_page_conf.c): the
 * per-directory page settings, their directives and their merge.
 */
#ifndef MOD_GWGUARD_PAGE_CONF_H
#define MOD_GWGUARD_PAGE_CONF_H

#include "httpd.h"
#include "http_config.h"

#include <apr_hash.h>

#include "gwg_template.h"

/* One template choice; kind is a gwg_page_target, or PAGE_UNSET. */
#define GWGUARD_PAGE_UNSET (-1)

/* Symbolic links on the way to a template named in .htaccess, judged
 * against the directory's Options when a request uses it. */
enum { GWGUARD_LINKS_NONE = 0,  /* no link */
       GWGUARD_LINKS_OWNER = 1, /* links whose owner owns their target */
       GWGUARD_LINKS_ANY = 2 }; /* a link owned by someone else */

typedef struct {
    int                 kind;
    const gwg_template *tpl;    /* for a file; owned by the config pool or
                                   (.htaccess) by a reference to a cache
                                   entry that the request pool releases */
    int                 links;  /* GWGUARD_LINKS_*, .htaccess only */
} gwguard_page_ref;

/* What GwGuardErrorPage set for one key: a page for HTML (and text)
 * clients and one for JSON clients. builtin and none set both. */
typedef struct {
    gwguard_page_ref html, json;
} gwguard_page_entry;

struct gwguard_page_conf {
    apr_hash_t  *pages;          /* "default" / "502" / "dns" -> entry */
    apr_table_t *vars;           /* GwGuardPageVar */
    int          retry_after;    /* GwGuardRetryAfter; -1 unset (30) */
    int          expose_upstream;/* GwGuardExposeUpstream; -1 unset (Off) */
    int          proxy_status;   /* GwGuardProxyStatus; -1 unset (On) */
    int          intercept_set;  /* GwGuardIntercept given here */
    int          links;          /* a template behind a symlink: check
                                    Options per request */
    unsigned char intercept[100];/* [status - 500] */
};
typedef struct gwguard_page_conf gwguard_page_conf;

/* Inner (add) over outer (base), key by key and flavour by flavour.
 * Either may be NULL. */
gwguard_page_conf *gwguard_page_conf_merge(apr_pool_t *p,
                                           const gwguard_page_conf *base,
                                           const gwguard_page_conf *add);

/* Directive handlers (mod_gwguard_page_conf.c). */
const char *gwguard_set_error_page(cmd_parms *cmd, void *dirconf,
                                   const char *key, const char *target);
const char *gwguard_set_page_var(cmd_parms *cmd, void *dirconf,
                                 const char *name, const char *value);
const char *gwguard_set_retry_after(cmd_parms *cmd, void *dirconf,
                                    const char *value);
const char *gwguard_set_expose_upstream(cmd_parms *cmd, void *dirconf,
                                        const char *value);
const char *gwguard_set_proxy_status(cmd_parms *cmd, void *dirconf,
                                     const char *value);
const char *gwguard_set_intercept(cmd_parms *cmd, void *dirconf,
                                  const char *args);

/* Whether a GwGuardIntercept turned a status on anywhere since
 * pre_config (an .htaccess one in the child that read it): the
 * insert_filter hook's first test, so that a site without one pays a
 * load per request, not a per-directory lookup. Only ever goes 0 -> 1
 * within a generation. */
extern int gwguard_intercept_seen;

/* Whether pc's GwGuardIntercept covers any status (NULL: defaults, none). */
int gwguard_page_conf_intercepts(const gwguard_page_conf *pc);

/* The request's page settings; NULL means all defaults. */
const gwguard_page_conf *gwguard_page_conf_get(request_rec *r);

#endif
