/* Built-in pages: they compile, fill, stay valid and self-contained. */
#include <apr_strings.h>

#include "gwg_class.h"
#include "gwg_json_check.h"
#include "gwg_page.h"
#include "unit.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    ck_assert_ptr_null(gwg_page_builtin_init(pool));
}

static void teardown(void)
{
    /* the pages live in the pool: forget them with it (as the module does
     * with pconf), or the next test renders freed memory (CK_FORK=no) */
    gwg_page_builtin_clear();
    apr_pool_destroy(pool);
}

static gwg_page_values hostile(void)
{
    gwg_page_values v;
    const gwg_class_info *c = gwg_class_get(GWG_CLASS_BAD_RESPONSE);

    memset(&v, 0, sizeof(v));
    v.status = 502;
    v.reason = "Bad Gateway";
    v.cls = c->name;
    v.code = c->code;
    v.class_text = c->text;
    v.request_id = "id\"<x>";
    v.time = "2026-11-21T09:00:00Z";
    v.host = "<script>alert(1)</script>";
    v.method = "GET";
    v.path = "/\"'<>&";
    v.upstream = "http://10.0.0.1:8080";
    v.retry_after = 30;
    return v;
}

static const char *render(gwg_rep rep, const gwg_page_values *v, size_t *len)
{
    return gwg_template_render_str(gwg_page_builtin(rep), v, len, pool);
}

START_TEST(json_body_is_the_spec_shape)
{
    gwg_page_values v = hostile();
    size_t len;
    int line;
    const char *out = render(GWG_REP_JSON, &v, &len);

    ck_assert_str_eq(out, "{\"error\":{\"status\":502,\"reason\":\"Bad "
                     "Gateway\",\"class\":\"bad_response\",\"code\":\"PH\","
                     "\"request_id\":\"id\\\"\\u003cx\\u003e\",\"time\":"
                     "\"2026-11-21T09:00:00Z\",\"retryable\":false}}\n");
    v.retryable = 1;
    out = render(GWG_REP_JSON, &v, &len);
    ck_assert_ptr_nonnull(strstr(out, ",\"retryable\":true}}\n"));
    ck_assert_ptr_null(gwg_json_check(out, len, &line));
}
END_TEST

START_TEST(problem_body_has_rfc9457_members)
{
    gwg_page_values v = hostile();
    size_t len;
    int line;
    const char *out = render(GWG_REP_PROBLEM, &v, &len);

    ck_assert_ptr_null(gwg_json_check(out, len, &line));
    ck_assert_ptr_nonnull(strstr(out, "\"type\":\"about:blank\""));
    ck_assert_ptr_nonnull(strstr(out, "\"title\":\"Bad Gateway\""));
    ck_assert_ptr_nonnull(strstr(out, "\"status\":502"));
    ck_assert_ptr_nonnull(strstr(out, "\"detail\":\"The upstream server sent"));
    ck_assert_ptr_nonnull(strstr(out, "\"class\":\"bad_response\""));
    ck_assert_ptr_nonnull(strstr(out, "\"code\":\"PH\""));
    ck_assert_ptr_nonnull(strstr(out, "\"request_id\":"));
    ck_assert_ptr_nonnull(strstr(out, "\"time\":"));
    ck_assert_ptr_nonnull(strstr(out, ",\"retryable\":false}\n"));
}
END_TEST

START_TEST(html_page_is_self_contained_and_escaped)
{
    gwg_page_values v = hostile();
    size_t len;
    const char *out = render(GWG_REP_HTML, &v, &len);

    ck_assert_ptr_nonnull(strstr(out, "<html lang=\"en\">"));
    ck_assert_ptr_nonnull(strstr(out, "<title>502 Bad Gateway</title>"));
    ck_assert_ptr_nonnull(strstr(out, "name=\"viewport\""));
    ck_assert_ptr_nonnull(strstr(out, v.class_text));
    ck_assert_ptr_nonnull(strstr(out, "id&quot;&lt;x&gt;"));
    ck_assert_ptr_nonnull(strstr(out, "2026-11-21T09:00:00Z"));
    ck_assert_ptr_nonnull(strstr(out, "Your browser"));
    ck_assert_ptr_nonnull(strstr(out, "Failing"));
    /* nothing that makes a browser fetch anything */
    ck_assert_ptr_null(strstr(out, "src="));
    ck_assert_ptr_nonnull(strstr(out, "<link rel=\"icon\" href=\"data:,\">"));
    ck_assert_ptr_null(strstr(strstr(out, "href=") + 1, "href="));
    ck_assert_ptr_null(strstr(out, "url("));
    ck_assert_ptr_null(strstr(out, "@import"));
    /* no upstream, no raw input */
    ck_assert_ptr_null(strstr(out, "10.0.0.1"));
    ck_assert_ptr_null(strstr(out, "<script"));
}
END_TEST

START_TEST(text_page)
{
    gwg_page_values v = hostile();
    size_t len;
    const char *out = render(GWG_REP_TEXT, &v, &len);

    ck_assert(strncmp(out, "502 Bad Gateway\n\n", 17) == 0);
    ck_assert_ptr_nonnull(strstr(out, "Request ID: id\"<x>\n"));
}
END_TEST

/* The maintenance page in each representation: the admin's message,
 * escaped for where it stands; no hop is shown as failing. */
START_TEST(maintenance_pages_show_the_message_escaped)
{
    gwg_page_values v = hostile();
    const gwg_class_info *c = gwg_class_get(GWG_CLASS_MAINTENANCE);
    size_t len;
    int line;
    const char *out;

    v.status = 503;
    v.reason = "Service Unavailable";
    v.cls = c->name;
    v.code = c->code;
    v.class_text = c->text;
    v.retryable = 1;
    v.message = "Back at 15:00 <b>UTC</b> & \"soon\"";
    out = gwg_template_render_str(gwg_page_builtin_maint(GWG_REP_JSON), &v,
                                  &len, pool);
    ck_assert_ptr_nonnull(strstr(out, "\"class\":\"maintenance\",\"code\":"
        "\"MA\",\"message\":\"Back at 15:00 \\u003cb\\u003eUTC\\u003c/b"
        "\\u003e \\u0026 \\\"soon\\\"\",\"request_id\""));
    ck_assert_ptr_null(gwg_json_check(out, len, &line));
    out = gwg_template_render_str(gwg_page_builtin_maint(GWG_REP_PROBLEM),
                                  &v, &len, pool);
    ck_assert_ptr_nonnull(strstr(out, "\"message\":\"Back at"));
    ck_assert_ptr_null(gwg_json_check(out, len, &line));
    out = gwg_template_render_str(gwg_page_builtin_maint(GWG_REP_HTML), &v,
                                  &len, pool);
    ck_assert_ptr_nonnull(strstr(out, "<p class=\"message\">Back at 15:00 "
        "&lt;b&gt;UTC&lt;/b&gt; &amp; &quot;soon&quot;</p>"));
    ck_assert_ptr_null(strstr(out, "Failing"));
    ck_assert_ptr_null(strstr(out, "<script"));
    out = gwg_template_render_str(gwg_page_builtin_maint(GWG_REP_TEXT), &v,
                                  &len, pool);
    ck_assert_ptr_nonnull(strstr(out, "down for maintenance\n\nBack at"));
    v.message = NULL;                    /* no message: still valid */
    out = gwg_template_render_str(gwg_page_builtin_maint(GWG_REP_JSON), &v,
                                  &len, pool);
    ck_assert_ptr_nonnull(strstr(out, "\"message\":\"\""));
    ck_assert_ptr_null(gwg_json_check(out, len, &line));
    ck_assert_ptr_null(gwg_page_builtin_maint((gwg_rep)7));
}
END_TEST

START_TEST(init_is_idempotent)
{
    const gwg_template *t = gwg_page_builtin(GWG_REP_HTML);

    ck_assert_ptr_null(gwg_page_builtin_init(pool));
    ck_assert_ptr_eq(gwg_page_builtin(GWG_REP_HTML), t);
    ck_assert_ptr_null(gwg_page_builtin((gwg_rep)7));
}
END_TEST

static const char *reason_of(int status)
{
    return status == 502 ? "Bad Gateway" : status == 503
           ? "Service Unavailable" : "Gateway Timeout";
}

/* A page bound to a class at config time says, byte for byte, what the
 * unbound page says for that class, hostile request values included. */
static char room_probe[512];   /* written over: must not reach the page */

START_TEST(bound_pages_are_the_same_bytes)
{
    gwg_page_values v = hostile();
    int c, rep, n = 0;

    gwg_page_builtin_bind(pool, reason_of);
    for (c = 0; c < GWG_CLASS_COUNT; c++) {
        const gwg_class_info *info = gwg_class_get((gwg_class_t)c);
        for (rep = 0; rep < 4; rep++) {
            const gwg_template *b = gwg_page_builtin_for(
                (gwg_rep)rep, (gwg_class_t)c, info->status);
            size_t la, lb;
            const char *want, *got;

            v.status = info->status;
            v.reason = reason_of(info->status);
            v.cls = info->name;
            v.code = info->code;
            v.class_text = info->text;
            v.retryable = c & 1;
            want = render((gwg_rep)rep, &v, &la);
            got = gwg_template_render_str(b, &v, &lb, pool);
            ck_assert_uint_eq(la, lb);
            ck_assert_str_eq(got, want);
            /* with room before it (the direct answer's head): the same
             * page, the room inside the same allocation */
            memset(room_probe, 'H', sizeof(room_probe));
            got = gwg_template_render_room(b, &v, sizeof(room_probe), &lb,
                                           pool);
            ck_assert_uint_eq(la, lb);
            ck_assert_str_eq(got, want);
            memcpy((char *)got - sizeof(room_probe), room_probe,
                   sizeof(room_probe));
            ck_assert_str_eq(got, want);
            n += b != gwg_page_builtin((gwg_rep)rep);
        }
        /* another status than the class's: the unbound page */
        ck_assert_ptr_eq(gwg_page_builtin_for(GWG_REP_HTML, (gwg_class_t)c,
                                              299),
                         gwg_page_builtin(GWG_REP_HTML));
    }
    ck_assert_int_eq(n, 4 * (GWG_CLASS_COUNT - 4));   /* four have status 0 */
    /* what is left to fill per request */
    ck_assert_uint_eq(gwg_template_uses(gwg_page_builtin_for(
        GWG_REP_HTML, GWG_CLASS_DNS, 502)),
        GWG_USES_REQUEST_ID | GWG_USES_TIME);
    ck_assert_uint_eq(gwg_template_uses(gwg_page_builtin_for(
        GWG_REP_JSON, GWG_CLASS_DNS, 502)),
        GWG_USES_REQUEST_ID | GWG_USES_TIME | GWG_USES_RETRYABLE);
}
END_TEST

Suite *page_suite(void)
{
    Suite *s = suite_create("page");
    TCase *tc = tcase_create("page");

    /* the builtins are compiled once per pool: setup compiles them,
     * teardown forgets them with their pool */
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, json_body_is_the_spec_shape);
    tcase_add_test(tc, problem_body_has_rfc9457_members);
    tcase_add_test(tc, html_page_is_self_contained_and_escaped);
    tcase_add_test(tc, text_page);
    tcase_add_test(tc, init_is_idempotent);
    tcase_add_test(tc, maintenance_pages_show_the_message_escaped);
    tcase_add_test(tc, bound_pages_are_the_same_bytes);
    suite_add_tcase(s, tc);
    return s;
}
