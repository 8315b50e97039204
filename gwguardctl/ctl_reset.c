/*
 * gwguardctl reset: zero the counters of some upstreams or all of them,
 * safely while httpd serves (each counter is exchanged with 0, so no
 * increment that arrives during the reset is lost), and record when and
 * by whom in the header.
 */
#include <getopt.h>
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

int ctl_cmd_reset(int argc, char **argv, apr_pool_t *p)
{
    static const struct option opts[] = {
        { "all", no_argument, NULL, 'a' },
        { "breaker", no_argument, NULL, 'b' },
        { "shm", required_argument, NULL, 's' },
        { "config", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 }
    };
    const char *opt_shm = NULL, *opt_config = NULL, *path;
    int c, all = 0, breaker = 0, rc;
    gwg_shm shm;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'a': all = 1; break;
        case 'b': breaker = 1; break;
        case 's': opt_shm = optarg; break;
        case 'c': opt_config = optarg; break;
        default: return ctl_usage("reset: unknown option '%s'",
                                  argv[optind - 1]);
        }
    }
    if (all == (optind < argc)) {
        return ctl_usage("reset: name the upstreams to reset, or --all "
                         "(not both)");
    }
    path = ctl_shm_path(opt_shm, opt_config, p);
    if (ctl_open_shm(&shm, path, 1) != CTL_OK) {
        return CTL_FAIL;
    }
    if (all && !confirmed(path, gwg_shm_used(&shm))) {
        gwg_shm_close(&shm);
        fprintf(stderr, "gwguardctl: nothing was reset\n");
        return CTL_FAIL;
    }
    rc = all ? reset_all(&shm, breaker)
             : reset_keys(&shm, path, argv + optind, argc - optind, breaker);
    if (rc == CTL_OK) {
        gwg_shm_note_reset(&shm, gwg_now_us(), (uint64_t)getuid());
    }
    gwg_shm_close(&shm);
    return rc;
}
