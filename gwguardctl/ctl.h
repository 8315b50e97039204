/*
 * gwguardctl internals: the command table's signature, messages and
 * finding the shared segment. One file per command implements it.
 */
#ifndef CTL_H
#define CTL_H

#include <getopt.h>

#include <apr_pools.h>

#include "gwg_conf.h"
#include "gwg_confread.h"
#include "gwg_shm.h"

#define CTL_OK     0      /* success */
#define CTL_FAIL   1      /* problems found, or the operation failed */
#define CTL_USAGE  2      /* bad command line */

#define CTL_DEFAULT_CONFIG "/etc/apache2/apache2.conf"
/* where the module puts the segment when no configuration can be read */
#define CTL_DEFAULT_SHM    GWG_DEFAULT_RUNTIME_DIR "/" GWG_DEFAULT_SHM_NAME
#define CTL_HTTPD_ROOT     "/etc/apache2"   /* Debian's HTTPD_ROOT */

/* What a command needs set up before it runs (its row's needs). */
#define CTL_NEEDS_SHM      1    /* the segment, read-only: --shm, --config */
#define CTL_NEEDS_SHM_RW   2    /* the segment, writable */

/* What main() set up for the command, once, from its row. */
typedef struct {
    apr_pool_t *p;
    int         argc;           /* the operands after the options */
    char      **argv;
    const char *shm_path;       /* with CTL_NEEDS_SHM*: found, */
    gwg_shm     shm;            /* and open; closed after run */
} ctl_env;

typedef struct {
    const char    *name;
    int            needs;           /* CTL_NEEDS_* */
    const char    *shortopts;       /* getopt's, after the '+' */
    const struct option *longopts;  /* the command's own, or NULL */
    /* one option (getopt's c and optarg): CTL_OK, or a usage error */
    int          (*option)(int c, const char *arg);
    /* the operands, before anything is set up: CTL_OK or a usage error;
     * NULL takes any */
    int          (*operands)(int argc, char **argv);
    int          (*run)(ctl_env *env);
    const char    *synopsis;       /* after "gwguardctl " */
    const char    *summary;
} ctl_command;

/* "gwguardctl: error: ..." on stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: the message, then one "Try ... --help" line. Returns
 * CTL_USAGE so callers can `return ctl_usage(...)`. */
int ctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The segment path: --shm, else $GWGUARD_SHM, else where the module
 * puts it by the config file (GwGuardShmFile in DefaultRuntimeDir, with
 * the module's defaults), else CTL_DEFAULT_SHM. */
const char *ctl_shm_path(const char *opt_shm, const char *opt_config,
                         apr_pool_t *p);

/* Reads an httpd configuration as httpd would on Debian: compiled-in
 * modules, ServerRoot /etc/apache2, envvars next to the file. */
gwg_confdoc *ctl_read_config(const char *config, apr_pool_t *p);

/* Opens the segment or prints why not. Returns CTL_OK or CTL_FAIL. */
int ctl_open_shm(gwg_shm *shm, const char *path, int writable);

/* The command rows, one per ctl_<command>.c. */
extern const ctl_command ctl_status_command, ctl_reset_command,
    ctl_recent_command, ctl_explain_command, ctl_watch_command,
    ctl_check_command, ctl_maint_command;

#endif
