/*
 * Configuration (mod_gwguard_config.c): the command table, the records'
 * create and merge functions, and typed getters with defaults applied.
 */
#ifndef MOD_GWGUARD_CONFIG_H
#define MOD_GWGUARD_CONFIG_H

#include "httpd.h"
#include "http_config.h"

extern const command_rec gwguard_cmds[];
void *gwguard_create_srv_conf(apr_pool_t *p, server_rec *s);
void *gwguard_merge_srv_conf(apr_pool_t *p, void *base, void *add);
void *gwguard_create_dir_conf(apr_pool_t *p, char *dir);
void *gwguard_merge_dir_conf(apr_pool_t *p, void *base, void *add);

int gwguard_enabled(request_rec *r);

#endif
