/*
 * Stale before error (docs/degrade.md): when gwguard has answered a
 * failure and mod_cache (CacheStaleOnError, httpd's default) serves a
 * stale copy instead, the client gets that copy and gwguard counts it as
 * `stale` and logs it at info.
 *
 * mod_cache decides in its insert_error_filter hook, on the core's error
 * path (ap_send_error_response), after gwguard's request_status: it turns
 * its CACHE_SAVE filter into CACHE_OUT, which throws away the error body
 * (our page too) and sends the cached entity with "Warning: 111". Our
 * hook runs really last, so it sees mod_cache's decision by that filter.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "util_filter.h"

#include "gwg_atomic.h"
#include "mod_gwguard.h"
#include "mod_gwguard_degrade.h"
#include "mod_gwguard_req.h"

APLOG_USE_MODULE(gwguard);

/* mod_cache's CACHE_OUT filter, looked up once at post_config (in the
 * parent, before any request); NULL without mod_cache. */
static ap_filter_rec_t *cache_out;

/* Whether mod_cache is about to answer from its cache on the error path. */
static int cache_out_inserted(request_rec *r)
{
    ap_filter_t *f;

    for (f = r->output_filters; f && cache_out; f = f->next) {
        if (f->frec == cache_out) {
            return 1;
        }
    }
    return 0;
}

static int degrade_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf; (void)plog; (void)ptemp; (void)s;
    cache_out = ap_get_output_filter_handle("CACHE_OUT");
    return OK;
}

static void stale_check(request_rec *r)
{
    gwguard_req *st;
    const gwguard_attempt *a;
    const gwg_class_info *info;

    if (!cache_out || r->status < 500 || !(st = gwguard_req_get(r, 0))
        || st->cls == GWG_CLASS_NONE || st->attempts->nelts == 0
        || !cache_out_inserted(r)) {
        return;
    }
    a = &APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                       gwguard_attempt);
    if (gwguard_segment.ok && a->slot != GWGUARD_NO_SLOT) {
        GWG_ADD(&gwguard_segment.shm.slots[a->slot].stale, 1);
    }
    /* not our page: none of its headers either */
    apr_table_unset(r->err_headers_out, "Proxy-Status");
    apr_table_unset(r->err_headers_out, "Retry-After");
    apr_table_setn(r->subprocess_env, "GWGUARD_STALE", "1");
    info = gwg_class_get(st->cls);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00600: upstream=%s "
                  "class=%s: mod_cache answers with a stale copy "
                  "(CacheStaleOnError) instead of %d; request_id=%s",
                  a->key, info ? info->name : "-", r->status,
                  gwguard_request_id(r, st));
}

void gwguard_degrade_register_hooks(void)
{
    ap_hook_insert_error_filter(stale_check, NULL, NULL,
                                APR_HOOK_REALLY_LAST);
    ap_hook_post_config(degrade_post_config, NULL, NULL, APR_HOOK_MIDDLE);
}
