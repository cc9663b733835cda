// snapstore.h: the snapshot store's directory operations (hyp/snapstore.c)
// and the interface between snapshot.c and the rest of the hypervisor.
#pragma once
#include "hyp/snapfmt.h"

// snapstore.c (pure; also built natively by tests/)
int  store_load(struct snapio *io, struct snap_dir *dir, int *slot, char *err, size_t errlen);
int  store_find(const struct snap_dir *dir, const char *name);     // index or -1
int  store_find_id(const struct snap_dir *dir, u64 id);
u64  store_alloc(const struct snap_dir *dir, u64 nblk, u64 *largest);
int  store_commit(struct snapio *io, struct snap_dir *dir, int *slot);
int  store_has_children(const struct snap_dir *dir, u64 id);       // a child's index or -1
void store_remove(struct snap_dir *dir, int idx);

#ifndef HOST_TEST
struct vm;
struct vcpu;
// snapshot.c: the monitor's commands and the hooks elsewhere in hyp/.
int  snapshot_save(struct vm *vm, const char *name, int full);    // 0 or -1 (message printed)
int  snapshot_restore(struct vm *vm, const char *name);
int  snapshot_delete(const char *name);
void snapshot_list(void);
int  snapshot_command(struct vm *vm, int argc, char **argv);      // "snapshot ..." in the monitor
int  snapshot_boot_restore(struct vm *vm);                       // bootcfg.restore, from vm.c
void snapshot_poll(struct vm *vm);            // exit_handle, if vm->restore_pending: apply it
// dirty.c: dirty-page tracking, for snapshot.c ...
void dirty_start(struct vm *vm, u64 base);    // write-protect RAM, bits relative to snapshot base
void dirty_stop(void);
u64  dirty_base(void);                        // 0: not tracking, the next save is full
int  dirty_page(struct vm *vm, u64 gpa);      // written since the base?
void dirty_forget(u64 id);                    // snapshot id was deleted
void dirty_forget_all(void);
// ... and for stage2.c: a store guest-page fault on a page write-protected for dirty
// tracking. Returns 1 if it was one (the page is now writable and dirty).
int  snapshot_dirty_fault(struct vm *vm, u64 gpa);
// Device models and gmem_write: the hypervisor itself wrote guest RAM.
void snapshot_mark_dirty(struct vm *vm, u64 gpa, u64 len);
// A fresh VM (vm_create): forget the tracking state of the previous one.
void snapshot_vm_reset(struct vm *vm);
#endif
