/* Upstream keys: scheme://host:port, lower-case, port always written. */
#include <string.h>

#include "gwg_upstream.h"
#include "unit.h"

static const char *key(const char *scheme, const char *host, unsigned port)
{
    static char buf[320];

    return gwg_upstream_key(buf, sizeof(buf), scheme, host, port) < 0
           ? NULL : buf;
}

static const char *url_key(const char *url)
{
    static char buf[320];

    return gwg_upstream_key_from_url(buf, sizeof(buf), url) < 0 ? NULL : buf;
}

START_TEST(from_parts)
{
    ck_assert_str_eq(key("http", "127.0.0.1", 8080), "http://127.0.0.1:8080");
    ck_assert_str_eq(key("HTTP", "App.Example.COM", 0),
                     "http://app.example.com:80");
    ck_assert_str_eq(key("https", "backend", 0), "https://backend:443");
    ck_assert_str_eq(key("http", "::1", 8080), "http://[::1]:8080");
    ck_assert_ptr_null(key("http", "", 80));
    ck_assert_ptr_null(key(NULL, "x", 80));
}
END_TEST

START_TEST(from_url)
{
    ck_assert_str_eq(url_key("http://127.0.0.1:8080/a/b?c"),
                     "http://127.0.0.1:8080");
    ck_assert_str_eq(url_key("https://User@Host.Example/x"),
                     "https://host.example:443");
    ck_assert_str_eq(url_key("http://[::1]:81/"), "http://[::1]:81");
    ck_assert_str_eq(url_key("http://[::1]/"), "http://[::1]:80");
    ck_assert_ptr_null(url_key("no-scheme"));
    ck_assert_ptr_null(url_key("http:///path"));
    ck_assert_ptr_null(url_key("http://[::1/"));
}
END_TEST

START_TEST(too_long_does_not_overflow)
{
    char host[400], buf[32];

    memset(host, 'a', sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    ck_assert_int_eq(gwg_upstream_key(buf, sizeof(buf), "http", host, 80),
                     -1);
    ck_assert_int_eq(gwg_upstream_key(buf, 22, "http", "127.0.0.1", 8080),
                     21);
    ck_assert_int_eq(gwg_upstream_key(buf, 21, "http", "127.0.0.1", 8080),
                     -1);
}
END_TEST

Suite *upstream_suite(void)
{
    Suite *s = suite_create("upstream");
    TCase *tc = tcase_create("keys");

    tcase_add_test(tc, from_parts);
    tcase_add_test(tc, from_url);
    tcase_add_test(tc, too_long_does_not_overflow);
    suite_add_tcase(s, tc);
    return s;
}
