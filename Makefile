# hv6 top-level Makefile (xv6 style): builds the host kernel + hypervisor
# (kernel/, hyp/, sbi/) and the guest OS (guest-os/), boots them under QEMU,
# and runs the grader and the test suites. All output goes under build/.

include conf/lab.mk

# ---- toolchain: first prefix that has a gcc, in xv6's order ----
ifndef TOOLPREFIX
TOOLPREFIX := $(shell for p in riscv64-unknown-elf- riscv64-linux-gnu- riscv64-elf-; do \
	if command -v $${p}gcc >/dev/null 2>&1; then echo $$p; exit 0; fi; done)
endif
CC      = $(TOOLPREFIX)gcc
LD      = $(TOOLPREFIX)ld
OBJCOPY = $(TOOLPREFIX)objcopy
OBJDUMP = $(TOOLPREFIX)objdump
PY     := $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
QEMU   ?= qemu-system-riscv64

# ---- build options ----
TRAP     ?= min       # min: hardware-assisted; all: classic trap-and-emulate
SSTC     ?= 0         # 1: guest timer through henvcfg.STCE + vstimecmp
GUEST_MEM ?= 128M
override TRAP := $(strip $(TRAP))
override SSTC := $(strip $(SSTC))
ifeq ($(filter $(TRAP),min all),)
$(error TRAP must be min or all, not '$(TRAP)')
endif

B  = build

# Quiet build lines ("CC file"); V=1 prints the full commands.
ifeq ($(V),1)
Q =
else
Q = @
endif
K  = $(B)/hv6-$(TRAP)$(if $(filter 1,$(SSTC)),-sstc)
G  = $(B)/guest

COMMON_CFLAGS = -Wall -Wextra -Werror -O2 -g -std=gnu11 -ffreestanding -fno-common \
	-nostdlib -mcmodel=medany -fno-pie -no-pie -fno-omit-frame-pointer \
	-fno-stack-protector -mno-relax -I. -DLAB=$(LAB) -DSOL=$(SOL) -MMD -MP
# The host never uses floating point, so the guest's FP registers survive
# every exit untouched (no save/restore on the exit path).
# GCC 12 does not know the H-extension; binutils 2.40 does, so the
# assembler alone is told about it (hfence, hlv, hypervisor CSRs).
HV_CFLAGS = $(COMMON_CFLAGS) -march=rv64imac_zicsr_zifencei -mabi=lp64 \
	-mno-riscv-attribute -Wa,-march=rv64imac_zicsr_zifencei_h \
	-DTRAP_ALL=$(if $(filter all,$(TRAP)),1,0) -DSSTC=$(SSTC)
GUEST_CFLAGS = $(COMMON_CFLAGS) -march=rv64imac_zicsr_zifencei -mabi=lp64

HV_SRCS = $(wildcard kernel/*.c kernel/*.S hyp/*.c hyp/*.S sbi/*.c)
HV_OBJS = $(patsubst %,$(K)/%.o,$(basename $(HV_SRCS)))
GUEST_SRCS = $(wildcard guest-os/*.c guest-os/*.S sbi/*.c)
GUEST_OBJS = $(patsubst %,$(G)/%.o,$(basename $(GUEST_SRCS)))

.PHONY: all hv6 guest
all: hv6 guest
hv6: $(K)/hv6.elf
guest: $(G)/guest.elf $(G)/guest.bin

$(K)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(HV_CFLAGS) -c -o $@ $<
$(K)/%.o: %.S
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(HV_CFLAGS) -c -o $@ $<
$(K)/hv6.elf: $(HV_OBJS) kernel/kernel.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) -z max-page-size=4096 -T kernel/kernel.ld -o $@ $(HV_OBJS)
	$(Q)$(OBJDUMP) -S $@ > $(K)/hv6.asm

$(G)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (guest)")
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(G)/%.o: %.S
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS      $< (guest)")
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(G)/guest.elf: $(GUEST_OBJS) guest-os/guest.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) -z max-page-size=4096 -T guest-os/guest.ld -o $@ $(GUEST_OBJS)
	$(Q)$(OBJDUMP) -S $@ > $(G)/guest.asm
$(G)/guest.bin: $(G)/guest.elf
	$(Q)$(OBJCOPY) -O binary $< $@

# Rebuild everything when the flags change (LAB, SOL, TRAP, SSTC, ...):
# each build directory remembers the flags it was built with.
$(K)/.flags $(G)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(if $(findstring $(K),$@),$(HV_CFLAGS),$(GUEST_CFLAGS))' | cmp -s - $@ || \
	  echo '$(if $(findstring $(K),$@),$(HV_CFLAGS),$(GUEST_CFLAGS))' > $@
$(HV_OBJS): $(K)/.flags
$(GUEST_OBJS): $(G)/.flags
.PHONY: FORCE
FORCE:

-include $(HV_OBJS:.o=.d) $(GUEST_OBJS:.o=.d)

.PHONY: clean
clean:
	rm -rf $(B) compile_commands.json .gdbinit
