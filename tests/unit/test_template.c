/* Templates: compile, render, escape per context, refuse bad input, and
 * never read past the end of the source buffer. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <apr_strings.h>

#include "gwg_json_check.h"
#include "gwg_template.h"
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

static gwg_page_values values(void)
{
    gwg_page_values v;

    memset(&v, 0, sizeof(v));
    v.status = 502;
    v.reason = "Bad Gateway";
    v.cls = "bad_response";
    v.code = "PH";
    v.class_text = "It broke.";
    v.request_id = "abc";
    v.time = "2026-11-21T09:00:00Z";
    v.host = "example.org";
    v.method = "GET";
    v.path = "/x";
    v.upstream = "";
    v.retry_after = 30;
    return v;
}

static const char *compile(const gwg_template **t, gwg_tpl_type type,
                           const char *src)
{
    return gwg_template_compile(t, type, "t.html", src, strlen(src), pool);
}

static const char *render(const char *src, gwg_tpl_type type,
                          const gwg_page_values *v)
{
    const gwg_template *t = NULL;
    const char *err = compile(&t, type, src);
    size_t len;

    ck_assert_msg(err == NULL, "%s", err);
    return gwg_template_render_str(t, v, &len, pool);
}

START_TEST(renders_placeholders_in_pieces)
{
    gwg_page_values v = values();

    ck_assert_str_eq(render("<p>{{status}} {{ reason }}</p>", GWG_TPL_HTML,
                            &v), "<p>502 Bad Gateway</p>");
    ck_assert_str_eq(render("{{status}}", GWG_TPL_TEXT, &v), "502");
    ck_assert_str_eq(render("no placeholders", GWG_TPL_TEXT, &v),
                     "no placeholders");
    ck_assert_str_eq(render("", GWG_TPL_TEXT, &v), "");
}
END_TEST

START_TEST(values_are_not_expanded_again)
{
    gwg_page_values v = values();

    v.path = "/{{status}}/{{var.x}}";
    ck_assert_str_eq(render("<p>{{path}}</p>", GWG_TPL_HTML, &v),
                     "<p>/{{status}}/{{var.x}}</p>");
}
END_TEST

START_TEST(html_text_and_attribute_escaping)
{
    gwg_page_values v = values();

    v.host = "\"><script>alert(1)</script>";
    v.path = "/a'b&c";
    ck_assert_str_eq(render("<a title=\"{{host}}\" data-x='{{path}}'>{{host}}"
                            "</a>", GWG_TPL_HTML, &v),
                     "<a title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script"
                     "&gt;\" data-x='/a&#39;b&amp;c'>&quot;&gt;&lt;script&gt;"
                     "alert(1)&lt;/script&gt;</a>");
}
END_TEST

START_TEST(json_string_and_value_contexts)
{
    gwg_page_values v = values();
    const char *out;
    int line;

    v.path = "/\"},\"x\":{\"\n";
    out = render("{\"p\":\"{{path}}\",\"s\":{{status}},\"c\":{{class}},"
                 "\"r\":{{retry_after}}}", GWG_TPL_JSON, &v);
    ck_assert_str_eq(out, "{\"p\":\"/\\\"},\\\"x\\\":{\\\"\\u000a\",\"s\":502,"
                          "\"c\":\"bad_response\",\"r\":30}");
    ck_assert_ptr_null(gwg_json_check(out, strlen(out), &line));
}
END_TEST

START_TEST(text_values_cannot_forge_lines)
{
    gwg_page_values v = values();

    v.path = "/a\r\nX-Injected: 1";
    ck_assert_str_eq(render("path {{path}}", GWG_TPL_TEXT, &v),
                     "path /a??X-Injected: 1");
}
END_TEST

/* For the streaming renderer (which never skips a scan): the text into
 * a pool string. */
static int grow_write(void *ctx, const char *data, size_t len)
{
    char **acc = ctx;

    *acc = apr_pstrcat(pool, *acc, apr_pstrndup(pool, data, len), NULL);
    return 0;
}

static const char *render_streamed(const gwg_template *t,
                                   const gwg_page_values *v)
{
    char *acc = "";
    gwg_out o;

    gwg_out_init(&o, grow_write, &acc);
    gwg_template_render(&o, t, v);
    return acc;
}

/* Values marked plain (the caller's own time and request id) skip the
 * escaping scan: the same bytes as the streaming renderer, which scans
 * everything, in every context, with more pieces than render_room keeps
 * on its stack; a bare JSON value is still quoted, and a value not
 * marked plain is still escaped. */
START_TEST(plain_values_render_as_scanned)
{
    static const struct {
        gwg_tpl_type type;
        const char *unit;
    } forms[] = {
        { GWG_TPL_HTML, "<p title=\"{{time}}\">{{request_id}} {{time}} "
                        "{{status}} {{retry_after}} {{path}}</p>\n" },
        { GWG_TPL_JSON, "\"{{time}}\",{{time}},\"{{request_id}}\","
                        "{{request_id}},{{status}},{{retryable}},"
                        "\"{{retry_after}}\",\"{{path}}\"," },
        { GWG_TPL_TEXT, "{{time}} {{request_id}} {{status}} {{path}}\n" },
    };
    gwg_page_values v = values();
    size_t i, k, len;

    v.request_id = "18c2f0a9b1d3e-1a2b-ff";
    v.path = "/a?b=<c>&d=\"e\"\n";
    v.plain = GWG_USES_TIME | GWG_USES_REQUEST_ID;
    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        const char *src = forms[i].unit, *got, *want;
        const gwg_template *t = NULL;
        const char *err;

        for (k = 0; k < 12; k++) {      /* 60 to 96 pieces */
            src = apr_pstrcat(pool, src, forms[i].unit, NULL);
        }
        if (forms[i].type == GWG_TPL_JSON) {
            src = apr_pstrcat(pool, "[", src, "0]", NULL);
        }
        err = gwg_template_compile(&t, forms[i].type, "t.html", src,
                                   strlen(src), pool);
        ck_assert_msg(err == NULL, "%s", err);
        got = gwg_template_render_str(t, &v, &len, pool);
        want = render_streamed(t, &v);
        ck_assert_str_eq(got, want);
        ck_assert_uint_eq(len, strlen(want));
    }
    ck_assert_str_eq(render("{\"t\":{{time}}}", GWG_TPL_JSON, &v),
                     "{\"t\":\"2026-11-21T09:00:00Z\"}");
    ck_assert_str_eq(render("<p>{{path}}</p>", GWG_TPL_HTML, &v),
                     "<p>/a?b=&lt;c&gt;&amp;d=&quot;e&quot;\n</p>");
}
END_TEST

START_TEST(page_vars)
{
    gwg_page_values v = values();

    v.vars = apr_table_make(pool, 2);
    apr_table_set(v.vars, "brand", "Acme <Inc>");
    ck_assert_str_eq(render("<b>{{var.brand}}</b><i>{{var.none}}</i>",
                            GWG_TPL_HTML, &v),
                     "<b>Acme &lt;Inc&gt;</b><i></i>");
}
END_TEST

static void assert_error(gwg_tpl_type type, const char *src,
                         const char *expect)
{
    const gwg_template *t = NULL;
    const char *err = compile(&t, type, src);

    ck_assert_msg(err != NULL, "accepted: %s", src);
    ck_assert_msg(strstr(err, expect) != NULL, "'%s' lacks '%s'", err,
                  expect);
}

START_TEST(rejects_bad_templates_with_file_and_line)
{
    assert_error(GWG_TPL_HTML, "<p>\n\n{{nope}}</p>",
                 "t.html:3: unknown placeholder {{nope}}");
    assert_error(GWG_TPL_HTML, "<p>{{status</p>", "t.html:1: '{{' does not");
    assert_error(GWG_TPL_HTML, "<p>{{}}</p>", "does not start a placeholder");
    assert_error(GWG_TPL_HTML, "<a {{host}}>x</a>", "quoted attribute value");
    assert_error(GWG_TPL_HTML, "<a href={{host}}>x</a>",
                 "quoted attribute value");
    assert_error(GWG_TPL_HTML, "<a onclick=\"{{host}}\">x</a>",
                 "event handler");
    assert_error(GWG_TPL_HTML, "<script>var a='{{host}}';</script>",
                 "<script>");
    assert_error(GWG_TPL_HTML, "<!-- {{host}} -->", "comment");
    assert_error(GWG_TPL_HTML, "<p>ok</p>\n<div>\n</span></div>",
                 "t.html:3:");
    assert_error(GWG_TPL_HTML, "<p>ok</p>\n<a href=\"x>y</a>", "t.html:");
    assert_error(GWG_TPL_JSON, "{\"a\":\n1,}", "t.html:2: not valid JSON");
    assert_error(GWG_TPL_JSON, "{\"a\":{{status}} {{class}}}",
                 "not valid JSON once filled");
    assert_error(GWG_TPL_JSON, "{\"a\":\"{{var.x.y}}\"}", "unknown");
}
END_TEST

START_TEST(accepts_html5_and_attributes)
{
    const gwg_template *t = NULL;
    const char *src = "<!DOCTYPE html><html lang=\"en\"><head><title>"
        "{{status}}</title></head><body><main><section><nav>"
        "<a href=\"/help?id={{request_id}}\" title='{{reason}}'>help</a>"
        "</nav></section></main></body></html>";

    ck_assert_ptr_null(compile(&t, GWG_TPL_HTML, src));
}
END_TEST

START_TEST(size_limit)
{
    size_t n = GWG_TEMPLATE_MAX + 1;
    char *big = apr_palloc(pool, n);
    const gwg_template *t = NULL;
    const char *err;

    memset(big, 'a', n);
    err = gwg_template_compile(&t, GWG_TPL_TEXT, "big.html", big, n, pool);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "big.html: 1048577 bytes is over the "
                                 "limit"));
    ck_assert_ptr_null(gwg_template_compile(&t, GWG_TPL_TEXT, "max.html",
                                            big, n - 1, pool));
}
END_TEST

/* Source text that ends exactly where a readable page ends: a read past
 * the end faults. */
static const char *at_page_end(const char *src, size_t *len)
{
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    ck_assert_ptr_ne(m, MAP_FAILED);
    mprotect(m + page, (size_t)page, PROT_NONE);
    *len = strlen(src);
    memcpy(m + page - *len, src, *len);
    return m + page - *len;
}

/* Sources that end at the last readable byte: no read past it (the next
 * page faults), and each compiles or is refused as it should be, per
 * type. A message is what follows "end.html:1: "; "" is any message (the
 * HTML parser's words are libxml2's). */
#define PH "'{{' does not start a placeholder {{name}}"
#define UNEXP "not valid JSON once filled: unexpected character"
#define ESC "not valid JSON once filled: bad escape in a string"
START_TEST(source_ending_at_buffer_end)
{
    static const struct {
        const char *src, *want[3];  /* HTML, JSON, text; NULL: compiles */
    } cases[] = {
        { "x{{status}}", { NULL, UNEXP, NULL } },
        { "x{{", { PH, PH, PH } },
        { "x{", { NULL, UNEXP, NULL } },
        { "x{{status", { PH, PH, PH } },
        { "x{{status}", { PH, PH, PH } },
        { "<p", { "", UNEXP, NULL } },
        { "<a b", { "", UNEXP, NULL } },
        { "<a b=\"", { "", UNEXP, NULL } },
        { "<!--", { "", UNEXP, NULL } },
        { "<script>", { NULL, UNEXP, NULL } },
        { "</scr", { "", UNEXP, NULL } },
        { "\"\\", { NULL, ESC, NULL } },
        { "{\"a\":\"\\", { NULL, ESC, NULL } },
        { "{\"a\":1", { NULL, "not valid JSON once filled: expected ',' "
                        "or '}'", NULL } },
        { "{\"a\":\"x\\u00", { NULL, "not valid JSON once filled: bad "
                             "\\u escape in a string", NULL } },
        { "<p>&", { "", UNEXP, NULL } },
    };
    const gwg_template *t;
    size_t i, len;
    int type;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (type = GWG_TPL_HTML; type <= GWG_TPL_TEXT; type++) {
            const char *src = at_page_end(cases[i].src, &len);
            const char *want = cases[i].want[type - GWG_TPL_HTML];
            const char *err;

            t = NULL;
            err = gwg_template_compile(&t, (gwg_tpl_type)type, "end.html",
                                       src, len, pool);
            if (!want) {
                ck_assert_msg(!err && t, "%s (type %d): %s", cases[i].src,
                              type, err);
                continue;
            }
            ck_assert_msg(err && strncmp(err, "end.html:1: ", 12) == 0
                          && strncmp(err + 12, want, strlen(want)) == 0,
                          "%s (type %d): %s", cases[i].src, type, err);
        }
    }
}
END_TEST
#undef PH
#undef UNEXP
#undef ESC

START_TEST(json_checker)
{
    static const char *const good[] = {
        "{}", "[]", "0", "-1.5e3", "\"a\\u00e9\"", " {\"a\":[1,true,null]} ",
    };
    static const char *const bad[] = {
        "", "{", "[1,]", "01", "\"\x01\"", "{\"a\" 1}", "tru", "1 2", "\"\\x\"",
        "{a:1}",
    };
    size_t i;
    int line;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(gwg_json_check(good[i], strlen(good[i]), &line) == NULL,
                      "rejected %s", good[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(gwg_json_check(bad[i], strlen(bad[i]), &line) != NULL,
                      "accepted %s", bad[i]);
    }
    ck_assert_ptr_nonnull(gwg_json_check("[1,\n2,\n]", 9, &line));
    ck_assert_int_eq(line, 3);
}
END_TEST

START_TEST(loads_files_and_refuses_others)
{
    const gwg_template *t = NULL;
    char path[] = "/tmp/gwg-tplXXXXXX.html";
    const char *err;
    int fd = mkstemps(path, 5);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "<p>{{status}}</p>", 17), 17);
    close(fd);
    ck_assert_ptr_null(gwg_template_load(&t, path, pool));
    ck_assert_int_eq(gwg_template_type(t), GWG_TPL_HTML);
    unlink(path);
    err = gwg_template_load(&t, path, pool);
    ck_assert_ptr_nonnull(strstr(err, "cannot read the template"));
    err = gwg_template_load(&t, "/etc/passwd", pool);
    ck_assert_ptr_nonnull(strstr(err, "must be a .html or .json file"));
}
END_TEST

Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("template");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, renders_placeholders_in_pieces);
    tcase_add_test(tc, values_are_not_expanded_again);
    tcase_add_test(tc, html_text_and_attribute_escaping);
    tcase_add_test(tc, json_string_and_value_contexts);
    tcase_add_test(tc, text_values_cannot_forge_lines);
    tcase_add_test(tc, page_vars);
    tcase_add_test(tc, plain_values_render_as_scanned);
    tcase_add_test(tc, rejects_bad_templates_with_file_and_line);
    tcase_add_test(tc, accepts_html5_and_attributes);
    tcase_add_test(tc, size_limit);
    tcase_add_test(tc, source_ending_at_buffer_end);
    tcase_add_test(tc, json_checker);
    tcase_add_test(tc, loads_files_and_refuses_others);
    suite_add_tcase(s, tc);
    return s;
}
