// fuzz_sbi.c: libFuzzer target for the SBI server (hyp/sbi.c
// sbi_handle_ecall) with everything a guest controls fuzzed: a7 (EID),
// a6 (FID), a0-a5, the console input, and the size of guest RAM. The VM
// is a fake with the real G-stage code (hyp/stage2.c, hyp/gmem.c): each
// guest RAM page and page-table page is its own heap block from
// tests/fake_host.c's kalloc, so AddressSanitizer's redzones fence every
// page: any byte the server touches outside guest RAM is an ASan error.
// Input: 1 byte RAM size, then calls of 1 control byte + EID + FID + a0-a5.
// Invariants: sepc advances by 4; only a0/a1 change (SBI spec §3); EIDs
// hv6 does not serve return SBI_ERR_NOT_SUPPORTED; a v0.2+ call returns
// a defined error code; DBCN write prints exactly the guest bytes and
// DBCN read stores exactly the typed bytes, only within guest RAM; a
// buffer not wholly in RAM is refused without any output or new page;
// no more pages are ever backed than the VM has.
// SOURCES: hyp/sbi.c hyp/gmem.c hyp/stage2.c hyp/vswalk.c tests/fake_host.c lib/crc32.c lib/string.c
// LAB: 1
#include "hyp/hyp.h"
#include "sbi/sbi.h"
#include "tests/fake_host.h"
#include "tests/fuzz.h"

// ---- the console: what the server printed, what the "user" typed ----
static u8 out[1 << 16];
static u64 nout;
static struct fuzz_in typed;
static u64 ntyped;

void uart_putc(int c)
{
  if (nout < sizeof(out))
    out[nout] = c;
  nout++;
}

int vm_getc(struct vm *vm)
{
  (void)vm;
  if (typed.n == 0)
    return -1;
  ntyped++;
  return fuzz_take(&typed, 1);
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
  (void)fmt;
  vm->state = VM_STOPPED;
}

void mmio_fault(struct vcpu *v, u64 gpa) { (void)v, (void)gpa; }

#if LAB >= 3
// Lab 3's SBI extensions live in other files (fuzzed through the guest's
// hostile suite); here they only count, and answer success as they would.
static int lab3_calls;
static void lab3_ret(struct vcpu *v) { v->ctx.x[10] = 0; v->ctx.x[11] = 0; lab3_calls++; }
__attribute__((weak)) void sbi_time(struct vcpu *v, long fid) { (void)fid; lab3_ret(v); }
__attribute__((weak)) void sbi_ipi(struct vcpu *v, long fid) { (void)fid; lab3_ret(v); }
__attribute__((weak)) void sbi_rfnc(struct vcpu *v, long fid) { (void)fid; lab3_ret(v); }
__attribute__((weak)) void sbi_hsm(struct vcpu *v, long fid) { (void)fid; lab3_ret(v); }
__attribute__((weak)) void vtimer_set(struct vcpu *v, u64 d) { (void)v, (void)d; lab3_calls++; }
#endif

static const long eids[] = {
  SBI_EXT_BASE, SBI_EXT_DBCN, SBI_EXT_SRST, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFNC,
  SBI_EXT_HSM, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x4442434F, 0x0A000000, 0x08000000,
  0x10000000, -1,
};

static int served(long eid)
{
  switch (eid) {
  case SBI_EXT_BASE: case SBI_EXT_DBCN: case SBI_EXT_SRST:
#if LAB >= 3
  case SBI_EXT_TIME: case SBI_EXT_IPI: case SBI_EXT_RFNC: case SBI_EXT_HSM:
#endif
    return 1;
  }
  return eid >= 0 && eid <= 8;   // legacy
}

static struct vm vm;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fuzz_in in = { data, size };
  memset(&vm, 0, sizeof(vm));
  static struct bootcfg cfg;
  vm.cfg = &cfg;
  u8 first = fuzz_take(&in, 1);
  vm.ram_size = (4UL + 2 * ((first & 0x7f) % 6)) << 20;   // 4..14 MiB
  vm.fdt_gpa = GUEST_RAM_BASE + vm.ram_size - GUEST_FDT_SIZE;
  vm.vcpu.vm = &vm;
  fake_kalloc_limit = 1L << 20;
  FUZZ_CHECK(stage2_init(&vm) == 0, "stage2_init");
  if (first & 0x80)      // the host runs out of pages soon
    fake_kalloc_limit = fake_kalloc_used + 2 + (first & 0x3f);
  struct vcpu *v = &vm.vcpu;
  u64 npages = vm.ram_size / PGSIZE;

  for (int call = 0; call < 16 && in.n > 0; call++) {
    u8 ctl = fuzz_take(&in, 1);
    long eid = (ctl & 1) ? eids[fuzz_take(&in, 1) % NELEM(eids)] : (long)fuzz_take(&in, 8);
    long fid = (ctl & 2) ? (long)fuzz_take(&in, 1) : (long)fuzz_take(&in, 8);
    u64 a[6];
    for (int i = 0; i < 6; i++)
      a[i] = fuzz_take(&in, (ctl & 8) ? 2 : 8);
    if (ctl & 4)      // a buffer near or inside guest RAM
      a[1] = GUEST_RAM_BASE - PGSIZE + a[1] % (vm.ram_size + 2 * PGSIZE);
    if (ctl & 16)     // a modest length
      a[0] %= 3 * PGSIZE;
    if (ctl & 32)     // the high address half is zero, as on RV64
      a[2] = 0;
    typed = (struct fuzz_in){ in.p, (ctl & 64) ? in.n : 0 };
    ntyped = 0;

    for (int r = 1; r < 32; r++)
      v->ctx.x[r] = 0x1000 * r + call;
    for (int i = 0; i < 6; i++)
      v->ctx.x[10 + i] = a[i];
    v->ctx.x[16] = fid;
    v->ctx.x[17] = eid;
    u64 sepc = 0x80200000 + 8 * call;
    v->ctx.sepc = sepc;
    struct context before = v->ctx;
    u64 pages_before = vm.pages;
    nout = 0;
    vm.state = VM_RUNNING;

    sbi_handle_ecall(v);

    long err = v->ctx.x[10];
    FUZZ_CHECK(v->ctx.sepc == sepc + 4, "sepc 0x%lx", (unsigned long)v->ctx.sepc);
    for (int r = 1; r < 32; r++)
      if (r != 10 && r != 11)
        FUZZ_CHECK(v->ctx.x[r] == before.x[r], "eid 0x%lx fid %ld changed x%d", eid, fid, r);
    FUZZ_CHECK(vm.pages <= npages, "%lu pages backed of %lu", (unsigned long)vm.pages,
               (unsigned long)npages);
    if (!served(eid))
      FUZZ_CHECK(err == SBI_ERR_NOT_SUPPORTED && nout == 0, "eid 0x%lx: a0 %ld", eid, err);
    if ((eid > 8 || eid < 0) && vm.state == VM_RUNNING)   // a reset does not return
      FUZZ_CHECK(err <= 0 && err >= SBI_ERR_ALREADY_STOPPED, "eid 0x%lx fid %ld: a0 %ld", eid, fid, err);

    if (eid == SBI_EXT_DBCN && (fid == SBI_DBCN_WRITE || fid == SBI_DBCN_READ)) {
      u64 n = a[0], gpa = a[1];
      int inram = a[2] == 0 && gpa >= GUEST_RAM_BASE && gpa - GUEST_RAM_BASE < vm.ram_size &&
                  n <= vm.ram_size - (gpa - GUEST_RAM_BASE);
      if (!inram) {
        FUZZ_CHECK(err == SBI_ERR_INVALID_PARAM && nout == 0 && ntyped == 0 &&
                   vm.pages == pages_before, "DBCN %ld outside RAM (0x%lx+%lu): a0 %ld",
                   fid, (unsigned long)gpa, (unsigned long)n, err);
      } else if (fid == SBI_DBCN_WRITE) {
        u64 done = v->ctx.x[11];
        FUZZ_CHECK((err == 0 && done == n && nout == n) ||
                   (err == SBI_ERR_FAILED && done < n && nout == done
                    && fake_kalloc_used + 3 > fake_kalloc_limit),   // only when out of host memory
                   "DBCN write %lu: a0 %ld a1 %lu out %lu",
                   (unsigned long)n, err, (unsigned long)done, (unsigned long)nout);
        u64 cmp = done < sizeof(out) ? done : sizeof(out);
        u8 *g = malloc(cmp ? cmp : 1);
        FUZZ_CHECK(gmem_read(&vm, gpa, g, cmp) == 0, "gmem_read");
        FUZZ_CHECK(memcmp(g, out, cmp) == 0, "DBCN write printed other bytes than the guest's");
        free(g);
      } else {
        u64 got = v->ctx.x[11];
        FUZZ_CHECK(err == 0 && got == ntyped && got <= n, "DBCN read: a0 %ld a1 %lu typed %lu",
                   err, (unsigned long)got, (unsigned long)ntyped);
        u8 *g = malloc(got ? got : 1);
        FUZZ_CHECK(gmem_read(&vm, gpa, g, got) == 0, "gmem_read");
        FUZZ_CHECK(memcmp(g, in.p, got) == 0, "DBCN read stored other bytes than typed");
        free(g);
      }
    }
    if (eid == SBI_EXT_DBCN && fid == SBI_DBCN_WRITE_BYTE)
      FUZZ_CHECK(err == 0 && nout == 1 && out[0] == (u8)a[0], "DBCN write_byte");
    if (eid == SBI_EXT_SRST && fid == SBI_SRST_RESET) {
      u32 type = a[0], reason = a[1];
      int valid = type <= SBI_SRST_TYPE_WARM_REBOOT &&
                  (reason <= SBI_SRST_REASON_FAILURE || reason >= 0xE0000000U);
      FUZZ_CHECK(valid ? vm.state != VM_RUNNING : (err == SBI_ERR_INVALID_PARAM && vm.state == VM_RUNNING),
                 "SRST type 0x%x reason 0x%x: a0 %ld state %d", type, reason, err, vm.state);
    }
    if (ctl & 64) {   // the typed bytes were used up
      in.p += ntyped;
      in.n -= ntyped;
    }
    // Touch the first byte of every backed page (ASan checks these are live).
    for (u64 g = GUEST_RAM_BASE; g < GUEST_RAM_BASE + vm.ram_size; g += 64 * PGSIZE) {
      u64 hpa = stage2_translate(&vm, g);
      if (hpa)
        (void)*(volatile u8 *)hpa;
    }
  }
  stage2_destroy(&vm);
  FUZZ_CHECK(fake_kalloc_used == 0, "%ld pages leaked", fake_kalloc_used);
  return 0;
}
