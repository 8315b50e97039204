/*
 * Reading the recent-failures ring and putting one failure into words.
 * The ring is read newest first through gwg_shm_recent_get, which skips
 * an entry that is torn or already overwritten, so a reader never shows a
 * mix of two failures.
 */
#include <inttypes.h>
#include <string.h>

#include <apr_strings.h>

#include "gwg_recent.h"
#include "gwg_time.h"

static int key_wanted(const char *key, const char *const *keys, int nkeys)
{
    int i;

    for (i = 0; i < nkeys; i++) {
        if (strcmp(key, keys[i]) == 0) {
            return 1;
        }
    }
    return nkeys == 0;
}

int gwg_recent_collect(gwg_recent **out, const gwg_shm *shm,
                       const char *const *keys, int nkeys, int max,
                       apr_pool_t *p)
{
    uint64_t size = shm->recent_size, k;
    int n = 0;
    /* gwg_recent is 64-byte aligned (a cache line per ring entry); pools
     * align to 8, so round up by hand */
    char *mem = apr_pcalloc(p, sizeof(gwg_recent) * (size_t)(max > 0 ? max
                                                             : 1) + 64);

    *out = (gwg_recent *)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
    for (k = 0; k < size && n < max; k++) {
        if (gwg_shm_recent_get(shm, k, &(*out)[n]) == 0
            && key_wanted((*out)[n].key, keys, nkeys)) {
            n++;
        }
    }
    return n;
}

int gwg_recent_find(const gwg_shm *shm, const char *request_id,
                    gwg_recent *out)
{
    uint64_t size = shm->recent_size, k;

    for (k = 0; k < size; k++) {
        if (gwg_shm_recent_get(shm, k, out) == 0
            && strcmp(out->request_id, request_id) == 0) {
            return 0;
        }
    }
    return -1;
}

static const char *class_name(const gwg_recent *e)
{
    const gwg_class_info *c = gwg_class_get((gwg_class_t)e->class_id);

    return c ? c->name : "?";
}

/* "12.3ms", or "-" for an unmeasured (0) time. */
static const char *ms(char *buf, size_t len, uint64_t us)
{
    if (us == 0) {
        snprintf(buf, len, "-");
    }
    else {
        snprintf(buf, len, "%.1fms", (double)us / 1000.0);
    }
    return buf;
}

void gwg_recent_table(gwg_out *o, const gwg_recent *e, int n)
{
    char t[GWG_RFC3339_LEN], total[24], status[8];
    char id[GWG_TEXT_MAX(GWG_REQID_MAX)], key[GWG_TEXT_MAX(GWG_KEY_MAX)];
    char method[GWG_TEXT_MAX(GWG_METHOD_MAX)];
    int i;

    gwg_out_printf(o, "%-20s %-28s %-30s %-20s %6s %-7s %9s %s\n", "TIME",
                   "REQUEST ID", "UPSTREAM", "CLASS", "STATUS", "METHOD",
                   "TOTAL", "PATH");
    for (i = 0; i < n; i++) {
        gwg_time_rfc3339(t, sizeof(t), e[i].time);
        snprintf(status, sizeof(status), "%u", e[i].status);
        /* every stored string is the client's or the file's: escaped */
        gwg_out_printf(o, "%-20s %-28s %-30s %-20s %6s %-7s %9s ", t,
                       e[i].request_id[0] ? gwg_text_safe(id, sizeof(id),
                                                e[i].request_id) : "-",
                       e[i].key[0] ? gwg_text_safe(key, sizeof(key),
                                                   e[i].key) : "-",
                       class_name(&e[i]), e[i].status ? status : "-",
                       e[i].method[0] ? gwg_text_safe(method, sizeof(method),
                                                      e[i].method) : "-",
                       ms(total, sizeof(total), e[i].t_total_us));
        gwg_out_text(o, e[i].path);
        gwg_out_str(o, "\n");
    }
    if (n == 0) {
        gwg_out_str(o, "(no failure recorded)\n");
    }
}

static void json_us(gwg_out *o, const char *name, uint64_t us)
{
    if (us) {
        gwg_out_printf(o, ",\"%s\":%" PRIu64, name, us);
    }
    else {
        gwg_out_printf(o, ",\"%s\":null", name);
    }
}

/* The retry hint as JSON: an entry written before it existed says null. */
static const char *retry_word(const gwg_recent *e)
{
    switch (e->retryable) {
    case GWG_RETRY_YES: return "true";
    case GWG_RETRY_NO: return "false";
    default: return "null";
    }
}

static void json_entry(gwg_out *o, const gwg_recent *e)
{
    char t[GWG_RFC3339_LEN];
    const gwg_class_info *c = gwg_class_get((gwg_class_t)e->class_id);

    gwg_out_str(o, "{\"time\":");
    gwg_out_json_str(o, gwg_time_rfc3339(t, sizeof(t), e->time));
    gwg_out_str(o, ",\"request_id\":");
    gwg_out_json_str(o, e->request_id);
    gwg_out_str(o, ",\"upstream\":");
    gwg_out_json_str(o, e->key);
    gwg_out_printf(o, ",\"class\":\"%s\",\"code\":\"%s\"",
                   c ? c->name : "other", c ? c->code : "XX");
    if (e->status) {
        gwg_out_printf(o, ",\"status\":%u", e->status);
    }
    else {
        gwg_out_str(o, ",\"status\":null");
    }
    gwg_out_str(o, ",\"method\":");
    gwg_out_json_str(o, e->method);
    gwg_out_str(o, ",\"path\":");
    gwg_out_json_str(o, e->path);
    if (e->ah_number) {
        gwg_out_printf(o, ",\"ah\":\"AH%05u\"", e->ah_number);
    }
    else {
        gwg_out_str(o, ",\"ah\":null");
    }
    gwg_out_printf(o, ",\"apr_status\":%d", e->apr_status);
    json_us(o, "connect_us", e->t_connect_us);
    json_us(o, "ttfb_us", e->t_ttfb_us);
    json_us(o, "total_us", e->t_total_us);
    gwg_out_str(o, ",\"detail\":");
    gwg_out_json_str(o, e->detail);
    gwg_out_printf(o, ",\"retryable\":%s}", retry_word(e));
}

void gwg_recent_json(gwg_out *o, const gwg_recent *e, int n)
{
    int i;

    gwg_out_str(o, "{\"version\":1,\"recent\":[");
    for (i = 0; i < n; i++) {
        if (i) {
            gwg_out_str(o, ",");
        }
        json_entry(o, &e[i]);
    }
    gwg_out_str(o, "]}\n");
}

/* What to look at first, per class: the likeliest cause an admin can
 * check in a minute. Indexed by gwg_class_t. */
static const char *const advice[GWG_CLASS_COUNT] = {
    /* connect_refused */
    "Is the upstream service running and listening on that address and "
    "port? Check its process and its own log, and that ProxyPass points "
    "to the right port.",
    /* connect_timeout */
    "Can this host reach the upstream at all? Check firewalls and "
    "routes, and whether the upstream is overloaded (its listen backlog); "
    "see connectiontimeout= on the worker.",
    /* dns */
    "Does the upstream's host name resolve on this machine "
    "(getent hosts NAME)? Check /etc/resolv.conf and the name in "
    "ProxyPass.",
    /* tls */
    "Does the upstream's certificate match its name and chain to a CA in "
    "SSLProxyCACertificateFile? Check protocol and cipher settings "
    "(SSLProxyProtocol) on both sides.",
    /* header_timeout */
    "The upstream took longer than the timeout to start answering: check "
    "what the upstream was doing (slow query, stuck worker) and whether "
    "ProxyTimeout / timeout= suits this URL.",
    /* reset_before_headers */
    "The upstream dropped the connection: check its log for a crash or a "
    "restart, and whether its keep-alive timeout is shorter than httpd's "
    "(consider disablereuse=On or a shorter ttl=).",
    /* bad_response */
    "The upstream sent something that is not valid HTTP: check that "
    "ProxyPass uses the right scheme and port (http vs https, not a "
    "non-HTTP service) and for oversized headers.",
    /* body_timeout */
    "The upstream stalled in the middle of its answer: check the upstream "
    "for slow streaming or a stuck worker, and ProxyTimeout.",
    /* body_reset */
    "The upstream closed the connection in the middle of its answer: "
    "check its log for a crash or a limit on response size or time.",
    /* unavailable */
    "No worker was usable: check balancer-manager for members in error "
    "state (retry=), and whether every member is down or max= is reached.",
    /* circuit_open */
    "gwguard's breaker is open because the upstream kept failing: look at "
    "the failures that opened it (gwguardctl recent KEY); "
    "gwguardctl reset --breaker KEY closes it by hand.",
    /* upstream_5xx */
    "The upstream answered with an error of its own: its application log "
    "says why.",
    /* client_abort */
    "The client went away before the answer was complete; not an upstream "
    "problem. Many of them may mean the upstream is slow.",
    /* other */
    "httpd reported something gwguard does not classify: read the error "
    "log around that time for the AH number shown.",
    /* maintenance */
    "An admin put the upstream in maintenance: gwguardctl maintenance "
    "lists the windows, who set them and until when; gwguardctl "
    "maintenance KEY off ends one.",
};

const char *gwg_recent_advice(gwg_class_t cls)
{
    return (cls >= 0 && cls < GWG_CLASS_COUNT) ? advice[cls] : advice[
        GWG_CLASS_OTHER];
}

/* The few httpd messages that say most about an upstream failure. */
static const char *ah_text(uint32_t ah)
{
    switch (ah) {
    case 957: return "connecting to the backend failed";
    case 959: return "the backend worker was put in error state";
    case 1114: return "mod_proxy_http could not connect to the backend";
    case 1102: return "reading the backend's status line failed";
    case 898: return "mod_proxy reported an error to the client";
    case 1097: return "the backend connection was closed";
    case 1110: return "reading the response body failed";
    case 1106: return "the backend sent a bad header";
    case 940: return "the worker is in error state and not retried yet";
    case 941: return "no connection to the worker could be acquired";
    case 2454: return "connecting to the backend's unix socket failed";
    case 1067: return "mod_proxy_fcgi could not read a FastCGI record";
    case 1075: return "mod_proxy_fcgi's exchange with the backend failed";
    case 1079: return "mod_proxy_fcgi could not connect to the backend";
    case 1171: return "no usable member in the balancer";
    default: return NULL;
    }
}

static void explain_reported(gwg_out *o, const gwg_recent *e)
{
    char err[256];

    gwg_out_str(o, "httpd reported: ");
    if (e->ah_number) {
        const char *t = ah_text(e->ah_number);
        gwg_out_printf(o, "AH%05u%s%s", e->ah_number, t ? " (" : "",
                       t ? t : "");
        gwg_out_str(o, t ? ")" : "");
    }
    if (e->apr_status) {
        gwg_out_printf(o, "%sstatus %d (%s)", e->ah_number ? ", " : "",
                       e->apr_status, apr_strerror(e->apr_status, err,
                                                   sizeof(err)));
    }
    if (!e->ah_number && !e->apr_status) {
        gwg_out_str(o, "no message of its own was tied to this request");
    }
    gwg_out_str(o, "\n");
}

static void explain_timings(gwg_out *o, const gwg_recent *e)
{
    char a[24], b[24], c[24];

    gwg_out_printf(o, "Timings:        connect %s, first byte %s, total %s%s\n",
                   ms(a, sizeof(a), e->t_connect_us),
                   ms(b, sizeof(b), e->t_ttfb_us),
                   ms(c, sizeof(c), e->t_total_us),
                   (!e->t_connect_us && !e->t_ttfb_us)
                   ? " (\"-\": not reached or not measured)" : "");
}

void gwg_recent_explain(gwg_out *o, const gwg_recent *e)
{
    const gwg_class_info *c = gwg_class_get((gwg_class_t)e->class_id);
    const gwg_local_fault_info *lf;
    char t[GWG_RFC3339_LEN];

    if (!c) {
        c = gwg_class_get(GWG_CLASS_OTHER);
    }
    gwg_out_str(o, "Request ");
    gwg_out_text(o, e->request_id);
    gwg_out_printf(o, " at %s\n", gwg_time_rfc3339(t, sizeof(t), e->time));
    gwg_out_str(o, "Request:        ");
    gwg_out_text(o, e->method);
    gwg_out_str(o, " ");
    gwg_out_text(o, e->path);
    gwg_out_str(o, "\nUpstream:       ");
    gwg_out_text(o, e->key[0] ? e->key : "(none: no upstream was tried)");
    gwg_out_str(o, "\n");
    lf = c->id == GWG_CLASS_CONNECT_REFUSED
         ? gwg_local_fault_get(gwg_local_fault_of((int)e->ah_number,
                                                  (int)e->apr_status))
         : NULL;
    gwg_out_printf(o, "Class:          %s (%s): %s\n", c->name, c->code,
                   lf ? lf->text : c->text);
    if (lf) {
        gwg_out_printf(o, "Local fault:    %s (the gateway's own setup, "
                       "not the upstream)\n", lf->name);
    }
    if (e->status) {
        gwg_out_printf(o, "Client got:     %u\n", e->status);
    }
    else if (strstr(e->detail, "failed over")) {
        gwg_out_str(o, "Client got:     the answer of a later attempt "
                    "(this one failed and mod_proxy failed over)\n");
    }
    else {
        gwg_out_str(o, "Client got:     the upstream's response, or a cut-"
                    "off one (already started)\n");
    }
    if (e->retryable == GWG_RETRY_YES || e->retryable == GWG_RETRY_NO) {
        gwg_out_printf(o, "Retryable:      %s\n", e->retryable == GWG_RETRY_YES
                       ? "yes (no byte reached the upstream, or an "
                         "idempotent method without a body)"
                       : "no (the upstream may have acted on it)");
    }
    explain_reported(o, e);
    explain_timings(o, e);
    if (e->detail[0]) {
        gwg_out_str(o, "Detail:         ");
        gwg_out_text(o, e->detail);
        gwg_out_str(o, "\n");
    }
    gwg_out_printf(o, "Check first:    %s\n",
                   lf ? lf->advice : gwg_recent_advice(c->id));
}

void gwg_recent_explain_attempts(gwg_out *o, const gwg_shm *shm,
                                 const gwg_recent *last)
{
    uint64_t size = shm->recent_size, k;
    gwg_recent e;
    int shown = 0;

    /* newest first in the ring; a failover's attempts are few, so they
     * are printed as found and numbered from their detail */
    for (k = 0; k < size; k++) {
        const gwg_class_info *c;

        if (gwg_shm_recent_get(shm, k, &e) != 0 || e.seq == last->seq
            || strcmp(e.request_id, last->request_id) != 0) {
            continue;
        }
        c = gwg_class_get((gwg_class_t)e.class_id);
        if (!shown++) {
            gwg_out_str(o, "Failed over:    the request was tried on "
                        "another upstream after these attempts failed\n");
        }
        gwg_out_str(o, "  ");
        gwg_out_text(o, e.key[0] ? e.key : "-");
        gwg_out_printf(o, "  %s (", c ? c->name : "other");
        gwg_out_text(o, e.detail);
        gwg_out_str(o, ")\n");
    }
}
