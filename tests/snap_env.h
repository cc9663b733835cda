// snap_env.h: a snapshot store in host memory for tests/test_snapshot.c
// and tests/fuzz_snapshot.c, with power cuts: after `budget` block writes
// every further write is lost (budget < 0: no limit), and the write that
// crosses the budget can be torn (only its first `torn` bytes land).
#pragma once
#include <stdlib.h>
#include <string.h>
#include "hyp/snapstore.h"

struct memstore {
  u8 *data;
  u64 nblocks;
  long budget;          // block writes left before the power cut; < 0 = none
  u64 torn;             // bytes of the cut write that still land
  u64 writes, flushes;
};

static int ms_read(void *ctx, u64 blk, void *buf, u64 n)
{
  struct memstore *m = ctx;
  if (blk > m->nblocks || n > m->nblocks - blk)
    return -1;
  memcpy(buf, m->data + blk * SNAP_BLK, n * SNAP_BLK);
  return 0;
}

static int ms_write(void *ctx, u64 blk, const void *buf, u64 n)
{
  struct memstore *m = ctx;
  if (blk > m->nblocks || n > m->nblocks - blk)
    return -1;
  for (u64 i = 0; i < n; i++, m->writes++) {
    if (m->budget == 0) {
      if (m->torn) {
        memcpy(m->data + (blk + i) * SNAP_BLK, (const u8 *)buf + i * SNAP_BLK, m->torn);
        m->torn = 0;
      }
      continue;                      // the power is off: lost
    }
    if (m->budget > 0)
      m->budget--;
    memcpy(m->data + (blk + i) * SNAP_BLK, (const u8 *)buf + i * SNAP_BLK, SNAP_BLK);
  }
  return 0;
}

static int ms_flush(void *ctx)
{
  ((struct memstore *)ctx)->flushes++;
  return 0;
}

static void ms_init(struct memstore *m, struct snapio *io, u64 nblocks)
{
  memset(m, 0, sizeof(*m));
  m->data = calloc(nblocks, SNAP_BLK);
  m->nblocks = nblocks;
  m->budget = -1;
  *io = (struct snapio){ m, nblocks, ms_read, ms_write, ms_flush };
}
