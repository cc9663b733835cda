// crc32.c: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the same
// value as Python's zlib.crc32, so tools/ can compute it too. It guards
// the boot configuration and every snapshot section; table-driven because
// snapshots checksum all of guest RAM under QEMU's TCG.
#include "lib/lib.h"

static u32 table[256];

static void make_table(void)
{
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++)
      c = (c >> 1) ^ (0xEDB88320U & -(c & 1));
    table[i] = c;
  }
}

u32 crc32(u32 crc, const void *buf, size_t n)
{
  if (table[1] == 0)
    make_table();
  const u8 *p = buf;
  crc = ~crc;
  while (n--)
    crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}
