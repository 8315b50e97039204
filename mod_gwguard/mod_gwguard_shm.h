/*
 * The shared segment's lifecycle (mod_gwguard_shm.c): created by the
 * parent in post_config, checked in each child.
 */
#ifndef MOD_GWGUARD_SHM_H
#define MOD_GWGUARD_SHM_H

#include "httpd.h"

int gwguard_shm_post_config(apr_pool_t *pconf, server_rec *s);
void gwguard_shm_child_init(apr_pool_t *p, server_rec *s);

#endif
