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

START_TEST(unix_sockets_and_websockets)
{
    char buf[320], small[24];

    ck_assert_int_eq(gwg_upstream_key_unix(buf, sizeof(buf), "fcgi", 4,
                                           "/run/php/php8.2-fpm.sock"), 34);
    ck_assert_str_eq(buf, "fcgi+unix:/run/php/php8.2-fpm.sock");
    /* the scheme is lower-cased, the path (a file name) is not */
    gwg_upstream_key_unix(buf, sizeof(buf), "HTTP", 4, "/Run/A.sock");
    ck_assert_str_eq(buf, "http+unix:/Run/A.sock");
    gwg_upstream_key_unix(buf, sizeof(buf), "ws", 2, "/run/ws.sock");
    ck_assert_str_eq(buf, "http+unix:/run/ws.sock");
    ck_assert_int_eq(gwg_upstream_key_unix(buf, sizeof(buf), "fcgi", 4,
                                           "relative.sock"), -1);
    ck_assert_int_eq(gwg_upstream_key_unix(buf, sizeof(buf), "fcgi", 0,
                                           "/a"), -1);
    ck_assert_int_eq(gwg_upstream_key_unix(small, sizeof(small), "fcgi", 4,
                                           "/a/very/long/socket.sock"), -1);
    /* ws:// and an upgrade=websocket route to one origin: one key */
    ck_assert_str_eq(key("ws", "127.0.0.1", 8080), "http://127.0.0.1:8080");
    ck_assert_str_eq(key("WSS", "b", 0), "https://b:443");
    ck_assert_str_eq(url_key("ws://127.0.0.1:8080/chat"),
                     "http://127.0.0.1:8080");
    ck_assert_str_eq(url_key("wss://h/"), "https://h:443");
    ck_assert_str_eq(url_key("fcgi://127.0.0.1:9000/x.php"),
                     "fcgi://127.0.0.1:9000");
}
END_TEST

Suite *upstream_suite(void)
{
    Suite *s = suite_create("upstream");
    TCase *tc = tcase_create("keys");

    tcase_add_test(tc, from_parts);
    tcase_add_test(tc, from_url);
    tcase_add_test(tc, too_long_does_not_overflow);
    tcase_add_test(tc, unix_sockets_and_websockets);
    suite_add_tcase(s, tc);
    return s;
}
