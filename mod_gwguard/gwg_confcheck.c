/*
 * The directive table of `gwguardctl check` and the traps of
 * docs/gwguardctl.md ("check"). A row's check function calls the same
 * gwg_conf_* parser the module's command table calls (gwg_conf*.c,
 * gwg_page_conf.c, gwg_breaker.c), and templates go through the module's own
 * compiler (gwg_template.c), so configtest and check agree word for word.
 */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>

#include "gwg_class.h"
#include "gwg_breaker.h"
#include "gwg_conf.h"
#include "gwg_confcheck.h"
#include "gwg_page_conf.h"
#include "gwg_template.h"
#include "gwg_shm.h"
#include "gwg_template_scan.h"
#include "gwg_upstream.h"

#define S GWG_CTX_SERVER
#define V GWG_CTX_VHOST
#define D GWG_CTX_DIR
#define H GWG_CTX_HTACCESS

struct gwg_confcheck_ctx {
    gwg_confdoc *doc;
    apr_pool_t  *p;
};

void gwg_confcheck_warn(gwg_confcheck_ctx *cx, const gwg_confdir *d,
                        const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    va_start(ap, fmt);
    msg = apr_pvsprintf(cx->p, fmt, ap);
    va_end(ap);
    gwg_confdoc_msg(cx->doc, d->file, d->line, 0, "%s", msg);
}

/* The checks name the directive as the configuration spells it (d->name),
 * as httpd's messages do; the row gives the range. */
static const char *check_flag(gwg_confcheck_ctx *cx, const gwg_directive *row,
                              const gwg_confdir *d)
{
    int v;

    (void)row;
    return gwg_conf_flag(&v, d->name, d->argv[0], cx->p);
}

static const char *check_shm_file(gwg_confcheck_ctx *cx,
                                  const gwg_directive *row,
                                  const gwg_confdir *d)
{
    (void)row;
    return gwg_conf_path(d->name, d->argv[0], cx->p);
}

/* A whole number in the row's range. */
static const char *check_uint(gwg_confcheck_ctx *cx, const gwg_directive *row,
                              const gwg_confdir *d)
{
    unsigned long v;

    return gwg_conf_uint(&v, d->name, d->argv[0], row->lo, row->hi, cx->p);
}

/* docs/directives.md: STATUS|CLASS|default FILE|builtin|none, with the
 * module's parsers. The file itself is compiled further down
 * (check_template). */
static const char *check_errorpage(gwg_confcheck_ctx *cx,
                                   const gwg_directive *row,
                                   const gwg_confdir *d)
{
    gwg_page_target target;
    const char *key, *err;

    (void)row;
    err = gwg_conf_page_key(&key, d->name, d->argv[0], cx->p);
    return err ? err : gwg_conf_page_target(&target, d->name, d->argv[1],
                                            cx->p);
}

static const char *check_pagevar(gwg_confcheck_ctx *cx,
                                 const gwg_directive *row,
                                 const gwg_confdir *d)
{
    (void)row;
    return gwg_conf_var_name(d->name, d->argv[0], cx->p);
}

static const char *check_status_code(gwg_confcheck_ctx *cx,
                                     const gwg_directive *row,
                                     const gwg_confdir *d)
{
    int cls, status;

    (void)row;
    return gwg_conf_status_code(&cls, &status, d->name, d->argv[0],
                                d->argv[1], cx->p);
}

static const char *check_intercept(gwg_confcheck_ctx *cx,
                                   const gwg_directive *row,
                                   const gwg_confdir *d)
{
    unsigned char set[100];
    const char *args = "";
    int i;

    (void)row;
    for (i = 0; i < d->argc; i++) {
        args = apr_pstrcat(cx->p, args, i ? " " : "", d->argv[i], NULL);
    }
    return gwg_conf_intercept(set, d->name, args, cx->p);
}

/* [ORIGIN] failures=N window=SEC cooldown=SEC | Off */
static const char *check_breaker(gwg_confcheck_ctx *cx,
                                 const gwg_directive *row,
                                 const gwg_confdir *d)
{
    gwg_breaker_conf conf;
    const char *origin;

    (void)row;
    return gwg_conf_breaker(&conf, &origin, d->name, d->argc,
                            (char *const *)d->argv, cx->p);
}

/* An ap_expr: httpd parses it (at configtest); here only that there is
 * one. */
static const char *check_maint_bypass(gwg_confcheck_ctx *cx,
                                      const gwg_directive *row,
                                      const gwg_confdir *d)
{
    (void)row;
    if (d->argc == 0 || (d->argc == 1 && (!*d->argv[0]
                                           || !strcmp(d->argv[0], "\"\"")))) {
        return apr_psprintf(cx->p, "%s: an expression is required, e.g. "
                            "-R '10.0.0.0/8'", d->name);
    }
    return NULL;
}

/* The directive table's rows, with the checks above. */
#define GWG_DIRECTIVE_ROW(id, name, how, setter, ctx, min, max, check, lo, \
                          hi, dflt, help) \
    [GWG_DIR_##id] = { name, ctx, min, max, check, lo, hi, dflt, help },
const gwg_directive gwg_directives[GWG_DIR_COUNT] = {
    GWG_DIRECTIVES(GWG_DIRECTIVE_ROW)
};
#undef GWG_DIRECTIVE_ROW

const gwg_directive *gwg_confcheck_rule(const char *name)
{
    int i;

    for (i = 0; i < GWG_DIR_COUNT; i++) {
        if (strcasecmp(gwg_directives[i].name, name) == 0) {
            return &gwg_directives[i];
        }
    }
    return NULL;
}

/* Context and argument count, in httpd's words. */
static const char *check_shape(gwg_confcheck_ctx *cx, const gwg_directive *r,
                               const gwg_confdir *d)
{
    if (!(r->contexts & d->context)) {
        if (d->context == GWG_CTX_VHOST) {
            return apr_psprintf(cx->p, "%s cannot occur within <VirtualHost> "
                                "section", d->name);
        }
        return apr_psprintf(cx->p, "%s not allowed here (in <%s %s>)",
                            d->name, d->section ? d->section : "?",
                            d->section_arg ? d->section_arg : "");
    }
    if (d->argc < r->min_args || (r->max_args >= 0
                                  && d->argc > r->max_args)) {
        if (r->min_args == r->max_args) {
            return apr_psprintf(cx->p, "%s takes %d argument%s, not %d",
                                d->name, r->min_args,
                                r->min_args == 1 ? "" : "s", d->argc);
        }
        if (r->max_args < 0) {          /* any number from min_args */
            return apr_psprintf(cx->p, "%s takes at least %d argument%s, "
                                "not %d", d->name, r->min_args,
                                r->min_args == 1 ? "" : "s", d->argc);
        }
        return apr_psprintf(cx->p, "%s takes %d to %d arguments, not %d",
                            d->name, r->min_args, r->max_args, d->argc);
    }
    return NULL;
}

static void check_directives(gwg_confcheck_ctx *cx)
{
    int loaded = gwg_confdoc_has_module(cx->doc, "gwguard_module"), i;

    for (i = 0; i < cx->doc->dirs->nelts; i++) {
        const gwg_confdir *d = &APR_ARRAY_IDX(cx->doc->dirs, i, gwg_confdir);
        const gwg_directive *r;
        const char *err;

        if (strncasecmp(d->name, "GwGuard", 7) != 0) {
            continue;
        }
        r = gwg_confcheck_rule(d->name);
        if (!r || !loaded) {
            gwg_confdoc_msg(cx->doc, d->file, d->line, 1, "Invalid command "
                            "'%s', perhaps misspelled or defined by a module "
                            "not included in the server configuration%s",
                            d->name, r ? " (LoadModule gwguard_module "
                            "comes later or is missing)" : "");
            continue;
        }
        err = check_shape(cx, r, d);
        if (!err) {
            err = r->check(cx, r, d);
        }
        if (err) {
            gwg_confdoc_msg(cx->doc, d->file, d->line, 1, "%s", err);
        }
    }
}

/* ---- traps: what is proxied ---- */

typedef struct {
    const gwg_confdir *d;
    const char *path;            /* prefix, or regex when is_regex */
    const char *target;          /* "!" for an exclusion */
    int is_regex;
} proxy_rule;

static void add_rule(apr_array_header_t *a, const gwg_confdir *d,
                     const char *path, const char *target, int is_regex)
{
    proxy_rule *r = apr_array_push(a);

    r->d = d;
    r->path = path;
    r->target = target;
    r->is_regex = is_regex;
}

/* Whether RewriteRule flags "[...]" include P (or proxy). */
static int proxy_flag(const char *flags)
{
    const char *f = flags + (flags[0] == '[');

    while (*f && *f != ']') {
        size_t n = strcspn(f, ",]");
        if ((n == 1 && (*f == 'P' || *f == 'p'))
            || (n == 5 && strncasecmp(f, "proxy", 5) == 0)) {
            return 1;
        }
        f += n + (f[n] == ',');
    }
    return 0;
}

/* ProxyPass and ProxyPassMatch (also inside <Location>/<LocationMatch>),
 * and RewriteRule with the [P] flag, in the order httpd tries them. */
static apr_array_header_t *proxy_rules(gwg_confcheck_ctx *cx)
{
    apr_array_header_t *a = apr_array_make(cx->p, 8, sizeof(proxy_rule));
    int i;

    for (i = 0; i < cx->doc->dirs->nelts; i++) {
        const gwg_confdir *d = &APR_ARRAY_IDX(cx->doc->dirs, i, gwg_confdir);
        int match = strcasecmp(d->name, "ProxyPassMatch") == 0;
        int in_loc = d->section && strncasecmp(d->section, "Location", 8)
                                   == 0;

        if (match || strcasecmp(d->name, "ProxyPass") == 0) {
            if (in_loc && d->argc >= 1) {
                add_rule(a, d, d->section_arg, d->argv[0], match
                         || strcasecmp(d->section, "LocationMatch") == 0);
            }
            else if (d->argc >= 2) {
                add_rule(a, d, d->argv[0], d->argv[1], match);
            }
        }
        else if (strcasecmp(d->name, "RewriteRule") == 0 && d->argc >= 3
                 && proxy_flag(d->argv[2])) {
            add_rule(a, d, d->argv[0], d->argv[1], 1);
        }
    }
    return a;
}

/* Whether glibc's regcomp can take the pattern in bounded memory. It
 * expands each repetition into a copy of the tree, so stacked quantifiers
 * ("a+++", which PCRE, httpd's engine, reads as possessive or refuses) or
 * large and nested bounds grow it exponentially: a 100-byte line of a
 * hostile configuration took 2 GB. Such a pattern is not evaluated; the
 * check that uses it only warns, so it is skipped (found by fuzz_confread). */
static int regex_is_tame(const char *p)
{
    int bounds = 0, prev_quant = 0, group_quants = 0;
    char prev = 0;

    for (; *p; prev = *p++) {
        int quant = *p == '*' || *p == '+' || *p == '?' || *p == '{';

        if (quant && prev == ')' && ++group_quants > 4) {
            return 0;                   /* nested repeated groups */
        }
        if (*p == '\\' && p[1]) {
            p++;
            prev_quant = 0;
            continue;
        }
        if (*p == '[') {                /* a bracket: no quantifiers in it */
            const char *end = p + 1 + (p[1] == '^');
            end = strchr(end + (*end == ']'), ']');
            if (!end) {
                return 0;
            }
            p = end;
            prev_quant = 0;
            continue;
        }
        if (quant && prev_quant) {
            return 0;
        }
        if (*p == '{') {
            char *end;

            if (++bounds > 1 || strtoul(p + 1, &end, 10) > 100
                || (*end == ',' && strtoul(end + 1, NULL, 10) > 100)) {
                return 0;
            }
            p = strchr(p, '}');
            if (!p) {
                return 0;
            }
        }
        prev_quant = quant;
    }
    return 1;
}

static int rule_matches(const proxy_rule *r, const char *url)
{
    regex_t re;
    int m;

    if (!r->is_regex) {
        return strncmp(url, r->path, strlen(r->path)) == 0;
    }
    if (!regex_is_tame(r->path)
        || regcomp(&re, r->path, REG_EXTENDED | REG_NOSUB) != 0) {
        return 0;
    }
    m = regexec(&re, url, 0, NULL, 0) == 0;
    regfree(&re);
    return m;
}

/* The rule that proxies a local URL path, or NULL (also for one that an
 * exclusion "!" keeps local). */
static const proxy_rule *proxied(apr_array_header_t *rules, const char *url)
{
    int i;

    for (i = 0; i < rules->nelts; i++) {
        const proxy_rule *r = &APR_ARRAY_IDX(rules, i, proxy_rule);
        if (rule_matches(r, url)) {
            return strcmp(r->target, "!") == 0 ? NULL : r;
        }
    }
    return NULL;
}

static void check_error_documents(gwg_confcheck_ctx *cx,
                                  apr_array_header_t *rules)
{
    int i;

    for (i = 0; i < cx->doc->dirs->nelts; i++) {
        const gwg_confdir *d = &APR_ARRAY_IDX(cx->doc->dirs, i, gwg_confdir);
        const proxy_rule *r;

        if (strcasecmp(d->name, "ErrorDocument") != 0 || d->argc != 2
            || d->argv[1][0] != '/') {
            continue;
        }
        r = proxied(rules, d->argv[1]);
        if (r) {
            gwg_confcheck_warn(cx, d, "ErrorDocument %s %s is itself proxied "
                               "to %s (%s at %s:%d): when that upstream "
                               "fails, so does its error page; exclude it "
                               "first, e.g. 'ProxyPass %s !'", d->argv[0],
                               d->argv[1], r->target, r->d->name, r->d->file,
                               r->d->line, d->argv[1]);
        }
    }
}

/* ---- trap: two unix sockets behind one worker ----
 * httpd finds a worker by its URL with any "unix:PATH|" removed
 * (ap_proxy_get_worker_ex calls ap_proxy_de_socketfy), and a ProxyPass or
 * ProxyPassMatch that finds one already defined shares it instead of
 * defining its own (mod_proxy.c add_pass: AH01145, at info). The socket
 * belongs to the worker (uds_path), so the later route's requests go to
 * the first route's socket: two PHP-FPM pools behind
 * "unix:/A.sock|fcgi://localhost/..." and "unix:/B.sock|fcgi://localhost/
 * ..." are one pool, A. The same holds for a SetHandler "proxy:unix:..."
 * whose URL a declared worker matches. (Workers are per server; rules of
 * two different virtual hosts are compared too, a possible false alarm.)
 */

typedef struct {
    const gwg_confdir *d;
    const char *sock;            /* the "unix:" path, "" for TCP */
    const char *url;             /* the rest; scheme://host lower case */
    size_t      hostlen;         /* length of its scheme://host[:port] */
    int         is_regex;        /* a match worker: $N matches anything */
} uds_route;

/* Splits a target; 0 when it names no worker (balancer://, "!"). */
static int uds_split(uds_route *u, const char *target, apr_pool_t *p)
{
    const char *bar, *url = target, *sep, *end;
    char *copy;
    size_t i;

    u->sock = "";
    if (strncasecmp(target, "unix:", 5) == 0
        && (bar = strchr(target, '|')) != NULL) {
        u->sock = apr_pstrndup(p, target + 5, (apr_size_t)(bar - target - 5));
        url = bar + 1;
    }
    sep = strstr(url, "://");
    if (!sep || strncasecmp(url, "balancer:", 9) == 0) {
        return 0;
    }
    end = strchr(sep + 3, '/');
    u->hostlen = end ? (size_t)(end - url) : strlen(url);
    copy = apr_pstrdup(p, url);
    for (i = 0; i < u->hostlen; i++) {
        copy[i] = (char)tolower((unsigned char)copy[i]);
    }
    u->url = copy;
    return 1;
}

/* ap_proxy_strcmp_ematch: "$N" in the pattern matches any run. */
static int worker_ematch(const char *s, const char *pat)
{
    for (; *pat; pat++, s++) {
        if (pat[0] == '$' && isdigit((unsigned char)pat[1])) {
            pat += 2;
            do {
                if (worker_ematch(s, pat)) {
                    return 1;
                }
            } while (*s++);
            return 0;
        }
        if (pat[0] == '\\' && pat[1]) {
            pat++;
        }
        if (*s != *pat) {
            return 0;
        }
    }
    return *s == '\0';
}

/* Whether looking up u's URL finds the worker def defined: a prefix
 * worker by its name as a prefix, a match worker by wildcard, each only
 * for a lookup of its own kind (add_pass's worker_type). */
static int uds_shares(const uds_route *def, const uds_route *u, int kinds)
{
    size_t n = strlen(def->url);

    if (n > strlen(u->url) || n < u->hostlen) {
        return 0;
    }
    if (def->is_regex) {
        return (kinds & 2) && worker_ematch(u->url, def->url);
    }
    return (kinds & 1) && strncmp(u->url, def->url, n) == 0;
}

/* A host name to suggest for u's socket: its file name, without .sock,
 * in letters, digits and '-'. */
static const char *uds_host(const uds_route *u, apr_pool_t *p)
{
    const char *base = strrchr(u->sock, '/');
    char *h = apr_pstrdup(p, base ? base + 1 : u->sock), *o = h;
    const char *c;

    for (c = h; *c && strcmp(c, ".sock") != 0; c++) {
        if (isalnum((unsigned char)*c) || *c == '-') {
            *o++ = (char)tolower((unsigned char)*c);
        }
        else if (o > h && o[-1] != '-') {
            *o++ = '-';
        }
    }
    *o = '\0';
    return *h ? h : "pool-b";
}

static void uds_warn(gwg_confcheck_ctx *cx, const uds_route *def,
                     const uds_route *u, const char *what)
{
    const char *sep = strstr(u->url, "://");

    gwg_confcheck_warn(cx, u->d, "%s %s: httpd serves it with the worker "
                       "%s of %s at %s:%d, which connects to %s: requests "
                       "here go there (workers are found by URL; the "
                       "socket is ignored). Give each socket its own host "
                       "name, e.g. \"unix:%s|%.*s%s%s\"", what,
                       *u->sock ? u->sock : u->url, def->url, def->d->name,
                       def->d->file, def->d->line,
                       *def->sock ? def->sock : "its host over TCP", u->sock,
                       (int)(sep - u->url + 3), u->url, uds_host(u, cx->p),
                       u->url + u->hostlen);
}

static void check_uds_workers(gwg_confcheck_ctx *cx,
                              apr_array_header_t *rules)
{
    apr_array_header_t *defs = apr_array_make(cx->p, 8, sizeof(uds_route));
    int i, j;

    for (i = 0; i < rules->nelts; i++) {
        const proxy_rule *r = &APR_ARRAY_IDX(rules, i, proxy_rule);
        uds_route u;

        if (strncasecmp(r->d->name, "ProxyPass", 9) != 0
            || !uds_split(&u, r->target, cx->p)) {
            continue;
        }
        u.d = r->d;
        u.is_regex = r->is_regex;
        for (j = 0; j < defs->nelts; j++) {
            const uds_route *def = &APR_ARRAY_IDX(defs, j, uds_route);
            if (strcmp(def->sock, u.sock) != 0
                && uds_shares(def, &u, u.is_regex ? 2 : 1)) {
                uds_warn(cx, def, &u, "this route to");
                break;
            }
        }
        if (j == defs->nelts) {
            *(uds_route *)apr_array_push(defs) = u;    /* defines one */
        }
    }
    for (i = 0; i < cx->doc->dirs->nelts; i++) {
        const gwg_confdir *d = &APR_ARRAY_IDX(cx->doc->dirs, i, gwg_confdir);
        uds_route u;

        if (strcasecmp(d->name, "SetHandler") != 0 || d->argc != 1
            || strncasecmp(d->argv[0], "proxy:", 6) != 0
            || !uds_split(&u, d->argv[0] + 6, cx->p) || !*u.sock) {
            continue;
        }
        u.d = d;
        /* the request's URL is this one plus the script's path */
        u.url = apr_pstrcat(cx->p, u.url, u.hostlen == strlen(u.url)
                            ? "/" : "", NULL);
        for (j = 0; j < defs->nelts; j++) {
            const uds_route *def = &APR_ARRAY_IDX(defs, j, uds_route);
            if (strcmp(def->sock, u.sock) != 0 && !def->is_regex
                && strlen(def->url) <= u.hostlen + 1
                && uds_shares(def, &u, 1)) {
                uds_warn(cx, def, &u, "SetHandler to");
                break;
            }
        }
    }
}

/* One template: readable, at most 1 MiB, known placeholders, no external
 * resource, no asset behind a proxied URL. */
static void check_template(gwg_confcheck_ctx *cx, const gwg_confdir *d,
                           apr_array_header_t *rules)
{
    const char *path = gwg_confdoc_path(cx->doc, d->argv[1]);
    gwg_template_scan scan;
    const gwg_template *tpl;
    const char *err = gwg_template_load(&tpl, path, cx->p);
    int i;

    /* the module's own compiler first: the same verdict as configtest */
    if (err) {
        gwg_confdoc_msg(cx->doc, d->file, d->line, 1, "%s: %s", d->name,
                        err);
        return;
    }
    if (gwg_template_scan_file(&scan, path, cx->p) != APR_SUCCESS) {
        gwg_confdoc_msg(cx->doc, d->file, d->line, 1, "%s: %s", d->name,
                        scan.error);
        return;
    }
    for (i = 0; i < scan.external->nelts; i++) {
        gwg_confcheck_warn(cx, d, "%s: template %s loads an external "
                           "resource, %s: the page must not depend on "
                           "anything but itself", d->name, path,
                           APR_ARRAY_IDX(scan.external, i, const char *));
    }
    for (i = 0; i < scan.local->nelts; i++) {
        const char *url = APR_ARRAY_IDX(scan.local, i, const char *);
        const proxy_rule *r = proxied(rules, url);
        if (r) {
            gwg_confcheck_warn(cx, d, "%s: template %s loads %s, which is "
                               "proxied to %s (%s at %s:%d): it fails with "
                               "the upstream", d->name, path, url,
                               r->target, r->d->name, r->d->file,
                               r->d->line);
        }
    }
    for (i = 0; i < scan.relative->nelts; i++) {
        gwg_confcheck_warn(cx, d, "%s: template %s loads %s, a relative URL: "
                           "it resolves against the failing request's URL, "
                           "which is proxied; use an inline resource",
                           d->name, path,
                           APR_ARRAY_IDX(scan.relative, i, const char *));
    }
}

static void check_templates(gwg_confcheck_ctx *cx, apr_array_header_t *rules)
{
    int i;

    for (i = 0; i < cx->doc->dirs->nelts; i++) {
        const gwg_confdir *d = &APR_ARRAY_IDX(cx->doc->dirs, i, gwg_confdir);
        if (strcasecmp(d->name, "GwGuardErrorPage") == 0 && d->argc == 2
            && strcasecmp(d->argv[1], "builtin") != 0
            && strcasecmp(d->argv[1], "none") != 0) {
            check_template(cx, d, rules);
        }
    }
}

const char *gwg_confcheck_shm_path(const gwg_confdoc *doc)
{
    const gwg_confdir *shm = gwg_confdoc_last(doc, "GwGuardShmFile");
    const gwg_confdir *rt = gwg_confdoc_last(doc, "DefaultRuntimeDir");
    const char *file = (shm && shm->argc == 1) ? shm->argv[0]
                                               : gwg_default.shm_name;
    const char *dir = gwg_confdoc_path(doc, (rt && rt->argc == 1)
                                            ? rt->argv[0]
                                            : GWG_DEFAULT_RUNTIME_DIR);

    if (file[0] == '/') {
        return file;
    }
    return apr_pstrcat(doc->pool, dir, "/", file, NULL);
}

/* Where to point a message about the segment: GwGuardShmFile, else the
 * LoadModule line. */
static const gwg_confdir *shm_anchor(const gwg_confdoc *doc)
{
    const gwg_confdir *d = gwg_confdoc_last(doc, "GwGuardShmFile");
    int i;

    for (i = 0; !d && i < doc->dirs->nelts; i++) {
        const gwg_confdir *l = &APR_ARRAY_IDX(doc->dirs, i, gwg_confdir);
        if (strcasecmp(l->name, "LoadModule") == 0 && l->argc >= 1
            && strcmp(l->argv[0], "gwguard_module") == 0) {
            d = l;
        }
    }
    return d;
}

static void check_shm(gwg_confcheck_ctx *cx)
{
    const char *path = gwg_confcheck_shm_path(cx->doc);
    const char *slash = strrchr(path, '/');
    const char *dir = slash && slash != path
                      ? apr_pstrndup(cx->p, path, (apr_size_t)(slash - path))
                      : "/";
    const gwg_confdir *at = shm_anchor(cx->doc);
    struct stat st;

    if (!at || !gwg_confdoc_has_module(cx->doc, "gwguard_module")) {
        return;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        gwg_confcheck_warn(cx, at, "the shared segment %s cannot be created: "
                           "directory %s does not exist", path, dir);
    }
    else if (access(dir, W_OK | X_OK) != 0) {
        gwg_confcheck_warn(cx, at, "the shared segment %s cannot be created: "
                           "directory %s is not writable (uid %d)", path,
                           dir, (int)getuid());
    }
    else if (access(path, F_OK) == 0 && access(path, R_OK | W_OK) != 0) {
        gwg_confcheck_warn(cx, at, "the shared segment %s exists but cannot "
                           "be read and written (uid %d)", path,
                           (int)getuid());
    }
}

void gwg_confcheck(gwg_confdoc *doc)
{
    gwg_confcheck_ctx cx;
    apr_array_header_t *rules;

    cx.doc = doc;
    cx.p = doc->pool;
    check_directives(&cx);
    rules = proxy_rules(&cx);
    check_error_documents(&cx, rules);
    check_uds_workers(&cx, rules);
    check_templates(&cx, rules);
    check_shm(&cx);
}

void gwg_confcheck_count(const gwg_confdoc *doc, int *errors, int *warnings)
{
    int i;

    *errors = *warnings = 0;
    for (i = 0; i < doc->msgs->nelts; i++) {
        if (APR_ARRAY_IDX(doc->msgs, i, gwg_confmsg).error) {
            (*errors)++;
        }
        else {
            (*warnings)++;
        }
    }
}
