/*
 * gwguardctl internals: the command table's signature, messages and
 * finding the shared segment. One file per command implements it.
 */
#ifndef CTL_H
#define CTL_H

#include <apr_pools.h>

#include "gwg_confread.h"
#include "gwg_shm.h"

#define CTL_OK     0      /* success */
#define CTL_FAIL   1      /* problems found, or the operation failed */
#define CTL_USAGE  2      /* bad command line */

#define CTL_DEFAULT_CONFIG "/etc/apache2/apache2.conf"
#define CTL_DEFAULT_SHM    "/var/run/apache2/gwguard.shm"
#define CTL_HTTPD_ROOT     "/etc/apache2"   /* Debian's HTTPD_ROOT */

typedef int (*ctl_command_fn)(int argc, char **argv, apr_pool_t *p);

typedef struct {
    const char    *name;
    ctl_command_fn run;
    const char    *synopsis;       /* after "gwguardctl " */
    const char    *summary;
} ctl_command;

/* "gwguardctl: error: ..." on stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: the message, then one "Try ... --help" line. Returns
 * CTL_USAGE so callers can `return ctl_usage(...)`. */
int ctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The segment path: --shm, else $GWGUARD_SHM, else GwGuardShmFile in the
 * config file, else the default. */
const char *ctl_shm_path(const char *opt_shm, const char *opt_config,
                         apr_pool_t *p);

/* Reads an httpd configuration as httpd would on Debian: compiled-in
 * modules, ServerRoot /etc/apache2, envvars next to the file. */
gwg_confdoc *ctl_read_config(const char *config, apr_pool_t *p);

/* Opens the segment or prints why not. Returns CTL_OK or CTL_FAIL. */
int ctl_open_shm(gwg_shm *shm, const char *path, int writable);

int ctl_cmd_status(int argc, char **argv, apr_pool_t *p);
int ctl_cmd_reset(int argc, char **argv, apr_pool_t *p);
int ctl_cmd_recent(int argc, char **argv, apr_pool_t *p);
int ctl_cmd_explain(int argc, char **argv, apr_pool_t *p);
int ctl_cmd_watch(int argc, char **argv, apr_pool_t *p);
int ctl_cmd_check(int argc, char **argv, apr_pool_t *p);

#endif
