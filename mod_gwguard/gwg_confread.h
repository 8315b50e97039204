/*
 * Reading an httpd configuration the way httpd does, for gwguardctl
 * (check, and finding GwGuardShmFile): comments, line continuations,
 * quoting, Define/UnDefine and ${VAR} (Defines, then the environment, then
 * Debian's envvars defaults), Include and IncludeOptional with globs and
 * directories, <IfModule> (by the LoadModule lines read so far),
 * <IfDefine>, <IfFile>, and the containers that give a directive its
 * context. Pure core with no httpd headers, so it can be fuzzed: the whole
 * reader is gwg_confread_buffer() over bytes in memory, plus file access
 * for includes.
 */
#ifndef GWG_CONFREAD_H
#define GWG_CONFREAD_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Where a directive stands (the contexts of docs/directives.md). */
enum {
    GWG_CTX_SERVER = 1,          /* S: main server, outside any container */
    GWG_CTX_VHOST = 2,           /* V: in <VirtualHost> */
    GWG_CTX_DIR = 4,             /* D: <Location>, <Directory>, <Proxy>... */
    GWG_CTX_HTACCESS = 8         /* H: never read here */
};

typedef struct {
    const char  *file;
    int          line;           /* where the (logical) line starts */
    const char  *name;           /* directive as written */
    int          argc;
    const char **argv;           /* words, ${VAR} resolved, unquoted */
    int          context;        /* GWG_CTX_* of the innermost container */
    const char  *section;        /* innermost D container ("Location"), or
                                    NULL */
    const char  *section_arg;    /* its argument ("/app/") */
} gwg_confdir;

typedef struct {
    const char *file;
    int         line;
    int         error;           /* 1 error, 0 warning */
    const char *msg;
} gwg_confmsg;

typedef struct {
    apr_array_header_t *dirs;    /* gwg_confdir, in reading order */
    apr_array_header_t *msgs;    /* gwg_confmsg */
    const char  *server_root;    /* the last ServerRoot (or the default) */
    apr_table_t *defines;        /* Define NAME [VALUE] */
    apr_table_t *env;            /* envvars defaults for ${VAR} */
    apr_table_t *modules;        /* loaded: "x_module" and "mod_x.c" */
    int          depth;          /* include depth while reading */
    apr_pool_t  *pool;
} gwg_confdoc;

typedef struct {
    const char *server_root;     /* httpd's compiled-in HTTPD_ROOT */
    const char *envvars;         /* Debian envvars file, or NULL */
    const char *const *static_modules;  /* compiled in, NULL-terminated */
    const char *const *defines;  /* -D NAME, NULL-terminated, or NULL */
} gwg_confread_opts;

/* A new, empty document. */
gwg_confdoc *gwg_confdoc_make(const gwg_confread_opts *opts, apr_pool_t *p);

/* Reads one file (and what it includes) into doc. Problems (unreadable
 * file, unbalanced sections, bad include) go to doc->msgs; returns
 * APR_SUCCESS unless the file itself could not be read. */
apr_status_t gwg_confread_file(gwg_confdoc *doc, const char *file);

/* Reads configuration text named name (for messages) from memory. */
void gwg_confread_buffer(gwg_confdoc *doc, const char *name,
                         const char *data, apr_size_t len);

/* Convenience: make a document and read file into it. */
gwg_confdoc *gwg_confread(const char *file, const gwg_confread_opts *opts,
                          apr_pool_t *p);

/* The last directive of that name (case-insensitive) read, or NULL. */
const gwg_confdir *gwg_confdoc_last(const gwg_confdoc *doc,
                                    const char *name);

/* A path as httpd resolves it: absolute, or relative to ServerRoot. */
const char *gwg_confdoc_path(const gwg_confdoc *doc, const char *path);

/* Whether a module is loaded, by "x_module" or "mod_x.c". */
int gwg_confdoc_has_module(const gwg_confdoc *doc, const char *name);

/* Adds a message. */
void gwg_confdoc_msg(gwg_confdoc *doc, const char *file, int line,
                     int error, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
