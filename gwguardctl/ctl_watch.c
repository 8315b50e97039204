/*
 * gwguardctl watch: a live view for a terminal. Every interval it takes a
 * snapshot, and shows per upstream the requests and failures per second
 * since the previous one, the totals and the breaker. It stops cleanly on
 * Ctrl-C (SIGINT), SIGTERM, a closed terminal (SIGHUP, or a write that
 * fails) and after --count frames.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "gwg_format.h"
#include "gwg_time.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void install_handlers(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;      /* no SA_RESTART: wake the sleep */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);       /* a failed write says it instead */
}

/* The previous frame's counters of an upstream, or NULL. */
static const gwg_snap_upstream *previous(const gwg_snapshot *prev,
                                         const char *name)
{
    int i;

    for (i = 0; prev && i < prev->nupstreams; i++) {
        if (strcmp(prev->upstreams[i].name, name) == 0) {
            return &prev->upstreams[i];
        }
    }
    return NULL;
}

/* Per second since the last frame; a reset in between shows 0. */
static double rate(uint64_t now, uint64_t before, double dt)
{
    return (dt > 0 && now >= before) ? (double)(now - before) / dt : 0.0;
}

static void row(const gwg_snap_upstream *u, const gwg_snap_upstream *was,
                double dt, uint64_t now)
{
    char breaker[48], maint[48], name[GWG_TEXT_MAX(GWG_KEY_MAX)];

    /* an upstream in maintenance says so after its breaker */
    printf("%-36s %8.1f %8.1f %10" PRIu64 " %10" PRIu64 "  %s%s%s\n",
           gwg_text_safe(name, sizeof(name), u->name),
           was ? rate(u->requests, was->requests, dt) : 0.0,
           was ? rate(u->failures, was->failures, dt) : 0.0, u->requests,
           u->failures, gwg_format_breaker(breaker, sizeof(breaker), u, now),
           u->maint.on ? "  maintenance " : "",
           u->maint.on ? gwg_format_maint(maint, sizeof(maint), u, now) : "");
}

static void frame(const gwg_snapshot *snap, const gwg_snapshot *prev,
                  double dt, double interval, int tty)
{
    char when[GWG_RFC3339_LEN], path[GWG_TEXT_MAX(256)];
    uint64_t now = gwg_now_us();
    int i;

    if (tty) {
        fputs("\033[H\033[2J", stdout);      /* home, clear screen */
    }
    printf("gwguardctl watch  %s  every %.1fs  %s  (Ctrl-C to quit)\n\n",
           gwg_text_safe(path, sizeof(path), snap->shm_path), interval,
           gwg_time_rfc3339(when, sizeof(when),
                                                      now));
    printf("%-36s %8s %8s %10s %10s  %s\n", "UPSTREAM", "REQ/S", "FAIL/S",
           "REQUESTS", "FAILURES", "BREAKER");
    for (i = 0; i < snap->nupstreams; i++) {
        row(&snap->upstreams[i], previous(prev, snap->upstreams[i].name),
            dt, now);
    }
    printf("%-36s %8.1f %8.1f %10" PRIu64 " %10" PRIu64 "\n", "total",
           prev ? rate(snap->totals.requests, prev->totals.requests, dt) : 0,
           prev ? rate(snap->totals.failures, prev->totals.failures, dt) : 0,
           snap->totals.requests, snap->totals.failures);
    if (!tty) {
        putchar('\n');
    }
}

/* Sleeps, waking early for a signal. */
static void pause_for(double seconds)
{
    struct timespec ts;

    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (!stop_signal && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int parse_interval(double *out, const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (!*s || *end || !(v >= 0.1 && v <= 3600)) {
        return ctl_usage("watch: --interval wants seconds from 0.1 to 3600, "
                         "not '%s'", s);
    }
    *out = v;
    return CTL_OK;
}

static int loop(gwg_shm *shm, const char *path, double interval, long count,
                apr_pool_t *p)
{
    gwg_snapshot *snap, *prev = NULL;
    const char *missing;
    uint64_t t_prev = 0, t;
    int tty = isatty(STDOUT_FILENO);
    apr_pool_t *frames[2] = { NULL, NULL };
    long n;

    for (n = 0; !stop_signal && (count == 0 || n < count); n++) {
        apr_pool_t **fp = &frames[n % 2];
        if (*fp) {
            apr_pool_clear(*fp);             /* the frame before prev */
        }
        else {
            apr_pool_create(fp, p);
        }
        t = gwg_now_us();
        gwg_snapshot_take(&snap, &missing, shm, path, NULL, 0, *fp);
        frame(snap, prev, (double)(t - t_prev) / 1e6, interval, tty);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            return CTL_OK;                   /* the terminal went away */
        }
        prev = snap;
        t_prev = t;
        if (count == 0 || n + 1 < count) {
            pause_for(interval);
        }
    }
    return CTL_OK;
}

static double interval = 2.0;
static long count;

static int option(int c, const char *arg)
{
    char *end;

    if (c == 'i') {
        return parse_interval(&interval, arg);
    }
    count = strtol(arg, &end, 10);
    if (!*arg || *end || count < 1) {
        return ctl_usage("watch: --count wants a number of refreshes, 1 or "
                         "more, not '%s'", arg);
    }
    return CTL_OK;
}

static int operands(int argc, char **argv)
{
    if (argc > 0) {
        return ctl_usage("watch: unexpected argument '%s'", argv[0]);
    }
    return CTL_OK;
}

static int run(ctl_env *env)
{
    int rc;

    install_handlers();
    rc = loop(&env->shm, env->shm_path, interval, count, env->p);
    if (stop_signal == SIGINT && isatty(STDOUT_FILENO)) {
        putchar('\n');
    }
    return rc;
}

static const struct option opts[] = {
    { "interval", required_argument, NULL, 'i' },
    { "count", required_argument, NULL, 'n' },
    { NULL, 0, NULL, 0 }
};

const ctl_command ctl_watch_command = {
    "watch", CTL_NEEDS_SHM, NULL, opts, option, operands, run,
    "watch [--shm FILE] [--config FILE] [--interval SEC]",
    "live view: rates per second and breaker states"
};
