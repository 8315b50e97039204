/*
 * GwGuardStatusCode (mod_gwguard_statuscode.c): the directive, its merge
 * and the code for a class in a request's scope.
 */
#ifndef MOD_GWGUARD_STATUSCODE_H
#define MOD_GWGUARD_STATUSCODE_H

#include "httpd.h"
#include "http_config.h"

#include "gwg_class.h"

const char *gwguard_set_status_code(cmd_parms *cmd, void *dirconf,
                                    const char *cls, const char *value);
int *gwguard_merge_status_codes(apr_pool_t *p, const int *base,
                                const int *add);

/* GwGuardStatusCode for a class in this request's scope, 0 if unset. */
int gwguard_status_code(request_rec *r, gwg_class_t cls);

#endif
