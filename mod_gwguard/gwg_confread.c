/*
 * The httpd configuration reader (see gwg_confread.h). It follows
 * httpd's own rules where they matter to a checker: a logical line joins
 * physical lines ending in '\'; '#' starts a comment only at the start of
 * a line; ${VAR} is resolved when the line is read; containers must close
 * in the file that opened them; <IfModule> sees only the modules loaded
 * by the lines read before it; Include depth stops at 128 as in httpd.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <apr_strings.h>

#include "gwg_confread.h"

#define MAX_INCLUDE_DEPTH 128
#define MAX_FILE_SIZE     (16 * 1024 * 1024)
/* A logical line (continuations joined, ${VAR}s resolved) longer than
 * this is refused with an error. httpd itself stops at 16 MiB; no real
 * directive comes near 1 MiB, and the cap keeps a hostile file's cost
 * linear and small. */
#define MAX_LINE_LEN      (1024 * 1024)

typedef struct {
    const char *name;            /* container name, without '<' */
    int         line;
    int         context;         /* what it restores when closed */
    const char *section, *section_arg;
} frame;

typedef struct {
    gwg_confdoc *doc;
    const char  *file;
    int          context;
    const char  *section, *section_arg;
    apr_array_header_t *stack;   /* frame */
    int          skip;           /* > 0: inside a false conditional */
    int          skip_line;
} reader;

static void read_file_in(gwg_confdoc *doc, const char *file, int context,
                         const char *section, const char *section_arg,
                         int *missing);
static const char *next_word(const char **line, apr_pool_t *p);

void gwg_confdoc_msg(gwg_confdoc *doc, const char *file, int line,
                     int error, const char *fmt, ...)
{
    gwg_confmsg *m = apr_array_push(doc->msgs);
    va_list ap;

    m->file = file;
    m->line = line;
    m->error = error;
    va_start(ap, fmt);
    m->msg = apr_pvsprintf(doc->pool, fmt, ap);
    va_end(ap);
}

/* A shell value as envvars writes them: quotes dropped, $NAME and ${NAME}
 * replaced by earlier envvars values (unknown ones by nothing, as sh). */
static const char *expand_shell(gwg_confdoc *doc, const char *v)
{
    char *out = "";

    while (*v) {
        size_t n = strcspn(v, "\"'$");
        out = apr_pstrcat(doc->pool, out, apr_pstrndup(doc->pool, v, n),
                          NULL);
        v += n;
        if (*v == '$') {
            int braced = (v[1] == '{');
            const char *name = v + 1 + braced, *val;
            size_t k = 0;
            while (isalnum((unsigned char)name[k]) || name[k] == '_') {
                k++;
            }
            val = apr_table_get(doc->env, apr_pstrndup(doc->pool, name, k));
            out = apr_pstrcat(doc->pool, out, val ? val : "", NULL);
            v = name + k + (braced && name[k] == '}');
        }
        else if (*v) {
            v++;                        /* a quote */
        }
    }
    return out;
}

/* Debian's envvars: "export NAME=value" lines (SUFFIX is empty for the
 * stock /etc/apache2, so an unset $SUFFIX expands to nothing). */
static void read_envvars(gwg_confdoc *doc, const char *path)
{
    char line[1024];
    FILE *f = fopen(path, "r");

    while (f && fgets(line, sizeof(line), f)) {
        char *s = line, *eq;
        while (isspace((unsigned char)*s)) {
            s++;
        }
        if (strncmp(s, "export ", 7) != 0 || !(eq = strchr(s + 7, '='))) {
            continue;
        }
        *eq = '\0';
        eq[1 + strcspn(eq + 1, "\r\n")] = '\0';
        apr_table_set(doc->env, s + 7, expand_shell(doc, eq + 1));
    }
    if (f) {
        fclose(f);
    }
}

/* -D NAME (or -DNAME) in Debian's APACHE_ARGUMENTS, which apache2ctl
 * passes to httpd: they are defined for <IfDefine>. */
static void arguments_defines(gwg_confdoc *doc)
{
    const char *args = getenv("APACHE_ARGUMENTS"), *w;

    if (!args) {
        args = apr_table_get(doc->env, "APACHE_ARGUMENTS");
    }
    while (args && (w = next_word(&args, doc->pool)) != NULL) {
        if (strcmp(w, "-D") == 0) {
            w = next_word(&args, doc->pool);
        }
        else if (strncmp(w, "-D", 2) == 0) {
            w += 2;
        }
        else {
            continue;
        }
        if (w && *w) {
            apr_table_set(doc->defines, w, "");
        }
    }
}

gwg_confdoc *gwg_confdoc_make(const gwg_confread_opts *opts, apr_pool_t *p)
{
    gwg_confdoc *doc = apr_pcalloc(p, sizeof(*doc));
    const char *const *m;

    doc->pool = p;
    doc->dirs = apr_array_make(p, 256, sizeof(gwg_confdir));
    doc->msgs = apr_array_make(p, 8, sizeof(gwg_confmsg));
    doc->defines = apr_table_make(p, 8);
    doc->env = apr_table_make(p, 8);
    doc->modules = apr_table_make(p, 64);
    doc->server_root = apr_pstrdup(p, opts && opts->server_root
                                      ? opts->server_root : "/etc/apache2");
    for (m = opts ? opts->static_modules : NULL; m && *m; m++) {
        apr_table_set(doc->modules, *m, "static");
    }
    for (m = opts ? opts->defines : NULL; m && *m; m++) {
        apr_table_set(doc->defines, *m, "");
    }
    if (opts && opts->envvars) {
        read_envvars(doc, opts->envvars);
    }
    arguments_defines(doc);
    return doc;
}

const char *gwg_confdoc_path(const gwg_confdoc *doc, const char *path)
{
    if (!path || path[0] == '/') {
        return path;
    }
    return apr_pstrcat(doc->pool, doc->server_root, "/", path, NULL);
}

int gwg_confdoc_has_module(const gwg_confdoc *doc, const char *name)
{
    return apr_table_get(doc->modules, name) != NULL;
}

const gwg_confdir *gwg_confdoc_last(const gwg_confdoc *doc,
                                    const char *name)
{
    int i;

    for (i = doc->dirs->nelts - 1; i >= 0; i--) {
        const gwg_confdir *d = &APR_ARRAY_IDX(doc->dirs, i, gwg_confdir);
        if (strcasecmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}

/* ${NAME}: a Define, else the environment, else envvars; left as it is
 * (with a warning, as httpd's AH00111) when none has it. */
static const char *resolve_vars(reader *rd, int line, const char *s)
{
    gwg_confdoc *doc = rd->doc;
    const char *p = s, *start;
    struct iovec *parts;
    apr_array_header_t *v = NULL;
    apr_size_t total = 0;

    if (!strstr(s, "${")) {
        return s;
    }
    v = apr_array_make(doc->pool, 8, sizeof(struct iovec));
    while ((start = strstr(p, "${")) != NULL) {
        const char *end = strchr(start + 2, '}');
        const char *name, *val;
        if (!end) {
            break;
        }
        name = apr_pstrndup(doc->pool, start + 2, (apr_size_t)(end - start
                                                               - 2));
        val = apr_table_get(doc->defines, name);
        if (!val || !*val) {
            val = getenv(name);
        }
        if (!val) {
            val = apr_table_get(doc->env, name);
        }
        if (!val) {
            gwg_confdoc_msg(doc, rd->file, line, 0, "config variable ${%s} "
                            "is not defined", name);
            val = apr_pstrndup(doc->pool, start, (apr_size_t)(end - start
                                                              + 1));
        }
        /* pieces gathered, joined once at the end: linear in the line */
        parts = apr_array_push(v);
        parts->iov_base = (void *)p;
        parts->iov_len = (size_t)(start - p);
        parts = apr_array_push(v);
        parts->iov_base = (void *)val;
        parts->iov_len = strlen(val);
        total += (apr_size_t)(start - p) + parts->iov_len;
        p = end + 1;
        if (total > MAX_LINE_LEN) {
            gwg_confdoc_msg(doc, rd->file, line, 1, "line too long: more "
                            "than %d bytes once its variables are "
                            "resolved", MAX_LINE_LEN);
            return s;
        }
    }
    parts = apr_array_push(v);
    parts->iov_base = (void *)p;
    parts->iov_len = strlen(p);
    return apr_pstrcatv(doc->pool, (struct iovec *)v->elts,
                        (apr_size_t)v->nelts, NULL);
}

/* One word as ap_getword_conf takes it: quoted ("..." or '...', with
 * \" inside) or up to whitespace. NULL at the end of the line. */
static const char *next_word(const char **line, apr_pool_t *p)
{
    const char *s = *line;
    char *w, *o;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (!*s) {
        *line = s;
        return NULL;
    }
    /* sized by the word, not the rest of the line: a line of n words
     * would otherwise cost O(n * length) bytes */
    {
        const char *e = s;
        if (*e == '"' || *e == '\'') {
            char q = *e++;
            while (*e && *e != q) {
                e += (*e == '\\' && e[1] == q) ? 2 : 1;
            }
        }
        else {
            while (*e && !isspace((unsigned char)*e)) {
                e++;
            }
        }
        w = o = apr_palloc(p, (apr_size_t)(e - s) + 1);
    }
    if (*s == '"' || *s == '\'') {
        char q = *s++;
        while (*s && *s != q) {
            if (*s == '\\' && s[1] == q) {
                s++;
            }
            *o++ = *s++;
        }
        s += (*s == q);
    }
    else {
        while (*s && !isspace((unsigned char)*s)) {
            *o++ = *s++;
        }
    }
    *o = '\0';
    *line = s;
    return w;
}

static gwg_confdir *parse_line(reader *rd, int line, const char *text)
{
    gwg_confdir *d = apr_pcalloc(rd->doc->pool, sizeof(*d));
    apr_array_header_t *args = apr_array_make(rd->doc->pool, 4,
                                              sizeof(char *));
    const char *w;

    d->file = rd->file;
    d->line = line;
    d->context = rd->context;
    d->section = rd->section;
    d->section_arg = rd->section_arg;
    d->name = next_word(&text, rd->doc->pool);
    if (!d->name) {
        d->name = "";                   /* "<>", or a line that was ${X} */
    }
    while ((w = next_word(&text, rd->doc->pool)) != NULL) {
        APR_ARRAY_PUSH(args, const char *) = w;
    }
    APR_ARRAY_PUSH(args, const char *) = NULL;
    d->argc = args->nelts - 1;
    d->argv = (const char **)args->elts;
    return d;
}

static int has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: every entry, sorted, as httpd includes them. */
static void include_dir(reader *rd, const char *dir, int line)
{
    apr_array_header_t *names = apr_array_make(rd->doc->pool, 16,
                                               sizeof(char *));
    struct dirent *e;
    DIR *dp = opendir(dir);
    int i;

    if (!dp) {
        gwg_confdoc_msg(rd->doc, rd->file, line, 1, "cannot read directory "
                        "%s", dir);
        return;
    }
    while ((e = readdir(dp)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            APR_ARRAY_PUSH(names, char *) = apr_pstrcat(rd->doc->pool, dir,
                                                        "/", e->d_name, NULL);
        }
    }
    closedir(dp);
    qsort(names->elts, (size_t)names->nelts, sizeof(char *), by_name);
    for (i = 0; i < names->nelts; i++) {
        read_file_in(rd->doc, APR_ARRAY_IDX(names, i, char *), rd->context,
                     rd->section, rd->section_arg, NULL);
    }
}

static void include_one(reader *rd, const char *path, int line)
{
    struct stat st;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        include_dir(rd, path, line);
    }
    else {
        read_file_in(rd->doc, path, rd->context, rd->section,
                     rd->section_arg, NULL);
    }
}

static void do_include(reader *rd, const gwg_confdir *d, int optional)
{
    const char *path;
    glob_t g;
    size_t i;

    if (d->argc != 1) {
        gwg_confdoc_msg(rd->doc, d->file, d->line, 1, "%s takes one "
                        "argument, a file, directory or wildcard", d->name);
        return;
    }
    if (rd->doc->depth >= MAX_INCLUDE_DEPTH) {
        gwg_confdoc_msg(rd->doc, d->file, d->line, 1, "exceeded the maximum "
                        "include depth of %d (an Include loop?)",
                        MAX_INCLUDE_DEPTH);
        return;
    }
    path = gwg_confdoc_path(rd->doc, d->argv[0]);
    if (!has_wildcard(path)) {
        struct stat st;
        if (stat(path, &st) != 0) {
            if (!optional) {
                gwg_confdoc_msg(rd->doc, d->file, d->line, 1, "could not "
                                "open configuration file %s: no such file "
                                "or directory", path);
            }
            return;
        }
        rd->doc->depth++;
        include_one(rd, path, d->line);
        rd->doc->depth--;
        return;
    }
    if (glob(path, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        if (!optional) {
            gwg_confdoc_msg(rd->doc, d->file, d->line, 1, "no matches for "
                            "the wildcard in %s (use IncludeOptional if that "
                            "is fine)", path);
        }
        globfree(&g);
        return;
    }
    rd->doc->depth++;
    for (i = 0; i < g.gl_pathc; i++) {
        include_one(rd, apr_pstrdup(rd->doc->pool, g.gl_pathv[i]), d->line);
    }
    rd->doc->depth--;
    globfree(&g);
}

/* The value of a conditional section's test. */
static int condition(reader *rd, const char *name, const char *arg)
{
    int neg = (arg[0] == '!'), v = 1;
    const char *a = arg + neg;

    if (strcasecmp(name, "IfModule") == 0) {
        v = gwg_confdoc_has_module(rd->doc, a);
    }
    else if (strcasecmp(name, "IfDefine") == 0) {
        v = apr_table_get(rd->doc->defines, a) != NULL;
    }
    else if (strcasecmp(name, "IfFile") == 0) {
        v = access(gwg_confdoc_path(rd->doc, a), F_OK) == 0;
    }
    /* IfVersion, IfDirective, IfSection: taken as true (we are not httpd;
     * a checker that reads too much beats one that reads too little) */
    return neg ? !v : v;
}

static int is_conditional(const char *name)
{
    static const char *const names[] = { "IfModule", "IfDefine", "IfFile",
        "IfVersion", "IfDirective", "IfSection", NULL };
    int i;

    for (i = 0; names[i]; i++) {
        if (strcasecmp(name, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int is_dir_section(const char *name)
{
    static const char *const names[] = { "Directory", "DirectoryMatch",
        "Location", "LocationMatch", "Files", "FilesMatch", "Proxy",
        "ProxyMatch", NULL };
    int i;

    for (i = 0; names[i]; i++) {
        if (strcasecmp(name, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static void open_section(reader *rd, int line, const char *text)
{
    gwg_confdir *d;
    frame *f;
    const char *arg;
    size_t n = strlen(text);

    if (text[n - 1] != '>') {
        gwg_confdoc_msg(rd->doc, rd->file, line, 1, "%s directive missing "
                        "closing '>'", text);
        return;
    }
    d = parse_line(rd, line, apr_pstrndup(rd->doc->pool, text + 1, n - 2));
    if (!*d->name) {
        gwg_confdoc_msg(rd->doc, rd->file, line, 1, "empty section name");
        return;
    }
    arg = d->argc > 0 ? d->argv[0] : "";
    if ((is_conditional(d->name) && !condition(rd, d->name, arg))
        || strcasecmp(d->name, "Macro") == 0) {
        rd->skip = 1;                 /* a Macro body is not directives */
        rd->skip_line = line;
        return;
    }
    f = apr_array_push(rd->stack);
    f->name = d->name;
    f->line = line;
    f->context = rd->context;
    f->section = rd->section;
    f->section_arg = rd->section_arg;
    if (strcasecmp(d->name, "VirtualHost") == 0) {
        rd->context = GWG_CTX_VHOST;
    }
    else if (is_dir_section(d->name)) {
        rd->context = GWG_CTX_DIR;
        rd->section = d->name;
        rd->section_arg = arg;
    }
}

static void close_section(reader *rd, int line, const char *text)
{
    const char *name = apr_pstrndup(rd->doc->pool, text + 2,
                                    strcspn(text + 2, "> \t"));
    frame *f;

    if (rd->stack->nelts == 0) {
        gwg_confdoc_msg(rd->doc, rd->file, line, 1, "</%s> without matching "
                        "<%s> section", name, name);
        return;
    }
    f = &APR_ARRAY_IDX(rd->stack, rd->stack->nelts - 1, frame);
    if (strcasecmp(f->name, name) != 0) {
        gwg_confdoc_msg(rd->doc, rd->file, line, 1, "expected </%s> (for "
                        "<%s> at line %d) but saw </%s>", f->name, f->name,
                        f->line, name);
        return;
    }
    rd->context = f->context;
    rd->section = f->section;
    rd->section_arg = f->section_arg;
    apr_array_pop(rd->stack);
}

/* A false conditional: count nested sections until its own end. */
static void skip_line(reader *rd, const char *text)
{
    if (text[0] == '<' && text[1] == '/') {
        rd->skip--;
    }
    else if (text[0] == '<') {
        rd->skip++;
    }
}

static void directive(reader *rd, int line, const char *text)
{
    gwg_confdir *d = parse_line(rd, line, text);
    gwg_confdoc *doc = rd->doc;

    if (!*d->name) {
        return;
    }
    if (strcasecmp(d->name, "Include") == 0
        || strcasecmp(d->name, "IncludeOptional") == 0) {
        do_include(rd, d, strcasecmp(d->name, "IncludeOptional") == 0);
        return;
    }
    if (strcasecmp(d->name, "Define") == 0 && d->argc >= 1) {
        apr_table_set(doc->defines, d->argv[0], d->argc > 1 ? d->argv[1]
                                                            : "");
    }
    else if (strcasecmp(d->name, "UnDefine") == 0 && d->argc == 1) {
        apr_table_unset(doc->defines, d->argv[0]);
    }
    else if (strcasecmp(d->name, "ServerRoot") == 0 && d->argc == 1) {
        doc->server_root = d->argv[0];
    }
    else if (strcasecmp(d->name, "LoadModule") == 0 && d->argc == 2) {
        const char *base = strrchr(d->argv[1], '/');
        char *src = apr_pstrdup(doc->pool, base ? base + 1 : d->argv[1]);
        char *dot = strrchr(src, '.');
        apr_table_set(doc->modules, d->argv[0], "loaded");
        if (dot && strcmp(dot, ".so") == 0) {
            strcpy(dot, ".c");
            apr_table_set(doc->modules, src, "loaded");
        }
    }
    *(gwg_confdir *)apr_array_push(doc->dirs) = *d;
}

static void logical_line(reader *rd, int line, const char *raw)
{
    const char *text = raw;

    while (isspace((unsigned char)*text)) {
        text++;
    }
    if (!*text || *text == '#') {
        return;
    }
    if (rd->skip > 0) {
        skip_line(rd, text);
        return;
    }
    text = resolve_vars(rd, line, text);
    if (text[0] == '<' && text[1] == '/') {
        close_section(rd, line, text);
    }
    else if (text[0] == '<') {
        open_section(rd, line, text);
    }
    else {
        directive(rd, line, text);
    }
}

/* Splits data into logical lines: a line ending in '\' (after trailing
 * white space) continues on the next one. The pieces are appended to one
 * buffer that doubles when full, so joining n lines costs O(total), not
 * O(n * total); a logical line over MAX_LINE_LEN is an error and skipped. */
static void read_lines(reader *rd, const char *data, apr_size_t len)
{
    const char *p = data, *end = data + len;
    char *acc = NULL;
    apr_size_t acc_len = 0, acc_cap = 0;
    int line = 0, start = 0, joining = 0, too_long = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        apr_size_t n = nl ? (apr_size_t)(nl - p) : (apr_size_t)(end - p);
        const char *nul = memchr(p, '\0', n);
        apr_size_t k = nul ? (apr_size_t)(nul - p) : n; /* as httpd */
        int more;

        line++;
        while (k > 0 && isspace((unsigned char)p[k - 1])) {
            k--;
        }
        if (!joining) {
            start = line;
            acc_len = 0;
            too_long = 0;
        }
        more = k > 0 && p[k - 1] == '\\' && (nl ? nl + 1 : end) < end;
        if (more) {
            k--;
        }
        if (!too_long && acc_len + k > MAX_LINE_LEN) {
            too_long = 1;
            gwg_confdoc_msg(rd->doc, rd->file, start, 1, "line too long: "
                            "more than %d bytes once its continuation "
                            "lines are joined; it is ignored",
                            MAX_LINE_LEN);
        }
        if (!too_long) {
            if (acc_len + k + 1 > acc_cap) {
                apr_size_t cap = acc_cap ? acc_cap : 256;
                char *grown;
                while (cap < acc_len + k + 1) {
                    cap *= 2;
                }
                grown = apr_palloc(rd->doc->pool, cap);
                if (acc_len > 0) {
                    memcpy(grown, acc, acc_len);
                }
                acc = grown;
                acc_cap = cap;
            }
            memcpy(acc + acc_len, p, k);
            acc_len += k;
            acc[acc_len] = '\0';
        }
        p = nl ? nl + 1 : end;
        joining = more;
        if (!more && !too_long) {
            /* the directive keeps its own copy; the buffer is reused */
            logical_line(rd, start, apr_pstrmemdup(rd->doc->pool, acc,
                                                   acc_len));
        }
    }
}

static void read_buffer_in(gwg_confdoc *doc, const char *name,
                           const char *data, apr_size_t len, int context,
                           const char *section, const char *section_arg)
{
    reader rd;
    int i;

    memset(&rd, 0, sizeof(rd));
    rd.doc = doc;
    rd.file = name;
    rd.context = context;
    rd.section = section;
    rd.section_arg = section_arg;
    rd.stack = apr_array_make(doc->pool, 8, sizeof(frame));
    read_lines(&rd, data, len);
    if (rd.skip > 0) {
        gwg_confdoc_msg(doc, name, rd.skip_line, 1, "section opened here "
                        "was not closed in this file");
    }
    for (i = 0; i < rd.stack->nelts; i++) {
        frame *f = &APR_ARRAY_IDX(rd.stack, i, frame);
        gwg_confdoc_msg(doc, name, f->line, 1, "<%s> was not closed in this "
                        "file", f->name);
    }
}

void gwg_confread_buffer(gwg_confdoc *doc, const char *name,
                         const char *data, apr_size_t len)
{
    read_buffer_in(doc, name, data, len, GWG_CTX_SERVER, NULL, NULL);
}

static void read_file_in(gwg_confdoc *doc, const char *file, int context,
                         const char *section, const char *section_arg,
                         int *missing)
{
    FILE *f = fopen(file, "rb");
    struct stat st;
    char *data;
    size_t len;

    if (f && (fstat(fileno(f), &st) != 0 || st.st_size > MAX_FILE_SIZE)) {
        fclose(f);
        gwg_confdoc_msg(doc, file, 0, 1, "configuration file is larger than "
                        "%d bytes", MAX_FILE_SIZE);
        return;
    }
    if (!f) {
        if (missing) {
            *missing = 1;
        }
        gwg_confdoc_msg(doc, file, 0, 1, "cannot read configuration file: "
                        "%s", strerror(errno));
        return;
    }
    data = apr_palloc(doc->pool, (apr_size_t)st.st_size + 1);
    len = fread(data, 1, (size_t)st.st_size, f);
    fclose(f);
    read_buffer_in(doc, apr_pstrdup(doc->pool, file), data, len, context,
                   section, section_arg);
}

apr_status_t gwg_confread_file(gwg_confdoc *doc, const char *file)
{
    int missing = 0;

    read_file_in(doc, file, GWG_CTX_SERVER, NULL, NULL, &missing);
    return missing ? APR_ENOENT : APR_SUCCESS;
}

gwg_confdoc *gwg_confread(const char *file, const gwg_confread_opts *opts,
                          apr_pool_t *p)
{
    gwg_confdoc *doc = gwg_confdoc_make(opts, p);

    gwg_confread_file(doc, file);
    return doc;
}
