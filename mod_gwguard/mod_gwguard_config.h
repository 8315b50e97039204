/*
 * Configuration (mod_gwguard_config.c): the command table, the records'
 * create and merge functions, and typed getters with defaults applied.
 */
#ifndef MOD_GWGUARD_CONFIG_H
#define MOD_GWGUARD_CONFIG_H

#include "httpd.h"
#include "http_config.h"

#include "gwg_conf.h"
#include "mod_gwguard.h"

extern const command_rec gwguard_cmds[];
void *gwguard_create_srv_conf(apr_pool_t *p, server_rec *s);
void *gwguard_merge_srv_conf(apr_pool_t *p, void *base, void *add);
void *gwguard_create_dir_conf(apr_pool_t *p, char *dir);
void *gwguard_merge_dir_conf(apr_pool_t *p, void *base, void *add);

/* Whether GwGuard is on for r: inline, as every request-path hook asks. */
static inline int gwguard_enabled(const request_rec *r)
{
    const gwguard_dir_conf *conf = ap_get_module_config(r->per_dir_config,
                                                        &gwguard_module);

    return conf->enabled == GWGUARD_UNSET ? gwg_default.enabled
                                          : conf->enabled;
}

#endif
