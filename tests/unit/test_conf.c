/* Directive value parsing: good values pass, bad ones are named. */
#include <string.h>

#include "gwg_class.h"
#include "gwg_conf.h"
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

START_TEST(flag)
{
    int v = -1;

    ck_assert_ptr_null(gwg_conf_flag(&v, "GwGuard", "On", pool));
    ck_assert_int_eq(v, 1);
    ck_assert_ptr_null(gwg_conf_flag(&v, "GwGuard", "off", pool));
    ck_assert_int_eq(v, 0);
    ck_assert_str_eq(gwg_conf_flag(&v, "GwGuard", "maybe", pool),
                     "GwGuard: 'maybe' is not a valid value; expected On or "
                     "Off");
}
END_TEST

START_TEST(uint_range)
{
    unsigned long v = 0;
    const char *err;

    ck_assert_ptr_null(gwg_conf_uint(&v, "GwGuardMaxUpstreams", "16", 16,
                                     100000, pool));
    ck_assert_uint_eq(v, 16);
    ck_assert_ptr_null(gwg_conf_uint(&v, "X", "100000", 16, 100000, pool));
    err = gwg_conf_uint(&v, "GwGuardMaxUpstreams", "15", 16, 100000, pool);
    ck_assert_str_eq(err, "GwGuardMaxUpstreams: '15' is out of range; "
                     "expected a number from 16 to 100000");
    err = gwg_conf_uint(&v, "GwGuardMaxUpstreams", "12x", 16, 100000, pool);
    ck_assert_ptr_nonnull(strstr(err, "'12x' is not a whole number"));
    ck_assert_ptr_nonnull(gwg_conf_uint(&v, "X", "-1", 0, 10, pool));
    ck_assert_ptr_nonnull(gwg_conf_uint(&v, "X", "", 0, 10, pool));
    ck_assert_ptr_nonnull(gwg_conf_uint(&v, "X", "99999999999999999999999",
                                        0, 10, pool));
    ck_assert_uint_eq(v, 100000);      /* bad values leave it unchanged */
}
END_TEST

START_TEST(path)
{
    ck_assert_ptr_null(gwg_conf_path("GwGuardShmFile", "/run/x.shm", pool));
    ck_assert_ptr_nonnull(gwg_conf_path("GwGuardShmFile", "", pool));
    ck_assert_ptr_nonnull(strstr(gwg_conf_path("GwGuardShmFile", "/run/",
                                               pool), "names a directory"));
}
END_TEST

START_TEST(status_code)
{
    int cls = -1, status = 0;
    const char *err;

    ck_assert_ptr_null(gwg_conf_status_code(&cls, &status,
                                            "GwGuardStatusCode", "dns",
                                            "504", pool));
    ck_assert_int_eq(cls, GWG_CLASS_DNS);
    ck_assert_int_eq(status, 504);
    err = gwg_conf_status_code(&cls, &status, "GwGuardStatusCode", "nosuch",
                               "502", pool);
    ck_assert_ptr_nonnull(strstr(err, "GwGuardStatusCode: 'nosuch' is not "
                                      "a failure class; expected one of "
                                      "connect_refused, "));
    err = gwg_conf_status_code(&cls, &status, "GwGuardStatusCode", "dns",
                               "404", pool);
    ck_assert_str_eq(err, "GwGuardStatusCode: '404' is out of range; "
                          "expected a number from 500 to 599");
    ck_assert_ptr_nonnull(gwg_conf_status_code(&cls, &status, "X", "dns",
                                               "600", pool));
    ck_assert_ptr_nonnull(gwg_conf_status_code(&cls, &status, "X", "dns",
                                               "5O2", pool));
    ck_assert_int_eq(status, 504);     /* bad values leave it unchanged */
}
END_TEST

Suite *conf_suite(void)
{
    Suite *s = suite_create("conf");
    TCase *tc = tcase_create("values");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, flag);
    tcase_add_test(tc, uint_range);
    tcase_add_test(tc, path);
    tcase_add_test(tc, status_code);
    suite_add_tcase(s, tc);
    return s;
}
