/*
 * The page directives. Templates named in the server configuration are
 * compiled while it is read, into the config pool, so a bad one fails
 * `apachectl configtest`. Templates named in .htaccess must stay inside
 * that file's directory tree and obey its Options on symbolic links
 * (docs/pages.md); they are compiled the first time a request reads that
 * .htaccess and then kept in a small per-process cache keyed by path and
 * file identity: later requests cost a few stat()s (next to httpd's own
 * reading of the .htaccess) and no parse, an edited template is picked up
 * by the next request, and an evicted one is freed once no request uses
 * it.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_main.h"
#include "http_log.h"
#include "ap_mpm.h"
#include "http_core.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "gwg_conf.h"
#include "gwg_page_conf.h"
#include "mod_gwguard.h"
#include "gwg_directive.h"
#include "mod_gwguard_page_conf.h"

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

#define CACHE_SLOTS  64         /* distinct .htaccess templates per process */
#define CACHE_PROBES 8

/* One compiled template, in a pool of its own. It is freed when its last
 * reference goes: the cache holds one while the entry is in a slot, and
 * each request that uses it holds one until its pool is cleared. So an
 * evicted or edited template costs memory only as long as a request still
 * renders from it (issue 11: the old cache never freed what it evicted). */
typedef struct {
    apr_pool_t         *pool;
    const char         *path;
    dev_t               dev;
    ino_t               ino;
    off_t               size;
    struct timespec     mtime;
    const gwg_template *tpl;
    apr_uint32_t        refs;
} cache_entry;

/* Guards the slots and the taking of a reference, nothing else: held for a
 * few compares and one increment, never across I/O or a compile. Without
 * it a thread could take a reference to an entry another thread has just
 * evicted and freed. Process-local; parsing .htaccess is not the hot path
 * (httpd opens and reads the file itself on every request). */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cache_entry *cache[CACHE_SLOTS];

static unsigned path_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

static void entry_release(cache_entry *e)
{
    if (__atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        apr_pool_destroy(e->pool);
    }
}

static apr_status_t entry_release_cleanup(void *e)
{
    entry_release(e);
    return APR_SUCCESS;
}

static int entry_is(const cache_entry *e, const char *path,
                    const struct stat *st)
{
    return e->dev == st->st_dev && e->ino == st->st_ino
           && e->size == st->st_size
           && e->mtime.tv_sec == st->st_mtim.tv_sec
           && e->mtime.tv_nsec == st->st_mtim.tv_nsec
           && strcmp(e->path, path) == 0;
}

/* The current entry for path with a reference taken for the caller, or
 * NULL. */
static cache_entry *cache_get(const char *path, const struct stat *st)
{
    unsigned h = path_hash(path), i;
    cache_entry *found = NULL;

    pthread_mutex_lock(&cache_lock);
    for (i = 0; i < CACHE_PROBES && !found; i++) {
        cache_entry *e = cache[(h + i) % CACHE_SLOTS];
        if (e && entry_is(e, path, st)) {
            __atomic_add_fetch(&e->refs, 1, __ATOMIC_ACQ_REL);
            found = e;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

/* Publishes e (whose reference the cache takes over) in place of an older
 * version of the same path, else in an empty slot, else over the first
 * probe; what it displaces loses the cache's reference. */
static void cache_put(cache_entry *e)
{
    unsigned h = path_hash(e->path), i;
    cache_entry **same = NULL, **empty = NULL, **slot, *old;

    pthread_mutex_lock(&cache_lock);
    for (i = 0; i < CACHE_PROBES && !same; i++) {
        cache_entry **c = &cache[(h + i) % CACHE_SLOTS];
        if (*c && strcmp((*c)->path, e->path) == 0) {
            same = c;
        }
        else if (!*c && !empty) {
            empty = c;
        }
    }
    slot = same ? same : empty ? empty : &cache[h % CACHE_SLOTS];
    old = *slot;
    *slot = e;
    pthread_mutex_unlock(&cache_lock);
    if (old) {
        entry_release(old);
    }
}

/* Reads the file at path, which must still be the one stat'ed as st (a
 * page author could swap a link in after the check), and compiles it into
 * a fresh entry holding two references: the cache's and the caller's. */
static const char *entry_compile(cache_entry **out, const char *path,
                                 const struct stat *st, cmd_parms *cmd)
{
    apr_pool_t *rp = cmd->pool, *p;
    const gwg_template *tpl;
    cache_entry *e;
    struct stat fst;
    const char *err = NULL;
    char *buf = NULL;
    size_t got = 0;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        return apr_psprintf(rp, "%s: cannot read the template: %s", path,
                            strerror(errno));
    }
    if (fstat(fd, &fst) != 0 || fst.st_dev != st->st_dev
        || fst.st_ino != st->st_ino || !S_ISREG(fst.st_mode)) {
        close(fd);
        return apr_psprintf(rp, "%s: the template changed while it was "
                            "checked", path);
    }
    if (fst.st_size > GWG_TEMPLATE_MAX) {
        close(fd);
        return apr_psprintf(rp, "%s: %ld bytes is over the limit of %d "
                            "bytes (1 MiB) for a template", path,
                            (long)fst.st_size, GWG_TEMPLATE_MAX);
    }
    /* unmanaged: safe to create from any thread; lives until the last
     * reference goes */
    if (apr_pool_create_unmanaged_ex(&p, NULL, NULL) != APR_SUCCESS) {
        close(fd);
        return "out of memory";
    }
    buf = apr_palloc(p, (apr_size_t)fst.st_size + 1);
    while (got < (size_t)fst.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)fst.st_size - got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            err = apr_psprintf(rp, "%s: cannot read the template: %s", path,
                               n < 0 ? strerror(errno) : "it got shorter");
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (!err) {
        err = gwg_template_compile(&tpl,
                                   (gwg_tpl_type)gwg_template_type_of(path),
                                   path, buf, got, p);
        err = err ? apr_pstrdup(rp, err) : NULL;
    }
    if (err) {
        apr_pool_destroy(p);
        return err;
    }
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, cmd->server, "GWG00201: "
                 "compiled template %s for .htaccess (%ld bytes); cached in "
                 "this process", path, (long)got);
    e = apr_pcalloc(p, sizeof(*e));
    e->pool = p;
    e->path = apr_pstrdup(p, path);
    e->dev = st->st_dev;
    e->ino = st->st_ino;
    e->size = st->st_size;
    e->mtime = st->st_mtim;
    e->tpl = tpl;
    e->refs = 2;
    *out = e;
    return NULL;
}

/* Walks dir/rel component by component (rel is checked by
 * gwg_conf_htaccess_path) and judges the symbolic links on the way as
 * httpd's SymLinksIfOwnerMatch would: a link whose owner also owns its
 * target, or one owned by someone else. Leaves the target's stat in st. */
static const char *walk_links(int *links, struct stat *st, char *path,
                              size_t rel_at, apr_pool_t *p)
{
    char *q = path + rel_at;

    *links = GWGUARD_LINKS_NONE;
    for (;;) {
        char *slash = strchr(q, '/');
        struct stat lst, tst;
        if (slash) {
            *slash = '\0';
        }
        if (lstat(path, &lst) != 0) {
            return apr_psprintf(p, "%s: cannot read the template: %s", path,
                                strerror(errno));
        }
        if (S_ISLNK(lst.st_mode)) {
            if (stat(path, &tst) != 0) {
                return apr_psprintf(p, "%s: a symbolic link whose target "
                                    "cannot be read: %s", path,
                                    strerror(errno));
            }
            if (lst.st_uid != tst.st_uid) {
                *links = GWGUARD_LINKS_ANY;
            }
            else if (*links == GWGUARD_LINKS_NONE) {
                *links = GWGUARD_LINKS_OWNER;
            }
        }
        if (!slash) {
            break;
        }
        *slash = '/';
        q = slash + 1;
    }
    if (stat(path, st) != 0 || !S_ISREG(st->st_mode)) {
        return apr_psprintf(p, "%s: not a regular file", path);
    }
    return NULL;
}

/* A template named in .htaccess: inside the .htaccess directory, links
 * noted for the per-request Options check, compiled once per process and
 * version of the file; the request's pool holds a reference. */
static const char *htaccess_template(const gwg_template **out, int *links,
                                     const char *file, cmd_parms *cmd)
{
    apr_pool_t *rp = cmd->pool;
    const char *dir = cmd->path ? cmd->path : "", *err;
    size_t dl = strlen(dir);
    cache_entry *e;
    struct stat st;
    char *path;

    err = gwg_conf_htaccess_path(cmd->cmd->name, file, rp);
    if (err) {
        return err;
    }
    while (dl > 1 && dir[dl - 1] == '/') {
        dl--;
    }
    path = apr_pstrcat(rp, apr_pstrmemdup(rp, dir, dl), "/", file, NULL);
    err = walk_links(links, &st, path, dl + 1, rp);
    if (err) {
        return err;
    }
    e = cache_get(path, &st);
    if (!e) {
        err = entry_compile(&e, path, &st, cmd);
        if (err) {
            return err;
        }
        cache_put(e);
    }
    apr_pool_cleanup_register(rp, e, entry_release_cleanup,
                              apr_pool_cleanup_null);
    *out = e->tpl;
    return NULL;
}

/* Directive handlers run at request time only for .htaccess files. */
static int in_htaccess(void)
{
    return ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM;
}

static const char *load_template(const gwg_template **out, int *links,
                                 cmd_parms *cmd, const char *file)
{
    const char *path;

    *links = GWGUARD_LINKS_NONE;
    if (in_htaccess()) {
        return htaccess_template(out, links, file, cmd);
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
    int links = GWGUARD_LINKS_NONE;

    err = gwg_conf_page_key(&key, cmd->cmd->name, keyv, cmd->pool);
    if (!err) {
        err = gwg_conf_page_target(&kind, cmd->cmd->name, target, cmd->pool);
    }
    if (!err && (kind == GWG_TARGET_HTML || kind == GWG_TARGET_JSON)) {
        err = load_template(&tpl, &links, cmd, target);
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
        e->html.links = e->json.links = GWGUARD_LINKS_NONE;
        apr_hash_set(pc->pages, key, APR_HASH_KEY_STRING, e);
    }
    if (kind != GWG_TARGET_JSON) {
        e->html.kind = kind;
        e->html.tpl = tpl;
        e->html.links = links;
    }
    if (kind != GWG_TARGET_HTML) {
        e->json.kind = kind;
        e->json.tpl = tpl;
        e->json.links = links;
    }
    pc->links |= (links != GWGUARD_LINKS_NONE);
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
    const gwg_directive *row = cmd->info;     /* its range */
    unsigned long v;
    const char *err = gwg_conf_uint(&v, cmd->cmd->name, value, row->lo,
                                    row->hi, cmd->pool);

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

int gwguard_intercept_seen;

int gwguard_page_conf_intercepts(const gwguard_page_conf *pc)
{
    size_t i;

    for (i = 0; pc && pc->intercept_set && i < sizeof(pc->intercept); i++) {
        if (pc->intercept[i]) {
            return 1;
        }
    }
    return 0;
}

const char *gwguard_set_intercept(cmd_parms *cmd, void *dirconf,
                                  const char *args)
{
    gwguard_page_conf *pc = page_conf(cmd->pool, dirconf);
    const char *err = gwg_conf_intercept(pc->intercept, cmd->cmd->name, args,
                                         cmd->pool);

    if (err) {
        return err;
    }
    pc->intercept_set = 1;
    if (gwguard_page_conf_intercepts(pc)) {
        /* relaxed: another thread's .htaccess may set it too */
        __atomic_store_n(&gwguard_intercept_seen, 1, __ATOMIC_RELAXED);
    }
    return NULL;
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
    out->links = base->links | add->links;
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

static void refuse_link(request_rec *r, gwguard_page_ref *ref, int allow)
{
    if (ref->tpl && ref->links > allow) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "GWG00501: template "
                      "%s is reached through a symbolic link that Options "
                      "does not allow here (%s); the built-in page is used",
                      gwg_template_file(ref->tpl),
                      ref->links == GWGUARD_LINKS_ANY
                      ? "the link's owner does not own its target: needs "
                        "FollowSymLinks"
                      : "needs FollowSymLinks or SymLinksIfOwnerMatch");
        ref->kind = GWG_TARGET_BUILTIN;
        ref->tpl = NULL;
        ref->links = GWGUARD_LINKS_NONE;
    }
}

typedef struct {
    const gwguard_page_conf *in, *out;
} links_memo;

/* Templates named in .htaccess behind a symbolic link obey the
 * directory's Options as httpd's own file serving does: without
 * FollowSymLinks (or SymLinksIfOwnerMatch, for a link whose owner owns the
 * target) the built-in page replaces them. Judged once per request. */
static const gwguard_page_conf *links_allowed(request_rec *r,
                                              const gwguard_page_conf *pc)
{
    int opts = ap_allow_options(r);
    int allow = (opts & OPT_SYM_LINKS) ? GWGUARD_LINKS_ANY
              : (opts & OPT_SYM_OWNER) ? GWGUARD_LINKS_OWNER
              : GWGUARD_LINKS_NONE;
    gwguard_page_conf *copy = NULL;
    apr_hash_index_t *hi;
    links_memo *memo = NULL;

    apr_pool_userdata_get((void **)&memo, "gwguard-page-links", r->pool);
    if (memo && memo->in == pc) {
        return memo->out;
    }
    for (hi = apr_hash_first(r->pool, pc->pages); hi; hi = apr_hash_next(hi)) {
        const gwguard_page_entry *e = apr_hash_this_val(hi);
        gwguard_page_entry *m;
        if (e->html.links <= allow && e->json.links <= allow) {
            continue;
        }
        if (!copy) {
            copy = apr_pmemdup(r->pool, pc, sizeof(*pc));
            copy->pages = apr_hash_copy(r->pool, pc->pages);
        }
        m = apr_pmemdup(r->pool, e, sizeof(*e));
        refuse_link(r, &m->html, allow);
        refuse_link(r, &m->json, allow);
        apr_hash_set(copy->pages, apr_hash_this_key(hi), APR_HASH_KEY_STRING,
                     m);
    }
    memo = apr_palloc(r->pool, sizeof(*memo));
    memo->in = pc;
    memo->out = copy ? copy : pc;
    apr_pool_userdata_setn(memo, "gwguard-page-links", NULL, r->pool);
    return memo->out;
}

const gwguard_page_conf *gwguard_page_conf_get(request_rec *r)
{
    gwguard_dir_conf *d = ap_get_module_config(r->per_dir_config,
                                               &gwguard_module);
    const gwguard_page_conf *pc = d ? d->page : NULL;

    return (pc && pc->links && pc->pages) ? links_allowed(r, pc) : pc;
}
