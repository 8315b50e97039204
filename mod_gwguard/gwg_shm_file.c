/*
 * The segment as a file: geometry, validation, mapping an existing file,
 * and creating a fresh one. Nothing here runs on the request path.
 * A file is trusted only after gwg_shm_validate; a fresh one is built under
 * a temporary name and renamed into place, so a reader never maps half a
 * header and a running process keeps its (old) mapping intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gwg_atomic.h"
#include "gwg_shm.h"
#include "gwg_time.h"

static uint64_t align_up(uint64_t v)
{
    return (v + GWG_ALIGN - 1) & ~(uint64_t)(GWG_ALIGN - 1);
}

void gwg_geometry_compute(gwg_geometry *g, uint32_t slot_count,
                          uint32_t recent_size)
{
    uint32_t index_size = 1;

    /* Load factor <= 1/2 keeps probe chains short even when full. */
    while (index_size < 2u * slot_count) {
        index_size <<= 1;
    }
    g->slot_count = slot_count;
    g->index_size = index_size;
    g->recent_size = recent_size;
    g->index_off = GWG_HEADER_SIZE;
    g->slots_off = align_up(g->index_off + (uint64_t)index_size * 4);
    g->recent_off = g->slots_off
                    + (uint64_t)(slot_count + 1) * sizeof(gwg_slot);
    g->total_size = g->recent_off + (uint64_t)recent_size * sizeof(gwg_recent);
}

static int terminated(const char *s, size_t max)
{
    return memchr(s, '\0', max) != NULL;
}

static int printable_key(const char *s, size_t max)
{
    size_t i;

    if (!terminated(s, max) || s[0] == '\0') {
        return 0;
    }
    for (i = 0; s[i]; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

static apr_status_t check_header(const gwg_header *h, uint64_t file_size,
                                 char *why, size_t whylen)
{
    gwg_geometry g;

    if (memcmp(h->magic, GWG_MAGIC, sizeof(GWG_MAGIC)) != 0) {
        snprintf(why, whylen, "not a gwguard segment (wrong magic)");
        return APR_EINVAL;
    }
    if (h->layout_version != GWG_LAYOUT_VERSION) {
        snprintf(why, whylen, "layout version %u, this build reads %u",
                 h->layout_version, GWG_LAYOUT_VERSION);
        return APR_EINVAL;
    }
    if (h->header_size != GWG_HEADER_SIZE
        || h->slot_size != sizeof(gwg_slot)
        || h->recent_entry_size != sizeof(gwg_recent)) {
        snprintf(why, whylen, "record sizes differ from this build's");
        return APR_EINVAL;
    }
    if (h->slot_count < GWG_SLOTS_MIN || h->slot_count > GWG_SLOTS_MAX
        || h->recent_size > GWG_RECENT_MAX) {
        snprintf(why, whylen, "implausible table size (%u slots, %u recent)",
                 h->slot_count, h->recent_size);
        return APR_EINVAL;
    }
    gwg_geometry_compute(&g, h->slot_count, h->recent_size);
    if (h->index_size != g.index_size || h->index_off != g.index_off
        || h->slots_off != g.slots_off || h->recent_off != g.recent_off
        || h->total_size != g.total_size) {
        snprintf(why, whylen, "geometry fields are inconsistent");
        return APR_EINVAL;
    }
    if (file_size != g.total_size) {
        snprintf(why, whylen, "size %llu bytes, header says %llu",
                 (unsigned long long)file_size,
                 (unsigned long long)g.total_size);
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

static int name_ok(const gwg_slot *s)
{
    return printable_key(s->key, sizeof(s->key))
           && terminated(s->worker, sizeof(s->worker))
           && terminated(s->balancer, sizeof(s->balancer));
}

/* Every index entry must point at a slot, every claimed slot must hold a
 * terminated, printable key: garbage here would be printed or compared.
 * Bounds come from the validated geometry g, never from the file. The
 * segment may be in use: a slot claimed during the scan is published
 * (state READY, then the index entry, both with release stores) after
 * slots_used moved on, so an entry beyond the first reading of
 * slots_used is checked by its slot's own state and name. */
static apr_status_t check_tables(const char *base, const gwg_geometry *g,
                                 const gwg_header *live, char *why,
                                 size_t whylen)
{
    const uint32_t *index = (const uint32_t *)(base + g->index_off);
    const gwg_slot *slots = (const gwg_slot *)(base + g->slots_off);
    uint64_t used = GWG_LOAD(&live->slots_used);
    uint32_t i;

    if (used > g->slot_count) {
        used = g->slot_count;
    }
    for (i = 0; i < g->index_size; i++) {
        uint32_t v = GWG_LOAD(&index[i]);
        if (v == 0 || (v & GWG_INDEX_CLAIM_BIT)) {
            continue;                   /* empty, or a claim under way */
        }
        if (v > g->slot_count
            || GWG_LOAD(&slots[v - 1].state) != GWG_SLOT_READY
            || (v > used && !name_ok(&slots[v - 1]))) {
            snprintf(why, whylen, "index entry %u points at bad slot %u",
                     i, v);
            return APR_EINVAL;
        }
    }
    /* Slots are handed out in order, so only the first `used` can be in
     * the index; the rest are never read unless an entry (checked above)
     * points at them. */
    for (i = 0; i <= g->slot_count; i++) {
        const gwg_slot *s = &slots[i];
        uint32_t state;
        if (i == used) {
            i = g->slot_count;          /* jump to the overflow slot */
            s = &slots[i];
        }
        state = GWG_LOAD(&s->state);
        if (state != GWG_SLOT_FREE && state != GWG_SLOT_READY) {
            snprintf(why, whylen, "slot %u has state %u", i, state);
            return APR_EINVAL;
        }
        if (state == GWG_SLOT_READY && !name_ok(s)) {
            snprintf(why, whylen, "slot %u has a garbage name", i);
            return APR_EINVAL;
        }
    }
    return APR_SUCCESS;
}

apr_status_t gwg_shm_validate_geometry(const void *base, uint64_t file_size,
                                       gwg_geometry *geom, char *why,
                                       size_t whylen)
{
    gwg_header h;
    gwg_geometry g;
    apr_status_t rv;

    if (file_size < GWG_HEADER_SIZE) {
        snprintf(why, whylen, "truncated (%llu bytes, less than a header)",
                 (unsigned long long)file_size);
        return APR_EINVAL;
    }
    /* one copy of the header: what is checked is what is used */
    memcpy(&h, base, sizeof(h));
    rv = check_header(&h, file_size, why, whylen);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    gwg_geometry_compute(&g, h.slot_count, h.recent_size);
    rv = check_tables(base, &g, base, why, whylen);
    if (rv == APR_SUCCESS && geom) {
        *geom = g;
    }
    return rv;
}

apr_status_t gwg_shm_validate(const void *base, uint64_t file_size,
                              char *why, size_t whylen)
{
    return gwg_shm_validate_geometry(base, file_size, NULL, why, whylen);
}

apr_status_t gwg_shm_check_owner(int fd, unsigned long owner, char *why,
                                 size_t whylen)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        snprintf(why, whylen, "cannot stat: %s", strerror(errno));
        return APR_EINVAL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "not a regular file");
        return APR_EINVAL;
    }
    if (st.st_uid != (uid_t)owner && st.st_uid != 0) {
        snprintf(why, whylen, "owned by uid %lu, not by uid %lu or root",
                 (unsigned long)st.st_uid, owner);
        return APR_EINVAL;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(why, whylen, "mode %04o lets group or others write it",
                 (unsigned)(st.st_mode & 07777));
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

static void set_pointers(gwg_shm *shm, void *base, uint64_t size,
                         const gwg_geometry *g, int writable)
{
    shm->base = base;
    shm->size = size;
    shm->hdr = base;
    shm->index = (uint32_t *)((char *)base + g->index_off);
    shm->slots = (gwg_slot *)((char *)base + g->slots_off);
    shm->recent = (gwg_recent *)((char *)base + g->recent_off);
    shm->slot_count = g->slot_count;
    shm->index_size = g->index_size;
    shm->recent_size = g->recent_size;
    shm->writable = writable;
}

/* Maps fd whole; checks its owner and mode, validates; on success fills
 * shm with the validated geometry. */
static apr_status_t map_fd(gwg_shm *shm, int fd, int writable,
                           char *why, size_t whylen)
{
    struct stat st;
    gwg_geometry g;
    void *base;
    apr_status_t rv;

    rv = gwg_shm_check_owner(fd, (unsigned long)geteuid(), why, whylen);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(why, whylen, "cannot stat: %s", strerror(errno));
        return errno;
    }
    if ((uint64_t)st.st_size < GWG_HEADER_SIZE) {
        snprintf(why, whylen, "truncated (%llu bytes, less than a header)",
                 (unsigned long long)st.st_size);
        return APR_EINVAL;
    }
    base = mmap(NULL, (size_t)st.st_size,
                writable ? PROT_READ | PROT_WRITE : PROT_READ,
                MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        snprintf(why, whylen, "cannot map: %s", strerror(errno));
        return errno;
    }
    rv = gwg_shm_validate_geometry(base, (uint64_t)st.st_size, &g, why,
                                   whylen);
    if (rv != APR_SUCCESS) {
        munmap(base, (size_t)st.st_size);
        return rv;
    }
    set_pointers(shm, base, (uint64_t)st.st_size, &g, writable);
    return APR_SUCCESS;
}

/* Never follows a symbolic link (O_NOFOLLOW) and never blocks on a FIFO
 * (O_NONBLOCK; gwg_shm_check_owner then refuses anything not regular). */
static int open_segment(const char *path, int writable)
{
    return open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC
                      | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
}

apr_status_t gwg_shm_open(gwg_shm *shm, const char *path, int writable,
                          char *err, size_t errlen)
{
    char why[GWG_ERRMAX];
    apr_status_t rv;
    int fd;

    memset(shm, 0, sizeof(*shm));
    fd = open_segment(path, writable);
    if (fd < 0) {
        rv = errno;
        if (rv == ELOOP) {
            snprintf(err, errlen, "%s: refusing to use it: it is a symbolic "
                     "link (the segment is opened only as a regular file)",
                     path);
        }
        else if (rv == EACCES) {
            snprintf(err, errlen, "%s: permission denied: %s needs %s "
                     "permission on it%s (it is created mode 0600 by the "
                     "user httpd starts as; run as that user, usually root)",
                     path, writable ? "reset" : "reading",
                     writable ? "write" : "read",
                     writable ? ", as do maintenance on and off" : "");
        }
        else if (rv == ENOENT) {
            snprintf(err, errlen, "%s: no such file: is httpd running with "
                     "mod_gwguard, and is this its GwGuardShmFile?", path);
        }
        else {
            snprintf(err, errlen, "%s: %s", path, strerror(rv));
        }
        return rv;
    }
    rv = map_fd(shm, fd, writable, why, sizeof(why));
    close(fd);
    if (rv != APR_SUCCESS) {
        snprintf(err, errlen, "%s: refusing to use it: %s", path, why);
    }
    return rv;
}

static void init_header(gwg_header *h, const gwg_geometry *g)
{
    memcpy(h->magic, GWG_MAGIC, sizeof(GWG_MAGIC));
    h->layout_version = GWG_LAYOUT_VERSION;
    h->header_size = GWG_HEADER_SIZE;
    h->slot_size = sizeof(gwg_slot);
    h->recent_entry_size = sizeof(gwg_recent);
    h->slot_count = g->slot_count;
    h->index_size = g->index_size;
    h->recent_size = g->recent_size;
    h->index_off = g->index_off;
    h->slots_off = g->slots_off;
    h->recent_off = g->recent_off;
    h->total_size = g->total_size;
    h->created = gwg_now_us();
}

/* Builds a fresh file next to path and renames it into place. The file is
 * sparse: only the pages that are touched take memory. */
static apr_status_t create_fresh(gwg_shm *shm, const char *path,
                                 const gwg_geometry *g, char *why,
                                 size_t whylen)
{
    char tmp[4096];
    gwg_shm fresh;
    apr_status_t rv;
    void *base;
    int fd;

    snprintf(tmp, sizeof(tmp), "%s.new.%ld", path, (long)getpid());
    fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST && unlink(tmp) == 0) {
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        rv = errno;
        snprintf(why, whylen, "cannot create %s: %s", tmp, strerror(rv));
        return rv;
    }
    if (ftruncate(fd, (off_t)g->total_size) != 0) {
        rv = errno;
        snprintf(why, whylen, "cannot size %s: %s", tmp, strerror(rv));
        goto fail;
    }
    base = mmap(NULL, g->total_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                fd, 0);
    if (base == MAP_FAILED) {
        rv = errno;
        snprintf(why, whylen, "cannot map %s: %s", tmp, strerror(rv));
        goto fail;
    }
    init_header(base, g);
    set_pointers(&fresh, base, g->total_size, g, 1);
    memcpy(fresh.slots[g->slot_count].key, GWG_OVERFLOW_KEY,
           sizeof(GWG_OVERFLOW_KEY));
    fresh.slots[g->slot_count].hash = gwg_key_hash(GWG_OVERFLOW_KEY);
    fresh.slots[g->slot_count].state = GWG_SLOT_READY;
    if (rename(tmp, path) != 0) {
        rv = errno;
        snprintf(why, whylen, "cannot rename %s to %s: %s", tmp, path,
                 strerror(rv));
        munmap(base, g->total_size);
        goto fail;
    }
    close(fd);
    *shm = fresh;
    return APR_SUCCESS;
fail:
    close(fd);
    unlink(tmp);
    return rv;
}

apr_status_t gwg_shm_attach_or_create(gwg_shm *shm, const char *path,
                                      uint32_t slot_count,
                                      uint32_t recent_size, int *fresh,
                                      char *why, size_t whylen)
{
    gwg_geometry g;
    apr_status_t rv;
    char reason[GWG_ERRMAX] = "";
    int fd, untrusted = 0;

    memset(shm, 0, sizeof(*shm));
    gwg_geometry_compute(&g, slot_count, recent_size);
    fd = open_segment(path, 1);
    if (fd >= 0) {
        rv = gwg_shm_check_owner(fd, (unsigned long)geteuid(), reason,
                                 sizeof(reason));
        untrusted = (rv != APR_SUCCESS);
        if (!untrusted) {
            rv = map_fd(shm, fd, 1, reason, sizeof(reason));
        }
        close(fd);
        if (rv == APR_SUCCESS) {
            if (shm->slot_count == slot_count
                && shm->recent_size == recent_size) {
                *fresh = 0;
                why[0] = '\0';
                return APR_SUCCESS;
            }
            snprintf(reason, sizeof(reason), "it was made for %u upstreams "
                     "and %u recent failures, the configuration asks for "
                     "%u and %u", shm->slot_count,
                     shm->recent_size, slot_count, recent_size);
            gwg_shm_close(shm);
        }
    }
    else if (errno == ELOOP) {
        snprintf(reason, sizeof(reason), "it is a symbolic link");
        untrusted = 1;
    }
    else if (errno != ENOENT) {
        snprintf(reason, sizeof(reason), "cannot open it: %s",
                 strerror(errno));
    }
    rv = create_fresh(shm, path, &g, why, whylen);
    if (rv == APR_SUCCESS) {
        *fresh = untrusted ? 2 : 1;
        snprintf(why, whylen, "%s", reason);
    }
    return rv;
}

void gwg_shm_close(gwg_shm *shm)
{
    if (shm->base) {
        munmap(shm->base, (size_t)shm->size);
    }
    memset(shm, 0, sizeof(*shm));
}
