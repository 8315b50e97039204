/* Negotiation: RFC 9110 Accept with q-values, most specific range first. */
#include "gwg_accept.h"
#include "unit.h"

START_TEST(defaults_to_html)
{
    ck_assert_int_eq(gwg_accept_choose(NULL), GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose(""), GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("*/*"), GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("image/png"), GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("garbage"), GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("text/html;q=0, application/json;q=0"),
                     GWG_REP_HTML);
    /* a browser */
    ck_assert_int_eq(gwg_accept_choose("text/html,application/xhtml+xml,"
                                       "application/xml;q=0.9,*/*;q=0.8"),
                     GWG_REP_HTML);
}
END_TEST

START_TEST(json_when_preferred)
{
    ck_assert_int_eq(gwg_accept_choose("application/json"), GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose("application/vnd.api+json"),
                     GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose("text/html;q=0.5, application/json"),
                     GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose("text/html, application/json;q=0.9"),
                     GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("application/json;q=0.9,text/html;"
                                       "q=0.8"), GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose("application/*"), GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose("APPLICATION/JSON"), GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose(" application/json ; q=1.0 "),
                     GWG_REP_JSON);
}
END_TEST

START_TEST(problem_json_when_preferred)
{
    ck_assert_int_eq(gwg_accept_choose("application/problem+json"),
                     GWG_REP_PROBLEM);
    ck_assert_int_eq(gwg_accept_choose("application/json;q=0.5, "
                                       "application/problem+json"),
                     GWG_REP_PROBLEM);
    ck_assert_int_eq(gwg_accept_choose("application/json, "
                                       "application/problem+json;q=0.5"),
                     GWG_REP_JSON);
}
END_TEST

START_TEST(text_when_preferred_over_html)
{
    ck_assert_int_eq(gwg_accept_choose("text/plain"), GWG_REP_TEXT);
    ck_assert_int_eq(gwg_accept_choose("text/*"), GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("text/plain, text/html;q=0.9"),
                     GWG_REP_TEXT);
    ck_assert_int_eq(gwg_accept_choose("text/plain;q=0.5, text/html;q=0.5"),
                     GWG_REP_HTML);
    /* curl's default */
    ck_assert_int_eq(gwg_accept_choose("*/*"), GWG_REP_HTML);
}
END_TEST

START_TEST(most_specific_range_wins)
{
    /* text/html is refused even though * / * is acceptable */
    ck_assert_int_eq(gwg_accept_choose("*/*;q=0.9, text/html;q=0"),
                     GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose("application/*;q=0.1, "
                                       "application/json;q=0.8, text/*;q=0.5"),
                     GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose("text/*;q=0.9, text/plain;q=0.1, "
                                       "application/json;q=0.5"),
                     GWG_REP_HTML);
}
END_TEST

START_TEST(bad_q_values_ignore_the_range)
{
    ck_assert_int_eq(gwg_accept_choose("application/json;q=2"), GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("application/json;q=0.1234"),
                     GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("application/json;q=x"), GWG_REP_HTML);
    ck_assert_int_eq(gwg_accept_choose("application/json;q=0.001"),
                     GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose("application/json;charset=utf-8;"
                                       "q=0.7, text/html;q=0.6"),
                     GWG_REP_JSON);
    ck_assert_int_eq(gwg_accept_choose(",,;,/,application/json"),
                     GWG_REP_JSON);
}
END_TEST

START_TEST(content_types_carry_charset)
{
    ck_assert_str_eq(gwg_rep_content_type(GWG_REP_HTML),
                     "text/html; charset=utf-8");
    ck_assert_str_eq(gwg_rep_content_type(GWG_REP_PROBLEM),
                     "application/problem+json; charset=utf-8");
}
END_TEST

/* gwg_accept_pick over a caller's own list */
static const gwg_media offers[] = {
    { "text", "html", NULL, 0 },
    { "application", "xml", NULL, 0 },
    { "text", "plain", "version=0.0.4", 0 },
    { "image", "png", NULL, 0 },
};
#define PICK(accept) gwg_accept_pick((accept), offers, 4)

START_TEST(pick_among_a_callers_types)
{
    ck_assert_int_eq(PICK(NULL), -1);
    ck_assert_int_eq(PICK(""), -1);
    ck_assert_int_eq(PICK("application/json"), -1);
    ck_assert_int_eq(PICK("image/png"), 3);
    ck_assert_int_eq(PICK("application/xml;q=0.9, image/png;q=0.8"), 1);
    /* a tie goes to the caller's order, not the header's */
    ck_assert_int_eq(PICK("image/png, application/xml"), 1);
    ck_assert_int_eq(PICK("*/*"), 0);
    ck_assert_int_eq(PICK("image/*;q=0.5, */*;q=0.1"), 3);
    ck_assert_int_eq(PICK("*/*;q=0.5, text/html;q=0, application/xml;q=0"),
                     3);
    ck_assert_int_eq(PICK("text/html;q=0, application/xml;q=0"), -1);
    /* an empty list accepts nothing */
    ck_assert_int_eq(gwg_accept_pick("*/*", offers, 0), -1);
}
END_TEST

START_TEST(pick_a_type_that_needs_a_parameter)
{
    ck_assert_int_eq(PICK("text/plain"), -1);
    ck_assert_int_eq(PICK("text/plain;version=0.0.4"), 2);
    ck_assert_int_eq(PICK("text/plain; charset=utf-8; version=0.0.4;q=0.5,"
                          " text/html;q=0.4"), 2);
    ck_assert_int_eq(PICK("text/plain;version=0.0.40"), -1);
    ck_assert_int_eq(PICK("text/plain;xversion=0.0.4"), -1);
    /* wildcards never name it: text/(any) is HTML's */
    ck_assert_int_eq(PICK("text/*;version=0.0.4"), 0);
    ck_assert_int_eq(PICK("text/plain;version=0.0.4;q=0, */*;q=0.1"), 0);
}
END_TEST

START_TEST(pick_rejects_bad_q)
{
    ck_assert_int_eq(PICK("image/png;q=1.5"), -1);
    ck_assert_int_eq(PICK("image/png;q=1.001"), -1);
    ck_assert_int_eq(PICK("image/png;q=1.000"), 3);
    ck_assert_int_eq(PICK("image/png;q=2, text/html;q=0.1"), 0);
    ck_assert_int_eq(PICK("image/png;q=-1"), -1);
    ck_assert_int_eq(PICK("image/png;q=.5"), -1);
    ck_assert_int_eq(PICK("image/png;q="), -1);
    ck_assert_int_eq(PICK("image/png;Q=0.5, text/html;q=0.4"), 3);
}
END_TEST

Suite *accept_suite(void)
{
    Suite *s = suite_create("accept");
    TCase *tc = tcase_create("accept");

    tcase_add_test(tc, defaults_to_html);
    tcase_add_test(tc, json_when_preferred);
    tcase_add_test(tc, problem_json_when_preferred);
    tcase_add_test(tc, text_when_preferred_over_html);
    tcase_add_test(tc, most_specific_range_wins);
    tcase_add_test(tc, bad_q_values_ignore_the_range);
    tcase_add_test(tc, content_types_carry_charset);
    tcase_add_test(tc, pick_among_a_callers_types);
    tcase_add_test(tc, pick_a_type_that_needs_a_parameter);
    tcase_add_test(tc, pick_rejects_bad_q);
    suite_add_tcase(s, tc);
    return s;
}
