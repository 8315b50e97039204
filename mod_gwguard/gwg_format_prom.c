/*
 * Prometheus text exposition format (0.0.4), for the status handler and
 * node_exporter's textfile collector. Metric names are SPEC §7's and a
 * contract: add, never rename. Each family is written whole (HELP, TYPE,
 * then every upstream) because the format requires a family's samples to
 * stay together.
 */
#include <inttypes.h>
#include <string.h>

#include "gwg_format.h"

/* A label value: backslash, double quote and newline escaped, as the
 * exposition format requires; every other byte passes as it is. */
static void label_value(gwg_out *o, const char *s)
{
    const char *run = s;

    for (; *s; s++) {
        const char *esc = NULL;
        switch (*s) {
        case '\\': esc = "\\\\"; break;
        case '"': esc = "\\\""; break;
        case '\n': esc = "\\n"; break;
        default: continue;
        }
        gwg_out_mem(o, (size_t)(s - run), run);
        gwg_out_str(o, esc);
        run = s + 1;
    }
    gwg_out_mem(o, (size_t)(s - run), run);
}

static void family(gwg_out *o, const char *name, const char *type,
                   const char *help)
{
    gwg_out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                   type);
}

/* name{upstream="…"[,extra]} value */
static void sample(gwg_out *o, const char *name, const gwg_snap_upstream *u,
                   const char *extra, uint64_t v)
{
    gwg_out_printf(o, "%s{upstream=\"", name);
    label_value(o, u->name);
    gwg_out_printf(o, "\"%s} %" PRIu64 "\n", extra ? extra : "", v);
}

static void requests(gwg_out *o, const gwg_snapshot *snap)
{
    int i;

    family(o, "gwguard_requests_total", "counter",
           "Attempts proxied to the upstream.");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_requests_total", &snap->upstreams[i], NULL,
               snap->upstreams[i].requests);
    }
    family(o, "gwguard_successes_total", "counter",
           "Attempts the upstream answered without failing.");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_successes_total", &snap->upstreams[i], NULL,
               snap->upstreams[i].successes);
    }
}

/* Upstream failures by class (every upstream-failure class, zeros too,
 * so rate() sees a series from the start); client aborts and breaker
 * refusals apart, as neither is the upstream failing an attempt. */
static void failures(gwg_out *o, const gwg_snapshot *snap)
{
    char extra[64];
    int i, c;

    family(o, "gwguard_failures_total", "counter",
           "Upstream failures by class (client_abort and circuit_open "
           "excluded).");
    for (i = 0; i < snap->nupstreams; i++) {
        for (c = 0; c < GWG_CLASS_COUNT; c++) {
            if (!gwg_class_is_upstream_failure((gwg_class_t)c)) {
                continue;
            }
            snprintf(extra, sizeof(extra), ",class=\"%s\"",
                     gwg_class_get((gwg_class_t)c)->name);
            sample(o, "gwguard_failures_total", &snap->upstreams[i], extra,
                   snap->upstreams[i].classes[c]);
        }
    }
    family(o, "gwguard_breaker_refusals_total", "counter",
           "Requests gwguard's open breaker answered 503 circuit_open "
           "without trying the upstream.");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_breaker_refusals_total", &snap->upstreams[i],
               NULL, snap->upstreams[i].classes[GWG_CLASS_CIRCUIT_OPEN]);
    }
    family(o, "gwguard_stale_total", "counter",
           "Failed requests mod_cache answered with a stale copy "
           "(CacheStaleOnError) instead of an error page.");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_stale_total", &snap->upstreams[i], NULL,
               snap->upstreams[i].stale);
    }
    family(o, "gwguard_client_aborts_total", "counter",
           "Requests the client gave up on (never an upstream failure).");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_client_aborts_total", &snap->upstreams[i], NULL,
               snap->upstreams[i].classes[GWG_CLASS_CLIENT_ABORT]);
    }
}

static void responses(gwg_out *o, const gwg_snapshot *snap)
{
    char extra[32];
    int i, k;

    family(o, "gwguard_responses_total", "counter",
           "Error responses gwguard answered, by status.");
    for (i = 0; i < snap->nupstreams; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        for (k = 0; k < GWG_STATUS_SLOTS; k++) {
            int status = GWG_STATUS_MIN + k;
            if (gwg_snap_status_shown(u, k)) {
                snprintf(extra, sizeof(extra), ",status=\"%d\"", status);
                sample(o, "gwguard_responses_total", u, extra,
                       u->statuses[k]);
            }
        }
    }
}

static void gauges(gwg_out *o, const gwg_snapshot *snap)
{
    int i;

    family(o, "gwguard_breaker_open", "gauge",
           "1 while the upstream's circuit breaker is open, else 0.");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_breaker_open", &snap->upstreams[i], NULL,
               snap->upstreams[i].breaker == GWG_BREAKER_OPEN);
    }
    family(o, "gwguard_breaker_state", "gauge",
           "Circuit breaker state: 0 closed, 1 open, 2 half-open.");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_breaker_state", &snap->upstreams[i], NULL,
               (uint64_t)snap->upstreams[i].breaker);
    }
    family(o, "gwguard_breaker_panic", "gauge",
           "1 while the upstream's breaker is open but its balancer is in "
           "panic, so gwguard lets requests through, else 0.");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_breaker_panic", &snap->upstreams[i], NULL,
               (uint64_t)snap->upstreams[i].breaker_panic);
    }
    family(o, "gwguard_consecutive_failures", "gauge",
           "Failures since the upstream's last success.");
    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, "gwguard_consecutive_failures", &snap->upstreams[i], NULL,
               snap->upstreams[i].consecutive_failures);
    }
}

/* Times as seconds since the epoch; an upstream that never failed has
 * no sample (a 0 would read as 1970). */
static void times(gwg_out *o, const gwg_snapshot *snap, const char *name,
                  const char *help, int last)
{
    int i;

    family(o, name, "gauge", help);
    for (i = 0; i < snap->nupstreams; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        uint64_t us = last ? u->last_failure : u->first_failure;
        if (us) {
            gwg_out_printf(o, "%s{upstream=\"", name);
            label_value(o, u->name);
            gwg_out_printf(o, "\"} %" PRIu64 ".%06" PRIu64 "\n",
                           us / 1000000u, us % 1000000u);
        }
    }
}

/* The slot keeps non-cumulative buckets; Prometheus wants cumulative
 * ones ending in +Inf, equal to _count. */
static void histogram(gwg_out *o, const gwg_snapshot *snap)
{
    const char *name = "gwguard_upstream_response_seconds";
    char extra[48];
    int i, b;

    family(o, name, "histogram",
           "Upstream time to first byte of the response.");
    for (i = 0; i < snap->nupstreams; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        uint64_t cum = 0;
        for (b = 0; b < GWG_TTFB_BUCKETS; b++) {
            cum += u->ttfb_buckets[b];
            if (b == GWG_TTFB_BUCKETS - 1) {
                snprintf(extra, sizeof(extra), ",le=\"+Inf\"");
            }
            else {
                snprintf(extra, sizeof(extra), ",le=\"%g\"",
                         (double)gwg_ttfb_bounds_us[b] / 1e6);
            }
            sample(o, "gwguard_upstream_response_seconds_bucket", u, extra,
                   cum);
        }
        gwg_out_str(o, "gwguard_upstream_response_seconds_sum{upstream=\"");
        label_value(o, u->name);
        gwg_out_printf(o, "\"} %" PRIu64 ".%06" PRIu64 "\n",
                       u->ttfb_sum_us / 1000000u, u->ttfb_sum_us % 1000000u);
        sample(o, "gwguard_upstream_response_seconds_count", u, NULL,
               u->ttfb_count);
    }
}

static void segment(gwg_out *o, const gwg_snapshot *snap)
{
    family(o, "gwguard_generation", "gauge",
           "httpd starts and restarts seen by the shared segment.");
    gwg_out_printf(o, "gwguard_generation %" PRIu64 "\n", snap->generation);
    family(o, "gwguard_upstream_slots", "gauge",
           "Upstream slots in use and available.");
    gwg_out_printf(o, "gwguard_upstream_slots{state=\"used\"} %u\n"
                   "gwguard_upstream_slots{state=\"total\"} %u\n",
                   snap->used, snap->slot_count);
    if (snap->started) {
        family(o, "gwguard_start_time_seconds", "gauge",
               "When httpd last started or restarted.");
        gwg_out_printf(o, "gwguard_start_time_seconds %" PRIu64 "\n",
                       snap->started / 1000000u);
    }
    if (snap->reset_time) {
        family(o, "gwguard_reset_time_seconds", "gauge",
               "When gwguardctl reset last zeroed counters.");
        gwg_out_printf(o, "gwguard_reset_time_seconds %" PRIu64 "\n",
                       snap->reset_time / 1000000u);
    }
}

void gwg_format_prometheus(gwg_out *o, const gwg_snapshot *snap)
{
    requests(o, snap);
    failures(o, snap);
    responses(o, snap);
    gauges(o, snap);
    times(o, snap, "gwguard_first_failure_timestamp_seconds",
          "When the upstream first failed since the last reset.",
          0);
    times(o, snap, "gwguard_last_failure_timestamp_seconds",
          "When the upstream last failed.",
          1);
    histogram(o, snap);
    segment(o, snap);
}
