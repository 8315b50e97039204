/*
 * Directive value parsers. Messages follow one pattern so admins can grep:
 *   DIRECTIVE: 'VALUE' is not ...; expected ...
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "gwg_class.h"
#include "gwg_conf.h"

const gwg_defaults gwg_default = {
    .enabled = 1,
    .shm_name = GWG_DEFAULT_SHM_NAME,
    .max_upstreams = 1024,
    .recent = 1024,
    .retry_after = 30,
    .expose_upstream = 0,
    .proxy_status = 1,
    .breaker = 0,
    .breaker_failures = 5,
    .breaker_window_s = 10,
    .breaker_cooldown_s = 30,
    .breaker_max_cooldown_s = 0,
    .breaker_panic_pct = 50,
};

const char *gwg_conf_flag(int *out, const char *directive, const char *value,
                          apr_pool_t *p)
{
    if (value && strcasecmp(value, "on") == 0) {
        *out = 1;
        return NULL;
    }
    if (value && strcasecmp(value, "off") == 0) {
        *out = 0;
        return NULL;
    }
    return apr_psprintf(p, "%s: '%s' is not a valid value; expected On or "
                        "Off", directive, value ? value : "");
}

const char *gwg_conf_uint(unsigned long *out, const char *directive,
                          const char *value, unsigned long min,
                          unsigned long max, apr_pool_t *p)
{
    const char *c;
    char *end;
    unsigned long v;

    for (c = value; c && *c; c++) {
        if (!isdigit((unsigned char)*c)) {
            break;
        }
    }
    if (!value || !*value || *c) {
        return apr_psprintf(p, "%s: '%s' is not a whole number; expected a "
                            "number from %lu to %lu", directive,
                            value ? value : "", min, max);
    }
    errno = 0;
    v = strtoul(value, &end, 10);
    if (errno == ERANGE || v < min || v > max) {
        return apr_psprintf(p, "%s: '%s' is out of range; expected a number "
                            "from %lu to %lu", directive, value, min, max);
    }
    *out = v;
    return NULL;
}

const char *gwg_conf_path(const char *directive, const char *value,
                          apr_pool_t *p)
{
    size_t n = value ? strlen(value) : 0;

    if (n == 0) {
        return apr_psprintf(p, "%s: an empty path is not allowed; expected "
                            "a file name", directive);
    }
    if (value[n - 1] == '/') {
        return apr_psprintf(p, "%s: '%s' names a directory; expected a file "
                            "name", directive, value);
    }
    return NULL;
}

const char *gwg_conf_status_code(int *cls, int *status, const char *directive,
                                 const char *class_name, const char *value,
                                 apr_pool_t *p)
{
    unsigned long v;
    gwg_class_t c = gwg_class_by_name(class_name);
    const char *err;

    if (c == GWG_CLASS_NONE) {
        return apr_psprintf(p, "%s: '%s' is not a failure class; expected "
                            "one of %s", directive,
                            class_name ? class_name : "",
                            gwg_class_names_list());
    }
    err = gwg_conf_uint(&v, directive, value, 500, 599, p);
    if (err) {
        return err;
    }
    *cls = (int)c;
    *status = (int)v;
    return NULL;
}
