/*
 * gwguardctl maintenance: list the upstreams in a maintenance window, put
 * some in one (until turned off, --for a while or --until a time, with a
 * message for the page), or take them out. The window lives in each
 * upstream's slot (gwg_maint.c), so it takes effect at once in every httpd
 * process, survives restarts and ends by itself.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>

#include "ctl.h"
#include "gwg_maint.h"
#include "gwg_time.h"
#include "gwg_upstream.h"

enum { OPT_FOR = 'f', OPT_UNTIL = 'u', OPT_MESSAGE = 'm' };

static const char *opt_for, *opt_until, *opt_message;
static int turn_on;                     /* 1 on, 0 off, -1 list */
static int nkeys;

static int option(int c, const char *arg)
{
    const char **slot = c == OPT_FOR ? &opt_for
                        : c == OPT_UNTIL ? &opt_until : &opt_message;

    if (*slot) {
        return ctl_usage("maintenance: --%s given twice",
                         c == OPT_FOR ? "for" : c == OPT_UNTIL ? "until"
                                                               : "message");
    }
    *slot = arg;
    return CTL_OK;
}

/* The options may also follow "on" (getopt stops at the first key):
 * "--for D", "--for=D", and the same for --until and --message. */
static int trailing_options(int argc, char **argv)
{
    static const struct { const char *name; int c; } opts[] = {
        { "--for", OPT_FOR }, { "--until", OPT_UNTIL },
        { "--message", OPT_MESSAGE },
    };
    int i, k, rc;

    for (i = 0; i < argc; i++) {
        for (k = 0; k < 3; k++) {
            size_t n = strlen(opts[k].name);
            if (strncmp(argv[i], opts[k].name, n) != 0
                || (argv[i][n] != '\0' && argv[i][n] != '=')) {
                continue;
            }
            if (argv[i][n] == '=') {
                rc = option(opts[k].c, argv[i] + n + 1);
            }
            else if (i + 1 < argc) {
                rc = option(opts[k].c, argv[++i]);
            }
            else {
                rc = ctl_usage("maintenance: %s needs a value", argv[i]);
            }
            if (rc != CTL_OK) {
                return rc;
            }
            break;
        }
        if (k == 3) {
            return ctl_usage("maintenance: unexpected '%s' after 'on'",
                             argv[i]);
        }
    }
    return CTL_OK;
}

/* KEY... on [options] | KEY... off | nothing (the list). */
static int operands(int argc, char **argv)
{
    int i;

    turn_on = -1;
    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "on") == 0 || strcmp(argv[i], "off") == 0) {
            turn_on = argv[i][1] == 'n';
            break;
        }
    }
    nkeys = i;
    if (argc == 0 && !opt_for && !opt_until && !opt_message) {
        return CTL_OK;                  /* the list */
    }
    if (turn_on < 0 || nkeys == 0) {
        return ctl_usage("maintenance: name the upstreams, then 'on' or "
                         "'off' (or nothing, to list them)");
    }
    if (turn_on == 0 && i + 1 < argc) {
        return ctl_usage("maintenance: nothing may follow 'off'");
    }
    if (turn_on && trailing_options(argc - i - 1, argv + i + 1) != CTL_OK) {
        return CTL_USAGE;
    }
    if (!turn_on && (opt_for || opt_until || opt_message)) {
        return ctl_usage("maintenance: --for, --until and --message go "
                         "with 'on'");
    }
    if (opt_for && opt_until) {
        return ctl_usage("maintenance: --for or --until, not both");
    }
    return CTL_OK;
}

/* When the window ends (0: when turned off), or a usage error. */
static int window_end(uint64_t *until, uint64_t now)
{
    char why[256];
    uint64_t secs;

    *until = 0;
    if (opt_for) {
        if (gwg_maint_parse_duration(&secs, opt_for, why, sizeof(why))) {
            return ctl_usage("maintenance: --for: %s", why);
        }
        *until = now + secs * 1000000u;
    }
    if (opt_until) {
        if (gwg_maint_parse_time(until, opt_until, why, sizeof(why))) {
            return ctl_usage("maintenance: --until: %s", why);
        }
        if (*until <= now) {
            return ctl_usage("maintenance: --until: '%s' is in the past",
                             opt_until);
        }
    }
    if (opt_message
        && gwg_maint_check_message(opt_message, why, sizeof(why))) {
        return ctl_usage("maintenance: --message: %s", why);
    }
    return CTL_OK;
}

static int printable(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* The key as the module writes it ("HTTP://Host" is "http://host:80"),
 * or NULL: a key that is not an upstream origin is refused before
 * anything changes. */
static const char *normal_key(const char *key, apr_pool_t *p)
{
    char buf[GWG_KEY_MAX];
    const char *unix_at = strstr(key, "+unix:");
    int n;

    if (strncasecmp(key, "balancer://", 11) == 0 || !printable(key)
        || strcmp(key, GWG_OVERFLOW_KEY) == 0) {
        return NULL;
    }
    n = unix_at ? gwg_upstream_key_unix(buf, sizeof(buf), key,
                                        (size_t)(unix_at - key),
                                        unix_at + 6)
                : gwg_upstream_key_from_url(buf, sizeof(buf), key);
    return n > 0 && printable(buf) ? apr_pstrdup(p, buf) : NULL;
}

/* Slot numbers of the keys; with claim, a key never proxied to gets its
 * slot now (so the window holds from its first request). */
static int find_slots(gwg_shm *shm, char **keys, long *slots, int claim,
                      const char *path, apr_pool_t *p)
{
    int i, of;

    for (i = 0; i < nkeys; i++) {
        const char *key = normal_key(keys[i], p);
        if (!key) {
            return ctl_usage("maintenance: '%s' is not an upstream key "
                             "(scheme://host:port, or SCHEME+unix:PATH; a "
                             "balancer is named by its members)", keys[i]);
        }
        slots[i] = gwg_shm_find(shm, keys[i]);
        if (slots[i] < 0) {
            slots[i] = gwg_shm_find(shm, key);
        }
        if (slots[i] < 0 && !claim) {
            ctl_error("no upstream '%s' in %s; nothing was changed",
                      keys[i], path);
            return CTL_FAIL;
        }
        keys[i] = (char *)(slots[i] >= 0 ? shm->slots[slots[i]].key : key);
    }
    for (i = 0; claim && i < nkeys; i++) {
        if (slots[i] >= 0) {
            continue;
        }
        slots[i] = gwg_shm_slot_for(shm, keys[i], "", "", &of);
        if ((uint32_t)slots[i] == gwg_shm_overflow_slot(shm)) {
            ctl_error("no free slot for '%s' in %s (raise "
                      "GwGuardMaxUpstreams)", keys[i], path);
            return CTL_FAIL;
        }
        fprintf(stderr, "gwguardctl: note: %s has not been proxied to yet; "
                "its slot is claimed so the window holds from its first "
                "request\n", keys[i]);
    }
    return CTL_OK;
}

static int set_windows(ctl_env *env)
{
    char end[GWG_RFC3339_LEN];
    uint64_t now = gwg_now_us(), until;
    long *slots = apr_pcalloc(env->p, sizeof(long) * (size_t)nkeys);
    gwg_shm rw;
    int i, rc;

    if ((rc = turn_on ? window_end(&until, now) : CTL_OK) != CTL_OK) {
        return rc;
    }
    if (ctl_open_shm(&rw, env->shm_path, 1) != CTL_OK) {
        return CTL_FAIL;
    }
    rc = find_slots(&rw, env->argv, slots, turn_on, env->shm_path, env->p);
    for (i = 0; rc == CTL_OK && i < nkeys; i++) {
        if (!turn_on) {
            gwg_maint_clear(&rw.slots[slots[i]]);
            printf("maintenance off: %s\n", env->argv[i]);
            continue;
        }
        gwg_maint_set(&rw.slots[slots[i]], now, until, (uint32_t)getuid(),
                      opt_message);
        printf("maintenance on: %s until %s\n", env->argv[i], until
               ? gwg_time_rfc3339(end, sizeof(end), until)
               : "turned off");
    }
    gwg_shm_close(&rw);
    return rc;
}

static void list_one(const char *key, const gwg_maint *m)
{
    char since[GWG_RFC3339_LEN], until[GWG_RFC3339_LEN];

    printf("%-36s %-20s  %-20s  %5u  %s\n", key,
           gwg_time_rfc3339(since, sizeof(since), m->since),
           m->until ? gwg_time_rfc3339(until, sizeof(until), m->until)
                    : "until turned off", (unsigned)m->by, m->message);
}

static int list(const gwg_shm *shm)
{
    uint32_t used = gwg_shm_used(shm), i;
    uint64_t now = gwg_now_us();
    int n = 0;

    for (i = 0; i < used; i++) {
        gwg_maint m;
        char key[GWG_KEY_MAX];
        gwg_maint_get(&m, &shm->slots[i], now);
        if (!m.on || gwg_shm_find(shm, shm->slots[i].key) != (long)i) {
            continue;                   /* off, or an orphan slot */
        }
        if (n++ == 0) {
            printf("%-36s %-20s  %-20s  %5s  %s\n", "UPSTREAM", "SINCE",
                   "UNTIL", "BY", "MESSAGE");
        }
        /* the key as validated when the file was opened, terminated */
        memcpy(key, shm->slots[i].key, sizeof(key));
        key[sizeof(key) - 1] = '\0';
        list_one(key, &m);
    }
    if (n == 0) {
        printf("(no upstream is in maintenance)\n");
    }
    return CTL_OK;
}

static int run(ctl_env *env)
{
    return turn_on < 0 ? list(&env->shm) : set_windows(env);
}

static const struct option opts[] = {
    { "for", required_argument, NULL, OPT_FOR },
    { "until", required_argument, NULL, OPT_UNTIL },
    { "message", required_argument, NULL, OPT_MESSAGE },
    { NULL, 0, NULL, 0 }
};

const ctl_command ctl_maint_command = {
    "maintenance", CTL_NEEDS_SHM, NULL, opts, option, operands, run,
    "maintenance [--shm FILE] [--config FILE] [KEY... (on [--for DURATION|"
    "--until TIME] [--message TEXT] | off)]",
    "list maintenance windows, or put upstreams in one or take them out "
    "(at once, without a reload)"
};
