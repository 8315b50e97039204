/*
 * Prometheus text exposition format (0.0.4), for the status handler and
 * node_exporter's textfile collector. The families are the status-field
 * rows (gwg_status_field.c); metric names are a contract: add, never
 * rename. Each family is written whole (HELP, TYPE,
 * then every upstream) because the format requires a family's samples to
 * stay together.
 */
#include <inttypes.h>
#include <string.h>

#include "gwg_format.h"
#include "gwg_status_field.h"

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

/* A family of one number per upstream (counters and gauges). */
static void numbers(gwg_out *o, const gwg_snapshot *snap,
                    const gwg_status_field *f)
{
    int i;

    for (i = 0; i < snap->nupstreams; i++) {
        sample(o, f->prom, &snap->upstreams[i], NULL,
               f->get(&snap->upstreams[i]));
    }
}

/* Upstream failures by class: every upstream-failure class, zeros too
 * (the row's comment says why). */
static void failures(gwg_out *o, const gwg_snapshot *snap,
                     const gwg_status_field *f)
{
    char extra[64];
    int i, c;

    for (i = 0; i < snap->nupstreams; i++) {
        for (c = 0; c < GWG_CLASS_COUNT; c++) {
            if (!gwg_class_is_upstream_failure((gwg_class_t)c)) {
                continue;
            }
            snprintf(extra, sizeof(extra), ",class=\"%s\"",
                     gwg_class_get((gwg_class_t)c)->name);
            sample(o, f->prom, &snap->upstreams[i], extra,
                   snap->upstreams[i].classes[c]);
        }
    }
}

static void responses(gwg_out *o, const gwg_snapshot *snap,
                      const gwg_status_field *f)
{
    char extra[32];
    int i, k;

    for (i = 0; i < snap->nupstreams; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        for (k = 0; k < GWG_STATUS_SLOTS; k++) {
            int status = GWG_STATUS_MIN + k;
            if (gwg_snap_status_shown(u, k)) {
                snprintf(extra, sizeof(extra), ",status=\"%d\"", status);
                sample(o, f->prom, u, extra, u->statuses[k]);
            }
        }
    }
}

/* Times as seconds since the epoch; an upstream that never failed has
 * no sample (a 0 would read as 1970). */
static void times(gwg_out *o, const gwg_snapshot *snap,
                  const gwg_status_field *f)
{
    int i;

    for (i = 0; i < snap->nupstreams; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        uint64_t us = f->get(u);
        if (us) {
            gwg_out_printf(o, "%s{upstream=\"", f->prom);
            label_value(o, u->name);
            gwg_out_printf(o, "\"} %" PRIu64 ".%06" PRIu64 "\n",
                           us / 1000000u, us % 1000000u);
        }
    }
}

/* The slot keeps non-cumulative buckets; Prometheus wants cumulative
 * ones ending in +Inf, equal to _count. */
static void histogram(gwg_out *o, const gwg_snapshot *snap,
                      const gwg_status_field *f)
{
    char extra[48], name[96];
    int i, b;

    for (i = 0; i < snap->nupstreams; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        uint64_t cum = 0;
        snprintf(name, sizeof(name), "%s_bucket", f->prom);
        for (b = 0; b < GWG_TTFB_BUCKETS; b++) {
            cum += u->ttfb_buckets[b];
            if (b == GWG_TTFB_BUCKETS - 1) {
                snprintf(extra, sizeof(extra), ",le=\"+Inf\"");
            }
            else {
                snprintf(extra, sizeof(extra), ",le=\"%g\"",
                         (double)gwg_ttfb_bounds_us[b] / 1e6);
            }
            sample(o, name, u, extra, cum);
        }
        gwg_out_printf(o, "%s_sum{upstream=\"", f->prom);
        label_value(o, u->name);
        gwg_out_printf(o, "\"} %" PRIu64 ".%06" PRIu64 "\n",
                       u->ttfb_sum_us / 1000000u, u->ttfb_sum_us % 1000000u);
        snprintf(name, sizeof(name), "%s_count", f->prom);
        sample(o, name, u, NULL, u->ttfb_count);
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

/* One family per status-field row with a metric name, in row order,
 * then the segment's own. */
void gwg_format_prometheus(gwg_out *o, const gwg_snapshot *snap)
{
    int i;

    for (i = 0; i < gwg_status_nfields; i++) {
        const gwg_status_field *f = &gwg_status_fields[i];
        if (!f->prom) {
            continue;
        }
        family(o, f->prom, f->prom_type, f->prom_help);
        switch (f->kind) {
        case GWG_FIELD_CLASSES: failures(o, snap, f); break;
        case GWG_FIELD_STATUSES: responses(o, snap, f); break;
        case GWG_FIELD_TIME: times(o, snap, f); break;
        case GWG_FIELD_TTFB: histogram(o, snap, f); break;
        default: numbers(o, snap, f); break;
        }
    }
    segment(o, snap);
}
