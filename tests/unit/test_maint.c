/* Maintenance windows in the slot: set, read, end by themselves, hostile
 * words and messages, DURATION and TIME parsing (gwg_maint.c). */
#include <string.h>

#include "gwg_maint.h"
#include "unit.h"

#define S 1000000ull
#define T0 (1764514800ull * S)           /* 2025-11-30T15:00:00Z */

static gwg_slot slot;

static void fresh(void)
{
    memset(&slot, 0, sizeof(slot));
}

START_TEST(off_by_default)
{
    gwg_maint m;

    fresh();
    gwg_maint_get(&m, &slot, T0);
    ck_assert(!m.on);
    ck_assert_int_eq(gwg_maint_retry_after(&m, T0), -1);
}
END_TEST

START_TEST(window_with_an_end_ends_by_itself)
{
    gwg_maint m;

    fresh();
    gwg_maint_set(&slot, T0, T0 + 90 * S, 1000, "back at 15:30 UTC");
    gwg_maint_get(&m, &slot, T0 + S / 2);
    ck_assert(m.on);
    ck_assert_uint_eq(m.since, T0);
    ck_assert_uint_eq(m.until, T0 + 90 * S);
    ck_assert_uint_eq(m.by, 1000);
    ck_assert_str_eq(m.message, "back at 15:30 UTC");
    /* 89.5 s left: rounded up */
    ck_assert_int_eq(gwg_maint_retry_after(&m, T0 + S / 2), 90);
    ck_assert_int_eq(gwg_maint_retry_after(&m, T0 + 90 * S - 1), 1);
    gwg_maint_set(&slot, T0, T0 + 3650ull * 86400 * S, 0, NULL);
    gwg_maint_get(&m, &slot, T0);
    ck_assert_int_eq(gwg_maint_retry_after(&m, T0), GWG_MAINT_MAX_SECONDS);
    gwg_maint_set(&slot, T0, T0 + 90 * S, 1000, "back at 15:30 UTC");
    gwg_maint_get(&m, &slot, T0 + 90 * S);
    ck_assert(!m.on);                    /* nothing cleared it */
    ck_assert_uint_ne(slot.maint_on, 0);
}
END_TEST

START_TEST(window_until_turned_off)
{
    gwg_maint m;

    fresh();
    gwg_maint_set(&slot, T0, 0, 0, NULL);
    gwg_maint_get(&m, &slot, T0 + 3650ull * 86400 * S);
    ck_assert(m.on);
    ck_assert_uint_eq(m.by, 0);          /* root */
    ck_assert_str_eq(m.message, "");
    ck_assert_int_eq(gwg_maint_retry_after(&m, T0), -1);
    gwg_maint_clear(&slot);
    gwg_maint_get(&m, &slot, T0);
    ck_assert(!m.on);
    ck_assert_uint_eq(slot.maint_until, 0);
    ck_assert_uint_eq(slot.maint_message[0], 0);
}
END_TEST

START_TEST(replacing_a_window_replaces_its_message)
{
    gwg_maint m;

    fresh();
    gwg_maint_set(&slot, T0, 0, 1, "a much longer first message here");
    gwg_maint_set(&slot, T0 + S, 0, 2, "short");
    gwg_maint_get(&m, &slot, T0 + S);
    ck_assert_str_eq(m.message, "short");
    ck_assert_uint_eq(m.by, 2);
    ck_assert_uint_eq(m.since, T0 + S);
}
END_TEST

/* The file is hostile: bytes that are not text never leave the slot. */
START_TEST(hostile_message_bytes_are_cut)
{
    gwg_maint m;
    char *msg = (char *)slot.maint_message;

    fresh();
    gwg_maint_set(&slot, T0, 0, 0, NULL);
    memset(msg, 'A', sizeof(slot.maint_message));    /* no NUL at all */
    gwg_maint_get(&m, &slot, T0);
    ck_assert_uint_eq(strlen(m.message), GWG_MAINT_MSG_MAX);
    memcpy(msg, "ok\x1b[2J", 7);
    gwg_maint_get(&m, &slot, T0);
    ck_assert_str_eq(m.message, "ok");
    memcpy(msg, "caf\xc3\xa9 \xc3", 7);              /* cut sequence */
    gwg_maint_get(&m, &slot, T0);
    ck_assert_str_eq(m.message, "caf\xc3\xa9 ");
    memcpy(msg, "x\xc0\xafy", 5);                    /* overlong '/' */
    gwg_maint_get(&m, &slot, T0);
    ck_assert_str_eq(m.message, "x");
    memcpy(msg, "x\xed\xa0\x80y", 6);                /* a surrogate */
    gwg_maint_get(&m, &slot, T0);
    ck_assert_str_eq(m.message, "x");
}
END_TEST

START_TEST(message_rules)
{
    char why[256], long_msg[GWG_MAINT_MSG_MAX + 2];

    ck_assert_ptr_null(gwg_maint_check_message("", why, sizeof(why)));
    ck_assert_ptr_null(gwg_maint_check_message(
        "Wartung bis 15:00 \xe2\x80\x94 gr\xc3\xbc\xc3\x9f" "e", why,
        sizeof(why)));
    memset(long_msg, 'a', sizeof(long_msg) - 1);
    long_msg[sizeof(long_msg) - 1] = '\0';
    ck_assert_ptr_nonnull(gwg_maint_check_message(long_msg, why,
                                                  sizeof(why)));
    ck_assert_ptr_nonnull(strstr(why, "at most 55 bytes"));
    long_msg[GWG_MAINT_MSG_MAX] = '\0';
    ck_assert_ptr_null(gwg_maint_check_message(long_msg, why, sizeof(why)));
    ck_assert_ptr_nonnull(gwg_maint_check_message("a\nb", why, sizeof(why)));
    ck_assert_ptr_nonnull(strstr(why, "control character"));
    ck_assert_ptr_nonnull(gwg_maint_check_message("\xff", why, sizeof(why)));
    ck_assert_ptr_nonnull(gwg_maint_check_message("\xc2\x85", why,
                                                  sizeof(why)));   /* NEL */
}
END_TEST

START_TEST(durations)
{
    static const struct { const char *s; uint64_t secs; } good[] = {
        { "90", 90 }, { "1s", 1 }, { "15m", 900 }, { "2h", 7200 },
        { "1d", 86400 }, { "366d", 366ull * 86400 },
    };
    static const char *const bad[] = {
        "", "0", "0m", "-5", "5x", "m", "1.5h", "15 m", "15mm", "367d",
        "99999999999999999999999", "31622401", " 5",
    };
    char why[256];
    uint64_t v;
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(gwg_maint_parse_duration(&v, good[i].s, why,
                                               sizeof(why)) == NULL,
                      "%s", good[i].s);
        ck_assert_uint_eq(v, good[i].secs);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(gwg_maint_parse_duration(&v, bad[i], why, sizeof(why))
                      != NULL, "'%s' accepted", bad[i]);
        ck_assert_ptr_nonnull(strstr(why, "DURATION"));
    }
}
END_TEST

START_TEST(times)
{
    static const struct { const char *s; uint64_t secs; } good[] = {
        { "2025-11-30T15:00:00Z", 1764514800 },
        { "2025-11-30t15:00:00z", 1764514800 },
        { "2025-11-30 16:00:00+01:00", 1764514800 },
        { "2025-11-30T10:30:00-04:30", 1764514800 },
        { "2025-11-30T15:00:00.999Z", 1764514800 },
        { "2024-02-29T00:00:00Z", 1709164800 },
        { "1970-01-01T00:00:01Z", 1 },
    };
    static const char *const bad[] = {
        "", "2025-11-30", "2025-11-30T15:00Z", "2025-11-30T15:00:00",
        "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-11-31T00:00:00Z",
        "2025-11-30T24:00:00Z", "2025-11-30T15:60:00Z", "2025-11-30T15:00:00+1:00",
        "2025-11-30T15:00:00Zjunk", "1969-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z", "tomorrow",
    };
    char why[256];
    uint64_t v;
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(gwg_maint_parse_time(&v, good[i].s, why, sizeof(why))
                      == NULL, "%s: %s", good[i].s, why);
        ck_assert_uint_eq(v, good[i].secs * S);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(gwg_maint_parse_time(&v, bad[i], why, sizeof(why))
                      != NULL, "'%s' accepted", bad[i]);
        ck_assert_ptr_nonnull(strstr(why, "RFC 3339"));
    }
}
END_TEST

Suite *maint_suite(void)
{
    Suite *s = suite_create("maint");
    TCase *tc = tcase_create("window");

    tcase_add_test(tc, off_by_default);
    tcase_add_test(tc, window_with_an_end_ends_by_itself);
    tcase_add_test(tc, window_until_turned_off);
    tcase_add_test(tc, replacing_a_window_replaces_its_message);
    tcase_add_test(tc, hostile_message_bytes_are_cut);
    tcase_add_test(tc, message_rules);
    tcase_add_test(tc, durations);
    tcase_add_test(tc, times);
    suite_add_tcase(s, tc);
    return s;
}
