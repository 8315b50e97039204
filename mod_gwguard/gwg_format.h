/*
 * The one status formatter (SPEC §7, §8): gwguardctl, the status handler
 * and the mod_status section all print a snapshot through here.
 */
#ifndef GWG_FORMAT_H
#define GWG_FORMAT_H

#include "gwg_out.h"
#include "gwg_snapshot.h"

typedef enum {
    GWG_FORMAT_TABLE = 0,        /* for people, fixed-width columns */
    GWG_FORMAT_JSON,             /* SPEC §7, version 1 */
} gwg_format_t;

/* Writes the snapshot; now (microseconds) is used for relative times in
 * the table. Returns 0, or -1 if a write failed. */
int gwg_format_status(gwg_out *o, const gwg_snapshot *snap,
                      gwg_format_t format, uint64_t now);

void gwg_format_table(gwg_out *o, const gwg_snapshot *snap, uint64_t now);
void gwg_format_json(gwg_out *o, const gwg_snapshot *snap);

#endif
