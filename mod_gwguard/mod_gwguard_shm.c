/*
 * Lifecycle of the shared segment in httpd. The parent maps the file in
 * post_config (every start and restart, after the dry run); children
 * inherit the MAP_SHARED mapping across fork, so their user needs no access
 * to the file. The mapping is kept in retained data, which outlives the
 * module's own globals across restarts (the DSO is unloaded and reloaded).
 * Counters live in the file, so they survive graceful, restart and
 * stop/start; a file that fails validation is replaced and that is logged.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_mpm.h"

#include "gwg_atomic.h"
#include "gwg_conf.h"
#include "gwg_time.h"
#include "mod_gwguard.h"
#include "mod_gwguard_shm.h"

APLOG_USE_MODULE(gwguard);

#define RETAINED_KEY "mod_gwguard-retained"

typedef struct {
    gwg_shm shm;                   /* the parent's mapping, if any */
    int     has_shm;
} gwguard_retained;

gwguard_state gwguard_segment;

/* GwGuardShmFile, or the default, under DefaultRuntimeDir. */
static const char *shm_path(apr_pool_t *p, server_rec *s)
{
    gwguard_srv_conf *conf = ap_get_module_config(s->module_config,
                                                  &gwguard_module);

    return ap_runtime_dir_relative(p, conf->shm_file ? conf->shm_file
                                                    : GWG_DEFAULT_SHM_NAME);
}

static gwguard_retained *retained_get(int *first_start)
{
    gwguard_retained *ret = ap_retained_data_get(RETAINED_KEY);

    *first_start = (ret == NULL);
    if (!ret) {
        ret = ap_retained_data_create(RETAINED_KEY, sizeof(*ret));
    }
    return ret;
}

int gwguard_shm_post_config(apr_pool_t *pconf, server_rec *s)
{
    gwguard_srv_conf *conf = ap_get_module_config(s->module_config,
                                                  &gwguard_module);
    const char *path = shm_path(pconf, s);
    char why[GWG_ERRMAX];
    gwguard_retained *ret;
    int first_start, fresh;
    apr_status_t rv;

    ret = retained_get(&first_start);
    if (ret->has_shm) {
        /* Re-validated below; children of the old generation keep their
         * own inherited mapping of the same file until they exit. */
        gwg_shm_close(&ret->shm);
        ret->has_shm = 0;
    }
    memset(&gwguard_segment, 0, sizeof(gwguard_segment));
    gwguard_segment.path = path;
    rv = gwg_shm_attach_or_create(&ret->shm, path,
                                  (uint32_t)conf->max_upstreams,
                                  (uint32_t)conf->recent, &fresh, why,
                                  sizeof(why));
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, "GWG00003: cannot set up "
                     "the shared counters at %s (%s); serving without "
                     "counting. Check GwGuardShmFile and that its directory "
                     "is writable by the user httpd starts as", path, why);
        return OK;
    }
    if (fresh == 2) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "GWG00500: replaced "
                     "the shared segment at %s: the old file was not to be "
                     "trusted: %s (it must be a regular file owned by the "
                     "user httpd starts as or root, not writable by group "
                     "or others)", path, why);
    }
    else if (fresh) {
        ap_log_error(APLOG_MARK, why[0] ? APLOG_WARNING : APLOG_NOTICE, 0, s,
                     "GWG00002: created a fresh shared segment at %s%s%s",
                     path, why[0] ? ", not trusting the old file: " : "",
                     why);
    }
    ret->has_shm = 1;
    if (first_start) {
        GWG_STORE(&ret->shm.hdr->started, gwg_now_us());
    }
    GWG_ADD(&ret->shm.hdr->generation, 1);
    gwguard_segment.shm = ret->shm;
    gwguard_segment.ok = 1;
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, "GWG00004: shared counters at "
                 "%s: %u upstream slots, %u recent failures, generation %"
                 APR_UINT64_T_FMT,
                 path, ret->shm.slot_count, ret->shm.recent_size,
                 (apr_uint64_t)GWG_LOAD(&ret->shm.hdr->generation));
    return OK;
}

/* A child inherits the mapping; if the parent had none (or it no longer
 * validates), say so once and serve without counting: never exit. */
void gwguard_shm_child_init(apr_pool_t *p, server_rec *s)
{
    char why[GWG_ERRMAX] = "the parent could not set it up";
    gwg_geometry g;

    (void)p;
    if (gwguard_segment.ok
        && gwg_shm_validate_geometry(gwguard_segment.shm.base,
                                     gwguard_segment.shm.size, &g, why,
                                     sizeof(why)) == APR_SUCCESS) {
        /* the mapping keeps the parent's copy of the geometry; a file
         * whose header no longer says the same was tampered with */
        if (g.slot_count == gwguard_segment.shm.slot_count
            && g.recent_size == gwguard_segment.shm.recent_size) {
            return;
        }
        snprintf(why, sizeof(why), "its header changed since the parent "
                 "mapped it");
    }
    gwguard_segment.ok = 0;
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "GWG00005: no shared "
                 "segment in this child (%s): requests are served and "
                 "answered, but not counted", why);
}
