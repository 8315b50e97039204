/* The status formatter: table and JSON from one snapshot. */
#include <stdio.h>
#include <unistd.h>

#include "gwg_format.h"
#include "gwg_time.h"
#include "membuf.h"
#include "unit.h"

static char dir[64], path[128];
static apr_pool_t *pool;
static gwg_shm shm;

static void setup(void)
{
    char why[GWG_ERRMAX];
    int fresh, of;
    gwg_transition t;
    gwg_outcome ok = { GWG_CLASS_NONE, 0, 1, -1 };
    gwg_outcome bad = { GWG_CLASS_CONNECT_REFUSED, 503, 1763715600000000ull,
                        -1 };
    uint32_t a, b;

    apr_pool_create(&pool, NULL);
    strcpy(dir, "/tmp/gwg-fmt-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/s.shm", dir);
    ck_assert_int_eq(gwg_shm_attach_or_create(&shm, path, 16, 0, &fresh, why,
                                              sizeof(why)), APR_SUCCESS);
    a = gwg_shm_slot_for(&shm, "http://b.example:80", "http://b.example/",
                         "", &of);
    b = gwg_shm_slot_for(&shm, "http://a.example:8080",
                         "http://a.example:8080/", "balancer://c\"x", &of);
    gwg_shm_record(&shm, a, &ok, &t);
    gwg_shm_record(&shm, a, &bad, &t);
    gwg_shm_record(&shm, b, &ok, &t);
}

static void teardown(void)
{
    gwg_shm_close(&shm);
    unlink(path);
    rmdir(dir);
    apr_pool_destroy(pool);
}

static char *render(gwg_format_t f, const char *const *keys, int n)
{
    gwg_snapshot *snap;
    const char *missing;
    membuf m;
    gwg_out o;

    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &shm, path, keys, n,
                                       pool), APR_SUCCESS);
    membuf_out(&o, &m);
    ck_assert_int_eq(gwg_format_status(&o, snap, f, gwg_now_us()), 0);
    return m.data;
}

START_TEST(json_document)
{
    char *j = render(GWG_FORMAT_JSON, NULL, 0);

    ck_assert_msg(strncmp(j, "{\"version\":1,\"shm\":\"", 20) == 0, "%s", j);
    /* sorted by name, escaped balancer, every class present */
    ck_assert_ptr_nonnull(strstr(j, "\"upstreams\":[{\"name\":"
                                    "\"http://a.example:8080\""));
    ck_assert_ptr_nonnull(strstr(j, "\"balancer\":\"balancer://c\\\"x\""));
    ck_assert_ptr_nonnull(strstr(j, "\"name\":\"http://b.example:80\","
                                    "\"worker\":\"http://b.example/\","
                                    "\"balancer\":null,\"requests\":2,"
                                    "\"successes\":1,\"failures\":1,"
                                    "\"classes\":{\"connect_refused\":1,"
                                    "\"connect_timeout\":0,"));
    ck_assert_ptr_nonnull(strstr(j, "\"statuses\":{\"502\":0,\"503\":1,"
                                    "\"504\":0}"));
    ck_assert_ptr_nonnull(strstr(j, "\"last_failure\":{\"time\":"
                                    "\"2025-11-21T09:00:00Z\",\"class\":"
                                    "\"connect_refused\"},\"breaker\":"
                                    "\"closed\"}"));
    ck_assert_ptr_nonnull(strstr(j, "\"totals\":{\"requests\":3,"
                                    "\"successes\":2,\"failures\":1,"));
    ck_assert_ptr_nonnull(strstr(j, "\"reset\":null"));
    free(j);
}
END_TEST

START_TEST(table_and_key_filter)
{
    const char *keys[] = { "http://b.example:80" };
    char *t = render(GWG_FORMAT_TABLE, keys, 1);

    ck_assert_ptr_nonnull(strstr(t, "UPSTREAM"));
    ck_assert_ptr_nonnull(strstr(t, "http://b.example:80"));
    ck_assert_ptr_nonnull(strstr(t, "50.0%"));
    ck_assert_ptr_nonnull(strstr(t, "connect_refused"));
    ck_assert_ptr_null(strstr(t, "a.example"));
    free(t);
}
END_TEST

START_TEST(missing_key)
{
    const char *keys[] = { "http://nope:1" };
    const char *missing = NULL;
    gwg_snapshot *snap;

    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &shm, path, keys, 1,
                                       pool), APR_NOTFOUND);
    ck_assert_str_eq(missing, "http://nope:1");
}
END_TEST

Suite *format_suite(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("status");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, json_document);
    tcase_add_test(tc, table_and_key_filter);
    tcase_add_test(tc, missing_key);
    suite_add_tcase(s, tc);
    return s;
}
