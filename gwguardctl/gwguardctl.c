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

/* In the order --help lists them; each row is in its ctl_<command>.c. */
static const ctl_command *const commands[] = {
    &ctl_status_command, &ctl_reset_command, &ctl_maint_command,
    &ctl_check_command,
    &ctl_watch_command, &ctl_recent_command, &ctl_explain_command,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void help(void)
{
    size_t i;

    printf("Usage: gwguardctl COMMAND [OPTIONS]\n\n"
           "Reads and resets the counters mod_gwguard keeps in shared "
           "memory,\nand checks httpd configurations that use it.\n\nCommands:\n");
    for (i = 0; i < NCOMMANDS; i++) {
        printf("  gwguardctl %s\n      %s\n", commands[i]->synopsis,
               commands[i]->summary);
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
           "  gwguardctl maintenance http://10.0.0.7:8080 on --for 2h "
           "--message 'Back at 15:00 UTC'\n"
           "  gwguardctl recent -n 5\n"
           "  gwguardctl explain YxKc3n8AAQEAAB2fQ7kAAAAB\n"
           "  gwguardctl check --strict\n", CTL_DEFAULT_CONFIG, CTL_DEFAULT_SHM);
}

/* Values of the options main() handles for the commands that need the
 * segment, out of the range of getopt's characters. */
enum { OPT_SHM = 0x100, OPT_CONFIG };

#define MAX_LONGOPTS 16

/* The command's long options, plus --shm and --config if it needs the
 * segment, into all[] (MAX_LONGOPTS rows). */
static void longopts(struct option *all, const ctl_command *cmd)
{
    static const struct option segment[] = {
        { "shm", required_argument, NULL, OPT_SHM },
        { "config", required_argument, NULL, OPT_CONFIG },
    };
    const struct option *o;
    int n = 0;

    for (o = cmd->longopts; o && o->name && n < MAX_LONGOPTS - 3; o++) {
        all[n++] = *o;
    }
    if (cmd->needs) {
        all[n++] = segment[0];
        all[n++] = segment[1];
    }
    memset(&all[n], 0, sizeof(all[n]));
}

/* Options, operands, then what the row needs (the segment found and
 * opened), the command, and the set-up undone: usage errors come before
 * anything is opened. */
static int run_command(const ctl_command *cmd, int argc, char **argv,
                       apr_pool_t *p)
{
    struct option all[MAX_LONGOPTS];
    char shortopts[16];
    const char *opt_shm = NULL, *opt_config = NULL;
    ctl_env env;
    int c, rc;

    longopts(all, cmd);
    snprintf(shortopts, sizeof(shortopts), "+%s",
             cmd->shortopts ? cmd->shortopts : "");
    opterr = 0;
    while ((c = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
        if (c == OPT_SHM || c == OPT_CONFIG) {
            *(c == OPT_SHM ? &opt_shm : &opt_config) = optarg;
        }
        else if (c == '?' || !cmd->option) {
            return ctl_usage("%s: unknown option or missing value '%s'",
                             cmd->name, argv[optind - 1]);
        }
        else if ((rc = cmd->option(c, optarg)) != CTL_OK) {
            return rc;
        }
    }
    memset(&env, 0, sizeof(env));
    env.p = p;
    env.argc = argc - optind;
    env.argv = argv + optind;
    if (cmd->operands && (rc = cmd->operands(env.argc, env.argv)) != CTL_OK) {
        return rc;
    }
    if (!cmd->needs) {
        return cmd->run(&env);
    }
    env.shm_path = ctl_shm_path(opt_shm, opt_config, p);
    if (ctl_open_shm(&env.shm, env.shm_path,
                     (cmd->needs & CTL_NEEDS_SHM_RW) != 0) != CTL_OK) {
        return CTL_FAIL;
    }
    rc = cmd->run(&env);
    gwg_shm_close(&env.shm);
    return rc;
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
        if (strcmp(argv[1], commands[i]->name) == 0) {
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
    rc = run_command(commands[i], argc - 1, argv + 1, pool);
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
