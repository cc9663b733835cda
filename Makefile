# hv6 top-level Makefile (xv6 style): builds the host kernel + hypervisor
# (kernel/, hyp/, sbi/) and the guest OS (guest-os/), boots them under QEMU,
# and runs the grader and the test suites. All output goes under build/.

include conf/lab.mk
# On the command line LAB names the lab to grade/hand out (`make grade LAB=stage2`,
# `make handout LAB=2`); it becomes LABSEL, and the C build keeps using the
# numbers from conf/lab.mk (-DLAB, -DSOL), so a selector never breaks the build.
ifneq ($(filter command line environment,$(origin LAB)),)
LABSEL := $(LAB)
override LAB := $(shell sed -n 's/^LAB[ \t]*[?:]*=[ \t]*\([0-9][0-9]*\).*/\1/p' conf/lab.mk)
endif
ifneq ($(filter command line environment,$(origin SOL)),)
override SOL := $(shell sed -n 's/^SOL[ \t]*[?:]*=[ \t]*\([0-9][0-9]*\).*/\1/p' conf/lab.mk)
endif
# BUILD_LAB/BUILD_SOL build another lab configuration of this tree
# (make lint uses them with a separate B= build directory per config).
ifdef BUILD_LAB
override LAB := $(BUILD_LAB)
endif
ifdef BUILD_SOL
override SOL := $(BUILD_SOL)
endif

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
	-nostdlib -mcmodel=medany -fno-pie -no-pie \
	-fno-stack-protector -mno-relax -I. -DLAB=$(LAB) -DSOL=$(SOL) -MMD -MP
# The host never uses floating point, so the guest's FP registers survive
# every exit untouched (no save/restore on the exit path).
# GCC 12 does not know the H-extension; binutils 2.40 does, so the
# assembler alone is told about it (hfence, hlv, hypervisor CSRs).
# Every guest exit runs through a few hypervisor functions, so the host
# omits frame pointers (a few instructions per call; gdb unwinds from the
# DWARF call-frame information without them). The guest keeps them.
HV_CFLAGS = $(COMMON_CFLAGS) -march=rv64imac_zicsr_zifencei -mabi=lp64 \
	-mno-riscv-attribute -Wa,-march=rv64imac_zicsr_zifencei_h \
	-DTRAP_ALL=$(if $(filter all,$(TRAP)),1,0) -DSSTC=$(SSTC)
GUEST_CFLAGS = $(COMMON_CFLAGS) -fno-omit-frame-pointer -march=rv64imac_zicsr_zifencei -mabi=lp64

HV_SRCS = $(wildcard kernel/*.c kernel/*.S hyp/*.c hyp/*.S sbi/*.c lib/*.c)
HV_OBJS = $(patsubst %,$(K)/%.o,$(basename $(HV_SRCS)))
GUEST_SRCS = $(wildcard guest-os/*.c guest-os/*.S sbi/*.c lib/*.c)
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

# ======================================================================
# Running, debugging, grading, packaging (tools/, grader/; see labs/README.md)
#   make qemu [TRAP=min|all] [SSTC=1] [GUEST=img] [DISK=img] [GUEST_MEM=256M]
#             [ARGS="run=csrtest"] [RESTORE=name] [MONITOR=1] [TRACE=1] [QEMUEXTRA=...] [D=1]
#   make qemu-native | qemu-gdb | grade [LAB=name] [GRADEFLAGS=filter]
#   make handout LAB=name | handout-all | autograder LAB=name | zipball
#   make check | doctor | compile_commands.json
# ======================================================================
RUNCOMMON = --mem $(GUEST_MEM) $(if $(GUEST),--guest '$(GUEST)') $(if $(DISK),--disk '$(DISK)') \
	$(if $(QEMUEXTRA),--extra '$(QEMUEXTRA)') $(if $(filter 1,$(D)),--log) \
	$(if $(ARGS),--bootargs '$(ARGS)')
RUNFLAGS = --trap $(TRAP) --sstc $(SSTC) $(RUNCOMMON) \
	$(if $(RESTORE),--restore '$(RESTORE)') $(if $(filter 1,$(MONITOR)),--monitor) \
	$(if $(filter 1,$(TRACE)),--trace)
GDBPORT := $(shell expr `id -u` % 5000 + 25000)

.PHONY: deps qemu qemu-native qemu-gdb grade handout handout-all autograder zipball \
	check unit doctor compile_commands.json bench bench-smoke exitprof

deps:
	@tools/install-deps --quiet

qemu: deps $(if $(GUEST),hv6,all)
	@$(PY) tools/run.py hv6 $(RUNFLAGS)

qemu-native: deps $(if $(GUEST),,guest)
	@$(PY) tools/run.py native $(RUNCOMMON)

.gdbinit: tools/gdbinit.tmpl FORCE
	@sed -e 's|@PORT@|$(GDBPORT)|g' -e 's|@HV6@|$(K)/hv6.elf|g' \
	  -e 's|@GUEST@|$(if $(GUEST),$(GUEST),$(G)/guest.elf)|g' $< > $@

qemu-gdb: deps $(if $(GUEST),hv6,all) .gdbinit
	@echo "*** Now run 'gdb-multiarch -x .gdbinit' in another window (port $(GDBPORT))."
	@echo "*** In gdb: 'hyp' / 'guest' / 'both' switch symbol files."
	@$(PY) tools/run.py hv6 $(RUNFLAGS) --gdb $(GDBPORT)

grade:
	@$(PY) -m grader $(if $(LABSEL),--lab $(LABSEL)) $(if $(GRADEFLAGS),-k '$(GRADEFLAGS)')

handout:
	@$(if $(LABSEL),,echo "usage: make handout LAB=<name or number>"; exit 2)
	@$(PY) tools/handout.py $(LABSEL)

handout-all:
	@$(PY) tools/handout.py --all

autograder:
	@$(if $(LABSEL),,echo "usage: make autograder LAB=<name or number>"; exit 2)
	@$(PY) tools/autograder.py $(LABSEL)

zipball:
	@tools/zipball

compile_commands.json:
	@$(PY) tools/compile_commands.py

doctor:
	@tools/doctor

# make bench: exit costs, trap policy, guest efficiency, developer loop, side by
# side in one run (bench/README.md); BENCH_FULL=1 also times `make grade`.
# bench-smoke: one quick iteration; fails only if the harness itself is broken.
bench: deps
	@$(PY) tools/bench.py

bench-smoke: deps
	@$(PY) tools/bench.py --smoke

# exitprof: where one exit's instructions go, per hv6 function (TRAP=, SSTC=;
# DISKBENCH=1: the virtio notify exits of the guest's diskbench instead)
exitprof: deps hv6 guest
	@TOOLPREFIX=$(TOOLPREFIX) $(PY) tools/exitprof.py --trap $(TRAP) --sstc $(SSTC) \
		$(if $(DISKBENCH),--diskbench)

# host-native unit tests (tests/, written by the tests owner)
unit:
	@if [ -x tests/run ]; then tests/run; \
	elif [ -f tests/Makefile ]; then $(MAKE) -C tests; \
	else echo "unit: no tests/run or tests/Makefile yet; skipped"; fi

# resource control (SECURITY.md): static checks, libFuzzer targets
#   make lint                  cppcheck + -Wall -Wextra -Werror RISC-V build of every lab config
#   make fuzz [FUZZTIME=60]    every tests/fuzz_*.c for FUZZTIME seconds each
#   make fuzz-smoke            the same, briefly (make check)
#   make hostile               the hostile-guest suite (tests/hostile) under hv6
.PHONY: lint fuzz fuzz-smoke hostile
FUZZTIME ?= 60
FUZZSMOKE ?= 12
lint:
	@tests/lint
fuzz:
	@tests/fuzz -t $(FUZZTIME) $(FUZZ)
fuzz-smoke:
	@tests/fuzz -t $(FUZZSMOKE)
hostile: deps all
	@$(PY) -m grader --suite tests/hostile --out build/grade-hostile

# make check: unit tests, the grader's own tests, every lab graded on this
# tree (all must pass), then the handout integrity check (reference tree only).
check: deps
	@echo "== make check: unit tests"; $(MAKE) --no-print-directory unit
	@echo "== make check: static checks"; $(MAKE) --no-print-directory lint
	@echo "== make check: fuzz targets (smoke)"; $(MAKE) --no-print-directory fuzz-smoke
	@echo "== make check: hostile guests"; $(MAKE) --no-print-directory hostile
	@echo "== make check: grader self-tests"; $(PY) -m pytest -q -p no:cacheprovider grader/tests
	@echo "== make check: bench harness (smoke)"; mkdir -p build && $(PY) tools/bench.py --smoke >build/bench-smoke.log 2>&1 || \
	  { tail -30 build/bench-smoke.log; exit 1; }; tail -1 build/bench-smoke.log
	@echo "== make check: every lab on this tree"; $(PY) -m grader
	@if [ "$(SOL)" -ge "$(LAB)" ]; then echo "== make check: system tests (third-party guests)"; \
	  $(PY) -m grader --suite tests/system --out build/grade-system; fi
	@if [ "$(SOL)" -lt "$(LAB)" ]; then echo "== make check: handout tree, no handout check"; \
	else echo "== make check: handouts"; tools/check-handouts; fi
