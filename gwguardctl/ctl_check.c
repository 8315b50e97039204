/*
 * gwguardctl check: read the httpd configuration as httpd does
 * (gwg_confread), validate every GwGuard* directive with the module's own
 * parsers and look for the traps of docs/gwguardctl.md (gwg_confcheck). Prints
 * "FILE:LINE: error|warning: ..." on stdout (the findings are the data),
 * a summary on stderr; exit 1 on an error, or on a warning with --strict.
 */
#include <stdio.h>

#include "ctl.h"
#include "gwg_confcheck.h"
#include "gwg_out.h"

/* File names, messages and values come from the configuration files:
 * escaped for the terminal (gwg_out_text). */
static void print_msgs(gwg_out *o, const gwg_confdoc *doc)
{
    int i;

    for (i = 0; i < doc->msgs->nelts; i++) {
        const gwg_confmsg *m = &APR_ARRAY_IDX(doc->msgs, i, gwg_confmsg);
        gwg_out_text(o, m->file);
        if (m->line > 0) {
            gwg_out_printf(o, ":%d", m->line);
        }
        gwg_out_str(o, m->error ? ": error: " : ": warning: ");
        gwg_out_text(o, m->msg);
        gwg_out_str(o, "\n");
    }
}

/* --dump: every directive read, where, in which context (to see what
 * Include, IfModule and IfDefine made of a configuration). */
static void print_dirs(gwg_out *o, const gwg_confdoc *doc)
{
    int i, k;

    for (i = 0; i < doc->dirs->nelts; i++) {
        const gwg_confdir *d = &APR_ARRAY_IDX(doc->dirs, i, gwg_confdir);
        gwg_out_text(o, d->file);
        gwg_out_printf(o, ":%d: %s ", d->line,
                       d->context == GWG_CTX_SERVER ? "S"
                       : d->context == GWG_CTX_VHOST ? "V" : "D");
        gwg_out_text(o, d->name);
        for (k = 0; k < d->argc; k++) {
            gwg_out_str(o, " ");
            gwg_out_text(o, d->argv[k]);
        }
        gwg_out_str(o, "\n");
    }
}

static const char *config = CTL_DEFAULT_CONFIG;
static int strict, dump;

static int option(int c, const char *arg)
{
    switch (c) {
    case 'c': config = arg; break;
    case 'S': strict = 1; break;
    default: dump = 1; break;
    }
    return CTL_OK;
}

static int operands(int argc, char **argv)
{
    if (argc > 0) {
        return ctl_usage("check: unexpected argument '%s' (use --config "
                         "FILE)", argv[0]);
    }
    return CTL_OK;
}

static int run(ctl_env *env)
{
    int errors, warnings, directives = 0, i;
    gwg_confdoc *doc;
    gwg_out o;

    gwg_out_init(&o, gwg_out_file_write, stdout);
    doc = ctl_read_config(config, env->p);
    gwg_confcheck(doc);
    if (dump) {
        print_dirs(&o, doc);
    }
    print_msgs(&o, doc);
    gwg_confcheck_count(doc, &errors, &warnings);
    for (i = 0; i < doc->dirs->nelts; i++) {
        directives += strncasecmp(APR_ARRAY_IDX(doc->dirs, i,
                                                gwg_confdir).name,
                                  "GwGuard", 7) == 0;
    }
    fprintf(stderr, "gwguardctl: %s: %d GwGuard directive%s, %d error%s, "
            "%d warning%s%s\n", config, directives, directives == 1 ? ""
            : "s", errors, errors == 1 ? "" : "s", warnings,
            warnings == 1 ? "" : "s",
            (strict && warnings && !errors) ? " (--strict: failing)" : "");
    if (fflush(stdout) != 0) {
        return CTL_FAIL;
    }
    return (errors || (strict && warnings)) ? CTL_FAIL : CTL_OK;
}

static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' },
    { "strict", no_argument, NULL, 'S' },
    { "dump", no_argument, NULL, 'D' },
    { NULL, 0, NULL, 0 }
};

const ctl_command ctl_check_command = {
    "check", 0, NULL, opts, option, operands, run,
    "check [--config FILE] [--strict]",
    "validate the httpd configuration's GwGuard directives and traps"
};
