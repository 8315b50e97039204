/*
 * Status formats: dispatch, the human table and the JSON document of
 * docs/formats.md. JSON keys are a contract: add, never rename.
 */
#include <inttypes.h>
#include <string.h>

#include "gwg_format.h"
#include "gwg_status_field.h"
#include "gwg_time.h"

int gwg_format_status(gwg_out *o, const gwg_snapshot *snap,
                      gwg_format_t format, uint64_t now)
{
    switch (format) {
    case GWG_FORMAT_JSON:
        gwg_format_json(o, snap);
        break;
    case GWG_FORMAT_XML:
        gwg_format_xml(o, snap);
        break;
    case GWG_FORMAT_PROMETHEUS:
        gwg_format_prometheus(o, snap);
        break;
    case GWG_FORMAT_HTML:
    case GWG_FORMAT_HTML_SECTION:
        gwg_format_html(o, snap, now, format == GWG_FORMAT_HTML);
        break;
    case GWG_FORMAT_KV:
        gwg_format_kv(o, snap);
        break;
    default:
        gwg_format_table(o, snap, now);
        break;
    }
    return o->failed ? -1 : 0;
}

static const struct {
    const char *name;
    gwg_format_t format;
    const char *content_type;
} formats[] = {
    { "table", GWG_FORMAT_TABLE, "text/plain; charset=utf-8" },
    { "json", GWG_FORMAT_JSON, "application/json" },
    { "xml", GWG_FORMAT_XML, "text/xml; charset=utf-8" },
    /* the version parameter is what Prometheus negotiates on */
    { "prometheus", GWG_FORMAT_PROMETHEUS,
      "text/plain; version=0.0.4; charset=utf-8" },
    { "html", GWG_FORMAT_HTML, "text/html; charset=utf-8" },
    { "kv", GWG_FORMAT_KV, "text/plain; charset=utf-8" },
};

int gwg_format_by_name(const char *name)
{
    size_t i;

    for (i = 0; name && i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (strcmp(formats[i].name, name) == 0) {
            return (int)formats[i].format;
        }
    }
    return -1;
}

const char *gwg_format_content_type(gwg_format_t format)
{
    size_t i;

    for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (formats[i].format == format) {
            return formats[i].content_type;
        }
    }
    return "text/html; charset=utf-8";      /* the HTML fragment */
}

const char *gwg_format_breaker(char *buf, size_t len,
                               const gwg_snap_upstream *u, uint64_t now)
{
    if (u->breaker_panic) {
        snprintf(buf, len, "%s (panic: let through)",
                 gwg_breaker_name(u->breaker));
    }
    else if (u->breaker != GWG_BREAKER_OPEN || u->breaker_until == 0) {
        snprintf(buf, len, "%s", gwg_breaker_name(u->breaker));
    }
    else if (u->breaker_until > now) {
        snprintf(buf, len, "open (half-opens in %" PRIu64 "s)",
                 (u->breaker_until - now + 999999u) / 1000000u);
    }
    else {
        snprintf(buf, len, "open (half-opens now)");
    }
    return buf;
}

/* "12s", "5m", "3h", "2d": s seconds, in the largest unit that keeps
 * it readable. */
static void span(char *buf, size_t len, uint64_t s, const char *suffix)
{
    if (s < 120) {
        snprintf(buf, len, "%" PRIu64 "s%s", s, suffix);
    }
    else if (s < 7200) {
        snprintf(buf, len, "%" PRIu64 "m%s", s / 60, suffix);
    }
    else if (s < 172800) {
        snprintf(buf, len, "%" PRIu64 "h%s", s / 3600, suffix);
    }
    else {
        snprintf(buf, len, "%" PRIu64 "d%s", s / 86400, suffix);
    }
}

const char *gwg_format_maint(char *buf, size_t len,
                             const gwg_snap_upstream *u, uint64_t now)
{
    char left[32];

    if (!u->maint.on) {
        snprintf(buf, len, "-");
    }
    else if (u->maint.until == 0) {
        snprintf(buf, len, "on");
    }
    else {
        span(left, sizeof(left), (uint64_t)gwg_maint_retry_after(&u->maint,
                                                                 now),
             " left");
        snprintf(buf, len, "on, %s", left);
    }
    return buf;
}

/* "12s ago", "5m ago", "3h ago", "2d ago", or "-" for never. */
void gwg_format_ago(char *buf, size_t len, uint64_t then, uint64_t now)
{
    uint64_t s;

    if (then == 0) {
        snprintf(buf, len, "-");
        return;
    }
    s = now > then ? (now - then) / 1000000u : 0;
    span(buf, len, s, " ago");
}

/* The columns are the status-field rows that name one. */
static void table_row(gwg_out *o, const gwg_snap_upstream *u, uint64_t now)
{
    char name[GWG_TEXT_MAX(GWG_KEY_MAX)], cell[48];
    int i;

    gwg_out_printf(o, "%-36s", gwg_text_safe(name, sizeof(name), u->name));
    for (i = 0; i < gwg_status_nfields; i++) {
        const gwg_status_field *f = &gwg_status_fields[i];
        if (f->column) {
            gwg_out_printf(o, "%*s%*s", f->gap, "", f->width,
                           gwg_status_cell(cell, sizeof(cell), f, u, now));
        }
    }
    gwg_out_str(o, "\n");
}

void gwg_format_table(gwg_out *o, const gwg_snapshot *snap, uint64_t now)
{
    char started[GWG_RFC3339_LEN], reset[GWG_RFC3339_LEN];
    int i;

    gwg_time_rfc3339(started, sizeof(started), snap->started);
    gwg_time_rfc3339(reset, sizeof(reset), snap->reset_time);
    gwg_out_str(o, "segment ");
    gwg_out_text(o, snap->shm_path);
    gwg_out_printf(o, "  generation %" PRIu64 "  started %s  "
                   "reset %s", snap->generation,
                   started[0] ? started : "-", reset[0] ? reset : "never");
    if (reset[0]) {
        gwg_out_printf(o, " by uid %" PRIu64, snap->reset_uid);
    }
    gwg_out_printf(o, "  upstreams %u/%u\n\n", snap->used, snap->slot_count);
    gwg_out_printf(o, "%-36s", "UPSTREAM");
    for (i = 0; i < gwg_status_nfields; i++) {
        const gwg_status_field *f = &gwg_status_fields[i];
        if (f->column) {
            gwg_out_printf(o, "%*s%*s", f->gap, "", f->width, f->column);
        }
    }
    gwg_out_str(o, "\n");
    for (i = 0; i < snap->nupstreams; i++) {
        table_row(o, &snap->upstreams[i], now);
    }
    if (snap->nupstreams == 0) {
        gwg_out_str(o, "(no upstream has been proxied to yet)\n");
    }
}

static void json_time_or_null(gwg_out *o, uint64_t us)
{
    char buf[GWG_RFC3339_LEN];

    if (us == 0) {
        gwg_out_str(o, "null");
        return;
    }
    gwg_out_json_str(o, gwg_time_rfc3339(buf, sizeof(buf), us));
}

/* The lengths of the counters' keys (and the class names), looked up
 * once a document: an upstream writes some 30 keys. */
typedef struct {
    size_t field[GWG_STATUS_NFIELDS_MAX];
    size_t cls[GWG_CLASS_COUNT];
    const char *cls_name[GWG_CLASS_COUNT];
} json_key_lens;

static void json_key_lens_init(json_key_lens *k)
{
    int i;

    for (i = 0; i < gwg_status_nfields; i++) {
        k->field[i] = gwg_status_fields[i].json
                      ? strlen(gwg_status_fields[i].json) : 0;
    }
    for (i = 0; i < GWG_CLASS_COUNT; i++) {
        k->cls_name[i] = gwg_class_get((gwg_class_t)i)->name;
        k->cls[i] = strlen(k->cls_name[i]);
    }
}

/* ,"key": (no comma first) as one piece, in place when it fits. */
static void json_key(gwg_out *o, int first, const char *key, size_t len)
{
    char *d = gwg_out_room(o, len + 4);

    if (!d) {
        gwg_out_str(o, first ? "\"" : ",\"");
        gwg_out_mem(o, len, key);
        gwg_out_str(o, "\":");
        return;
    }
    d[0] = ',';
    d += !first;
    d[0] = '"';
    memcpy(d + 1, key, len);
    d[len + 1] = '"';
    d[len + 2] = ':';
    o->used += len + 3 + !first;
}

static void json_classes(gwg_out *o, const gwg_snap_upstream *u,
                         const json_key_lens *k)
{
    int i;

    gwg_out_str(o, "{");
    for (i = 0; i < GWG_CLASS_COUNT; i++) {
        json_key(o, i == 0, k->cls_name[i], k->cls[i]);
        gwg_out_u64(o, u->classes[i]);
    }
    gwg_out_str(o, "}");
}

static void json_statuses(gwg_out *o, const gwg_snap_upstream *u)
{
    int i = 0, end = GWG_STATUS_SLOTS, first = 1;

    if (!gwg_snap_other_statuses(u)) {
        i = GWG_STATUS_ALWAYS_FIRST - GWG_STATUS_MIN;
        end = GWG_STATUS_ALWAYS_LAST + 1 - GWG_STATUS_MIN;
    }
    gwg_out_str(o, "{");
    for (; i < end; i++) {
        if (gwg_snap_status_shown(u, i)) {
            gwg_out_str(o, first ? "\"" : ",\"");
            gwg_out_u64(o, (uint64_t)(GWG_STATUS_MIN + i));
            gwg_out_str(o, "\":");
            gwg_out_u64(o, u->statuses[i]);
            first = 0;
        }
    }
    gwg_out_str(o, "}");
}

/* The counters shared by an upstream and the totals: the status-field
 * rows with a JSON key. Numbers go through gwg_out_u64: printf dominated
 * a 10,000-upstream status before. */
static void json_counters(gwg_out *o, const gwg_snap_upstream *u,
                          const json_key_lens *k)
{
    int i, first = 1;

    for (i = 0; i < gwg_status_nfields; i++) {
        const gwg_status_field *f = &gwg_status_fields[i];
        if (!f->json) {
            continue;
        }
        json_key(o, first, f->json, k->field[i]);
        first = 0;
        if (f->kind == GWG_FIELD_CLASSES) {
            json_classes(o, u, k);
        }
        else if (f->kind == GWG_FIELD_STATUSES) {
            json_statuses(o, u);
        }
        else {
            gwg_out_u64(o, f->get(u));
        }
    }
}

/* null, or {"since","until" (null: until turned off),"by","message"} */
static void json_maint(gwg_out *o, const gwg_maint *m)
{
    if (!m->on) {
        gwg_out_str(o, "null");
        return;
    }
    gwg_out_str(o, "{\"since\":");
    json_time_or_null(o, m->since);
    gwg_out_str(o, ",\"until\":");
    json_time_or_null(o, m->until);
    gwg_out_str(o, ",\"by\":");
    gwg_out_u64(o, m->by);
    gwg_out_str(o, ",\"message\":");
    gwg_out_json_str(o, m->message);
    gwg_out_str(o, "}");
}

static void json_upstream(gwg_out *o, const gwg_snap_upstream *u,
                          const json_key_lens *k)
{
    gwg_out_str(o, "{\"name\":");
    gwg_out_json_str(o, u->name);
    gwg_out_str(o, ",\"worker\":");
    gwg_out_json_str(o, u->worker);
    gwg_out_str(o, ",\"balancer\":");
    if (u->balancer[0]) {
        gwg_out_json_str(o, u->balancer);
    }
    else {
        gwg_out_str(o, "null");
    }
    gwg_out_str(o, ",");
    json_counters(o, u, k);
    gwg_out_str(o, ",\"first_failure\":");   /* added after version 1 */
    json_time_or_null(o, u->first_failure);
    gwg_out_str(o, ",\"last_failure\":");
    if (u->last_failure && u->last_class != GWG_CLASS_NONE) {
        gwg_out_str(o, "{\"time\":");
        json_time_or_null(o, u->last_failure);
        gwg_out_str(o, ",\"class\":\"");
        gwg_out_str(o, gwg_class_get(u->last_class)->name);
        gwg_out_str(o, "\"}");
    }
    else {
        gwg_out_str(o, "null");
    }
    /* when an open breaker half-opens (added after version 1) */
    gwg_out_str(o, ",\"breaker_until\":");
    json_time_or_null(o, u->breaker == GWG_BREAKER_OPEN ? u->breaker_until
                                                        : 0);
    /* the cooldown of this opening, grown by backoff, and whether the
     * balancer's panic lets it through (docs/degrade.md) */
    gwg_out_str(o, ",\"breaker_cooldown\":");
    if (u->breaker != GWG_BREAKER_CLOSED && u->breaker_cooldown) {
        gwg_out_u64(o, u->breaker_cooldown);
    }
    else {
        gwg_out_str(o, "null");
    }
    gwg_out_str(o, u->breaker_panic ? ",\"breaker_panic\":true"
                                    : ",\"breaker_panic\":false");
    gwg_out_str(o, ",\"breaker\":\"");
    gwg_out_str(o, gwg_breaker_name(u->breaker));
    gwg_out_str(o, "\"");
    gwg_out_str(o, ",\"maintenance\":");    /* added after version 1 */
    json_maint(o, &u->maint);
    gwg_out_str(o, "}");
}

void gwg_format_json(gwg_out *o, const gwg_snapshot *snap)
{
    json_key_lens k;
    int i;

    json_key_lens_init(&k);
    gwg_out_str(o, "{\"version\":1,\"shm\":");
    gwg_out_json_str(o, snap->shm_path);
    gwg_out_str(o, ",\"generation\":");
    gwg_out_u64(o, snap->generation);
    gwg_out_str(o, ",\"started\":");
    json_time_or_null(o, snap->started);
    gwg_out_str(o, ",\"reset\":");
    json_time_or_null(o, snap->reset_time);
    gwg_out_str(o, ",\"upstreams\":[");
    for (i = 0; i < snap->nupstreams; i++) {
        if (i) {
            gwg_out_str(o, ",");
        }
        json_upstream(o, &snap->upstreams[i], &k);
    }
    gwg_out_str(o, "],\"totals\":{");
    json_counters(o, &snap->totals, &k);
    gwg_out_str(o, "}}\n");
}
