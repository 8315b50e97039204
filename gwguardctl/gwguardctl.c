/*
 * gwguardctl: the admin CLI of mod_gwguard. main() handles the global
 * options and dispatches to one command from the table below; each
 * command lives in its own ctl_<command>.c.
 */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>

#include "ctl.h"
#include "gwg_format.h"
#include "gwg_version.h"

static const ctl_command commands[] = {
    { "status", ctl_cmd_status,
      "status [--json|--xml|--prometheus] [--shm FILE] [--config FILE] "
      "[KEY...]",
      "show per-upstream counters" },
    { "reset", ctl_cmd_reset,
      "reset [--shm FILE] [--config FILE] (KEY...|--all) [--breaker]",
      "zero counters, safely while httpd serves" },
    { "check", ctl_cmd_check,
      "check [--config FILE] [--strict]",
      "validate the httpd configuration's GwGuard directives and traps" },
    { "watch", ctl_cmd_watch,
      "watch [--shm FILE] [--config FILE] [--interval SEC]",
      "live view: rates per second and breaker states" },
    { "recent", ctl_cmd_recent,
      "recent [--json] [--shm FILE] [--config FILE] [-n N] [KEY...]",
      "the newest failures, newest first" },
    { "explain", ctl_cmd_explain,
      "explain [--shm FILE] [--config FILE] REQUEST_ID",
      "one failure in plain language, and what to check first" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void help(void)
{
    size_t i;

    printf("Usage: gwguardctl COMMAND [OPTIONS]\n\n"
           "Reads and resets the counters mod_gwguard keeps in shared "
           "memory,\nand checks httpd configurations that use it.\n\nCommands:\n");
    for (i = 0; i < NCOMMANDS; i++) {
        printf("  gwguardctl %s\n      %s\n", commands[i].synopsis,
               commands[i].summary);
    }
    printf("  gwguardctl --help | --version\n\n"
           "The segment is found by --shm, else $GWGUARD_SHM, else "
           "GwGuardShmFile in\n--config (default %s), else %s.\n\n"
           "Exit status: 0 success, 1 problems found or the operation "
           "failed, 2 usage error.\n\n"
           "Examples:\n"
           "  gwguardctl status\n"
           "  gwguardctl status --json http://127.0.0.1:8080\n"
           "  gwguardctl reset --all\n"
           "  gwguardctl recent -n 5\n"
           "  gwguardctl explain YxKc3n8AAQEAAB2fQ7kAAAAB\n"
           "  gwguardctl check --strict\n", CTL_DEFAULT_CONFIG, CTL_DEFAULT_SHM);
}

int main(int argc, char **argv)
{
    apr_pool_t *pool;
    size_t i;
    int rc;

    if (argc < 2) {
        return ctl_usage("no command given");
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        help();
        return CTL_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("gwguardctl %s (shared layout version %u)\n", GWG_VERSION,
               GWG_LAYOUT_VERSION);
        return CTL_OK;
    }
    for (i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            break;
        }
    }
    if (i == NCOMMANDS) {
        return ctl_usage("unknown command '%s'", argv[1]);
    }
    gwg_format_init();
    if (apr_app_initialize(&argc, (const char *const **)&argv, NULL)
        != APR_SUCCESS || apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        ctl_error("cannot initialise APR");
        return CTL_FAIL;
    }
    rc = commands[i].run(argc - 1, argv + 1, pool);
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
