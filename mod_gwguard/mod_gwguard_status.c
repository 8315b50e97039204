/*
 * The read-only status handler (`SetHandler gwguard-status`) and the
 * gwguard section of mod_status's server-status page. Both take one
 * snapshot of the segment into r->pool and print it with the core
 * formatter gwguardctl uses, so the numbers cannot disagree.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_optional_hooks.h"
#include "mod_status.h"

#include "gwg_format.h"
#include "gwg_time.h"
#include "mod_gwguard.h"
#include "mod_gwguard_status.h"

APLOG_USE_MODULE(gwguard);

#define HANDLER_NAME "gwguard-status"

static int write_to_request(void *ctx, const char *data, size_t len)
{
    return ap_rwrite(data, (int)len, ctx) < 0 ? -1 : 0;
}

static gwg_snapshot *snapshot(request_rec *r)
{
    gwg_snapshot *snap;
    const char *missing;

    if (!gwguard_segment.ok
        || gwg_snapshot_take(&snap, &missing, &gwguard_segment.shm,
                             gwguard_segment.path, NULL, 0, r->pool)
           != APR_SUCCESS) {
        return NULL;
    }
    return snap;
}

static int gwguard_status_handler(request_rec *r)
{
    gwg_snapshot *snap;
    gwg_out out;
    int format;

    if (!r->handler || strcmp(r->handler, HANDLER_NAME) != 0) {
        return DECLINED;
    }
    ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, -1);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    format = gwg_format_negotiate(r->args, apr_table_get(r->headers_in,
                                                          "Accept"));
    if (format < 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00300: status "
                      "handler: unknown format in '%s'; expected json, xml, "
                      "prometheus, html or table", r->args);
        return HTTP_BAD_REQUEST;
    }
    snap = snapshot(r);
    if (!snap) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00301: status "
                      "handler: no shared segment in this process");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_mergen(r->headers_out, "Vary", "Accept");
    ap_set_content_type(r, gwg_format_content_type(format));
    if (r->header_only) {
        return OK;
    }
    gwg_out_init(&out, write_to_request, r);
    gwg_format_status(&out, snap, format, (uint64_t)apr_time_now());
    return OK;
}

/* server-status: a section of its HTML page, or Key: value lines for
 * ?auto (AP_STATUS_SHORT). */
static int gwguard_status_section(request_rec *r, int flags)
{
    gwg_snapshot *snap = snapshot(r);
    gwg_out out;

    if (!snap) {
        return OK;
    }
    gwg_out_init(&out, write_to_request, r);
    gwg_format_status(&out, snap, (flags & AP_STATUS_SHORT)
                      ? GWG_FORMAT_KV : GWG_FORMAT_HTML_SECTION,
                      (uint64_t)apr_time_now());
    return OK;
}

/* libxml2's globals, once, in the parent before any child forks. */
static int gwguard_status_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                      apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf; (void)plog; (void)ptemp; (void)s;
    gwg_format_init();
    return OK;
}

void gwguard_status_register_hooks(void)
{
    ap_hook_post_config(gwguard_status_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_handler(gwguard_status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, gwguard_status_section, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
