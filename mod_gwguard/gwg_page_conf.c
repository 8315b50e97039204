/*
 * Parsers for the page directives, in the house pattern:
 *   DIRECTIVE: 'VALUE' is not ...; expected ...
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "gwg_class.h"
#include "gwg_page_conf.h"
#include "gwg_template.h"

/* A whole number in [min, max], or -1. */
static long number(const char *s, long min, long max)
{
    long v = 0;
    const char *c;

    if (!s || !*s || strlen(s) > 6) return -1;
    for (c = s; *c; c++) {
        if (!isdigit((unsigned char)*c)) return -1;
        v = v * 10 + (*c - '0');
    }
    return v >= min && v <= max ? v : -1;
}

const char *gwg_conf_page_key(const char **key, const char *directive,
                              const char *value, apr_pool_t *p)
{
    if (value && strcasecmp(value, "default") == 0) {
        *key = "default";
        return NULL;
    }
    if (number(value, GWG_PAGE_STATUS_MIN, GWG_PAGE_STATUS_MAX) > 0) {
        *key = apr_pstrdup(p, value);
        return NULL;
    }
    if (gwg_class_by_name(value) != GWG_CLASS_NONE) {
        *key = gwg_class_get(gwg_class_by_name(value))->name;
        return NULL;
    }
    return apr_psprintf(p, "%s: '%s' is not a status, class or default; "
                        "expected a status from %d to %d, a class (%s) or "
                        "default", directive, value ? value : "",
                        GWG_PAGE_STATUS_MIN, GWG_PAGE_STATUS_MAX,
                        gwg_class_names_list());
}

const char *gwg_conf_page_target(gwg_page_target *out, const char *directive,
                                 const char *value, apr_pool_t *p)
{
    int type = gwg_template_type_of(value);

    if (value && strcasecmp(value, "builtin") == 0) {
        *out = GWG_TARGET_BUILTIN;
    }
    else if (value && strcasecmp(value, "none") == 0) {
        *out = GWG_TARGET_NONE;
    }
    else if (type == GWG_TPL_HTML) {
        *out = GWG_TARGET_HTML;
    }
    else if (type == GWG_TPL_JSON) {
        *out = GWG_TARGET_JSON;
    }
    else {
        return apr_psprintf(p, "%s: '%s' is not a page; expected builtin, "
                            "none, or a .html or .json file", directive,
                            value ? value : "");
    }
    return NULL;
}

const char *gwg_conf_intercept(unsigned char set[100], const char *directive,
                               const char *args, apr_pool_t *p)
{
    char *copy = apr_pstrdup(p, args ? args : ""), *last, *w;
    int n = 0;

    memset(set, 0, 100);
    for (w = apr_strtok(copy, " \t", &last); w;
         w = apr_strtok(NULL, " \t", &last), n++) {
        long s = number(w, GWG_PAGE_STATUS_MIN, GWG_PAGE_STATUS_MAX);
        if ((strcasecmp(w, "on") == 0 || strcasecmp(w, "off") == 0)
            && n == 0 && !apr_strtok(NULL, " \t", &last)) {
            if (strcasecmp(w, "on") == 0) {
                set[2] = set[3] = set[4] = 1;
            }
            return NULL;
        }
        if (s < 0) {
            return apr_psprintf(p, "%s: '%s' is not valid here; expected Off, "
                                "On, or statuses from %d to %d", directive, w,
                                GWG_PAGE_STATUS_MIN, GWG_PAGE_STATUS_MAX);
        }
        set[s - GWG_PAGE_STATUS_MIN] = 1;
    }
    if (n == 0) {
        return apr_psprintf(p, "%s: a value is required; expected Off, On, or "
                            "statuses from %d to %d", directive,
                            GWG_PAGE_STATUS_MIN, GWG_PAGE_STATUS_MAX);
    }
    return NULL;
}

const char *gwg_conf_var_name(const char *directive, const char *name,
                              apr_pool_t *p)
{
    const char *c;

    for (c = name; c && *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-') break;
    }
    if (!name || !*name || *c) {
        return apr_psprintf(p, "%s: '%s' is not a valid name; expected "
                            "letters, digits, '_' and '-' (used as "
                            "{{var.NAME}})", directive, name ? name : "");
    }
    return NULL;
}

const char *gwg_conf_htaccess_path(const char *directive, const char *value,
                                   apr_pool_t *p)
{
    const char *seg = value;

    if (!value || !*value) {
        return apr_psprintf(p, "%s: empty template path", directive);
    }
    if (value[0] == '/') {
        return apr_psprintf(p, "%s: '%s': in .htaccess a template must be "
                            "a path relative to the .htaccess directory, "
                            "not an absolute one", directive, value);
    }
    while (*seg) {
        size_t n = strcspn(seg, "/");
        if (n == 0 || (n == 1 && seg[0] == '.')
            || (n == 2 && seg[0] == '.' && seg[1] == '.')) {
            return apr_psprintf(p, "%s: '%s': in .htaccess a template must "
                                "stay inside the .htaccess directory (no "
                                "'..', '.' or empty path segments)",
                                directive, value);
        }
        seg += n + (seg[n] == '/');
    }
    return NULL;
}
