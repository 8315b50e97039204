/*
 * gwguardctl reset: zero the counters of some upstreams or all of them,
 * safely while httpd serves (each counter is exchanged with 0, so no
 * increment that arrives during the reset is lost), and record when and
 * by whom in the header.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "gwg_time.h"

/* Asks before resetting everything, but only when a person is there. */
static int confirmed(const char *path, uint32_t n)
{
    char answer[16];

    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
        return 1;
    }
    fprintf(stderr, "Reset the counters of all %u upstreams in %s? [y/N] ",
            n, path);
    if (!fgets(answer, sizeof(answer), stdin)) {
        return 0;
    }
    return answer[0] == 'y' || answer[0] == 'Y';
}

static int reset_keys(gwg_shm *shm, const char *path, char **keys, int n,
                      int breaker)
{
    int i;

    /* Check every key first so a typo resets nothing. */
    for (i = 0; i < n; i++) {
        if (gwg_shm_find(shm, keys[i]) < 0) {
            ctl_error("no upstream '%s' in %s; nothing was reset", keys[i],
                      path);
            return CTL_FAIL;
        }
    }
    for (i = 0; i < n; i++) {
        gwg_shm_reset_slot(shm, (uint32_t)gwg_shm_find(shm, keys[i]),
                           breaker);
        printf("reset %s%s\n", keys[i], breaker ? " (and its breaker)" : "");
    }
    return CTL_OK;
}

static int reset_all(gwg_shm *shm, int breaker)
{
    uint32_t used = gwg_shm_used(shm), i;

    for (i = 0; i < used; i++) {
        gwg_shm_reset_slot(shm, i, breaker);
    }
    gwg_shm_reset_slot(shm, gwg_shm_overflow_slot(shm), breaker);
    printf("reset all %u upstreams%s\n", used,
           breaker ? " (and their breakers)" : "");
    return CTL_OK;
}

static int all, breaker;

static int option(int c, const char *arg)
{
    (void)arg;
    *(c == 'a' ? &all : &breaker) = 1;
    return CTL_OK;
}

static int operands(int argc, char **argv)
{
    (void)argv;
    if (all == (argc > 0)) {
        return ctl_usage("reset: name the upstreams to reset, or --all "
                         "(not both)");
    }
    return CTL_OK;
}

static int run(ctl_env *env)
{
    int rc;

    if (all && !confirmed(env->shm_path, gwg_shm_used(&env->shm))) {
        fprintf(stderr, "gwguardctl: nothing was reset\n");
        return CTL_FAIL;
    }
    rc = all ? reset_all(&env->shm, breaker)
             : reset_keys(&env->shm, env->shm_path, env->argv, env->argc,
                          breaker);
    if (rc == CTL_OK) {
        gwg_shm_note_reset(&env->shm, gwg_now_us(), (uint64_t)getuid());
    }
    return rc;
}

static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "breaker", no_argument, NULL, 'b' },
    { NULL, 0, NULL, 0 }
};

const ctl_command ctl_reset_command = {
    "reset", CTL_NEEDS_SHM_RW, NULL, opts, option, operands, run,
    "reset [--shm FILE] [--config FILE] (KEY...|--all) [--breaker]",
    "zero counters, safely while httpd serves"
};
