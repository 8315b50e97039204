/*
 * The rows of the status-field table, in the order every format writes
 * them. The order is part of each format's contract (JSON key order, the
 * table's and the page's columns, Prometheus families), so a new field
 * goes where it should appear in all of them.
 */
#include <inttypes.h>
#include <stdio.h>

#include "gwg_format.h"
#include "gwg_status_field.h"

static uint64_t requests(const gwg_snap_upstream *u) { return u->requests; }
static uint64_t successes(const gwg_snap_upstream *u) { return u->successes; }
static uint64_t failures(const gwg_snap_upstream *u) { return u->failures; }
static uint64_t last_failure(const gwg_snap_upstream *u)
{
    return u->last_failure;
}
static uint64_t first_failure(const gwg_snap_upstream *u)
{
    return u->first_failure;
}
static uint64_t refusals(const gwg_snap_upstream *u)
{
    return u->classes[GWG_CLASS_CIRCUIT_OPEN];
}
static uint64_t client_aborts(const gwg_snap_upstream *u)
{
    return u->classes[GWG_CLASS_CLIENT_ABORT];
}
static uint64_t breaker_open(const gwg_snap_upstream *u)
{
    return u->breaker == GWG_BREAKER_OPEN;
}
static uint64_t breaker(const gwg_snap_upstream *u)
{
    return (uint64_t)u->breaker;
}
static uint64_t consecutive(const gwg_snap_upstream *u)
{
    return u->consecutive_failures;
}
static uint64_t stale(const gwg_snap_upstream *u) { return u->stale; }
static uint64_t maint_on(const gwg_snap_upstream *u)
{
    return (uint64_t)u->maint.on;
}
static uint64_t maint_answers(const gwg_snap_upstream *u)
{
    return u->classes[GWG_CLASS_MAINTENANCE];
}
static uint64_t breaker_panic(const gwg_snap_upstream *u)
{
    return (uint64_t)u->breaker_panic;
}

/* kind, json, xml, column, width, gap, html, kv, kv_where, prom,
 * prom_type, prom_help, get, watch */
const gwg_status_field gwg_status_fields[] = {
    { GWG_FIELD_U64, "requests", "requests", "REQUESTS", 10, 1, "requests",
      "Requests", GWG_KV_TOTAL | GWG_KV_UPSTREAM, "gwguard_requests_total",
      "counter", "Attempts proxied to the upstream.", requests, "REQ/S" },
    { GWG_FIELD_U64, "successes", "successes", NULL, 0, 0, "successes",
      "Successes", GWG_KV_TOTAL, "gwguard_successes_total", "counter",
      "Attempts the upstream answered without failing.", successes, NULL },
    { GWG_FIELD_U64, "failures", "failures", "FAILURES", 10, 1, "failures",
      "Failures", GWG_KV_TOTAL | GWG_KV_UPSTREAM, NULL, NULL, NULL,
      failures, "FAIL/S" },
    { GWG_FIELD_RATE, NULL, NULL, "RATE", 7, 1, "rate", NULL, 0, NULL, NULL,
      NULL, NULL, NULL },
    { GWG_FIELD_TOP_CLASS, NULL, NULL, "TOP CLASS", -20, 2, "top class", NULL,
      0, NULL, NULL, NULL, NULL, NULL },
    /* every upstream-failure class in Prometheus, zeros too, so rate()
     * sees a series from the start; client aborts and breaker refusals
     * apart, as neither is the upstream failing an attempt */
    { GWG_FIELD_CLASSES, "classes", "classes", NULL, 0, 0, NULL, "Class_",
      GWG_KV_TOTAL, "gwguard_failures_total", "counter",
      "Upstream failures by class (client_abort and circuit_open "
      "excluded).", NULL, NULL },
    { GWG_FIELD_U64, NULL, NULL, NULL, 0, 0, NULL, NULL, 0,
      "gwguard_breaker_refusals_total", "counter",
      "Requests gwguard's open breaker answered 503 circuit_open "
      "without trying the upstream.", refusals, NULL },
    { GWG_FIELD_U64, NULL, NULL, NULL, 0, 0, NULL, NULL, 0,
      "gwguard_client_aborts_total", "counter",
      "Requests the client gave up on (never an upstream failure).",
      client_aborts, NULL },
    { GWG_FIELD_STATUSES, "statuses", "statuses", NULL, 0, 0, NULL, NULL, 0,
      "gwguard_responses_total", "counter",
      "Error responses gwguard answered, by status.", NULL, NULL },
    { GWG_FIELD_AGO, NULL, NULL, "LAST FAIL", -10, 1, "last failure", NULL,
      0, NULL, NULL, NULL, last_failure, NULL },
    /* failed requests mod_cache answered stale (docs/degrade.md) */
    { GWG_FIELD_U64, "stale", "stale", "STALE", 6, 1, "stale", "Stale",
      GWG_KV_TOTAL | GWG_KV_UPSTREAM, "gwguard_stale_total", "counter",
      "Failed requests mod_cache answered with a stale copy "
      "(CacheStaleOnError) instead of an error page.", stale, NULL },
    /* an admin's maintenance window (docs/degrade.md); JSON and XML
     * write it with the upstream's other state, as an object */
    { GWG_FIELD_MAINT, NULL, NULL, "MAINTENANCE", -13, 1, "maintenance",
      "Maintenance", GWG_KV_UPSTREAM, "gwguard_maintenance", "gauge",
      "1 while the upstream is in a maintenance window set with "
      "gwguardctl maintenance, else 0.", maint_on, "MAINTENANCE" },
    { GWG_FIELD_U64, NULL, NULL, NULL, 0, 0, NULL, NULL, 0,
      "gwguard_maintenance_answers_total", "counter",
      "Requests gwguard answered 503 maintenance without trying the "
      "upstream (never an upstream failure).", maint_answers, NULL },
    { GWG_FIELD_U64, NULL, NULL, NULL, 0, 0, NULL, NULL, 0,
      "gwguard_breaker_open", "gauge",
      "1 while the upstream's circuit breaker is open, else 0.",
      breaker_open, NULL },
    { GWG_FIELD_BREAKER, NULL, NULL, "BREAKER", 0, 1, "breaker", "Breaker",
      GWG_KV_UPSTREAM, "gwguard_breaker_state", "gauge",
      "Circuit breaker state: 0 closed, 1 open, 2 half-open.", breaker,
      "BREAKER" },
    /* JSON writes it with the other breaker fields of the upstream */
    { GWG_FIELD_U64, NULL, "breaker_panic", NULL, 0, 0, NULL, "BreakerPanic",
      GWG_KV_UPSTREAM, "gwguard_breaker_panic", "gauge",
      "1 while the upstream's breaker is open but its balancer is in "
      "panic, so gwguard lets requests through, else 0.", breaker_panic,
      NULL },
    { GWG_FIELD_U64, "consecutive_failures", "consecutive_failures", NULL,
      0, 0, NULL, NULL, 0, "gwguard_consecutive_failures", "gauge",
      "Failures since the upstream's last success.", consecutive, NULL },
    /* in JSON and XML the times belong to the upstream, not its counters,
     * so those renderers write them after the counters themselves */
    { GWG_FIELD_TIME, NULL, NULL, NULL, 0, 0, NULL, NULL, 0,
      "gwguard_first_failure_timestamp_seconds", "gauge",
      "When the upstream first failed since the last reset.",
      first_failure, NULL },
    { GWG_FIELD_TIME, NULL, NULL, NULL, 0, 0, NULL, NULL, 0,
      "gwguard_last_failure_timestamp_seconds", "gauge",
      "When the upstream last failed.", last_failure, NULL },
    { GWG_FIELD_TTFB, NULL, "ttfb", NULL, 0, 0, NULL, NULL, 0,
      "gwguard_upstream_response_seconds", "histogram",
      "Upstream time to first byte of the response.", NULL, NULL },
};

const int gwg_status_nfields =
    (int)(sizeof(gwg_status_fields) / sizeof(gwg_status_fields[0]));
_Static_assert(sizeof(gwg_status_fields) / sizeof(gwg_status_fields[0])
               <= GWG_STATUS_NFIELDS_MAX, "raise GWG_STATUS_NFIELDS_MAX");

const char *gwg_status_cell(char *buf, size_t len, const gwg_status_field *f,
                            const gwg_snap_upstream *u, uint64_t now)
{
    const gwg_class_info *top;

    switch (f->kind) {
    case GWG_FIELD_RATE:
        if (u->requests == 0) return "-";
        snprintf(buf, len, "%.1f%%",
                 100.0 * (double)u->failures / (double)u->requests);
        return buf;
    case GWG_FIELD_TOP_CLASS:
        top = gwg_class_get(gwg_snap_top_class(u));
        return top ? top->name : "-";
    case GWG_FIELD_AGO:
        gwg_format_ago(buf, len, f->get(u), now);
        return buf;
    case GWG_FIELD_BREAKER:
        return gwg_format_breaker(buf, len, u, now);
    case GWG_FIELD_MAINT:
        return gwg_format_maint(buf, len, u, now);
    default:
        snprintf(buf, len, "%" PRIu64, f->get ? f->get(u) : 0);
        return buf;
    }
}
