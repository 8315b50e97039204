/*
 * gwguardctl recent: the newest failures from the ring, newest first, as
 * a table or JSON; and gwguardctl explain REQUEST_ID: one of them in
 * plain language. The request id is the one on the page the client saw
 * and in the GWG00006 log line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "gwg_recent.h"
#include "gwg_time.h"

static int finish(gwg_shm *shm)
{
    gwg_shm_close(shm);
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

int ctl_cmd_recent(int argc, char **argv, apr_pool_t *p)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "shm", required_argument, NULL, 's' },
        { "config", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 }
    };
    const char *opt_shm = NULL, *opt_config = NULL, *path;
    int c, json = 0, max = 20, n;
    gwg_recent *entries;
    gwg_shm shm;
    gwg_out out;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+n:", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 's': opt_shm = optarg; break;
        case 'c': opt_config = optarg; break;
        case 'n':
            if (parse_count(&max, optarg) != CTL_OK) {
                return CTL_USAGE;
            }
            break;
        default: return ctl_usage("recent: unknown option or missing value "
                                  "'%s'", argv[optind - 1]);
        }
    }
    path = ctl_shm_path(opt_shm, opt_config, p);
    if (ctl_open_shm(&shm, path, 0) != CTL_OK) {
        return CTL_FAIL;
    }
    if (shm.recent_size == 0) {
        fprintf(stderr, "gwguardctl: note: the ring is off (GwGuardRecent "
                "0) in %s\n", path);
    }
    n = gwg_recent_collect(&entries, &shm, (const char *const *)argv
                           + optind, argc - optind, max, p);
    gwg_out_init(&out, gwg_out_file_write, stdout);
    if (json) {
        gwg_recent_json(&out, entries, n);
    }
    else {
        gwg_recent_table(&out, entries, n);
    }
    return finish(&shm);
}

int ctl_cmd_explain(int argc, char **argv, apr_pool_t *p)
{
    static const struct option opts[] = {
        { "shm", required_argument, NULL, 's' },
        { "config", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 }
    };
    const char *opt_shm = NULL, *opt_config = NULL, *path;
    gwg_recent e;
    gwg_shm shm;
    gwg_out out;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 's': opt_shm = optarg; break;
        case 'c': opt_config = optarg; break;
        default: return ctl_usage("explain: unknown option '%s'",
                                  argv[optind - 1]);
        }
    }
    if (argc - optind != 1) {
        return ctl_usage("explain: give one REQUEST_ID (from the error page "
                         "or the GWG00006 log line)");
    }
    path = ctl_shm_path(opt_shm, opt_config, p);
    if (ctl_open_shm(&shm, path, 0) != CTL_OK) {
        return CTL_FAIL;
    }
    if (gwg_recent_find(&shm, argv[optind], &e) != 0) {
        ctl_error("no failure with request id '%s' among the last %u in %s "
                  "(it may be older, or the request did not fail)",
                  argv[optind], shm.recent_size, path);
        gwg_shm_close(&shm);
        return CTL_FAIL;
    }
    gwg_out_init(&out, gwg_out_file_write, stdout);
    gwg_recent_explain(&out, &e);
    gwg_recent_explain_attempts(&out, &shm, &e);
    return finish(&shm);
}
