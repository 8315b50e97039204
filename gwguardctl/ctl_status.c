/*
 * gwguardctl status: one snapshot of the segment, printed as a table for
 * people, as JSON, XML or Prometheus text, by the same core formatter the
 * status handler uses.
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"
#include "gwg_format.h"
#include "gwg_time.h"

int ctl_cmd_status(int argc, char **argv, apr_pool_t *p)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "xml", no_argument, NULL, 'x' },
        { "prometheus", no_argument, NULL, 'P' },
        { "shm", required_argument, NULL, 's' },
        { "config", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 }
    };
    const char *opt_shm = NULL, *opt_config = NULL, *path, *missing;
    gwg_format_t format = GWG_FORMAT_TABLE;
    gwg_snapshot *snap;
    gwg_shm shm;
    gwg_out out;
    static gwg_filebuf fb;          /* 64 KiB: not on the stack */
    int c, rc;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'j': format = GWG_FORMAT_JSON; break;
        case 'x': format = GWG_FORMAT_XML; break;
        case 'P': format = GWG_FORMAT_PROMETHEUS; break;
        case 's': opt_shm = optarg; break;
        case 'c': opt_config = optarg; break;
        default: return ctl_usage("status: unknown option '%s'",
                                  argv[optind - 1]);
        }
    }
    path = ctl_shm_path(opt_shm, opt_config, p);
    if (ctl_open_shm(&shm, path, 0) != CTL_OK) {
        return CTL_FAIL;
    }
    if (gwg_snapshot_take(&snap, &missing, &shm, path,
                          (const char *const *)argv + optind, argc - optind,
                          p) != APR_SUCCESS) {
        ctl_error("no upstream '%s' in %s (keys look like "
                  "http://127.0.0.1:8080)", missing, path);
        gwg_shm_close(&shm);
        return CTL_FAIL;
    }
    fb.f = stdout;
    gwg_out_init(&out, gwg_filebuf_write, &fb);
    rc = gwg_format_status(&out, snap, format, gwg_now_us());
    rc |= gwg_filebuf_flush(&fb);
    gwg_shm_close(&shm);
    if (rc != 0 || fflush(stdout) != 0) {
        ctl_error("cannot write the status to standard output");
        return CTL_FAIL;
    }
    return CTL_OK;
}
