// snapshot.c: save the whole VM into the snapshot store and bring it
// back, in this QEMU run or a later one (lab 5; labs/snapshot/README.md).
//
// The state of a VM = the vCPU (GPRs, pc, VS CSRs, FP registers, the
// trap-policy state), its clock (guest time and the pending timer), every
// populated page of guest RAM, and every device model (snapdev.c). The
// guest disk is not copied: the snapshot records which disk and which
// content (a CRC of all of it) it belongs to, and restore refuses any
// other disk.
//
// Save  : capture -> stream into free store blocks -> flush -> directory
//         (the commit point) -> write-protect RAM to track dirty pages
//         (dirty.c).
// Incremental save: only the pages written since the last save/restore,
//         with a parent link; restore applies the chain root first.
// Restore: validate every link of the chain completely (CRCs, config,
//         disk, every section's contents) -> only then replace the VM.
#include "hyp/hyp.h"
#if LAB >= 5
#include "hyp/snapstore.h"
#include "hyp/snapdev.h"

void snap_fp_save(u64 f[33]);
void snap_fp_load(const u64 f[33]);

#define CHAIN_MAX SNAP_MAXENT

static u8 iobuf[SNAP_IOBUF] __attribute__((aligned(4096)));
static u8 diskbuf[SNAP_IOBUF] __attribute__((aligned(4096)));
static struct snap_dir dir;
static int dir_slot;
static char err[160];

static char restore_name[SNAP_NAME_MAX];   // vm->restore_pending's snapshot

// A user-typed name, cut short for messages.
static const char *shortname(const char *name)
{
  static char buf[44];
  strncpy_safe(buf, name, 41);
  if (strlen(name) > 40)
    strncpy_safe(buf + 40, "...", 4);
  return buf;
}

#define ERR(...) (snprintf(err, sizeof(err), __VA_ARGS__), -1)

// ---- the store: the host's virtio-blk on bus 1 ----

static struct vblk *store_dev(void)
{
  return vblk_get(1);
}

static int io_read(void *ctx, u64 blk, void *buf, u64 n)
{
  return vblk_rw_buf(ctx, 0, blk * (SNAP_BLK / 512), buf, n * SNAP_BLK) == 0 ? 0 : -1;
}

static int io_write(void *ctx, u64 blk, const void *buf, u64 n)
{
  return vblk_rw_buf(ctx, 1, blk * (SNAP_BLK / 512), (void *)buf, n * SNAP_BLK) == 0 ? 0 : -1;
}

static int io_flush(void *ctx)
{
  return vblk_flush(ctx) == 0 ? 0 : -1;
}

static struct snapio store_io;

static int store_open(void)
{
  struct vblk *d = store_dev();
  if (d == 0)
    return ERR("no snapshot store (the host has no virtio-blk disk on virtio-mmio-bus.1; "
               "run through tools/run.py)");
  store_io = (struct snapio){ d, vblk_capacity(d) / (SNAP_BLK / 512), io_read, io_write, io_flush };
  return store_load(&store_io, &dir, &dir_slot, err, sizeof(err));
}

static void config_of(struct vm *vm, struct snap_config *c)
{
  memset(c, 0, sizeof(*c));
  c->lab = LAB;
  c->trap_all = TRAP_ALL;
  c->sstc = SSTC;
  c->guest_mem = vm->ram_size;
}

// ---- the guest disk's identity ----
// bootcfg.disk_id names the image (tools/run.py: "<file>:<bytes>"); the
// CRC of its whole content tells which state of it. Requests are served
// synchronously, so every completed guest write is on the device.
static int disk_identity(struct vm *vm, struct snap_hdr *h)
{
  struct vblk *d = vblk_get(0);
  memset(h->disk_id, 0, sizeof(h->disk_id));
  h->disk_sectors = 0;
  h->disk_crc = 0;
  if (d == 0)
    return 0;
  strncpy_safe(h->disk_id, vm->cfg ? vm->cfg->disk_id : "", sizeof(h->disk_id));
  h->disk_sectors = vblk_capacity(d);
  u32 crc = 0;
  for (u64 s = 0; s < h->disk_sectors; ) {
    u64 n = h->disk_sectors - s;
    if (n > sizeof(diskbuf) / 512)
      n = sizeof(diskbuf) / 512;
    if (vblk_rw_buf(d, 0, s, diskbuf, n * 512) != 0)
      return ERR("I/O error reading the guest disk");
    crc = crc32(crc, diskbuf, n * 512);
    s += n;
  }
  h->disk_crc = crc;
  return 0;
}

void snapshot_vm_reset(struct vm *vm)
{
  dirty_stop();
  dirty_forget_all();
  vm->restore_pending = 0;
}

#if SOL >= 5
// The vCPU as the guest would see it on real hardware: the saved register
// file of this exit, and the VS CSRs and FP registers still in the hart.
static void vcpu_capture(struct vcpu *v, struct snap_vcpu *s)
{
  memset(s, 0, sizeof(*s));
  for (int i = 1; i < 32; i++)
    s->x[i] = v->ctx.x[i];
  s->pc = v->ctx.sepc;
  s->sstatus = v->ctx.sstatus;
  s->hstatus = v->ctx.hstatus;
  s->vsstatus = csr_read(CSR_VSSTATUS);
  s->vsie = csr_read(CSR_VSIE);
  s->vstvec = csr_read(CSR_VSTVEC);
  s->vsscratch = csr_read(CSR_VSSCRATCH);
  s->vsepc = csr_read(CSR_VSEPC);
  s->vscause = csr_read(CSR_VSCAUSE);
  s->vstval = csr_read(CSR_VSTVAL);
  s->vsatp = csr_read(CSR_VSATP);
  s->vstimecmp = ~0UL;
#if SSTC
  if (host_has_sstc)
    s->vstimecmp = csr_read(CSR_VSTIMECMP);
#endif
  s->hvip = csr_read(CSR_HVIP);     // the truth (the guest can clear VSSIP)
  s->henvcfg = csr_read(CSR_HENVCFG);
  s->hcounteren = csr_read(CSR_HCOUNTEREN);
  s->hedeleg = csr_read(CSR_HEDELEG);
  s->hideleg = csr_read(CSR_HIDELEG);
  s->scounteren = csr_read(CSR_SCOUNTEREN);
  s->senvcfg = csr_read(CSR_SENVCFG);
  u64 old = csr_read(sstatus);
  csr_set(sstatus, SSTATUS_FS);          // FP instructions legal in the host
  snap_fp_save(s->f);                     // f[32] = fcsr
  csr_write(sstatus, old);
  s->guest_time = timer_now() + csr_read(CSR_HTIMEDELTA);
  s->timer_deadline = v->timer_deadline;
  s->hsm_state = v->hsm_state;
}

// Load a validated vCPU. Guest time continues from the saved value: the
// time the VM spent saved is invisible to it, and never goes backwards.
static void vcpu_load(struct vcpu *v, const struct snap_vcpu *s)
{
  for (int i = 1; i < 32; i++)
    v->ctx.x[i] = s->x[i];
  v->ctx.x[0] = 0;
  v->ctx.sepc = s->pc;
  v->ctx.sstatus = (v->ctx.sstatus & ~SSTATUS_SPP) | (s->sstatus & SSTATUS_SPP);
  v->ctx.hstatus = (v->ctx.hstatus & ~(HSTATUS_SPVP | HSTATUS_GVA)) |
                   (s->hstatus & HSTATUS_SPVP) | HSTATUS_SPV;
  csr_write(CSR_VSSTATUS, s->vsstatus);
  csr_write(CSR_VSIE, s->vsie);
  csr_write(CSR_VSTVEC, s->vstvec);
  csr_write(CSR_VSSCRATCH, s->vsscratch);
  csr_write(CSR_VSEPC, s->vsepc);
  csr_write(CSR_VSCAUSE, s->vscause);
  csr_write(CSR_VSTVAL, s->vstval);
  csr_write(CSR_VSATP, s->vsatp);
  csr_write(CSR_SCOUNTEREN, s->scounteren);
  csr_write(CSR_SENVCFG, s->senvcfg);
  u64 old = csr_read(sstatus);
  csr_set(sstatus, SSTATUS_FS);
  snap_fp_load(s->f);
  csr_write(sstatus, old);
  v->hvip = s->hvip & (HIP_VSSIP | HIP_VSTIP | HIP_VSEIP);
  csr_write(CSR_HVIP, v->hvip);
  csr_write(CSR_HTIMEDELTA, s->guest_time - timer_now());
#if SSTC
  if (host_has_sstc)
    csr_write(CSR_VSTIMECMP, s->vstimecmp);
#endif
  v->timer_deadline = s->timer_deadline;
  v->hsm_state = s->hsm_state;
  timer_set(timer_now());     // an exit right away: the timer code re-arms itself
  asm volatile("hfence.vvma zero, zero" ::: "memory");   // VS translations are new
}
#else
// Lab 5: capture the vCPU: registers, VS CSRs, FP registers, time.
static void vcpu_capture(struct vcpu *v, struct snap_vcpu *s)
{
  memset(s, 0, sizeof(*s));
  s->pc = v->ctx.sepc;
}

// Lab 5: load a validated vCPU, guest time continuing.
static void vcpu_load(struct vcpu *v, const struct snap_vcpu *s)
{
  v->ctx.sepc = s->pc;
}
#endif

// ---- save ----

// A full save leaves out pages that are zero: a 2 MiB leaf (stage2.c)
// backs 512 pages whether the guest touched them or not, and a page a full
// snapshot does not hold is restored as what it was, zero (demand paging).
// An incremental save cannot: a page may have become zero since the parent.
static int zero_in_full(int incr, const u8 *page)
{
  return !incr && mem_is_zero(page, PGSIZE);
}

struct count { u64 pages; int incr; };

static void count_leaf(struct vm *vm, u64 gpa, u64 *pte, int level, void *arg)
{
  struct count *c = arg;
  u8 *base = (u8 *)PTE2PA(*pte);
  for (u64 off = 0; off < stage2_level_size(level); off += PGSIZE) {
    u64 a = gpa + off;
    if (gmem_is_ram(vm, a, PGSIZE) && (!c->incr || level > 0 || dirty_page(vm, a)) &&
        !zero_in_full(c->incr, base + off))
      c->pages++;
  }
}

struct emit { struct snapstream *s; int incr; u64 pages; };

static void emit_leaf(struct vm *vm, u64 gpa, u64 *pte, int level, void *arg)
{
  struct emit *e = arg;
  u8 *base = (u8 *)PTE2PA(*pte);
  for (u64 off = 0; off < stage2_level_size(level); off += PGSIZE) {
    u64 a = gpa + off;
    if (!gmem_is_ram(vm, a, PGSIZE) || (e->incr && level == 0 && !dirty_page(vm, a)) ||
        zero_in_full(e->incr, base + off))
      continue;
    snapw_put(e->s, &a, 8);
    snapw_put(e->s, base + off, PGSIZE);
    e->pages++;
  }
}

static u64 sec_bytes(u64 len)
{
  return sizeof(struct snap_sec) + ROUNDUP(len, 8) + sizeof(struct snap_tail);
}

static int save(struct vm *vm, const char *name, int full)
{
  if (!snap_name_ok(name))
    return ERR("bad snapshot name '%s' (1-%d characters of A-Z a-z 0-9 . _ -)",
               shortname(name), SNAP_NAME_MAX - 1);
  if (store_open() < 0)
    return -1;
  if (store_find(&dir, name) >= 0)
    return ERR("snapshot '%s' already exists (delete it first)", name);
  if (dir.nent >= SNAP_MAXENT)
    return ERR("snapshot store is full (%d snapshots); delete one", SNAP_MAXENT);
  int pidx = -1;
  if (!full && dirty_base())
    pidx = store_find_id(&dir, dirty_base());
  struct count c = { 0, pidx >= 0 };
  stage2_each_leaf(vm, count_leaf, &c);

  static struct snap_hdr h;
  memset(&h, 0, sizeof(h));
  strncpy_safe(h.name, name, sizeof(h.name));
  config_of(vm, &h.cfg);
  h.id = dir.next_id;
  h.parent = pidx >= 0 ? dir.ent[pidx].id : 0;
  h.pages = c.pages;
  h.nsec = 3 + nsnapdevs;                 // VCPU, RAM, devices, END
  h.len = sizeof(h) + sec_bytes(sizeof(struct snap_vcpu)) + sec_bytes(c.pages * SNAP_RAM_REC) +
          sec_bytes(0);
  for (int i = 0; i < nsnapdevs; i++)
    h.len += sec_bytes(snapdevs[i].size);
  u64 nblk = snap_blocks(h.len), largest;
  u64 start = store_alloc(&dir, nblk, &largest);
  if (start == 0)
    return ERR("snapshot store is full: '%s' needs %lu KiB, the largest free space is "
               "%lu KiB; delete a snapshot", name, nblk * 4, largest * 4);
  if (disk_identity(vm, &h) < 0)
    return -1;
  snap_hdr_seal(&h);
  printf("hv6: snapshot: writing %s (%lu KiB)\n", name, h.len >> 10);

  static struct snap_vcpu sv;
  vcpu_capture(&vm->vcpu, &sv);
  struct snapstream s;
  snapw_open(&s, &store_io, start, nblk, iobuf);
  snapw_put(&s, &h, sizeof(h));
  snapw_sec_begin(&s, SEC_VCPU, 1, sizeof(sv));
  snapw_put(&s, &sv, sizeof(sv));
  snapw_sec_end(&s);
  snapw_sec_begin(&s, SEC_RAM, 1, c.pages * SNAP_RAM_REC);
  struct emit e = { &s, c.incr, 0 };
  stage2_each_leaf(vm, emit_leaf, &e);
  snapw_sec_end(&s);
  static u8 dev[SNAPDEV_MAX_STATE];
  for (int i = 0; i < nsnapdevs; i++) {
    u64 n = snapdevs[i].save(vm, dev);
    snapw_sec_begin(&s, snapdevs[i].type, snapdevs[i].version, n);
    snapw_put(&s, dev, n);
    snapw_sec_end(&s);
  }
  snapw_sec_begin(&s, SEC_END, 1, 0);
  snapw_sec_end(&s);
  if (snapw_close(&s) < 0 || e.pages != c.pages || s.done != h.len)
    return ERR("writing snapshot '%s' failed (I/O error); the store is unchanged", name);

  struct snap_dirent *ent = &dir.ent[dir.nent++];
  memset(ent, 0, sizeof(*ent));
  strncpy_safe(ent->name, name, sizeof(ent->name));
  ent->id = h.id;
  ent->parent = h.parent;
  ent->start = start;
  ent->len = h.len;
  ent->pages = h.pages;
  ent->crc = s.crc_all;
  dir.next_id++;
  if (store_commit(&store_io, &dir, &dir_slot) < 0)
    return ERR("committing snapshot '%s' failed (I/O error)", name);
  if (pidx >= 0)
    printf("hv6: snapshot saved: %s (incremental of %s, %lu pages, %lu KiB)\n", name,
           dir.ent[pidx].name, h.pages, h.len >> 10);
  else
    printf("hv6: snapshot saved: %s (full, %lu pages, %lu KiB)\n", name, h.pages, h.len >> 10);
  dirty_start(vm, h.id);
  return 0;
}

int snapshot_save(struct vm *vm, const char *name, int full)
{
  if (save(vm, name, full) < 0) {
    printf("hv6: snapshot: error: %s\n", err);
    return -1;
  }
  return 0;
}

// ---- restore ----

// What the validation pass keeps of the newest link: the vCPU and the
// devices, already checked, so the apply pass only has to copy.
static struct {
  struct snap_vcpu vcpu;
  u8 dev[SNAPDEV_MAX][SNAPDEV_MAX_STATE];
  int have_vcpu, have_dev[SNAPDEV_MAX];
  u64 last_gpa;           // RAM gpas strictly increase within a link
  u64 rec_off;            // byte offset inside the current RAM record
  u64 rec_gpa;
  u8 *page;               // apply pass: host page being filled
  int apply, top;
  struct vm *vm;
} rs;

static const struct snapdev *dev_of(u32 type, int *idx)
{
  for (int i = 0; i < nsnapdevs; i++)
    if (snapdevs[i].type == type) {
      *idx = i;
      return &snapdevs[i];
    }
  return 0;
}

static int v_sec(void *ctx, u32 type, u32 version, u64 len, char *e, size_t n)
{
  (void)ctx;
  int i;
  const struct snapdev *d;
  rs.rec_off = 0;
  rs.last_gpa = 0;
  switch (type) {
  case SEC_END:
    return 0;
  case SEC_VCPU:
    if (version != 1 || len != sizeof(struct snap_vcpu))
      return snprintf(e, n, "vCPU section has the wrong size"), -1;
    return 0;
  case SEC_RAM:
    if (version != 1 || len % SNAP_RAM_REC)
      return snprintf(e, n, "RAM section has a bad length"), -1;
    return 0;
  }
  if ((d = dev_of(type, &i)) == 0)
    return snprintf(e, n, "unknown section type %u (a device this hv6 does not have)", type), -1;
  if (version != d->version || len != d->size)
    return snprintf(e, n, "%s state has a different layout (version %u, %lu bytes)", d->name,
                    version, len), -1;
  return 0;
}

static int v_data(void *ctx, u32 type, u64 off, const u8 *p, u64 len, char *e, size_t n)
{
  (void)ctx;
  int i;
  if (type == SEC_VCPU) {
    if (rs.top && !rs.apply)
      memcpy((u8 *)&rs.vcpu + off, p, len);
    rs.have_vcpu |= rs.top;
    return 0;
  }
  if (type != SEC_RAM) {
    if (rs.top && !rs.apply && dev_of(type, &i)) {
      memcpy(rs.dev[i] + off, p, len);
      rs.have_dev[i] = 1;
    }
    return 0;
  }
  while (len > 0) {
    if (rs.rec_off < 8) {
      u64 k = 8 - rs.rec_off < len ? 8 - rs.rec_off : len;
      memcpy((u8 *)&rs.rec_gpa + rs.rec_off, p, k);
      rs.rec_off += k, p += k, len -= k;
      if (rs.rec_off == 8) {
        u64 g = rs.rec_gpa;
        if (g % PGSIZE || !gmem_is_ram(rs.vm, g, PGSIZE) || (rs.last_gpa && g <= rs.last_gpa))
          return snprintf(e, n, "RAM page address 0x%lx is invalid", g), -1;
        rs.last_gpa = g;
        // 4 KiB pages: exactly the pages counted, however sparse
        if (rs.apply && (rs.page = gmem_page_4k(rs.vm, g)) == 0)
          return snprintf(e, n, "out of host memory"), -1;
      }
      continue;
    }
    u64 at = rs.rec_off - 8;
    u64 k = PGSIZE - at < len ? PGSIZE - at : len;
    if (rs.apply)
      memcpy(rs.page + at, p, k);
    rs.rec_off += k, p += k, len -= k;
    if (rs.rec_off == SNAP_RAM_REC)
      rs.rec_off = 0;
  }
  return 0;
}

static const struct snap_visit visitor = { 0, v_sec, v_data };

// The chain of snapshots from the full one to `name`: idx[0] is the full.
static int chain_of(const char *name, int *idx)
{
  int i = store_find(&dir, name), n = 0;
  if (i < 0)
    return ERR("no snapshot named '%s' (snapshot list shows them)", name);
  int rev[CHAIN_MAX];
  while (i >= 0 && n < CHAIN_MAX) {
    rev[n++] = i;
    if (dir.ent[i].parent == 0)
      break;
    i = store_find_id(&dir, dir.ent[i].parent);
  }
  if (i < 0 || n == CHAIN_MAX || dir.ent[rev[n - 1]].parent != 0)
    return ERR("snapshot '%s' is incomplete: a parent is missing", name);
  for (int k = 0; k < n; k++)
    idx[k] = rev[n - 1 - k];
  return n;
}

static int validate(struct vm *vm, const char *name, int *chain, int *nchain)
{
  if (!snap_name_ok(name))
    return ERR("bad snapshot name '%s'", shortname(name));
  if (store_open() < 0)
    return -1;
  int n = chain_of(name, chain);
  if (n < 0)
    return -1;
  static struct snap_hdr want, h;
  memset(&want, 0, sizeof(want));
  config_of(vm, &want.cfg);
  memset(&rs, 0, sizeof(rs));
  rs.vm = vm;
  u64 pages = 0;
  for (int k = 0; k < n; k++) {
    const struct snap_dirent *e = &dir.ent[chain[k]];
    rs.top = k == n - 1;
    if (snap_walk(&store_io, e, &want, &h, &visitor, iobuf, err, sizeof(err)) < 0) {
      if (strncmp(err, "snapshot '", 10) != 0) {
        static char tmp[sizeof(err)];
        strncpy_safe(tmp, err, sizeof(tmp));
        snprintf(err, sizeof(err), "snapshot '%s': %s", e->name, tmp);
      }
      return -1;
    }
    pages += h.pages;
  }
  if (!rs.have_vcpu)
    return ERR("snapshot '%s' has no vCPU state", name);
  for (int i = 0; i < nsnapdevs; i++) {
    if (!rs.have_dev[i])
      return ERR("snapshot '%s' has no %s state", name, snapdevs[i].name);
    const char *why = snapdevs[i].check(vm, rs.dev[i]);
    if (why)
      return ERR("snapshot '%s': %s", name, why);
  }
  const struct snap_vcpu *v = &rs.vcpu;
  if (v->hedeleg != csr_read(CSR_HEDELEG) || v->hideleg != csr_read(CSR_HIDELEG) ||
      v->hcounteren != csr_read(CSR_HCOUNTEREN) || v->henvcfg != csr_read(CSR_HENVCFG) ||
      (v->hstatus & (HSTATUS_VTSR | HSTATUS_VTVM | HSTATUS_VTW)) !=
      (vm->vcpu.ctx.hstatus & (HSTATUS_VTSR | HSTATUS_VTVM | HSTATUS_VTW)))
    return ERR("snapshot '%s' was taken under another trap policy", name);
  if (!(v->hstatus & HSTATUS_SPV) || (v->hstatus & HSTATUS_VSXL) != HSTATUS_VSXL_64)
    return ERR("snapshot '%s' has an impossible vCPU state", name);
  // The disk: the one recorded, in the state recorded.
  static struct snap_hdr cur;
  if (disk_identity(vm, &cur) < 0)
    return -1;
  if (strcmp(cur.disk_id, h.disk_id) != 0 || cur.disk_sectors != h.disk_sectors)
    return ERR("snapshot '%s' belongs to disk '%s' (%lu sectors), this VM has '%s' (%lu "
               "sectors); refusing to resume with another disk", name,
               h.disk_id[0] ? h.disk_id : "none", h.disk_sectors,
               cur.disk_id[0] ? cur.disk_id : "none", cur.disk_sectors);
  if (cur.disk_crc != h.disk_crc)
    return ERR("the disk '%s' changed since snapshot '%s' was taken (content CRC %08x, "
               "now %08x); refusing to resume with a mismatched disk", h.disk_id, name,
               h.disk_crc, cur.disk_crc);
  if (pages > vm->pages + kalloc_free_pages())
    return ERR("not enough host memory to restore '%s' (%lu pages)", name, pages);
  *nchain = n;
  return 0;
}

// Replace the VM with a validated chain. Nothing can be refused any more:
// a failure now (an I/O error) stops the VM.
static void apply(struct vm *vm, const char *name, const int *chain, int n)
{
  static struct snap_vcpu vcpu;
  static u8 dev[SNAPDEV_MAX][SNAPDEV_MAX_STATE];
  vcpu = rs.vcpu;
  memcpy(dev, rs.dev, sizeof(dev));
  dirty_stop();
  stage2_destroy(vm);
  if (stage2_init(vm) < 0) {
    vm_halt(vm, "snapshot restore: out of host memory");
    return;
  }
  csr_write(CSR_HGATP, stage2_hgatp(vm));
  hfence_gvma_all();
  u64 pages = 0;
  for (int k = 0; k < n; k++) {
    const struct snap_dirent *e = &dir.ent[chain[k]];
    memset(&rs, 0, sizeof(rs));
    rs.vm = vm;
    rs.apply = 1;
    if (snap_walk(&store_io, e, 0, 0, &visitor, iobuf, err, sizeof(err)) < 0) {
      vm_halt(vm, "snapshot restore of '%s' failed midway: %s", name, err);
      return;
    }
    pages += e->pages;
  }
  vcpu_load(&vm->vcpu, &vcpu);
  for (int i = 0; i < nsnapdevs; i++)
    snapdevs[i].load(vm, dev[i]);
  vm->state = VM_RUNNING;
  printf("hv6: snapshot restored: %s (%d link%s, %lu pages, %lu in RAM)\n", name, n,
         n == 1 ? "" : "s", pages, vm->pages);
  dirty_start(vm, dir.ent[chain[n - 1]].id);
}

int snapshot_restore(struct vm *vm, const char *name)
{
  int chain[CHAIN_MAX], n;
  if (validate(vm, name, chain, &n) < 0) {
    printf("hv6: snapshot: error: %s\n", err);
    return -1;
  }
  apply(vm, name, chain, n);
  return vm->state == VM_RUNNING ? 0 : -1;
}

// From the monitor, the exit being handled may not be finished (the
// monitor can be entered from inside a console read), so a restore is
// validated at once and applied just before the guest runs again.
static int request_restore(struct vm *vm, const char *name)
{
  int chain[CHAIN_MAX], n;
  if (validate(vm, name, chain, &n) < 0) {
    printf("hv6: snapshot: error: %s\n", err);
    return -1;
  }
  strncpy_safe(restore_name, name, sizeof(restore_name));
  vm->restore_pending = 1;
  printf("hv6: snapshot: '%s' is valid; it replaces the VM when you `continue`\n", name);
  return 0;
}

void snapshot_poll(struct vm *vm)
{
  vm->restore_pending = 0;
  if (vm->state == VM_RUNNING)
    snapshot_restore(vm, restore_name);
}

int snapshot_boot_restore(struct vm *vm)
{
  if (vm->cfg == 0 || vm->cfg->restore[0] == 0)
    return 0;
  char name[SNAP_NAME_MAX + 8];
  strncpy_safe(name, vm->cfg->restore, sizeof(name));
  printf("hv6: restoring snapshot %s\n", name);
  return snapshot_restore(vm, name);
}

// ---- list, delete ----

void snapshot_list(void)
{
  if (store_open() < 0) {
    printf("hv6: snapshot: error: %s\n", err);
    return;
  }
  u64 used = 0;
  for (u32 i = 0; i < dir.nent; i++) {
    const struct snap_dirent *e = &dir.ent[i];
    int p = e->parent ? store_find_id(&dir, e->parent) : -1;
    if (p >= 0)
      printf("hv6: snapshot %s: incremental of %s, %lu pages, %lu KiB\n", e->name,
             dir.ent[p].name, e->pages, e->len >> 10);
    else
      printf("hv6: snapshot %s: full, %lu pages, %lu KiB\n", e->name, e->pages, e->len >> 10);
    used += snap_blocks(e->len);
  }
  printf("hv6: snapshot store: %u snapshot%s, %lu of %lu KiB used, generation %lu\n",
         dir.nent, dir.nent == 1 ? "" : "s", used * 4, store_io.nblocks * 4, dir.gen);
}

int snapshot_delete(const char *name)
{
  if (!snap_name_ok(name)) {
    printf("hv6: snapshot: error: bad snapshot name '%s'\n", shortname(name));
    return -1;
  }
  if (store_open() < 0) {
    printf("hv6: snapshot: error: %s\n", err);
    return -1;
  }
  int i = store_find(&dir, name);
  if (i < 0) {
    printf("hv6: snapshot: error: no snapshot named '%s'\n", name);
    return -1;
  }
  int c = store_has_children(&dir, dir.ent[i].id);
  if (c >= 0) {
    printf("hv6: snapshot: error: '%s' is the parent of incremental snapshot '%s'; "
           "delete that first\n", name, dir.ent[c].name);
    return -1;
  }
  u64 id = dir.ent[i].id;
  store_remove(&dir, i);
  if (store_commit(&store_io, &dir, &dir_slot) < 0) {
    printf("hv6: snapshot: error: I/O error writing the store directory\n");
    return -1;
  }
  dirty_forget(id);           // the next save has no parent: a full one
  printf("hv6: snapshot deleted: %s\n", name);
  return 0;
}

// The monitor: snapshot save [-f] NAME | list | restore NAME | delete NAME
int snapshot_command(struct vm *vm, int argc, char **argv)
{
  if (argc >= 1 && strcmp(argv[0], "list") == 0 && argc == 1) {
    snapshot_list();
    return 0;
  }
  if (argc == 2 && strcmp(argv[0], "save") == 0)
    return snapshot_save(vm, argv[1], 0);
  if (argc == 3 && strcmp(argv[0], "save") == 0 && strcmp(argv[1], "-f") == 0)
    return snapshot_save(vm, argv[2], 1);
  if (argc == 2 && strcmp(argv[0], "restore") == 0)
    return request_restore(vm, argv[1]);
  if (argc == 2 && strcmp(argv[0], "delete") == 0)
    return snapshot_delete(argv[1]);
  printf("usage: snapshot save [-f] NAME | snapshot list | snapshot restore NAME | "
         "snapshot delete NAME\n");
  return -1;
}
#endif
