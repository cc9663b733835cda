// trap.h: the register frame kernelvec.S pushes on every trap.
#pragma once
#include "kernel/riscv.h"

struct trapframe {
  u64 x[32];      // x[0] unused; x[2] is the interrupted sp
  u64 sepc;       // where sret returns to (the handler may change it)
  u64 sstatus;    // restored before sret (SPP selects U or S)
  u64 scause;
  u64 stval;
};

#define TF_RA 1
#define TF_SP 2
#define TF_A0 10
#define TF_A7 17
