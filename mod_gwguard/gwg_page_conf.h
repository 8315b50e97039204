/*
 * Values of the page directives (docs/directives.md): GwGuardErrorPage keys and
 * targets, GwGuardIntercept status sets, GwGuardPageVar names. Shared by
 * the module and `gwguardctl check`; messages name the directive, the
 * value and what is allowed.
 */
#ifndef GWG_PAGE_CONF_H
#define GWG_PAGE_CONF_H

#include <apr_pools.h>

#define GWG_PAGE_STATUS_MIN 500
#define GWG_PAGE_STATUS_MAX 599
#define GWG_RETRY_AFTER_MAX 86400

typedef enum {
    GWG_TARGET_BUILTIN,
    GWG_TARGET_NONE,
    GWG_TARGET_HTML,            /* a .html/.htm file */
    GWG_TARGET_JSON             /* a .json file */
} gwg_page_target;

/* "default", a status 500-599 or a class name; *key is the normalized
 * key ("default", "502", "dns"). */
const char *gwg_conf_page_key(const char **key, const char *directive,
                              const char *value, apr_pool_t *p);

/* "builtin", "none" or a file name ending .html, .htm or .json. */
const char *gwg_conf_page_target(gwg_page_target *out, const char *directive,
                                 const char *value, apr_pool_t *p);

/* A template named in .htaccess must stay inside that file's directory
 * tree: a relative path without "." or ".." segments or empty ones.
 * NULL if it does, else why not (naming the directive and the value). */
const char *gwg_conf_htaccess_path(const char *directive, const char *value,
                                   apr_pool_t *p);

/* "Off", "On" (502 503 504) or a list of statuses 500-599, separated by
 * spaces; set[status - 500] is 1 for each status intercepted. */
const char *gwg_conf_intercept(unsigned char set[100], const char *directive,
                               const char *args, apr_pool_t *p);

/* A GwGuardPageVar name: letters, digits, '_' and '-'. */
const char *gwg_conf_var_name(const char *directive, const char *name,
                              apr_pool_t *p);

#endif
