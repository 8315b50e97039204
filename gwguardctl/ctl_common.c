/*
 * What every gwguardctl command shares: messages on stderr in one shape,
 * and finding and opening the shared segment.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>

#include "ctl.h"
#include "gwg_confcheck.h"

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

/* httpd's compiled-in modules on Debian (apache2 -l), which <IfModule>
 * sees without a LoadModule line. */
static const char *const static_modules[] = { "core.c", "mod_so.c",
    "so_module", "mod_watchdog.c", "watchdog_module", "http_core.c",
    "http_module", "mod_log_config.c", "log_config_module", "mod_logio.c",
    "logio_module", "mod_version.c", "version_module", "mod_unixd.c",
    "unixd_module", NULL };

gwg_confdoc *ctl_read_config(const char *config, apr_pool_t *p)
{
    gwg_confread_opts opts;
    const char *slash = strrchr(config, '/');
    const char *envvars = apr_pstrcat(p, slash ? apr_pstrndup(p, config,
                                      (apr_size_t)(slash - config)) : ".",
                                      "/envvars", NULL);

    memset(&opts, 0, sizeof(opts));
    opts.server_root = CTL_HTTPD_ROOT;
    opts.static_modules = static_modules;
    /* Debian's apache2ctl sources envvars next to the config; its values
     * are defaults for ${VAR} behind the real environment */
    opts.envvars = access(envvars, R_OK) == 0 ? envvars : NULL;
    return gwg_confread(config, &opts, p);
}

/* The segment's path as the module resolves it from the config (the
 * same rule and defaults, gwg_confcheck_shm_path), or NULL when the
 * config cannot be read. */
static const char *shm_from_config(const char *config, apr_pool_t *p)
{
    if (access(config, R_OK) != 0) {
        return NULL;
    }
    return gwg_confcheck_shm_path(ctl_read_config(config, p));
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
