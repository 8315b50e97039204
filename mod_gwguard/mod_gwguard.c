/*
 * mod_gwguard: classify, count and answer mod_proxy upstream failures.
 * This file is the module record and its table of contents: which httpd
 * hooks are used and what each delegates to.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_core.h"

#include "mod_proxy.h"

#include "gwg_classify.h"
#include "gwg_conf.h"
#include "gwg_layout.h"
#include "mod_gwguard.h"
#include "mod_gwguard_backend.h"
#include "mod_gwguard_breaker.h"
#include "mod_gwguard_config.h"
#include "mod_gwguard_degrade.h"
#include "mod_gwguard_early.h"
#include "mod_gwguard_errlog.h"
#include "mod_gwguard_page.h"
#include "mod_gwguard_proxy.h"
#include "mod_gwguard_req.h"
#include "mod_gwguard_shm.h"
#include "mod_gwguard_status.h"
#include "mod_gwguard_wcache.h"

/* The httpd constants the core restates (it is built without httpd's
 * headers), checked against httpd's own here, so a build against an httpd
 * that differs fails instead of misclassifying. */
_Static_assert(GWG_HANDLER_OK == OK, "OK");
_Static_assert(GWG_HANDLER_DONE == DONE, "DONE");
_Static_assert(GWG_HANDLER_FILTER_ERROR == AP_FILTER_ERROR,
               "AP_FILTER_ERROR");
_Static_assert(GWG_WORKER_MAX == PROXY_WORKER_EXT_NAME_SIZE,
               "a worker's name fits its slot field");
_Static_assert(GWG_BALANCER_MAX >= PROXY_BALANCER_MAX_NAME_SIZE,
               "a balancer's name fits its slot field");
/* gwguardctl finds the segment where the module puts it without reading
 * httpd's headers */
_Static_assert(__builtin_strcmp(GWG_DEFAULT_RUNTIME_DIR,
                                DEFAULT_REL_RUNTIMEDIR) == 0,
               "GWG_DEFAULT_RUNTIME_DIR must equal httpd's "
               "DEFAULT_REL_RUNTIMEDIR (apxs -q runtimedir)");

/* Without mod_proxy there is nothing to hook: say so plainly, at
 * configtest time too. */
static int gwguard_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                                apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf; (void)plog; (void)ptemp;
    if (!gwguard_proxy_hooks_present()) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     "GWG00001: mod_gwguard needs mod_proxy: load "
                     "proxy_module (and proxy_http_module), e.g. "
                     "'a2enmod proxy proxy_http' on Debian");
        return !OK;
    }
    if (!ap_find_linked_module("mod_proxy_http.c")) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_WARNING, 0, s,
                     "GWG00010: mod_proxy_http is not loaded: http:// and "
                     "https:// upstreams cannot be proxied");
    }
    return OK;
}

/* mod_proxy's hooks are found by symbol (dlsym), which works only once
 * mod_proxy is loaded. Every LoadModule has run by pre_config, whatever
 * the order of the .load files, and httpd sorts all hooks again after
 * pre_config (main.c: apr_hook_sort_all() before check_config) and
 * deregisters them all when pconf is cleared, as for register_hooks.
 * So the proxy area registers here; it must not add a pre_config hook
 * itself (that array is being run). The backend filters and the
 * error-log hook serve proxied requests only and have always been
 * registered with it, so their order among other modules' hooks stays. */
static int gwguard_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp)
{
    (void)pconf; (void)plog; (void)ptemp;
    gwguard_proxy_register_hooks();     /* scheme handler, request_status */
    gwguard_backend_register_hooks();   /* backend and response filters */
    gwguard_errlog_register_hooks();    /* AH number of an attempt */
    return OK;
}

static int gwguard_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    (void)plog; (void)ptemp;
    gwguard_backend_post_config();
    /* httpd reads its configuration twice at start-up; only the second,
     * real pass creates the segment. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    return gwguard_shm_post_config(pconf, s);
}

static void gwguard_child_init(apr_pool_t *p, server_rec *s)
{
    gwguard_shm_child_init(p, s);
}

static void gwguard_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(gwguard_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(gwguard_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(gwguard_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(gwguard_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    gwguard_status_register_hooks();    /* handler, mod_status section */
    gwguard_page_register_hooks();      /* error pages, intercept */
    gwguard_degrade_register_hooks();   /* mod_cache's stale answers */
    gwguard_wcache_register_hooks();    /* the child's declared workers */
    gwguard_breaker_register_hooks();   /* which breakers are on, per
                                           declared worker */
    gwguard_req_register_hooks();       /* the child's pid */
    gwguard_early_register_hooks();     /* an open breaker's answer in
                                           fixups */
}

/* The one symbol httpd looks up (LoadModule); everything else is built
 * with -fvisibility=hidden, so calls and data inside the module bind
 * directly instead of through the PLT and GOT (issue #12). */
extern module __attribute__((visibility("default"))) gwguard_module;

AP_DECLARE_MODULE(gwguard) = {
    STANDARD20_MODULE_STUFF,
    gwguard_create_dir_conf,
    gwguard_merge_dir_conf,
    gwguard_create_srv_conf,
    gwguard_merge_srv_conf,
    gwguard_cmds,
    gwguard_register_hooks,
    AP_MODULE_FLAG_NONE
};
