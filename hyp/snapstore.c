// snapstore.c: the snapshot store (layout in hyp/snapfmt.h): two
// directory copies and a data area of contiguous snapshot streams.
// Pure logic over a struct snapio, so the unit tests run it on a file.
//
// Crash safety rests on one rule: a save writes only blocks that the
// current directory does not reference, and the directory is rewritten
// last (into the older copy, after a flush, followed by a flush). Until
// that single 4 KiB write lands, the previous directory is the current
// one; if it is torn, its CRC fails and the previous one still is.
#if LAB >= 5 || defined(HOST_TEST)
#ifdef HOST_TEST
#include <stdio.h>
#include <string.h>
#else
#include "kernel/defs.h"
#endif
#include "hyp/snapstore.h"

int store_load(struct snapio *io, struct snap_dir *dir, int *slot, char *err, size_t errlen)
{
  static u8 blk[2][SNAP_BLK];
  if (io->nblocks < SNAP_DIR_BLOCKS + 1) {
    snprintf(err, errlen, "snapshot store is too small (%lu KiB)", io->nblocks * 4);
    return -1;
  }
  int best = -1, blank = 1;
  for (int i = 0; i < SNAP_DIR_BLOCKS; i++) {
    if (io->read(io->ctx, i, blk[i], 1) < 0) {
      snprintf(err, errlen, "I/O error reading the snapshot store directory");
      return -1;
    }
    blank &= mem_is_zero(blk[i], SNAP_BLK);
    const struct snap_dir *d = (const struct snap_dir *)blk[i];
    if (snap_dir_valid(d, io->nblocks) &&
        (best < 0 || d->gen > ((const struct snap_dir *)blk[best])->gen))
      best = i;
  }
  if (best < 0) {
    if (!blank) {
      snprintf(err, errlen, "snapshot store has no valid directory (not an hv6 store, or "
               "corrupt); remove the image to start a fresh one");
      return -1;
    }
    // A new, all-zero store: an empty directory, written at the first save.
    memset(dir, 0, sizeof(*dir));
    dir->next_id = 1;
    dir->nblocks = io->nblocks;
    *slot = 1;          // the first commit goes to copy A (slot 0)
    return 0;
  }
  memcpy(dir, blk[best], sizeof(*dir));
  *slot = best;
  return 0;
}

int store_find(const struct snap_dir *dir, const char *name)
{
  for (u32 i = 0; i < dir->nent; i++)
    if (strcmp(dir->ent[i].name, name) == 0)
      return i;
  return -1;
}

int store_find_id(const struct snap_dir *dir, u64 id)
{
  for (u32 i = 0; i < dir->nent; i++)
    if (dir->ent[i].id == id)
      return i;
  return -1;
}

// First fit: the lowest free run of nblk blocks after the directory.
// Returns its first block, or 0 (never a data block) when none is free;
// *largest gets the biggest free run for the error message.
u64 store_alloc(const struct snap_dir *dir, u64 nblk, u64 *largest)
{
  u64 at = SNAP_DIR_BLOCKS, best = 0;
  *largest = 0;
  for (;;) {
    // the entry that starts lowest at or after `at`, or overlaps it
    u64 next = dir->nblocks;
    int moved = 0;
    for (u32 i = 0; i < dir->nent; i++) {
      u64 s = dir->ent[i].start, e = s + snap_blocks(dir->ent[i].len);
      if (s <= at && at < e) {
        at = e;
        moved = 1;
      } else if (s > at && s < next) {
        next = s;
      }
    }
    if (moved)
      continue;
    if (next - at > *largest)
      *largest = next - at;
    if (next - at >= nblk && best == 0)
      best = at;
    if (next >= dir->nblocks)
      break;
    at = next;
  }
  return best;
}

// The commit point: data is already written; make it durable, then
// write the new directory over the older copy and make that durable.
int store_commit(struct snapio *io, struct snap_dir *dir, int *slot)
{
  static u8 blk[SNAP_BLK];
  if (io->flush(io->ctx) < 0)
    return -1;
  dir->gen++;
  dir->nblocks = io->nblocks;
  snap_dir_seal(dir);
  memset(blk, 0, sizeof(blk));
  memcpy(blk, dir, sizeof(*dir));
  int to = 1 - *slot;
  if (io->write(io->ctx, to, blk, 1) < 0 || io->flush(io->ctx) < 0)
    return -1;
  *slot = to;
  return 0;
}

int store_has_children(const struct snap_dir *dir, u64 id)
{
  for (u32 i = 0; i < dir->nent; i++)
    if (dir->ent[i].parent == id)
      return i;
  return -1;
}

void store_remove(struct snap_dir *dir, int idx)
{
  for (u32 i = idx; i + 1 < dir->nent; i++)
    dir->ent[i] = dir->ent[i + 1];
  dir->nent--;
  memset(&dir->ent[dir->nent], 0, sizeof(dir->ent[0]));
}
#endif
