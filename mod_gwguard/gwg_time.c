/*
 * Wall-clock helpers. CLOCK_REALTIME because the values are shown to
 * people and compared across processes and restarts.
 */
#include <stdio.h>
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
    time_t secs = (time_t)(us / 1000000u);
    struct tm tm;

    if (us == 0 || !gmtime_r(&secs, &tm)
        || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        if (len) {
            buf[0] = '\0';
        }
    }
    return buf;
}
