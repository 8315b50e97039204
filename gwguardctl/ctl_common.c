/*
 * What every gwguardctl command shares: messages on stderr in one shape,
 * and finding and opening the shared segment.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ctl.h"

void ctl_error(const char *fmt, ...)
{
    va_list ap;

    fputs("gwguardctl: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int ctl_usage(const char *fmt, ...)
{
    va_list ap;

    fputs("gwguardctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'gwguardctl --help' for more information.\n", stderr);
    return CTL_USAGE;
}

/* GwGuardShmFile from one config file, or NULL. A relative path is
 * relative to the runtime directory, as in the module. */
static const char *shm_from_config(const char *config, apr_pool_t *p)
{
    char line[4096];
    const char *found = NULL;
    FILE *f = fopen(config, "r");

    if (!f) {
        return NULL;
    }
    while (fgets(line, sizeof(line), f)) {
        char *s = line, *v, *end;
        while (isspace((unsigned char)*s)) {
            s++;
        }
        if (strncasecmp(s, "GwGuardShmFile", 14) != 0
            || !isspace((unsigned char)s[14])) {
            continue;
        }
        v = s + 14;
        while (isspace((unsigned char)*v)) {
            v++;
        }
        if (*v == '"') {
            v++;
            end = strchr(v, '"');
        }
        else {
            end = v + strcspn(v, " \t\r\n");
        }
        if (end && end > v) {
            found = apr_pstrndup(p, v, (apr_size_t)(end - v));
        }
    }
    fclose(f);
    if (found && found[0] != '/') {
        found = apr_pstrcat(p, "/var/run/apache2/", found, NULL);
    }
    return found;
}

const char *ctl_shm_path(const char *opt_shm, const char *opt_config,
                         apr_pool_t *p)
{
    const char *env = getenv("GWGUARD_SHM");
    const char *from_config;

    if (opt_shm) {
        return opt_shm;
    }
    if (env && *env) {
        return env;
    }
    from_config = shm_from_config(opt_config ? opt_config
                                             : CTL_DEFAULT_CONFIG, p);
    return from_config ? from_config : CTL_DEFAULT_SHM;
}

int ctl_open_shm(gwg_shm *shm, const char *path, int writable)
{
    char err[GWG_ERRMAX + 4096];

    if (gwg_shm_open(shm, path, writable, err, sizeof(err)) != APR_SUCCESS) {
        ctl_error("%s", err);
        return CTL_FAIL;
    }
    return CTL_OK;
}
