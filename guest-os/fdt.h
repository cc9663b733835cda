// fdt.h: what the guest learns about its machine from the device tree.
#pragma once
#include "guest-os/param.h"

struct virtio_slot {
  u64 base, size;
  u32 irq;
};

struct platform {
  u64 fdt_base, fdt_size;    // where the device tree itself is
  const char *bootargs;      // /chosen/bootargs, "" if none
  u64 mem_base, mem_size;    // first memory node
  u64 timebase;              // /cpus timebase-frequency, 0 if unknown
  const char *isa;           // the first cpu's riscv,isa, 0 if none
  u64 uart_base, uart_size;  // ns16550a, base 0 if none
  u32 uart_irq;
  u64 plic_base, plic_size;  // riscv,plic0 / sifive,plic-1.0.0, base 0 if none
  u32 plic_ndev;
  int nvirtio;
  struct virtio_slot virtio[MAXVIRTIO];
};

extern struct platform plat;
