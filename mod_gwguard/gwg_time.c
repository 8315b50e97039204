/*
 * Wall-clock helpers. CLOCK_REALTIME because the values are shown to
 * people and compared across processes and restarts.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gwg_time.h"

uint64_t gwg_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

char *gwg_time_rfc3339(char *buf, size_t len, uint64_t us)
{
    /* pages and the ring format "now" on every failure: keep the last
     * second's string per thread */
    static __thread uint64_t cached_sec = UINT64_MAX;
    static __thread char cached[GWG_RFC3339_LEN];
    static __thread size_t cached_len;
    time_t secs = (time_t)(us / 1000000u);
    struct tm tm;

    if (us != 0 && us / 1000000u == cached_sec && len > cached_len) {
        memcpy(buf, cached, cached_len + 1);
        return buf;
    }
    if (us == 0 || !gmtime_r(&secs, &tm)
        || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        if (len) {
            buf[0] = '\0';
        }
        return buf;
    }
    if (strlen(buf) < sizeof(cached)) {
        cached_len = strlen(buf);
        memcpy(cached, buf, cached_len + 1);
        cached_sec = us / 1000000u;
    }
    return buf;
}
