/*
 * GwGuardStatusCode CLASS STATUS: the per-directory table of statuses by
 * class, its merge (per class, inner scope wins) and its getter. Values
 * are checked by the core (gwg_conf_status_code), as gwguardctl check does.
 */
#include "httpd.h"
#include "http_config.h"

#include "gwg_conf.h"
#include "mod_gwguard.h"
#include "mod_gwguard_statuscode.h"

/* GwGuardStatusCode: one entry per class, inner scopes win per class. */
int *gwguard_merge_status_codes(apr_pool_t *p, const int *base,
                                const int *add)
{
    int *merged;
    int i;

    if (!base || !add) {
        return (int *)(add ? add : base);
    }
    merged = apr_palloc(p, sizeof(int) * GWG_CLASS_COUNT);
    for (i = 0; i < GWG_CLASS_COUNT; i++) {
        merged[i] = add[i] ? add[i] : base[i];
    }
    return merged;
}

const char *gwguard_set_status_code(cmd_parms *cmd, void *dirconf,
                                    const char *cls, const char *value)
{
    gwguard_dir_conf *conf = dirconf;
    int c, status;
    const char *err = gwg_conf_status_code(&c, &status, cmd->cmd->name, cls,
                                           value, cmd->pool);

    if (err) {
        return err;
    }
    if (!conf->status_codes) {
        conf->status_codes = apr_pcalloc(cmd->pool,
                                         sizeof(int) * GWG_CLASS_COUNT);
    }
    conf->status_codes[c] = status;
    return NULL;
}

int gwguard_status_code(request_rec *r, gwg_class_t cls)
{
    gwguard_dir_conf *conf = ap_get_module_config(r->per_dir_config,
                                                  &gwguard_module);

    if (!conf->status_codes || cls < 0 || cls >= GWG_CLASS_COUNT) {
        return 0;
    }
    return conf->status_codes[cls];
}
