/*
 * gwguardctl status: one snapshot of the segment, printed as a table for
 * people, as JSON, XML or Prometheus text, by the same core formatter the
 * status handler uses.
 */
#include <stdio.h>

#include "ctl.h"
#include "gwg_format.h"
#include "gwg_time.h"

static gwg_format_t format = GWG_FORMAT_TABLE;

static int option(int c, const char *arg)
{
    (void)arg;
    format = c == 'j' ? GWG_FORMAT_JSON
             : c == 'x' ? GWG_FORMAT_XML : GWG_FORMAT_PROMETHEUS;
    return CTL_OK;
}

static int run(ctl_env *env)
{
    const char *missing;
    gwg_snapshot *snap;
    gwg_out out;
    static char buf[65536];         /* 64 KiB: not on the stack */
    int rc;

    if (gwg_snapshot_take(&snap, &missing, &env->shm, env->shm_path,
                          (const char *const *)env->argv, env->argc,
                          env->p) != APR_SUCCESS) {
        ctl_error("no upstream '%s' in %s (keys look like "
                  "http://127.0.0.1:8080)", missing, env->shm_path);
        return CTL_FAIL;
    }
    gwg_out_init_buffered(&out, gwg_out_file_write, stdout, buf,
                          sizeof(buf));
    rc = gwg_format_status(&out, snap, format, gwg_now_us());
    rc |= gwg_out_flush(&out);
    if (rc != 0 || fflush(stdout) != 0) {
        ctl_error("cannot write the status to standard output");
        return CTL_FAIL;
    }
    return CTL_OK;
}

static const struct option opts[] = {
    { "json", no_argument, NULL, 'j' },
    { "xml", no_argument, NULL, 'x' },
    { "prometheus", no_argument, NULL, 'P' },
    { NULL, 0, NULL, 0 }
};

const ctl_command ctl_status_command = {
    "status", CTL_NEEDS_SHM, NULL, opts, option, NULL, run,
    "status [--json|--xml|--prometheus] [--shm FILE] [--config FILE] "
    "[KEY...]",
    "show per-upstream counters"
};
