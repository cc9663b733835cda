// ecall.h: the calling side of SBI. The host kernel uses it to call
// OpenSBI (M-mode); the guest OS uses it to call whoever serves it —
// OpenSBI when booted natively, hv6's SBI server (hyp/sbi.c) when virtual.
#pragma once
#include "sbi/sbi.h"

struct sbiret {
  long error;
  long value;
};

#ifdef HOST_TEST
// Host-native builds (tests/): the "firmware" is a fake in tests/fake_host.c.
struct sbiret sbi_ecall(long ext, long fid, long a0, long a1, long a2, long a3, long a4, long a5);
#else
static inline struct sbiret
sbi_ecall(long ext, long fid, long a0, long a1, long a2, long a3, long a4, long a5)
{
  register long r_a0 asm("a0") = a0;
  register long r_a1 asm("a1") = a1;
  register long r_a2 asm("a2") = a2;
  register long r_a3 asm("a3") = a3;
  register long r_a4 asm("a4") = a4;
  register long r_a5 asm("a5") = a5;
  register long r_a6 asm("a6") = fid;
  register long r_a7 asm("a7") = ext;
  asm volatile("ecall"
               : "+r"(r_a0), "+r"(r_a1)
               : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a6), "r"(r_a7)
               : "memory");
  return (struct sbiret){ r_a0, r_a1 };
}
#endif
