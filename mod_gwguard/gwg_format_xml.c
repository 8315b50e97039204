/*
 * The XML status document, in the spirit of balancer-manager's
 * (?xml=1): one namespace prefix, one element per value, written with
 * libxml2's xmlTextWriter so escaping and encoding are libxml2's, not
 * ours. Element names are a contract like the JSON keys: add, never
 * rename. The schema is in docs/formats.md.
 */
#include <inttypes.h>
#include <stdio.h>

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#include "gwg_format.h"
#include "gwg_status_field.h"
#include "gwg_time.h"

#define NS_PREFIX BAD_CAST "gwguard"
#define NS_URI    BAD_CAST "urn:x-mod-gwguard:status:1"

void gwg_format_init(void)
{
    xmlInitParser();
}

static int xml_write(void *ctx, const char *buf, int len)
{
    gwg_out *o = ctx;

    gwg_out_mem(o, (size_t)len, buf);
    return o->failed ? -1 : len;
}

static int xml_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static void el_u64(xmlTextWriterPtr w, const char *name, uint64_t v)
{
    xmlTextWriterWriteFormatElementNS(w, NS_PREFIX, BAD_CAST name, NULL,
                                      "%" PRIu64, v);
}

static void el_str(xmlTextWriterPtr w, const char *name, const char *v)
{
    xmlTextWriterWriteElementNS(w, NS_PREFIX, BAD_CAST name, NULL,
                                BAD_CAST v);
}

/* An element holding an RFC 3339 time; left out when the time is 0. */
static void el_time(xmlTextWriterPtr w, const char *name, uint64_t us)
{
    char buf[GWG_RFC3339_LEN];

    if (us) {
        el_str(w, name, gwg_time_rfc3339(buf, sizeof(buf), us));
    }
}

static void start(xmlTextWriterPtr w, const char *name)
{
    xmlTextWriterStartElementNS(w, NS_PREFIX, BAD_CAST name, NULL);
}

static void xml_classes(xmlTextWriterPtr w, const char *name,
                        const gwg_snap_upstream *u)
{
    int i;

    start(w, name);
    for (i = 0; i < GWG_CLASS_COUNT; i++) {
        const gwg_class_info *c = gwg_class_get((gwg_class_t)i);
        start(w, "class");
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST c->name);
        xmlTextWriterWriteAttribute(w, BAD_CAST "code", BAD_CAST c->code);
        xmlTextWriterWriteFormatString(w, "%" PRIu64, u->classes[i]);
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndElement(w);
}

/* The same statuses the JSON shows (gwg_snap_status_shown). */
static void xml_statuses(xmlTextWriterPtr w, const char *name,
                         const gwg_snap_upstream *u)
{
    int i;

    start(w, name);
    for (i = 0; i < GWG_STATUS_SLOTS; i++) {
        int status = GWG_STATUS_MIN + i;
        if (gwg_snap_status_shown(u, i)) {
            start(w, "status");
            xmlTextWriterWriteFormatAttribute(w, BAD_CAST "code", "%d",
                                              status);
            xmlTextWriterWriteFormatString(w, "%" PRIu64, u->statuses[i]);
            xmlTextWriterEndElement(w);
        }
    }
    xmlTextWriterEndElement(w);
}

/* Non-cumulative buckets, as stored; "le" is the upper bound in
 * seconds, "+Inf" for the last. */
static void xml_ttfb(xmlTextWriterPtr w, const char *name,
                     const gwg_snap_upstream *u)
{
    int i;

    start(w, name);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "count", "%" PRIu64,
                                      u->ttfb_count);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "sum_us", "%" PRIu64,
                                      u->ttfb_sum_us);
    for (i = 0; i < GWG_TTFB_BUCKETS; i++) {
        start(w, "bucket");
        if (i == GWG_TTFB_BUCKETS - 1) {
            xmlTextWriterWriteAttribute(w, BAD_CAST "le", BAD_CAST "+Inf");
        }
        else {
            xmlTextWriterWriteFormatAttribute(w, BAD_CAST "le", "%g",
                (double)gwg_ttfb_bounds_us[i] / 1e6);
        }
        xmlTextWriterWriteFormatString(w, "%" PRIu64, u->ttfb_buckets[i]);
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndElement(w);
}

/* The counters shared by an upstream and the totals: the status-field
 * rows with an XML element. */
static void xml_counters(xmlTextWriterPtr w, const gwg_snap_upstream *u)
{
    int i;

    for (i = 0; i < gwg_status_nfields; i++) {
        const gwg_status_field *f = &gwg_status_fields[i];
        if (!f->xml) {
            continue;
        }
        switch (f->kind) {
        case GWG_FIELD_CLASSES: xml_classes(w, f->xml, u); break;
        case GWG_FIELD_STATUSES: xml_statuses(w, f->xml, u); break;
        case GWG_FIELD_TTFB: xml_ttfb(w, f->xml, u); break;
        default: el_u64(w, f->xml, f->get(u)); break;
        }
    }
}

/* <maintenance since=".." until=".." by="UID">message</maintenance>,
 * only while in a window (until left out: until turned off). */
static void xml_maint(xmlTextWriterPtr w, const gwg_maint *m)
{
    char buf[GWG_RFC3339_LEN];

    if (!m->on) {
        return;
    }
    start(w, "maintenance");
    xmlTextWriterWriteAttribute(w, BAD_CAST "since", BAD_CAST
        gwg_time_rfc3339(buf, sizeof(buf), m->since));
    if (m->until) {
        xmlTextWriterWriteAttribute(w, BAD_CAST "until", BAD_CAST
            gwg_time_rfc3339(buf, sizeof(buf), m->until));
    }
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "by", "%u",
                                      (unsigned)m->by);
    xmlTextWriterWriteString(w, BAD_CAST m->message);
    xmlTextWriterEndElement(w);
}

static void xml_upstream(xmlTextWriterPtr w, const gwg_snap_upstream *u)
{
    start(w, "upstream");
    el_str(w, "name", u->name);
    el_str(w, "worker", u->worker);
    if (u->balancer[0]) {
        el_str(w, "balancer", u->balancer);
    }
    xml_counters(w, u);
    el_time(w, "first_failure", u->first_failure);
    if (u->last_failure && u->last_class != GWG_CLASS_NONE) {
        start(w, "last_failure");
        el_time(w, "time", u->last_failure);
        el_str(w, "class", gwg_class_get(u->last_class)->name);
        xmlTextWriterEndElement(w);
    }
    start(w, "breaker");
    if (u->breaker == GWG_BREAKER_OPEN && u->breaker_until) {
        char buf[GWG_RFC3339_LEN];
        xmlTextWriterWriteAttribute(w, BAD_CAST "until", BAD_CAST
            gwg_time_rfc3339(buf, sizeof(buf), u->breaker_until));
    }
    xmlTextWriterWriteString(w, BAD_CAST gwg_breaker_name(u->breaker));
    xmlTextWriterEndElement(w);
    xml_maint(w, &u->maint);
    xmlTextWriterEndElement(w);
}

static void xml_document(xmlTextWriterPtr w, const gwg_snapshot *snap)
{
    int i;

    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, BAD_CAST "  ");
    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
    xmlTextWriterStartElementNS(w, NS_PREFIX, BAD_CAST "status", NS_URI);
    xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "1");
    el_str(w, "shm", snap->shm_path);
    el_u64(w, "generation", snap->generation);
    el_time(w, "started", snap->started);
    if (snap->reset_time) {
        char buf[GWG_RFC3339_LEN];
        start(w, "reset");
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "uid", "%" PRIu64,
                                          snap->reset_uid);
        xmlTextWriterWriteString(w, BAD_CAST gwg_time_rfc3339(buf,
                                 sizeof(buf), snap->reset_time));
        xmlTextWriterEndElement(w);
    }
    start(w, "upstreams");
    for (i = 0; i < snap->nupstreams; i++) {
        xml_upstream(w, &snap->upstreams[i]);
    }
    xmlTextWriterEndElement(w);
    start(w, "totals");
    xml_counters(w, &snap->totals);
    xmlTextWriterEndElement(w);
    xmlTextWriterEndDocument(w);
}

void gwg_format_xml(gwg_out *o, const gwg_snapshot *snap)
{
    xmlOutputBufferPtr buf = xmlOutputBufferCreateIO(xml_write, xml_close,
                                                     o, NULL);
    xmlTextWriterPtr w;

    if (!buf) {
        o->failed = 1;
        return;
    }
    w = xmlNewTextWriter(buf);          /* owns buf from here on */
    if (!w) {
        xmlOutputBufferClose(buf);
        o->failed = 1;
        return;
    }
    xml_document(w, snap);
    xmlFreeTextWriter(w);               /* flushes, then closes buf */
}
