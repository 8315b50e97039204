/*
 * gwguardctl recent: the newest failures from the ring, newest first, as
 * a table or JSON; and gwguardctl explain REQUEST_ID: one of them in
 * plain language. The request id is the one on the page the client saw
 * and in the GWG00006 log line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "gwg_recent.h"
#include "gwg_time.h"

static int finish(void)
{
    if (fflush(stdout) != 0) {
        ctl_error("cannot write to standard output");
        return CTL_FAIL;
    }
    return CTL_OK;
}

static int parse_count(int *n, const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (!*s || *end || v < 1 || v > GWG_RECENT_MAX) {
        return ctl_usage("recent: -n wants a number from 1 to %d, not '%s'",
                         GWG_RECENT_MAX, s);
    }
    *n = (int)v;
    return CTL_OK;
}

static int json, max = 20;

static int recent_option(int c, const char *arg)
{
    if (c == 'j') {
        json = 1;
        return CTL_OK;
    }
    return parse_count(&max, arg);
}

static int recent_run(ctl_env *env)
{
    gwg_recent *entries;
    gwg_out out;
    int n;

    if (env->shm.recent_size == 0) {
        fprintf(stderr, "gwguardctl: note: the ring is off (GwGuardRecent "
                "0) in %s\n", env->shm_path);
    }
    n = gwg_recent_collect(&entries, &env->shm,
                           (const char *const *)env->argv, env->argc, max,
                           env->p);
    gwg_out_init(&out, gwg_out_file_write, stdout);
    if (json) {
        gwg_recent_json(&out, entries, n);
    }
    else {
        gwg_recent_table(&out, entries, n);
    }
    return finish();
}

static const struct option recent_opts[] = {
    { "json", no_argument, NULL, 'j' },
    { NULL, 0, NULL, 0 }
};

const ctl_command ctl_recent_command = {
    "recent", CTL_NEEDS_SHM, "n:", recent_opts, recent_option, NULL,
    recent_run,
    "recent [--json] [--shm FILE] [--config FILE] [-n N] [KEY...]",
    "the newest failures, newest first"
};

static int explain_operands(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        return ctl_usage("explain: give one REQUEST_ID (from the error page "
                         "or the GWG00006 log line)");
    }
    return CTL_OK;
}

static int explain_run(ctl_env *env)
{
    gwg_recent e;
    gwg_out out;

    if (gwg_recent_find(&env->shm, env->argv[0], &e) != 0) {
        ctl_error("no failure with request id '%s' among the last %u in %s "
                  "(it may be older, or the request did not fail)",
                  env->argv[0], env->shm.recent_size, env->shm_path);
        return CTL_FAIL;
    }
    gwg_out_init(&out, gwg_out_file_write, stdout);
    gwg_recent_explain(&out, &e);
    gwg_recent_explain_attempts(&out, &env->shm, &e);
    return finish();
}

const ctl_command ctl_explain_command = {
    "explain", CTL_NEEDS_SHM, NULL, NULL, NULL, explain_operands,
    explain_run,
    "explain [--shm FILE] [--config FILE] REQUEST_ID",
    "one failure in plain language, and what to check first"
};
