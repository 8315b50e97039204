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
#include "gwg_directive.h"
#include "mod_gwguard.h"
#include "mod_gwguard_breaker.h"
#include "mod_gwguard_config.h"
#include "mod_gwguard_maint.h"
#include "mod_gwguard_page_conf.h"
#include "mod_gwguard_statuscode.h"


void *gwguard_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    gwguard_srv_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->max_upstreams = gwg_default.max_upstreams;
    conf->recent = gwg_default.recent;
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
    conf->maint_bypass = add->maint_bypass ? add->maint_bypass
                                           : base->maint_bypass;
    return conf;
}

static gwguard_srv_conf *srv_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &gwguard_module);
}

static const char *gwguard_set_enabled(cmd_parms *cmd, void *dirconf,
                                       const char *value)
{
    gwguard_dir_conf *conf = dirconf;

    return gwg_conf_flag(&conf->enabled, cmd->cmd->name, value, cmd->pool);
}

static const char *gwguard_set_shm_file(cmd_parms *cmd, void *dirconf,
                                        const char *value)
{
    const char *err = gwg_conf_path(cmd->cmd->name, value, cmd->pool);

    (void)dirconf;
    if (!err) {
        srv_conf(cmd)->shm_file = value;
    }
    return err;
}

static const char *gwguard_set_max_upstreams(cmd_parms *cmd,
                                             void *dirconf,
                                             const char *value)
{
    const gwg_directive *row = cmd->info;

    (void)dirconf;
    return gwg_conf_uint(&srv_conf(cmd)->max_upstreams, cmd->cmd->name,
                         value, row->lo, row->hi, cmd->pool);
}

static const char *gwguard_set_recent(cmd_parms *cmd, void *dirconf,
                                      const char *value)
{
    const gwg_directive *row = cmd->info;

    (void)dirconf;
    return gwg_conf_uint(&srv_conf(cmd)->recent, cmd->cmd->name, value,
                         row->lo, row->hi, cmd->pool);
}

/* httpd's override flags for a row's contexts: a server-config or vhost
 * row is RSRC_CONF, a directory one ACCESS_CONF, an .htaccess one
 * OR_FILEINFO (AllowOverride FileInfo). */
#define GWG_WHERE(ctx) \
    ((((ctx) & (GWG_CTX_SERVER | GWG_CTX_VHOST)) ? RSRC_CONF : 0) \
     | (((ctx) & GWG_CTX_DIR) ? ACCESS_CONF : 0) \
     | (((ctx) & GWG_CTX_HTACCESS) ? OR_FILEINFO : 0))

/* What the override flags cannot say: a row for the main server only
 * (context S alone) is refused in a <VirtualHost> (GLOBAL_ONLY). */
static const char *context_error(cmd_parms *cmd)
{
    const gwg_directive *row = cmd->info;

    if ((row->contexts & ~GWG_CTX_SERVER) == 0) {
        return ap_check_cmd_context(cmd, GLOBAL_ONLY);
    }
    return NULL;
}

/* Each row's setter behind context_error, with the arguments of its
 * AP_INIT_<how>. */
#define GWG_PARAMS_TAKE1     const char *a1
#define GWG_PASS_TAKE1       a1
#define GWG_PARAMS_TAKE2     const char *a1, const char *a2
#define GWG_PASS_TAKE2       a1, a2
#define GWG_PARAMS_RAW_ARGS  const char *a1
#define GWG_PASS_RAW_ARGS    a1
#define GWG_PARAMS_TAKE_ARGV int argc, char *const argv[]
#define GWG_PASS_TAKE_ARGV   argc, argv
#define GWG_CHECKED(id, name, how, setter, ...) \
    static const char *checked_##id(cmd_parms *cmd, void *dirconf, \
                                    GWG_PARAMS_##how) \
    { \
        const char *err = context_error(cmd); \
        return err ? err : setter(cmd, dirconf, GWG_PASS_##how); \
    }
GWG_DIRECTIVES(GWG_CHECKED)
#undef GWG_CHECKED

/* The command table, row by row from the core's directive table; each
 * entry carries its row (cmd->info) for the setter's range. */
#define GWG_COMMAND(id, name, how, setter, ctx, min, max, check, lo, hi, \
                    dflt, help) \
    AP_INIT_##how(name, checked_##id, \
                  (void *)&gwg_directives[GWG_DIR_##id], GWG_WHERE(ctx), \
                  help),
const command_rec gwguard_cmds[] = {
    GWG_DIRECTIVES(GWG_COMMAND)
    { NULL }
};
#undef GWG_COMMAND
