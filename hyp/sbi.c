// sbi.c: the SBI server. A guest kernel calls its "firmware" with ECALL
// from VS-mode; that traps to HS-mode (cause 10) and lands here. a7 holds
// the extension ID, a6 the function ID, a0-a5 the arguments; the result
// goes back in a0 (error) and a1 (value) (SBI spec v2.0 §3). Every
// argument comes from the guest and is checked before use.
#include "hyp/hyp.h"
#include "sbi/sbi.h"
#include "sbi/ecall.h"

#define A(n) SBI_ARG(v, n)

#if SOL >= 1
// Which extensions a guest finds with BASE probe_extension.
static long ext_present(long ext)
{
  switch (ext) {
  case SBI_EXT_BASE:
  case SBI_EXT_DBCN:
  case SBI_EXT_SRST:
  case SBI_LEGACY_CONSOLE_PUTCHAR:
  case SBI_LEGACY_CONSOLE_GETCHAR:
  case SBI_LEGACY_SHUTDOWN:
    return 1;
#if LAB >= 3
  case SBI_EXT_TIME:
  case SBI_EXT_IPI:
  case SBI_EXT_RFNC:
  case SBI_EXT_HSM:
  case SBI_LEGACY_SET_TIMER:
    return 1;
#endif
  }
  return 0;
}

static void sbi_base(struct vcpu *v, long fid)
{
  struct sbiret host;
  switch (fid) {
  case SBI_BASE_GET_SPEC_VERSION: sbi_ret(v, 0, SBI_SPEC_VERSION_2_0); return;
  case SBI_BASE_GET_IMPL_ID:      sbi_ret(v, 0, SBI_IMPL_ID_HV6); return;
  case SBI_BASE_GET_IMPL_VERSION: sbi_ret(v, 0, SBI_IMPL_VERSION_HV6); return;
  case SBI_BASE_PROBE_EXT:        sbi_ret(v, 0, ext_present(A(0))); return;
  case SBI_BASE_GET_MVENDORID:
  case SBI_BASE_GET_MARCHID:
  case SBI_BASE_GET_MIMPID:
    // The guest runs on this hart: it sees the real machine IDs.
    host = sbi_ecall(SBI_EXT_BASE, fid, 0, 0, 0, 0, 0, 0);
    sbi_ret(v, host.error, host.value);
    return;
  }
  sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
}

// DBCN write/read (SBI spec §12): a0 = bytes, a1/a2 = low/high bits of
// the buffer's guest physical address. The whole buffer must be guest
// RAM, else SBI_ERR_INVALID_PARAM.
// (noinline: inlined, its many locals would make every SBI call, even the
// shortest, save and restore a dozen registers.)
static __attribute__((noinline)) void sbi_dbcn(struct vcpu *v, long fid)
{
  struct vm *vm = v->vm;
  u64 n = A(0), gpa = A(1);
  if (fid == SBI_DBCN_WRITE_BYTE) {
    uart_putc((u8)A(0));
    sbi_ret(v, 0, 0);
    return;
  }
  if (fid != SBI_DBCN_WRITE && fid != SBI_DBCN_READ) {
    sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
    return;
  }
  if (A(2) != 0 || !gmem_is_ram(vm, gpa, n)) {
    sbi_ret(v, SBI_ERR_INVALID_PARAM, 0);
    return;
  }
  u64 done = 0;
  while (done < n) {
    u8 *page = gmem_page(vm, gpa + done);
    if (page == 0)
      break;
    u64 off = (gpa + done) % PGSIZE;
    u64 chunk = n - done < PGSIZE - off ? n - done : PGSIZE - off;
    if (fid == SBI_DBCN_WRITE) {
      for (u64 i = 0; i < chunk; i++)
        uart_putc(page[off + i]);
    } else {
      u64 i = 0;
      for (int c; i < chunk && (c = vm_getc(vm)) >= 0; i++)
        page[off + i] = c;
      done += i;
      if (i < chunk)
        break;
      continue;
    }
    done += chunk;
  }
  sbi_ret(v, done == n || fid == SBI_DBCN_READ ? 0 : SBI_ERR_FAILED, done);
}

// SRST (SBI spec §10): the reset ends this VM, or restarts it; the
// host goes on. reset_type and reset_reason are 32-bit values.
static void sbi_srst(struct vcpu *v, long fid)
{
  u32 type = A(0), reason = A(1);
  if (fid != SBI_SRST_RESET) {
    sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
    return;
  }
  if (type > SBI_SRST_TYPE_WARM_REBOOT ||
      (reason > SBI_SRST_REASON_FAILURE && reason < 0xE0000000U)) {
    sbi_ret(v, SBI_ERR_INVALID_PARAM, 0);
    return;
  }
  printf("hv6: guest %s\n", type == SBI_SRST_TYPE_SHUTDOWN ? "shutdown" : "reboot");
  v->vm->state = type == SBI_SRST_TYPE_SHUTDOWN ? VM_SHUTDOWN : VM_REBOOT;
}

// SBI v0.1 (SBI spec §5): the EID is the function; only a0 is returned.
static void sbi_legacy(struct vcpu *v, long ext)
{
  switch (ext) {
  case SBI_LEGACY_CONSOLE_PUTCHAR:
    uart_putc((u8)A(0));
    A(0) = 0;
    return;
  case SBI_LEGACY_CONSOLE_GETCHAR:
    A(0) = vm_getc(v->vm);
    return;
  case SBI_LEGACY_SHUTDOWN:
    printf("hv6: guest shutdown\n");
    v->vm->state = VM_SHUTDOWN;
    return;
  }
}
#endif

void sbi_handle_ecall(struct vcpu *v)
{
  long ext = A(7), fid = A(6);
  v->vm->exits[EXIT_SBI]++;
  v->ctx.sepc += 4;      // ECALL is never compressed
#if SOL >= 1
  switch (ext) {
  case SBI_LEGACY_CONSOLE_PUTCHAR:
  case SBI_LEGACY_CONSOLE_GETCHAR:
  case SBI_LEGACY_SHUTDOWN:
    sbi_legacy(v, ext);
    return;
  case SBI_EXT_BASE: sbi_base(v, fid); return;
  case SBI_EXT_DBCN: sbi_dbcn(v, fid); return;
  case SBI_EXT_SRST: sbi_srst(v, fid); return;
#if LAB >= 3
  case SBI_EXT_TIME: sbi_time(v, fid); return;
  case SBI_EXT_IPI:  sbi_ipi(v, fid); return;
  case SBI_EXT_RFNC: sbi_rfnc(v, fid); return;
  case SBI_EXT_HSM:  sbi_hsm(v, fid); return;
  case SBI_LEGACY_SET_TIMER:
    vtimer_set(v, A(0));
    A(0) = 0;
    return;
#endif
  }
  sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
#else
  // Lab 1: serve BASE, the legacy console and shutdown, DBCN and SRST.
  // Until then the guest can only print one character at a time.
  if (ext == SBI_LEGACY_CONSOLE_PUTCHAR) {
    uart_putc((u8)A(0));
    A(0) = 0;
    return;
  }
  (void)fid;
  sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
#endif
}
