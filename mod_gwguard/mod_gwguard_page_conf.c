/*
 * The page directives. Templates named in the server configuration are
 * compiled while it is read, into the config pool, so a bad one fails
 * `apachectl configtest`. Templates named in .htaccess are compiled the
 * first time a request reads that .htaccess and then kept in a small
 * per-process cache keyed by path, size and mtime: later requests cost one
 * stat() (next to httpd's own reading of the .htaccess) and no parse, and
 * an edited template is picked up by the next request.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_main.h"
#include "http_log.h"
#include "ap_mpm.h"
#include "http_core.h"

#include <apr_hash.h>
#include <apr_strings.h>

#include "gwg_conf.h"
#include "gwg_page_conf.h"
#include "mod_gwguard.h"
#include "mod_gwguard_page.h"

APLOG_USE_MODULE(gwguard);

static gwguard_page_conf *page_conf(apr_pool_t *p, void *dirconf)
{
    gwguard_dir_conf *d = dirconf;

    if (!d->page) {
        d->page = apr_pcalloc(p, sizeof(*d->page));
        d->page->retry_after = GWGUARD_UNSET;
        d->page->expose_upstream = GWGUARD_UNSET;
        d->page->proxy_status = GWGUARD_UNSET;
    }
    return d->page;
}

/* ---- the per-process .htaccess template cache ---- */

#define CACHE_SLOTS 64          /* distinct .htaccess templates per process */

typedef struct {
    const char         *path;
    apr_off_t           size;
    apr_time_t          mtime;
    const gwg_template *tpl;
} cache_entry;

/* Entries are immutable once published; a slot is replaced with a CAS.
 * A replaced entry (the template was edited) is never freed, because
 * another thread may still render from it: one leaked copy per edit. */
static cache_entry *cache[CACHE_SLOTS];

static unsigned path_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

static cache_entry **cache_slot(const char *path)
{
    unsigned h = path_hash(path), i;

    for (i = 0; i < 8; i++) {
        cache_entry **slot = &cache[(h + i) % CACHE_SLOTS];
        cache_entry *e = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
        if (!e || strcmp(e->path, path) == 0) {
            return slot;
        }
    }
    return &cache[h % CACHE_SLOTS];     /* full: evict the first probe */
}

static apr_status_t destroy_pool(void *p)
{
    apr_pool_destroy(p);
    return APR_SUCCESS;
}

/* Compiles into a pool of its own (unmanaged: safe to create from any
 * thread) that lives as long as the process, and publishes it. */
static const char *cache_compile(const gwg_template **out, const char *path,
                                 const apr_finfo_t *fi, cache_entry **slot,
                                 cache_entry *seen, cmd_parms *cmd)
{
    apr_pool_t *rp = cmd->pool;
    apr_pool_t *p;
    cache_entry *e;
    const char *err;

    if (apr_pool_create_unmanaged_ex(&p, NULL, NULL) != APR_SUCCESS) {
        return "out of memory";
    }
    err = gwg_template_load(out, path, p);
    if (err) {
        err = apr_pstrdup(rp, err);
        apr_pool_destroy(p);
        return err;
    }
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, cmd->server, "GWG00201: "
                 "compiled template %s for .htaccess (%" APR_OFF_T_FMT
                 " bytes); cached in this process", path, fi->size);
    e = apr_palloc(p, sizeof(*e));
    e->path = apr_pstrdup(p, path);
    e->size = fi->size;
    e->mtime = fi->mtime;
    e->tpl = *out;
    if (!__atomic_compare_exchange_n(slot, &seen, e, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        /* another thread published first; ours serves this request only */
        apr_pool_cleanup_register(rp, p, destroy_pool,
                                  apr_pool_cleanup_null);
    }
    return NULL;
}

static const char *htaccess_template(const gwg_template **out,
                                     const char *path, cmd_parms *cmd)
{
    apr_pool_t *rp = cmd->pool;
    apr_finfo_t fi;
    cache_entry **slot;
    cache_entry *e;
    apr_status_t rv;
    char buf[128];

    rv = apr_stat(&fi, path, APR_FINFO_SIZE | APR_FINFO_MTIME, rp);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(rp, "%s: cannot read the template: %s", path,
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    slot = cache_slot(path);
    e = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (e && strcmp(e->path, path) == 0 && e->size == fi.size
        && e->mtime == fi.mtime) {
        *out = e->tpl;
        return NULL;
    }
    return cache_compile(out, path, &fi, slot, e, cmd);
}

/* Directive handlers run at request time only for .htaccess files. */
static int in_htaccess(void)
{
    return ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM;
}

static const char *load_template(const gwg_template **out, cmd_parms *cmd,
                                 const char *file)
{
    const char *path = file;

    if (in_htaccess()) {
        if (!ap_os_is_path_absolute(cmd->pool, file) && cmd->path) {
            path = apr_pstrcat(cmd->pool, cmd->path,
                               cmd->path[strlen(cmd->path) - 1] == '/'
                               ? "" : "/", file, NULL);
        }
        return htaccess_template(out, path, cmd);
    }
    path = ap_server_root_relative(cmd->pool, file);
    if (!path) {
        return apr_psprintf(cmd->pool, "%s: invalid path '%s'",
                            cmd->cmd->name, file);
    }
    return gwg_template_load(out, path, cmd->pool);
}

const char *gwguard_set_error_page(cmd_parms *cmd, void *dirconf,
                                   const char *keyv, const char *target)
{
    gwguard_page_conf *pc = page_conf(cmd->pool, dirconf);
    gwguard_page_entry *e;
    gwg_page_target kind;
    const gwg_template *tpl = NULL;
    const char *key, *err;

    err = gwg_conf_page_key(&key, cmd->cmd->name, keyv, cmd->pool);
    if (!err) {
        err = gwg_conf_page_target(&kind, cmd->cmd->name, target, cmd->pool);
    }
    if (!err && (kind == GWG_TARGET_HTML || kind == GWG_TARGET_JSON)) {
        err = load_template(&tpl, cmd, target);
        if (err) {
            err = apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
        }
    }
    if (err) {
        return err;
    }
    if (!pc->pages) {
        pc->pages = apr_hash_make(cmd->pool);
    }
    e = apr_hash_get(pc->pages, key, APR_HASH_KEY_STRING);
    if (!e) {
        e = apr_palloc(cmd->pool, sizeof(*e));
        e->html.kind = e->json.kind = GWGUARD_PAGE_UNSET;
        e->html.tpl = e->json.tpl = NULL;
        apr_hash_set(pc->pages, key, APR_HASH_KEY_STRING, e);
    }
    if (kind != GWG_TARGET_JSON) {
        e->html.kind = kind;
        e->html.tpl = tpl;
    }
    if (kind != GWG_TARGET_HTML) {
        e->json.kind = kind;
        e->json.tpl = tpl;
    }
    return NULL;
}

const char *gwguard_set_page_var(cmd_parms *cmd, void *dirconf,
                                 const char *name, const char *value)
{
    gwguard_page_conf *pc = page_conf(cmd->pool, dirconf);
    const char *err = gwg_conf_var_name(cmd->cmd->name, name, cmd->pool);

    if (err) {
        return err;
    }
    if (!pc->vars) {
        pc->vars = apr_table_make(cmd->pool, 4);
    }
    apr_table_set(pc->vars, name, value);
    return NULL;
}

const char *gwguard_set_retry_after(cmd_parms *cmd, void *dirconf,
                                    const char *value)
{
    unsigned long v;
    const char *err = gwg_conf_uint(&v, cmd->cmd->name, value, 0,
                                    GWG_RETRY_AFTER_MAX, cmd->pool);

    if (!err) {
        page_conf(cmd->pool, dirconf)->retry_after = (int)v;
    }
    return err;
}

const char *gwguard_set_expose_upstream(cmd_parms *cmd, void *dirconf,
                                        const char *value)
{
    return gwg_conf_flag(&page_conf(cmd->pool, dirconf)->expose_upstream,
                         cmd->cmd->name, value, cmd->pool);
}

const char *gwguard_set_proxy_status(cmd_parms *cmd, void *dirconf,
                                     const char *value)
{
    return gwg_conf_flag(&page_conf(cmd->pool, dirconf)->proxy_status,
                         cmd->cmd->name, value, cmd->pool);
}

const char *gwguard_set_intercept(cmd_parms *cmd, void *dirconf,
                                  const char *args)
{
    gwguard_page_conf *pc = page_conf(cmd->pool, dirconf);
    const char *err = gwg_conf_intercept(pc->intercept, cmd->cmd->name, args,
                                         cmd->pool);

    if (!err) {
        pc->intercept_set = 1;
    }
    return err;
}

/* ---- merge ---- */

static void merge_ref(gwguard_page_ref *out, const gwguard_page_ref *base,
                      const gwguard_page_ref *add)
{
    *out = add->kind != GWGUARD_PAGE_UNSET ? *add : *base;
}

static apr_hash_t *merge_pages(apr_pool_t *p, apr_hash_t *base,
                               apr_hash_t *add)
{
    apr_hash_t *out;
    apr_hash_index_t *hi;

    if (!base || !add) {
        return base ? base : add;
    }
    out = apr_hash_copy(p, base);
    for (hi = apr_hash_first(p, add); hi; hi = apr_hash_next(hi)) {
        const char *key = apr_hash_this_key(hi);
        const gwguard_page_entry *a = apr_hash_this_val(hi);
        const gwguard_page_entry *b = apr_hash_get(base, key,
                                                   APR_HASH_KEY_STRING);
        gwguard_page_entry *m = apr_palloc(p, sizeof(*m));
        if (!b) {
            *m = *a;
        }
        else {
            merge_ref(&m->html, &b->html, &a->html);
            merge_ref(&m->json, &b->json, &a->json);
        }
        apr_hash_set(out, key, APR_HASH_KEY_STRING, m);
    }
    return out;
}

#define MERGE_SET(f) \
    out->f = add->f != GWGUARD_UNSET ? add->f : base->f

gwguard_page_conf *gwguard_page_conf_merge(apr_pool_t *p,
                                           const gwguard_page_conf *base,
                                           const gwguard_page_conf *add)
{
    gwguard_page_conf *out;

    if (!base || !add) {
        return (gwguard_page_conf *)(base ? base : add);
    }
    out = apr_pcalloc(p, sizeof(*out));
    out->pages = merge_pages(p, base->pages, add->pages);
    out->vars = !base->vars ? add->vars : !add->vars ? base->vars
              : apr_table_overlay(p, add->vars, base->vars);
    MERGE_SET(retry_after);
    MERGE_SET(expose_upstream);
    MERGE_SET(proxy_status);
    if (add->intercept_set) {
        out->intercept_set = 1;
        memcpy(out->intercept, add->intercept, sizeof(out->intercept));
    }
    else {
        out->intercept_set = base->intercept_set;
        memcpy(out->intercept, base->intercept, sizeof(out->intercept));
    }
    return out;
}

const gwguard_page_conf *gwguard_page_conf_get(request_rec *r)
{
    gwguard_dir_conf *d = ap_get_module_config(r->per_dir_config,
                                               &gwguard_module);

    return d ? d->page : NULL;
}
