/*
 * One attempt of a proxied request (gwg_attempt.h): the signals derived
 * at its end and the failover rule.
 */
#include <string.h>

#include "gwg_attempt.h"

void gwg_attempt_end(gwg_attempt_signals *a, long long end_us)
{
    long long active = a->last_out_us > a->start_us ? a->last_out_us
                                                     : a->start_us;

    a->end_us = end_us;
    a->connected = a->connected_us != 0 || a->cgi_vars;
    a->elapsed_us = end_us > a->start_us ? end_us - a->start_us : 0;
    /* the handler's last pass of response data, or the attempt's start */
    a->idle_us = end_us ? end_us - active : -1;
}

void gwg_attempt_verdict(gwg_verdict *v, const gwg_verdict *request,
                         const gwg_attempt_signals *a, int i, int n)
{
    gwg_observation o;

    if (i == n - 1) {
        *v = *request;
        return;
    }
    memset(&o, 0, sizeof(o));
    o.handler_status = 503;
    o.response_status = 200;            /* HTTP_OK: nothing answered yet */
    o.attempts = n;
    o.attempt = *a;
    gwg_classify(v, &o);
}
