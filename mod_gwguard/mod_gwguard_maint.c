/*
 * Maintenance windows in httpd: an upstream an admin put in maintenance
 * (gwguardctl maintenance, docs/degrade.md) is never contacted. The check
 * runs in gwguard's REALLY_FIRST scheme handler before the breaker and
 * answers 503 before any connection, like a breaker refusal: a plain
 * worker's request gets the maintenance page (class maintenance), a
 * balancer member is failed over by proxy_handler. The window is read
 * from the slot on every attempt (a few atomic loads), so on and off take
 * effect at once in every process, without a reload.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_expr.h"
#include "apr_strings.h"
#include "mod_proxy.h"

#include "gwg_classify.h"
#include "gwg_maint.h"
#include "gwg_time.h"
#include "mod_gwguard_maint.h"
#include "mod_gwguard_upstream.h"

APLOG_USE_MODULE(gwguard);

#define NOTE_MESSAGE "gwguard-maint-message"   /* r->notes, for the page */

/* Whether GwGuardMaintenanceBypass lets this request through. An
 * expression that cannot be evaluated does not (the window holds). */
static int bypassed(request_rec *r, const char *key)
{
    gwguard_dir_conf *dc = ap_get_module_config(r->per_dir_config,
                                                &gwguard_module);
    const char *err = NULL;
    int rc;

    if (!dc->maint_bypass) {
        return 0;
    }
    rc = ap_expr_exec(r, dc->maint_bypass, &err);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00702: upstream=%s "
                      "GwGuardMaintenanceBypass could not be evaluated (%s); "
                      "the maintenance window holds", key, err);
        return 0;
    }
    if (rc > 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00701: upstream=%s "
                      "in maintenance, let through by "
                      "GwGuardMaintenanceBypass", key);
    }
    return rc > 0;
}

/* gwguard_maint_admit for a slot that has a window set: out of line, so
 * that the common call costs no frame (stack protector, saves). */
static __attribute__((noinline)) int admit_window(request_rec *r,
                                                  gwguard_req *st,
                                                  gwguard_attempt *a)
{
    char until[GWG_RFC3339_LEN];
    uint64_t now;
    gwg_maint m;

    now = gwg_now_us();
    gwg_maint_get(&m, &gwguard_segment.shm.slots[a->slot], now);
    if (!m.on || bypassed(r, a->key)) {
        return DECLINED;
    }
    a->sig.maint_refused = 1;
    st->retry_after = (int)gwg_maint_retry_after(&m, now);  /* -1: none */
    if (m.message[0]) {
        apr_table_setn(r->notes, NOTE_MESSAGE,
                       apr_pstrdup(r->pool, m.message));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00700: upstream=%s "
                  "class=maintenance code=MA: in a maintenance window until "
                  "%s; not contacted (attempt %d)", a->key,
                  m.until ? gwg_time_rfc3339(until, sizeof(until), m.until)
                          : "turned off", st->attempts->nelts);
    return HTTP_SERVICE_UNAVAILABLE;
}

int gwguard_maint_admit(request_rec *r, gwguard_req *st, gwguard_attempt *a)
{
    if (!gwguard_segment.ok || a->slot == GWGUARD_NO_SLOT
        || a->slot >= gwg_shm_overflow_slot(&gwguard_segment.shm)
        || !gwg_maint_set_at_all(&gwguard_segment.shm.slots[a->slot])) {
        return DECLINED;            /* *overflow* mixes upstreams */
    }
    return admit_window(r, st, a);
}

/* The balancer of a "proxy:balancer://NAME/..." request, or NULL. The
 * proxy module's record is looked up by name, not linked, as for its
 * hooks (mod_gwguard_proxy.c). */
static proxy_balancer *balancer_of(request_rec *r)
{
    module *proxy = ap_find_linked_module("mod_proxy.c");
    const char *url = r->filename;
    proxy_server_conf *conf;
    proxy_balancer *b;
    size_t len;
    int i;

    if (!proxy || !url || strncasecmp(url, "proxy:balancer://", 17) != 0) {
        return NULL;
    }
    url += 6;
    len = 11 + strcspn(url + 11, "/?#");
    conf = ap_get_module_config(r->server->module_config, proxy);
    for (i = 0; conf && conf->balancers && i < conf->balancers->nelts; i++) {
        b = &APR_ARRAY_IDX(conf->balancers, i, proxy_balancer);
        if (strlen(b->s->name) == len
            && strncasecmp(b->s->name, url, len) == 0) {
            return b;
        }
    }
    return NULL;
}

int gwguard_maint_no_member(request_rec *r, gwguard_req *st,
                            struct gwg_observation *o)
{
    proxy_balancer *b;
    char key[GWG_KEY_MAX];
    long retry = -1, left, n;
    const char *msg = NULL;
    uint64_t now;
    gwg_maint m;
    int i;

    /* every proxied request passes here: nothing to do unless mod_proxy
     * tried no member of a balancer */
    if (o->attempts != 0 || !gwguard_segment.ok
        || !(b = balancer_of(r))) {
        return 0;
    }
    now = gwg_now_us();
    for (i = 0; i < b->workers->nelts; i++) {
        proxy_worker *w = APR_ARRAY_IDX(b->workers, i, proxy_worker *);
        if (gwguard_worker_key(key, sizeof(key), w) < 0
            || (n = gwg_shm_find(&gwguard_segment.shm, key)) < 0) {
            return 0;
        }
        gwg_maint_get(&m, &gwguard_segment.shm.slots[n], now);
        if (!m.on) {
            return 0;                   /* a member out of maintenance */
        }
        left = gwg_maint_retry_after(&m, now);
        retry = left > 0 && (retry < 0 || left < retry) ? left : retry;
        if (!msg && m.message[0]) {
            msg = apr_pstrdup(r->pool, m.message);
        }
    }
    if (i == 0 || bypassed(r, b->s->name)) {
        return 0;
    }
    if (msg) {
        apr_table_setn(r->notes, NOTE_MESSAGE, msg);
    }
    st->retry_after = (int)retry;       /* the first member back, or -1 */
    o->maint_refused = 1;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "GWG00703: upstream=%s "
                  "class=maintenance code=MA: every member is in a "
                  "maintenance window (mod_proxy had none left to try)",
                  b->s->name);
    return 1;
}

const char *gwguard_maint_message(request_rec *r)
{
    const char *msg = apr_table_get(r->notes, NOTE_MESSAGE);

    return msg ? msg : "";
}

/* RAW_ARGS, so `GwGuardMaintenanceBypass -R '10.0.0.0/8'` needs no
 * quotes; an expression quoted whole, as in <If "...">, is unquoted. */
const char *gwguard_set_maint_bypass(cmd_parms *cmd, void *dirconf,
                                     const char *args)
{
    gwguard_dir_conf *conf = dirconf;
    const char *expr = args, *err = NULL;
    size_t n = strlen(args);

    if (n >= 2 && args[0] == '"' && args[n - 1] == '"'
        && !memchr(args + 1, '"', n - 2)) {
        expr = apr_pstrndup(cmd->pool, args + 1, n - 2);
    }
    if (!*expr) {
        return apr_psprintf(cmd->pool, "%s: an expression is required, "
                            "e.g. -R '10.0.0.0/8'", cmd->cmd->name);
    }
    conf->maint_bypass = ap_expr_parse_cmd(cmd, expr, 0, &err, NULL);
    if (err) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid "
                            "expression: %s; expected an ap_expr such as "
                            "-R '10.0.0.0/8' or %%{HTTP_COOKIE} =~ "
                            "/maint=1/", cmd->cmd->name, expr, err);
    }
    return NULL;
}
