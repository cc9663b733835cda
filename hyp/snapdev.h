// snapdev.h: the device models' entries in a snapshot (hyp/snapdev.c).
#pragma once
#include "hyp/snapfmt.h"

#define SNAPDEV_MAX_STATE 1024      // bytes of one device's saved state
#define SNAPDEV_MAX       8         // device models with saved state

struct vm;
struct snapdev {
  u32 type;                         // SEC_* of its section
  u32 version;                      // the state's layout version
  u64 size;                         // exact payload bytes
  const char *name;
  u64  (*save)(struct vm *vm, void *buf);                  // returns size
  const char *(*check)(struct vm *vm, const void *buf);    // 0 = fine, else why not
  void (*load)(struct vm *vm, const void *buf);
};
extern const struct snapdev snapdevs[];
extern const int nsnapdevs;
