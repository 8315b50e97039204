/* The httpd configuration reader and `gwguardctl check`'s directive table
 * and traps, on configurations written to a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>

#include "gwg_conf.h"
#include "gwg_confcheck.h"
#include "gwg_json_check.h"
#include "gwg_template.h"
#include "gwg_template_scan.h"
#include "unit.h"

static apr_pool_t *pool;
static char dir[64];

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    strcpy(dir, "/tmp/gwg-conf-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    apr_pool_destroy(pool);
}

static const char *put(const char *name, const char *text)
{
    const char *path = apr_pstrcat(pool, dir, "/", name, NULL);
    FILE *f;
    char *slash = strrchr(apr_pstrdup(pool, path), '/');

    (void)slash;
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static gwg_confdoc *read_conf(const char *text)
{
    static const char *const mods[] = { "core.c", NULL };
    gwg_confread_opts o;

    memset(&o, 0, sizeof(o));
    o.server_root = dir;
    o.static_modules = mods;
    return gwg_confread(put("main.conf", apr_pstrcat(pool, "ServerRoot ",
                                                     dir, "\n", text, NULL)),
                        &o, pool);
}

/* All messages joined, one per line, "LINE: error|warning: msg". */
static const char *msgs(const gwg_confdoc *doc)
{
    const char *s = "";
    int i;

    for (i = 0; i < doc->msgs->nelts; i++) {
        const gwg_confmsg *m = &APR_ARRAY_IDX(doc->msgs, i, gwg_confmsg);
        s = apr_psprintf(pool, "%s%d: %s: %s\n", s, m->line,
                         m->error ? "error" : "warning", m->msg);
    }
    return s;
}

static int count(const gwg_confdoc *doc, const char *name)
{
    int i, n = 0;

    for (i = 0; i < doc->dirs->nelts; i++) {
        n += strcmp(APR_ARRAY_IDX(doc->dirs, i, gwg_confdir).name, name) == 0;
    }
    return n;
}

START_TEST(lines_quotes_and_continuations)
{
    gwg_confdoc *doc = read_conf("# a comment\n"
                                 "  Foo \"a b\" 'c d' e\\\"f\n"
                                 "Bar one \\\n"
                                 "    two\n"
                                 "\n");
    const gwg_confdir *foo = gwg_confdoc_last(doc, "Foo");
    const gwg_confdir *bar = gwg_confdoc_last(doc, "bar");

    ck_assert_str_eq(msgs(doc), "");
    ck_assert_int_eq(foo->argc, 3);
    ck_assert_str_eq(foo->argv[0], "a b");
    ck_assert_str_eq(foo->argv[1], "c d");
    ck_assert_str_eq(foo->argv[2], "e\\\"f");
    ck_assert_int_eq(foo->line, 3);
    ck_assert_int_eq(bar->argc, 2);
    ck_assert_str_eq(bar->argv[1], "two");
    ck_assert_int_eq(bar->line, 4);
}
END_TEST

/* Issue 11, item 7: 40,000 continuation lines took gigabytes before
 * (each join copied the whole line so far); now linear, and a logical
 * line over the cap is an error. */
START_TEST(long_continuations_are_linear_and_capped)
{
    apr_size_t n = 40000, i, k;
    char *text = apr_palloc(pool, n * 7 + 64), *big;
    const gwg_confdir *d;
    gwg_confdoc *doc;
    clock_t t0;

    memcpy(text, "Foo", 3);
    k = 3;
    for (i = 0; i < n; i++) {
        memcpy(text + k, " aaaa\\\n", 7);
        k += 7;
    }
    memcpy(text + k, " end\n", 6);
    text[k + 6] = '\0';
    t0 = clock();
    doc = read_conf(text);
    ck_assert_msg(clock() - t0 < 2 * CLOCKS_PER_SEC, "took %ld ticks",
                  (long)(clock() - t0));
    d = gwg_confdoc_last(doc, "Foo");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->argc, (int)n + 1);
    ck_assert_str_eq(d->argv[n], "end");

    big = apr_palloc(pool, 1100 * 1024 + 64);
    memcpy(big, "Bar ", 4);
    memset(big + 4, 'x', 1100 * 1024);
    memcpy(big + 4 + 1100 * 1024, "\nBaz ok\n", 9);
    doc = read_conf(big);
    ck_assert_ptr_null(gwg_confdoc_last(doc, "Bar"));
    ck_assert_ptr_nonnull(gwg_confdoc_last(doc, "Baz"));
    ck_assert_ptr_nonnull(strstr(msgs(doc), "line too long"));
}
END_TEST

START_TEST(define_ifdefine_and_vars)
{
    gwg_confdoc *doc;

    setenv("GWG_UNIT_ENV", "fromenv", 1);
    doc = read_conf("Define WHERE /srv\n"
                    "A ${WHERE}/x ${GWG_UNIT_ENV}\n"
                    "<IfDefine WHERE>\n  B yes\n</IfDefine>\n"
                    "<IfDefine !WHERE>\n  C no\n  <Nested>\n  </Nested>\n"
                    "</IfDefine>\n"
                    "UnDefine WHERE\n"
                    "<IfDefine WHERE>\n  D no\n</IfDefine>\n"
                    "E ${NOPE_GWG}\n");
    ck_assert_str_eq(gwg_confdoc_last(doc, "A")->argv[0], "/srv/x");
    ck_assert_str_eq(gwg_confdoc_last(doc, "A")->argv[1], "fromenv");
    ck_assert_int_eq(count(doc, "B"), 1);
    ck_assert_int_eq(count(doc, "C"), 0);
    ck_assert_int_eq(count(doc, "D"), 0);
    ck_assert_str_eq(gwg_confdoc_last(doc, "E")->argv[0], "${NOPE_GWG}");
    ck_assert_str_eq(msgs(doc), "16: warning: config variable ${NOPE_GWG} "
                     "is not defined\n");
}
END_TEST

START_TEST(ifmodule_follows_loadmodule)
{
    gwg_confdoc *doc = read_conf("<IfModule mod_x.c>\n  A\n</IfModule>\n"
                                 "LoadModule x_module /m/mod_x.so\n"
                                 "<IfModule mod_x.c>\n  B\n</IfModule>\n"
                                 "<IfModule x_module>\n  C\n</IfModule>\n"
                                 "<IfModule !mod_y.c>\n  D\n</IfModule>\n"
                                 "<IfModule core.c>\n  E\n</IfModule>\n");

    ck_assert_int_eq(count(doc, "A"), 0);
    ck_assert_int_eq(count(doc, "B") + count(doc, "C") + count(doc, "D")
                     + count(doc, "E"), 4);
}
END_TEST

START_TEST(include_globs_dirs_and_optional)
{
    gwg_confdoc *doc;

    mkdir(apr_pstrcat(pool, dir, "/conf.d", NULL), 0755);
    mkdir(apr_pstrcat(pool, dir, "/sub", NULL), 0755);
    put("conf.d/b.conf", "B\n");
    put("conf.d/a.conf", "A\n");
    put("conf.d/skip.txt", "S\n");
    put("sub/z", "Z\n");
    put("vh.conf", "InVhost\n");
    doc = read_conf("Include conf.d/*.conf\n"
                    "Include sub\n"
                    "IncludeOptional nothere/*.conf\n"
                    "IncludeOptional nothere.conf\n"
                    "<VirtualHost *:80>\n  Include vh.conf\n</VirtualHost>\n"
                    "Include missing/*.conf\n"
                    "Include missing.conf\n");
    /* in name order, as httpd */
    ck_assert_str_eq(APR_ARRAY_IDX(doc->dirs, 1, gwg_confdir).name, "A");
    ck_assert_str_eq(APR_ARRAY_IDX(doc->dirs, 2, gwg_confdir).name, "B");
    ck_assert_str_eq(APR_ARRAY_IDX(doc->dirs, 3, gwg_confdir).name, "Z");
    ck_assert_int_eq(count(doc, "S"), 0);
    ck_assert_int_eq(gwg_confdoc_last(doc, "InVhost")->context,
                     GWG_CTX_VHOST);
    ck_assert_ptr_nonnull(strstr(msgs(doc), "9: error: no matches for the "
                                 "wildcard"));
    ck_assert_ptr_nonnull(strstr(msgs(doc), "10: error: could not open "
                                 "configuration file"));
    ck_assert_int_eq(doc->msgs->nelts, 2);
}
END_TEST

START_TEST(include_loop_stops)
{
    gwg_confdoc *doc;

    put("loop.conf", "Include loop.conf\n");
    doc = read_conf("Include loop.conf\n");
    ck_assert_ptr_nonnull(strstr(msgs(doc), "maximum include depth"));
}
END_TEST

START_TEST(sections_and_contexts)
{
    gwg_confdoc *doc = read_conf("<VirtualHost *:80>\n"
                                 "  V1\n"
                                 "  <Location /app/>\n    L1\n  </Location>\n"
                                 "</VirtualHost>\n"
                                 "S1\n"
                                 "</Directory>\n"
                                 "<Location /x>\n</Files>\n</Location>\n"
                                 "<Proxy *>\n");
    const gwg_confdir *l1 = gwg_confdoc_last(doc, "L1");

    ck_assert_int_eq(gwg_confdoc_last(doc, "V1")->context, GWG_CTX_VHOST);
    ck_assert_int_eq(l1->context, GWG_CTX_DIR);
    ck_assert_str_eq(l1->section, "Location");
    ck_assert_str_eq(l1->section_arg, "/app/");
    ck_assert_int_eq(gwg_confdoc_last(doc, "S1")->context, GWG_CTX_SERVER);
    ck_assert_str_eq(msgs(doc),
                     "9: error: </Directory> without matching <Directory> "
                     "section\n"
                     "11: error: expected </Location> (for <Location> at "
                     "line 10) but saw </Files>\n"
                     "13: error: <Proxy> was not closed in this file\n");
}
END_TEST

START_TEST(directive_table)
{
    gwg_confdoc *doc = read_conf(
        "LoadModule gwguard_module /m/mod_gwguard.so\n"
        "GwGuard On\n"
        "GwGuardRecent 2000000\n"
        "GwGuardMaxUpstreams 8\n"
        "<VirtualHost *:80>\n  GwGuardShmFile /x.shm\n</VirtualHost>\n"
        "<Location />\n  GwGuard maybe\n  GwGuardRecent 5\n</Location>\n"
        "GwGuardErrorPage 502 builtin\n"
        "GwGuardErrorPage teapot builtin\n"
        "GwGuardStatusCode dns 504\n"
        "GwGuardStatusCode dsn 504\n"
        "GwGuardIntercept 502 503\n"
        "GwGuardIntercept sometimes\n"
        "GwGuardBreaker failures=5 window=10 cooldown=30\n"
        "GwGuardBreaker http://a:1 failures=5 window=10\n" /* cooldown
                                                             defaults */
        "GwGuardBreaker Off\n"
        "GwGuardPageVar brand Acme\n"
        "GwGuardPageVar bad<name> x\n"
        "GwGuardFrobnicate 1\n"
        "GwGuard\n");

    gwg_confcheck(doc);
    ck_assert_str_eq(msgs(doc),
        "4: error: GwGuardRecent: '2000000' is out of range; expected a "
        "number from 0 to 1000000\n"
        "5: error: GwGuardMaxUpstreams: '8' is out of range; expected a "
        "number from 16 to 100000\n"
        "7: error: GwGuardShmFile cannot occur within <VirtualHost> "
        "section\n"
        "10: error: GwGuard: 'maybe' is not a valid value; expected On or "
        "Off\n"
        "11: error: GwGuardRecent not allowed here (in <Location />)\n"
        "14: error: GwGuardErrorPage: 'teapot' is not a status, class or "
        "default; expected a status from 500 to 599, a class "
        "(connect_refused, connect_timeout, dns, tls, header_timeout, "
        "reset_before_headers, bad_response, body_timeout, body_reset, "
        "unavailable, circuit_open, upstream_5xx, client_abort, other, "
        "maintenance) or default\n"
        "16: error: GwGuardStatusCode: 'dsn' is not a failure class; "
        "expected one of connect_refused, connect_timeout, dns, tls, "
        "header_timeout, reset_before_headers, bad_response, body_timeout, "
        "body_reset, unavailable, circuit_open, upstream_5xx, client_abort, "
        "other, maintenance\n"
        "18: error: GwGuardIntercept: 'sometimes' is not valid here; "
        "expected Off, On, or statuses from 500 to 599\n"
        "23: error: GwGuardPageVar: 'bad<name>' is not a valid name; "
        "expected letters, digits, '_' and '-' (used as {{var.NAME}})\n"
        "24: error: Invalid command 'GwGuardFrobnicate', perhaps misspelled "
        "or defined by a module not included in the server configuration\n"
        "25: error: GwGuard takes 1 argument, not 0\n");
}
END_TEST

START_TEST(not_loaded)
{
    gwg_confdoc *doc = read_conf("GwGuard On\n"
                                 "<IfModule mod_gwguard.c>\n"
                                 "  GwGuard Off\n</IfModule>\n");

    gwg_confcheck(doc);
    ck_assert_int_eq(doc->msgs->nelts, 1);
    ck_assert_ptr_nonnull(strstr(msgs(doc), "2: error: Invalid command "
                                 "'GwGuard'"));
}
END_TEST

/* GwGuardMaintenanceBypass: any expression httpd will parse; none is
 * an error that says so (not "1 to -1 arguments"). */
START_TEST(maintenance_bypass)
{
    gwg_confdoc *doc = read_conf(
        "LoadModule gwguard_module /m/mod_gwguard.so\n"
        "GwGuardMaintenanceBypass -R '10.0.0.0/8' || %{HTTP_COOKIE} =~ /m/\n"
        "<Location /a>\n  GwGuardMaintenanceBypass \"-R '10.0.0.0/8'\"\n"
        "</Location>\n"
        "GwGuardMaintenanceBypass\n"
        "GwGuardErrorPage maintenance builtin\n"
        "GwGuardStatusCode maintenance 502\n");

    gwg_confcheck(doc);
    /* (and a warning about the default shm path on this machine) */
    ck_assert_ptr_nonnull(strstr(msgs(doc), "7: error: "
                                 "GwGuardMaintenanceBypass takes at least 1 "
                                 "argument, not 0\n"));
    ck_assert_ptr_null(strstr(strstr(msgs(doc), "7: error:") + 9,
                              "error:"));
    ck_assert_ptr_null(strstr(msgs(doc), "2: error:"));
}
END_TEST

START_TEST(traps)
{
    gwg_confdoc *doc;

    put("page.html", "<html><head><link rel=stylesheet href=\"/static/a."
        "css\"><script src=\"https://cdn.example/x.js\"></script></head>"
        "<body style=\"background:url(logo.png)\"><a href=\"https://help."
        "example/\">help</a><img src=\"/errors/ok.png\">{{request_id}}"
        "</body></html>\n");
    put("bad.html", "<p>{{nope}}</p>\n");
    doc = read_conf(apr_psprintf(pool,
        "LoadModule gwguard_module /m/mod_gwguard.so\n"
        "GwGuardShmFile %s/no/such/dir/g.shm\n"
        "ProxyPass /errors/ !\n"
        "ProxyPass / http://backend:8080/\n"
        "ErrorDocument 502 /oops.html\n"
        "ErrorDocument 503 /errors/503.html\n"
        "ErrorDocument 504 \"plain text\"\n"
        "GwGuardErrorPage 502 page.html\n"
        "GwGuardErrorPage 503 bad.html\n"
        "GwGuardErrorPage 504 none.html\n", dir));
    gwg_confcheck(doc);
    ck_assert_str_eq(msgs(doc), apr_psprintf(pool,
        "6: warning: ErrorDocument 502 /oops.html is itself proxied to "
        "http://backend:8080/ (ProxyPass at %s/main.conf:5): when that "
        "upstream fails, so does its error page; exclude it first, e.g. "
        "'ProxyPass /oops.html !'\n"
        "9: warning: GwGuardErrorPage: template %s/page.html loads an "
        "external resource, https://cdn.example/x.js: the page must not "
        "depend on anything but itself\n"
        "9: warning: GwGuardErrorPage: template %s/page.html loads "
        "/static/a.css, which is proxied to http://backend:8080/ (ProxyPass "
        "at %s/main.conf:5): it fails with the upstream\n"
        "9: warning: GwGuardErrorPage: template %s/page.html loads logo.png, "
        "a relative URL: it resolves against the failing request's URL, "
        "which is proxied; use an inline resource\n"
        "10: error: GwGuardErrorPage: %s/bad.html:1: unknown placeholder "
        "{{nope}}; known are status, reason, class, code, class_text, "
        "request_id, time, host, method, path, retry_after, upstream, retryable, "
        "message, var.NAME\n"
        "11: error: GwGuardErrorPage: %s/none.html: cannot read the "
        "template: No such file or directory\n"
        "3: warning: the shared segment %s/no/such/dir/g.shm cannot be "
        "created: directory %s/no/such/dir does not exist\n",
        dir, dir, dir, dir, dir, dir, dir, dir, dir));
}
END_TEST

START_TEST(shm_path)
{
    gwg_confdoc *doc = read_conf("DefaultRuntimeDir run\n"
                                 "GwGuardShmFile g.shm\n");

    ck_assert_str_eq(gwg_confcheck_shm_path(doc),
                     apr_pstrcat(pool, dir, "/run/g.shm", NULL));
    doc = read_conf("GwGuardShmFile /abs.shm\n");
    ck_assert_str_eq(gwg_confcheck_shm_path(doc), "/abs.shm");
    /* neither directive: httpd's compiled-in runtime dir, as the module */
    doc = read_conf("\n");
    ck_assert_str_eq(gwg_confcheck_shm_path(doc),
                     GWG_DEFAULT_RUNTIME_DIR "/" GWG_DEFAULT_SHM_NAME);
    doc = read_conf("DefaultRuntimeDir rel\n");
    ck_assert_str_eq(gwg_confcheck_shm_path(doc),
                     apr_pstrcat(pool, dir, "/rel/gwguard.shm", NULL));
}
END_TEST

START_TEST(envvars_defaults)
{
    gwg_confread_opts o;
    gwg_confdoc *doc;

    memset(&o, 0, sizeof(o));
    o.server_root = dir;
    o.envvars = put("envvars", "unset HOME\nSUFFIX=\n"
                    "export GWG_RUN_DIR=/var/run/apache2$SUFFIX\n"
                    "export GWG_PID=${GWG_RUN_DIR}/apache2.pid\n"
                    "export APACHE_ARGUMENTS=\"-D ONE -DTWO -k\"\n");
    unsetenv("APACHE_ARGUMENTS");
    doc = gwg_confread(put("m.conf", "PidFile ${GWG_PID}\n"
                           "<IfDefine ONE>\n  A\n</IfDefine>\n"
                           "<IfDefine TWO>\n  B\n</IfDefine>\n"), &o,
                       pool);
    ck_assert_str_eq(gwg_confdoc_last(doc, "PidFile")->argv[0],
                     "/var/run/apache2/apache2.pid");
    ck_assert_ptr_nonnull(gwg_confdoc_last(doc, "A"));
    ck_assert_ptr_nonnull(gwg_confdoc_last(doc, "B"));
}
END_TEST

START_TEST(json_syntax)
{
    static const char *const good[] = { "{}", " [1, -2.5e3, \"a\\u00e9\","
        " true, false, null, {\"k\": []}] ", "0", "\"\\/\"", NULL };
    static const char *const bad[] = { "", "{", "{\"a\":}", "[1,]", "01",
        "{\"a\" 1}", "tru", "\"x", "[1] 2", "\"\\q\"", "{a:1}",
        "\"a\nb\"", NULL };
    char deep[200];
    int i, line;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(gwg_json_check(good[i], strlen(good[i]), &line) == NULL,
                      "%s", good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(gwg_json_check(bad[i], strlen(bad[i]), &line) != NULL,
                      "%s", bad[i]);
    }
    memset(deep, '[', sizeof(deep));
    ck_assert_str_eq(gwg_json_check(deep, sizeof(deep), &line),
                     "nested too deeply");
    ck_assert_str_eq(gwg_json_check("{\n\"a\": 1,\n}", 11, &line),
                     "expected a member name");
    ck_assert_int_eq(line, 3);
}
END_TEST

START_TEST(json_templates)
{
    /* `check` compiles templates with the module's own compiler, so a JSON
     * template is judged exactly as configtest judges it */
    const gwg_template *t;
    const char *ok = "{\"error\":{\"status\":{{status}},\"id\":"
                     "\"{{request_id}}\",\"v\":\"{{var.brand}}\"}}\n";
    const char *broken = "{\"status\":{{status}},\n\"id\": }";

    ck_assert_ptr_null(gwg_template_load(&t, put("ok.json", ok), pool));
    ck_assert_str_eq(gwg_template_load(&t, put("b.json", broken), pool),
                     apr_psprintf(pool, "%s/b.json:2: not valid JSON once "
                     "filled: unexpected character", dir));
}
END_TEST

/* Two unix sockets behind one worker name: httpd shares the worker
 * (ap_proxy_get_worker_ex ignores the socket), so the second route goes
 * to the first socket; check says where and how to fix it. */
START_TEST(uds_shared_worker)
{
    gwg_confdoc *doc = read_conf(
        "ProxyPassMatch ^/a/(.*\\.php)$ \"unix:/run/php/a.sock|fcgi://"
        "localhost/srv/$1\"\n"
        "ProxyPassMatch ^/b/(.*\\.php)$ \"unix:/run/php/pool_b.sock|fcgi://"
        "localhost/srv/$1\"\n"
        "ProxyPassMatch ^/c/(.*\\.php)$ \"unix:/run/php/c.sock|fcgi://"
        "pool-c/srv/$1\"\n"
        "ProxyPassMatch ^/d/(.*\\.php)$ \"unix:/run/php/d.sock|fcgi://"
        "localhost/other/$1\"\n"
        "ProxyPass /e/ unix:/run/e.sock|http://localhost/\n"
        "ProxyPass /f/ unix:/run/f.sock|http://localhost/f/\n"
        "ProxyPass /g/ unix:/run/e.sock|http://localhost/g/\n"
        "ProxyPass /h/ fcgi://localhost:9000/\n"
        "<FilesMatch \\.php$>\n"
        "  SetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://"
        "localhost\"\n"
        "</FilesMatch>\n"
        "ProxyPass /i/ unix:/run/i.sock|fcgi://localhost/\n");

    gwg_confcheck(doc);
    ck_assert_str_eq(msgs(doc), apr_psprintf(pool,
        "3: warning: this route to /run/php/pool_b.sock: httpd serves it "
        "with the worker fcgi://localhost/srv/$1 of ProxyPassMatch at "
        "%s/main.conf:2, which connects to /run/php/a.sock: requests here "
        "go there (workers are found by URL; the socket is ignored). Give "
        "each socket its own host name, e.g. \"unix:/run/php/pool_b.sock|"
        "fcgi://pool-b/srv/$1\"\n"
        "7: warning: this route to /run/f.sock: httpd serves it with the "
        "worker http://localhost/ of ProxyPass at %s/main.conf:6, which "
        "connects to /run/e.sock: requests here go there (workers are "
        "found by URL; the socket is ignored). Give each socket its own "
        "host name, e.g. \"unix:/run/f.sock|http://f/f/\"\n"
        "11: warning: SetHandler to /run/php/php8.2-fpm.sock: httpd serves "
        "it with the worker fcgi://localhost/ of ProxyPass at "
        "%s/main.conf:13, which connects to /run/i.sock: requests here go "
        "there (workers are found by URL; the socket is ignored). Give each "
        "socket its own host name, e.g. \"unix:/run/php/php8.2-fpm.sock|"
        "fcgi://php8-2-fpm/\"\n", dir, dir, dir));
}
END_TEST

/* Fuzz-style: arbitrary bytes never crash the reader, and each gives
 * the directives and the messages httpd's reader would. */
START_TEST(garbage_in)
{
    static const struct {
        const char *in;
        int dirs;
        const char *msgs;       /* NULL: depends on the machine */
    } cases[] = {
        { "<", 0, "1: error: < directive missing closing '>'\n" },
        { "</", 0, "1: error: </> without matching <> section\n" },
        { "<>", 0, "1: error: empty section name\n" },
        { "<<<>>>", 0, "1: error: <<<>>> was not closed in this file\n" },
        { "\\", 1, "" },
        { "\\\n\\\n", 0, "" },
        { "${", 1, "" },
        { "${}", 1, "1: warning: config variable ${} is not defined\n" },
        { "${A", 1, "" },
        { "\"unterminated", 1, "" },
        { "'x", 1, "" },
        { "<If\n", 0, "1: error: <If directive missing closing '>'\n" },
        { "</If>>", 0, "1: error: </If> without matching <If> section\n" },
        { "Include", 0, "1: error: Include takes one argument, a file, "
          "directory or wildcard\n" },
        { "Include \"\"", -1, NULL },   /* the server root: this machine's */
        { "\0\n<x>", 0, "" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gwg_confdoc *doc = gwg_confdoc_make(NULL, pool);
        gwg_confread_buffer(doc, "fuzz", cases[i].in,
                            strlen(cases[i].in) + 1);
        gwg_confcheck(doc);
        if (cases[i].msgs) {
            ck_assert_msg(doc->dirs->nelts == cases[i].dirs,
                          "case %zu: %d directives", i, doc->dirs->nelts);
            ck_assert_str_eq(msgs(doc), cases[i].msgs);
        }
    }
}
END_TEST

Suite *confread_suite(void)
{
    Suite *s = suite_create("confread");
    TCase *tc = tcase_create("reader");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, lines_quotes_and_continuations);
    tcase_add_test(tc, long_continuations_are_linear_and_capped);
    tcase_add_test(tc, define_ifdefine_and_vars);
    tcase_add_test(tc, ifmodule_follows_loadmodule);
    tcase_add_test(tc, include_globs_dirs_and_optional);
    tcase_add_test(tc, include_loop_stops);
    tcase_add_test(tc, sections_and_contexts);
    tcase_add_test(tc, directive_table);
    tcase_add_test(tc, not_loaded);
    tcase_add_test(tc, traps);
    tcase_add_test(tc, maintenance_bypass);
    tcase_add_test(tc, uds_shared_worker);
    tcase_add_test(tc, shm_path);
    tcase_add_test(tc, envvars_defaults);
    tcase_add_test(tc, garbage_in);
    tcase_add_test(tc, json_syntax);
    tcase_add_test(tc, json_templates);
    suite_add_tcase(s, tc);
    return s;
}
