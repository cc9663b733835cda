// gmem.c: the hypervisor's own reads and writes of guest physical memory
// (loading the image and device tree, SBI DBCN buffers, virtqueues,
// snapshots). Every range is checked against guest RAM first and goes
// page by page through the G-stage tables, so a guest-supplied address
// can never reach host memory outside the guest.
#include "hyp/hyp.h"

static int gmem_copy(struct vm *vm, u64 gpa, void *buf, u64 len, int to_guest)
{
  if (!gmem_is_ram(vm, gpa, len))
    return -1;
  u8 *p = buf;
  while (len > 0) {
    u8 *page = gmem_page(vm, gpa);
    if (page == 0)
      return -1;
    u64 off = gpa % PGSIZE;
    u64 n = len < PGSIZE - off ? len : PGSIZE - off;
    if (to_guest)
      memcpy(page + off, p, n);
    else
      memcpy(p, page + off, n);
    gpa += n;
    p += n;
    len -= n;
  }
  return 0;
}

int gmem_read(struct vm *vm, u64 gpa, void *dst, u64 len)
{
  return gmem_copy(vm, gpa, dst, len, 0);
}

int gmem_write(struct vm *vm, u64 gpa, const void *src, u64 len)
{
  return gmem_copy(vm, gpa, (void *)src, len, 1);
}
