/* The directive table (gwg_directive.h): `gwguardctl check` reads its
 * rows, every number row's range is enforced by check from the row, and
 * docs/directives.md says what the rows say (the module's command_rec is
 * expanded from the same rows, its help text being the Description). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "gwg_conf.h"
#include "gwg_confcheck.h"
#include "gwg_directive.h"
#include "unit.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

START_TEST(check_reads_the_table)
{
    int i;

    for (i = 0; i < GWG_DIR_COUNT; i++) {
        const gwg_directive *r = &gwg_directives[i];
        ck_assert_ptr_nonnull(r->name);
        ck_assert_ptr_nonnull(r->check);
        ck_assert_ptr_nonnull(r->help);
        ck_assert_ptr_nonnull(r->dflt);
        ck_assert_msg(r->contexts != 0, "%s: no context", r->name);
        ck_assert_ptr_eq(gwg_confcheck_rule(r->name), r);
    }
    ck_assert_ptr_null(gwg_confcheck_rule("GwGuardFrobnicate"));
}
END_TEST

/* Errors of one directive line checked as `check` does. */
static int errors_for(const char *line)
{
    gwg_confread_opts o;
    gwg_confdoc *doc;
    const char *text;
    int errors, warnings;

    memset(&o, 0, sizeof(o));
    o.server_root = "/nonexistent";
    doc = gwg_confdoc_make(&o, pool);
    text = apr_pstrcat(pool, "LoadModule gwguard_module m.so\n", line, "\n",
                       NULL);
    gwg_confread_buffer(doc, "t.conf", text, strlen(text));
    gwg_confcheck(doc);
    gwg_confcheck_count(doc, &errors, &warnings);
    return errors;
}

START_TEST(number_rows_take_their_range_from_the_row)
{
    int i, rows = 0;

    for (i = 0; i < GWG_DIR_COUNT; i++) {
        const gwg_directive *r = &gwg_directives[i];
        if (r->hi == 0) {
            continue;
        }
        rows++;
        ck_assert_int_eq(errors_for(apr_psprintf(pool, "%s %lu", r->name,
                                                 r->lo)), 0);
        ck_assert_int_eq(errors_for(apr_psprintf(pool, "%s %lu", r->name,
                                                 r->hi)), 0);
        ck_assert_int_eq(errors_for(apr_psprintf(pool, "%s %lu", r->name,
                                                 r->hi + 1)), 1);
        if (r->lo > 0) {
            ck_assert_int_eq(errors_for(apr_psprintf(pool, "%s %lu",
                                                     r->name, r->lo - 1)),
                             1);
        }
    }
    ck_assert_int_eq(rows, 3);          /* MaxUpstreams, Recent, RetryAfter */
}
END_TEST

/* docs/directives.md's "| Field | value |" line of a directive's section. */
static const char *doc_field(const char *docs, const char *name,
                             const char *field)
{
    const char *sec = docs, *end, *line;
    const char *head = apr_pstrcat(pool, "\n## ", name, "\n", NULL);
    const char *want = apr_pstrcat(pool, "\n| ", field, " | ", NULL);

    sec = strstr(docs, head);
    if (!sec) {
        return NULL;
    }
    sec += strlen(head);
    end = strstr(sec, "\n## ");
    line = strstr(sec, want);
    if (!line || (end && line > end)) {
        return NULL;
    }
    line += strlen(want);
    end = strstr(line, " |\n");
    return end ? apr_pstrndup(pool, line, (apr_size_t)(end - line)) : NULL;
}

static const char *contexts(int c)
{
    const char *s = "";

    if (c & GWG_CTX_SERVER) s = "server config";
    if (c & GWG_CTX_VHOST) s = apr_pstrcat(pool, s, ", virtual host", NULL);
    if (c & GWG_CTX_DIR) s = apr_pstrcat(pool, s, ", directory", NULL);
    if (c & GWG_CTX_HTACCESS) s = apr_pstrcat(pool, s, ", .htaccess", NULL);
    return s;
}

/* Markdown escapes '|' in a table cell. */
static const char *cell(const char *s)
{
    const char *out = "";
    const char *bar;

    while ((bar = strchr(s, '|')) != NULL) {
        out = apr_pstrcat(pool, out, apr_pstrndup(pool, s,
                          (apr_size_t)(bar - s)), "\\|", NULL);
        s = bar + 1;
    }
    return apr_pstrcat(pool, out, s, NULL);
}

START_TEST(docs_say_what_the_rows_say)
{
    FILE *f = fopen("docs/directives.md", "r");
    char *docs;
    long n;
    int i;

    ck_assert_msg(f != NULL, "run from the repository's top directory");
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    docs = apr_palloc(pool, (apr_size_t)n + 1);
    ck_assert_int_eq(fread(docs, 1, (size_t)n, f), n);
    docs[n] = '\0';
    fclose(f);
    for (i = 0; i < GWG_DIR_COUNT; i++) {
        const gwg_directive *r = &gwg_directives[i];
        const char *v = doc_field(docs, r->name, "Description");
        ck_assert_msg(v && strcmp(v, cell(r->help)) == 0,
                      "%s: Description '%s', help '%s'", r->name, v, r->help);
        v = doc_field(docs, r->name, "Default");
        ck_assert_msg(v && strcmp(v, cell(r->dflt)) == 0,
                      "%s: Default '%s', row '%s'", r->name, v, r->dflt);
        v = doc_field(docs, r->name, "Context");
        ck_assert_msg(v && strcmp(v, contexts(r->contexts)) == 0,
                      "%s: Context '%s'", r->name, v);
        v = doc_field(docs, r->name, "Override");
        ck_assert_msg((r->contexts & GWG_CTX_HTACCESS)
                      ? (v && strcmp(v, "FileInfo") == 0) : v == NULL,
                      "%s: Override '%s'", r->name, v);
    }
}
END_TEST

/* The defaults the code applies (gwg_default) are the ones each row's
 * Default line and help text state, so the docs, `check` and the module's
 * own help cannot drift from the code. */
static const char *on_off(int v)
{
    return v ? "On" : "Off";
}

static void expect_default(gwg_directive_id id, const char *value)
{
    const gwg_directive *r = &gwg_directives[id];
    const char *line = apr_psprintf(pool, "`%s %s`", r->name, value);

    ck_assert_msg(strstr(r->dflt, id == GWG_DIR_SHM_FILE ? value : line),
                  "%s: Default '%s' does not say %s", r->name, r->dflt,
                  value);
}

START_TEST(defaults_are_the_rows_defaults)
{
    static const gwg_directive_id numbers[] = {
        GWG_DIR_MAX_UPSTREAMS, GWG_DIR_RECENT, GWG_DIR_RETRY_AFTER };
    const unsigned long values[] = {
        gwg_default.max_upstreams, gwg_default.recent,
        gwg_default.retry_after };
    size_t i;

    expect_default(GWG_DIR_ENABLED, on_off(gwg_default.enabled));
    expect_default(GWG_DIR_SHM_FILE, gwg_default.shm_name);
    expect_default(GWG_DIR_EXPOSE_UPSTREAM,
                   on_off(gwg_default.expose_upstream));
    expect_default(GWG_DIR_PROXY_STATUS, on_off(gwg_default.proxy_status));
    expect_default(GWG_DIR_BREAKER, on_off(gwg_default.breaker));
    for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        const gwg_directive *r = &gwg_directives[numbers[i]];
        const char *v = apr_psprintf(pool, "%lu", values[i]);

        expect_default(numbers[i], v);
        ck_assert_msg(strstr(r->help, apr_pstrcat(pool, "(default ", v, ")",
                                                  NULL)),
                      "%s: help '%s' does not say default %s", r->name,
                      r->help, v);
        ck_assert(values[i] >= r->lo && values[i] <= r->hi);
        /* and check accepts the default */
        ck_assert_int_eq(errors_for(apr_pstrcat(pool, r->name, " ", v,
                                                NULL)), 0);
    }
}
END_TEST

Suite *directive_suite(void)
{
    Suite *s = suite_create("directive");
    TCase *tc = tcase_create("table");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, check_reads_the_table);
    tcase_add_test(tc, number_rows_take_their_range_from_the_row);
    tcase_add_test(tc, docs_say_what_the_rows_say);
    tcase_add_test(tc, defaults_are_the_rows_defaults);
    suite_add_tcase(s, tc);
    return s;
}
