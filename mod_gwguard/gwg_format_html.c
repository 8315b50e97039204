/*
 * HTML for the status handler (a whole, self-contained page) and for the
 * mod_status section (a fragment inside server-status's page), plus the
 * "Key: value" lines of server-status?auto. Every value from the segment
 * is escaped: upstream and worker names come from the configuration, but
 * an HTML page is no place to trust them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gwg_format.h"
#include "gwg_status_field.h"
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

/* The columns are the status-field rows with an HTML name; the totals
 * row leaves the per-upstream ones (last failure, breaker) empty. */
static void html_row(gwg_out *o, const gwg_snap_upstream *u, uint64_t now,
                     int totals)
{
    char cell[48];
    int i;

    gwg_out_str(o, "<tr><td>");
    gwg_out_html(o, totals ? "total" : u->name);
    gwg_out_str(o, "</td>");
    for (i = 0; i < gwg_status_nfields; i++) {
        const gwg_status_field *f = &gwg_status_fields[i];
        if (!f->html) {
            continue;
        }
        if (totals && (f->kind == GWG_FIELD_AGO
                       || f->kind == GWG_FIELD_BREAKER
                       || f->kind == GWG_FIELD_MAINT)) {
            gwg_out_str(o, "<td></td>");
            continue;
        }
        if (f->kind == GWG_FIELD_BREAKER) {
            gwg_out_printf(o, "<td class=\"%s\">",
                           gwg_breaker_name(u->breaker));
        }
        else {
            gwg_out_str(o, "<td>");
        }
        gwg_out_html(o, gwg_status_cell(cell, sizeof(cell), f, u, now));
        gwg_out_str(o, "</td>");
    }
    gwg_out_str(o, "</tr>\n");
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
    gwg_out_str(o, "<table class=\"gwguard\"><tr><th>upstream</th>");
    for (i = 0; i < gwg_status_nfields; i++) {
        if (gwg_status_fields[i].html) {
            gwg_out_printf(o, "<th>%s</th>", gwg_status_fields[i].html);
        }
    }
    gwg_out_str(o, "</tr>\n");
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

/* One "Key: value" line per status-field row shown there; prefix is
 * "GwGuard" or "GwGuardUpstream<i>". */
static void kv_fields(gwg_out *o, const gwg_snap_upstream *u,
                      const char *prefix, int where)
{
    int i, c;

    for (i = 0; i < gwg_status_nfields; i++) {
        const gwg_status_field *f = &gwg_status_fields[i];
        if (!f->kv || !(f->kv_where & where)) {
            continue;
        }
        if (f->kind == GWG_FIELD_CLASSES) {
            for (c = 0; c < GWG_CLASS_COUNT; c++) {
                gwg_out_printf(o, "%s%s%s: %" PRIu64 "\n", prefix, f->kv,
                               gwg_class_get((gwg_class_t)c)->name,
                               u->classes[c]);
            }
        }
        else if (f->kind == GWG_FIELD_BREAKER) {
            gwg_out_printf(o, "%s%s: %s\n", prefix, f->kv,
                           gwg_breaker_name(u->breaker));
        }
        else {
            gwg_out_printf(o, "%s%s: %" PRIu64 "\n", prefix, f->kv,
                           f->get(u));
        }
    }
}

/* server-status?auto: totals, then numbered upstreams (names contain
 * ':' so they cannot be part of a key). */
void gwg_format_kv(gwg_out *o, const gwg_snapshot *snap)
{
    char prefix[40];
    int i;

    gwg_out_printf(o, "GwGuardGeneration: %" PRIu64 "\n"
                   "GwGuardUpstreams: %d\n", snap->generation,
                   snap->nupstreams);
    kv_fields(o, &snap->totals, "GwGuard", GWG_KV_TOTAL);
    for (i = 0; i < snap->nupstreams; i++) {
        const gwg_snap_upstream *u = &snap->upstreams[i];
        snprintf(prefix, sizeof(prefix), "GwGuardUpstream%d", i);
        gwg_out_printf(o, "%s: ", prefix);
        gwg_out_text(o, u->name);
        gwg_out_str(o, "\n");
        kv_fields(o, u, prefix, GWG_KV_UPSTREAM);
    }
}
