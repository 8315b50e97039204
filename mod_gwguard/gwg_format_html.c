/*
 * HTML for the status handler (a whole, self-contained page) and for the
 * mod_status section (a fragment inside server-status's page), plus the
 * "Key: value" lines of server-status?auto. Every value from the segment
 * is escaped: upstream and worker names come from the configuration, but
 * an HTML page is no place to trust them.
 */
#include <inttypes.h>
#include <string.h>

#include "gwg_format.h"
#include "gwg_time.h"

static const char *page_head =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>gwguard status</title>\n<style>\n"
    "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
    "table{border-collapse:collapse}\n"
    "th,td{padding:.25em .6em;border-bottom:1px solid #ddd;"
    "text-align:right}\n"
    "th:first-child,td:first-child{text-align:left}\n"
    ".open{color:#b00;font-weight:bold}.half_open{color:#b60}\n"
    "</style></head><body>\n<h1>gwguard status</h1>\n";

static void html_rate(gwg_out *o, const gwg_snap_upstream *u)
{
    if (u->requests) {
        gwg_out_printf(o, "%.1f%%", 100.0 * (double)u->failures
                                    / (double)u->requests);
    }
    else {
        gwg_out_str(o, "-");
    }
}

static void html_row(gwg_out *o, const gwg_snap_upstream *u, uint64_t now,
                     int totals)
{
    const gwg_class_info *top = gwg_class_get(gwg_snap_top_class(u));
    char ago[32], breaker[48];

    gwg_out_str(o, "<tr><td>");
    gwg_out_html(o, totals ? "total" : u->name);
    gwg_out_printf(o, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>"
                   "%" PRIu64 "</td><td>", u->requests, u->successes,
                   u->failures);
    html_rate(o, u);
    gwg_out_printf(o, "</td><td>%s</td>", top ? top->name : "-");
    if (totals) {
        gwg_out_printf(o, "<td></td><td>%" PRIu64 "</td><td></td></tr>\n",
                       u->stale);
        return;
    }
    gwg_format_ago(ago, sizeof(ago), u->last_failure, now);
    gwg_out_printf(o, "<td>%s</td><td>%" PRIu64 "</td><td class=\"%s\">",
                   ago, u->stale, gwg_breaker_name(u->breaker));
    gwg_out_html(o, gwg_format_breaker(breaker, sizeof(breaker), u, now));
    gwg_out_str(o, "</td></tr>\n");
}

/* Failures by class, one row per class that has counted anything. */
static void html_classes(gwg_out *o, const gwg_snapshot *snap)
{
    int c, any = 0;

    for (c = 0; c < GWG_CLASS_COUNT; c++) {
        const gwg_class_info *info = gwg_class_get((gwg_class_t)c);
        if (!snap->totals.classes[c]) {
            continue;
        }
        if (!any) {
            gwg_out_str(o, "<table><tr><th>class</th><th>code</th>"
                        "<th>count</th></tr>\n");
            any = 1;
        }
        gwg_out_printf(o, "<tr><td title=\"");
        gwg_out_html(o, info->text);
        gwg_out_printf(o, "\">%s</td><td>%s</td><td>%" PRIu64
                       "</td></tr>\n", info->name, info->code,
                       snap->totals.classes[c]);
    }
    if (any) {
        gwg_out_str(o, "</table>\n");
    }
}

void gwg_format_html(gwg_out *o, const gwg_snapshot *snap, uint64_t now,
                     int whole_page)
{
    char started[GWG_RFC3339_LEN], reset[GWG_RFC3339_LEN];
    int i;

    gwg_time_rfc3339(started, sizeof(started), snap->started);
    gwg_time_rfc3339(reset, sizeof(reset), snap->reset_time);
    gwg_out_str(o, whole_page ? page_head : "<h2>gwguard</h2>\n");
    gwg_out_printf(o, "<p>Generation %" PRIu64 ", started %s, reset %s, "
                   "upstreams %u/%u.</p>\n", snap->generation,
                   started[0] ? started : "-", reset[0] ? reset : "never",
                   snap->used, snap->slot_count);
    gwg_out_str(o, "<table class=\"gwguard\"><tr><th>upstream</th>"
                "<th>requests</th><th>successes</th><th>failures</th>"
                "<th>rate</th><th>top class</th><th>last failure</th>"
                "<th>stale</th><th>breaker</th></tr>\n");
    for (i = 0; i < snap->nupstreams; i++) {
        html_row(o, &snap->upstreams[i], now, 0);
    }
    html_row(o, &snap->totals, now, 1);
    gwg_out_str(o, "</table>\n");
    html_classes(o, snap);
    if (whole_page) {
        gwg_out_str(o, "<p>Also as <a href=\"?format=json\">JSON</a>, "
                    "<a href=\"?format=xml\">XML</a>, "
                    "<a href=\"?format=prometheus\">Prometheus</a>.</p>\n"
                    "</body></html>\n");
    }
}

/* server-status?auto: totals, then numbered upstreams (names contain
 * ':' so they cannot be part of a key). */
void gwg_format_kv(gwg_out *o, const gwg_snapshot *snap)
{
    int i, c;

    gwg_out_printf(o, "GwGuardGeneration: %" PRIu64 "\n"
                   "GwGuardUpstreams: %d\n"
                   "GwGuardRequests: %" PRIu64 "\n"
                   "GwGuardSuccesses: %" PRIu64 "\n"
                   "GwGuardFailures: %" PRIu64 "\n", snap->generation,
                   snap->nupstreams, snap->totals.requests,
                   snap->totals.successes, snap->totals.failures);
    for (c = 0; c < GWG_CLASS_COUNT; c++) {
        gwg_out_printf(o, "GwGuardClass_%s: %" PRIu64 "\n",
                       gwg_class_get((gwg_class_t)c)->name,
                       snap->totals.classes[c]);
    }
    gwg_out_printf(o, "GwGuardStale: %" PRIu64 "\n", snap->totals.stale);
    for (i = 0; i < snap->nupstreams; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        gwg_out_printf(o, "GwGuardUpstream%d: ", i);
        gwg_out_text(o, u->name);
        gwg_out_printf(o, "\n"
                       "GwGuardUpstream%dRequests: %" PRIu64 "\n"
                       "GwGuardUpstream%dFailures: %" PRIu64 "\n"
                       "GwGuardUpstream%dBreaker: %s\n"
                       "GwGuardUpstream%dStale: %" PRIu64 "\n", i,
                       u->requests, i, u->failures, i,
                       gwg_breaker_name(u->breaker), i, u->stale);
    }
}
