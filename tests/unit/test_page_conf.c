/* Page directive values: keys, targets, intercept sets, var names, and
 * what counts as a JSON Content-Type. */
#include <apr_strings.h>

#include "gwg_accept.h"
#include "gwg_page_conf.h"
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

START_TEST(page_keys)
{
    const char *key = NULL, *err;

    ck_assert_ptr_null(gwg_conf_page_key(&key, "D", "Default", pool));
    ck_assert_str_eq(key, "default");
    ck_assert_ptr_null(gwg_conf_page_key(&key, "D", "502", pool));
    ck_assert_str_eq(key, "502");
    ck_assert_ptr_null(gwg_conf_page_key(&key, "D", "dns", pool));
    ck_assert_str_eq(key, "dns");
    err = gwg_conf_page_key(&key, "D", "404", pool);
    ck_assert_ptr_nonnull(strstr(err, "D: '404' is not a status, class or "
                                 "default; expected a status from 500 to "
                                 "599, a class (connect_refused"));
    ck_assert_ptr_nonnull(gwg_conf_page_key(&key, "D", "5020", pool));
    ck_assert_ptr_nonnull(gwg_conf_page_key(&key, "D", "DNS", pool));
    ck_assert_ptr_nonnull(gwg_conf_page_key(&key, "D", "", pool));
}
END_TEST

START_TEST(page_targets)
{
    gwg_page_target t;

    ck_assert_ptr_null(gwg_conf_page_target(&t, "D", "builtin", pool));
    ck_assert_int_eq(t, GWG_TARGET_BUILTIN);
    ck_assert_ptr_null(gwg_conf_page_target(&t, "D", "None", pool));
    ck_assert_int_eq(t, GWG_TARGET_NONE);
    ck_assert_ptr_null(gwg_conf_page_target(&t, "D", "a/b.HTML", pool));
    ck_assert_int_eq(t, GWG_TARGET_HTML);
    ck_assert_ptr_null(gwg_conf_page_target(&t, "D", "x.htm", pool));
    ck_assert_int_eq(t, GWG_TARGET_HTML);
    ck_assert_ptr_null(gwg_conf_page_target(&t, "D", "/e/x.json", pool));
    ck_assert_int_eq(t, GWG_TARGET_JSON);
    ck_assert_str_eq(gwg_conf_page_target(&t, "D", "x.txt", pool),
                     "D: 'x.txt' is not a page; expected builtin, none, or "
                     "a .html or .json file");
    ck_assert_ptr_nonnull(gwg_conf_page_target(&t, "D", ".json", pool));
}
END_TEST

START_TEST(intercept_sets)
{
    unsigned char set[100];
    int i, n;

    ck_assert_ptr_null(gwg_conf_intercept(set, "I", "On", pool));
    for (i = 0, n = 0; i < 100; i++) n += set[i];
    ck_assert_int_eq(n, 3);
    ck_assert(set[2] && set[3] && set[4]);
    ck_assert_ptr_null(gwg_conf_intercept(set, "I", "off", pool));
    for (i = 0, n = 0; i < 100; i++) n += set[i];
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_null(gwg_conf_intercept(set, "I", "500  599\t503", pool));
    ck_assert(set[0] && set[99] && set[3] && !set[2]);
    ck_assert_str_eq(gwg_conf_intercept(set, "I", "503 404", pool),
                     "I: '404' is not valid here; expected Off, On, or "
                     "statuses from 500 to 599");
    ck_assert_ptr_nonnull(gwg_conf_intercept(set, "I", "On 500", pool));
    ck_assert_ptr_nonnull(gwg_conf_intercept(set, "I", "", pool));
    ck_assert_ptr_nonnull(gwg_conf_intercept(set, "I", "5x3", pool));
}
END_TEST

/* Issue 11, item 1: a template named in .htaccess stays in its tree. */
START_TEST(htaccess_paths)
{
    ck_assert_ptr_null(gwg_conf_htaccess_path("P", "page.html", pool));
    ck_assert_ptr_null(gwg_conf_htaccess_path("P", "pages/x..y.html", pool));
    ck_assert_ptr_nonnull(gwg_conf_htaccess_path("P", "/etc/x.html", pool));
    ck_assert_ptr_nonnull(gwg_conf_htaccess_path("P", "../x.html", pool));
    ck_assert_ptr_nonnull(gwg_conf_htaccess_path("P", "a/../../x.html",
                                                 pool));
    ck_assert_ptr_nonnull(gwg_conf_htaccess_path("P", "a//x.html", pool));
    ck_assert_ptr_nonnull(gwg_conf_htaccess_path("P", "./x.html", pool));
    ck_assert_ptr_nonnull(gwg_conf_htaccess_path("P", "a/..", pool));
    ck_assert_ptr_nonnull(gwg_conf_htaccess_path("P", "", pool));
}
END_TEST

START_TEST(var_names)
{
    ck_assert_ptr_null(gwg_conf_var_name("V", "brand_name-2", pool));
    ck_assert_ptr_nonnull(gwg_conf_var_name("V", "a.b", pool));
    ck_assert_ptr_nonnull(gwg_conf_var_name("V", "", pool));
    ck_assert_ptr_nonnull(gwg_conf_var_name("V", "{{x}}", pool));
}
END_TEST

START_TEST(json_media_types)
{
    ck_assert(gwg_media_is_json("application/json"));
    ck_assert(gwg_media_is_json("Application/JSON; charset=utf-8"));
    ck_assert(gwg_media_is_json("application/problem+json"));
    ck_assert(gwg_media_is_json("application/vnd.api+json;v=1"));
    ck_assert(!gwg_media_is_json(NULL));
    ck_assert(!gwg_media_is_json("text/html"));
    ck_assert(!gwg_media_is_json("application/jsonp"));
    ck_assert(!gwg_media_is_json("+json"));
    ck_assert(!gwg_media_is_json("text/plain; x=+json"));
}
END_TEST

Suite *page_conf_suite(void)
{
    Suite *s = suite_create("page_conf");
    TCase *tc = tcase_create("page_conf");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, page_keys);
    tcase_add_test(tc, page_targets);
    tcase_add_test(tc, intercept_sets);
    tcase_add_test(tc, var_names);
    tcase_add_test(tc, htaccess_paths);
    tcase_add_test(tc, json_media_types);
    suite_add_tcase(s, tc);
    return s;
}
