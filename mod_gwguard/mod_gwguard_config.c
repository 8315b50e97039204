/*
 * Directives of mod_gwguard: the command table, config records and their
 * merge. Values are parsed by the core (gwg_conf.c), so `gwguardctl check`
 * and `apachectl configtest` give the same verdict in the same words.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_request.h"
#include "apr_strings.h"

#include "gwg_conf.h"
#include "mod_gwguard.h"
#include "mod_gwguard_page.h"


void *gwguard_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    gwguard_srv_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->max_upstreams = GWG_DEFAULT_MAX_UPSTREAMS;
    conf->recent = GWG_DEFAULT_RECENT;
    return conf;
}

/* Server-wide settings live in the main server only (GLOBAL_ONLY), so a
 * virtual host just sees the main server's, except those it may set. */
void *gwguard_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    gwguard_srv_conf *base = basev, *add = addv;
    gwguard_srv_conf *conf = apr_pmemdup(p, base, sizeof(*conf));

    /* GwGuardBreaker is also allowed in a virtual host */
    conf->breaker = gwguard_breaker_merge(p, base->breaker, add->breaker);
    return conf;
}

void *gwguard_create_dir_conf(apr_pool_t *p, char *dir)
{
    gwguard_dir_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->enabled = GWGUARD_UNSET;
    return conf;
}

#define MERGE_INT(field) \
    conf->field = (add->field != GWGUARD_UNSET) ? add->field : base->field

void *gwguard_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    gwguard_dir_conf *base = basev, *add = addv;
    gwguard_dir_conf *conf = apr_pcalloc(p, sizeof(*conf));

    MERGE_INT(enabled);
    conf->page = gwguard_page_conf_merge(p, base->page, add->page);
    conf->status_codes = gwguard_merge_status_codes(p, base->status_codes,
                                                    add->status_codes);
    return conf;
}

int gwguard_enabled(request_rec *r)
{
    gwguard_dir_conf *conf = ap_get_module_config(r->per_dir_config,
                                                  &gwguard_module);

    return conf->enabled != 0;          /* unset means On */
}

const char *gwguard_shm_path(apr_pool_t *p, server_rec *s)
{
    gwguard_srv_conf *conf = ap_get_module_config(s->module_config,
                                                  &gwguard_module);

    return ap_runtime_dir_relative(p, conf->shm_file ? conf->shm_file
                                                    : GWG_DEFAULT_SHM_NAME);
}

static gwguard_srv_conf *srv_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &gwguard_module);
}

static const char *set_enabled(cmd_parms *cmd, void *dirconf,
                               const char *value)
{
    gwguard_dir_conf *conf = dirconf;

    return gwg_conf_flag(&conf->enabled, cmd->cmd->name, value, cmd->pool);
}

static const char *set_shm_file(cmd_parms *cmd, void *dirconf,
                                const char *value)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    (void)dirconf;
    if (!err) {
        err = gwg_conf_path(cmd->cmd->name, value, cmd->pool);
    }
    if (!err) {
        srv_conf(cmd)->shm_file = value;
    }
    return err;
}

static const char *set_max_upstreams(cmd_parms *cmd, void *dirconf,
                                     const char *value)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    (void)dirconf;
    return err ? err : gwg_conf_uint(&srv_conf(cmd)->max_upstreams,
                                     cmd->cmd->name, value, GWG_SLOTS_MIN,
                                     GWG_SLOTS_MAX, cmd->pool);
}

static const char *set_recent(cmd_parms *cmd, void *dirconf,
                              const char *value)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    (void)dirconf;
    return err ? err : gwg_conf_uint(&srv_conf(cmd)->recent, cmd->cmd->name,
                                     value, 0, GWG_RECENT_MAX, cmd->pool);
}

const command_rec gwguard_cmds[] = {
    AP_INIT_TAKE1("GwGuard", set_enabled, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "Classify, count and answer upstream failures here: On "
                  "(default) or Off"),
    AP_INIT_TAKE1("GwGuardShmFile", set_shm_file, NULL, RSRC_CONF,
                  "File that holds the shared counters (default gwguard.shm "
                  "in DefaultRuntimeDir)"),
    AP_INIT_TAKE1("GwGuardMaxUpstreams", set_max_upstreams, NULL, RSRC_CONF,
                  "Number of upstreams counted apart, 16 to 100000 "
                  "(default 1024); more share one overflow slot"),
    AP_INIT_TAKE1("GwGuardRecent", set_recent, NULL, RSRC_CONF,
                  "Number of recent failures kept for gwguardctl recent, 0 to "
                  "1000000 (default 1024)"),
    AP_INIT_TAKE2("GwGuardErrorPage", gwguard_set_error_page, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "Page for a status, a class or default: a .html or .json "
                  "template, builtin, or none (leave it to httpd)"),
    AP_INIT_TAKE2("GwGuardPageVar", gwguard_set_page_var, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "A value for {{var.NAME}} in error pages: NAME VALUE"),
    AP_INIT_TAKE1("GwGuardRetryAfter", gwguard_set_retry_after, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "Seconds sent in Retry-After on 503 pages, 0 to 86400 "
                  "(default 30)"),
    AP_INIT_TAKE1("GwGuardExposeUpstream", gwguard_set_expose_upstream, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "Fill {{upstream}} in error pages with the upstream's "
                  "address: On or Off (default)"),
    AP_INIT_TAKE1("GwGuardProxyStatus", gwguard_set_proxy_status, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "Send the RFC 9209 Proxy-Status header on gwguard's "
                  "pages: On (default) or Off"),
    AP_INIT_RAW_ARGS("GwGuardIntercept", gwguard_set_intercept, NULL,
                     RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                     "Replace upstream-sent error responses (not JSON ones) "
                     "with the error page: Off (default), On (502 503 504) "
                     "or a list of statuses"),
    AP_INIT_TAKE2("GwGuardStatusCode", gwguard_set_status_code, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "Status answered for a failure class: CLASS STATUS, "
                  "STATUS from 500 to 599 (defaults in docs/classes.md)"),
    AP_INIT_TAKE_ARGV("GwGuardBreaker", gwguard_set_breaker, NULL, RSRC_CONF,
                      "Circuit breaker: [ORIGIN] failures=N window=SEC "
                      "cooldown=SEC, or Off (default)"),
    { NULL }
};
