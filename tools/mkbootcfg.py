#!/usr/bin/python3
# tools/mkbootcfg.py: write the hv6 boot configuration image (hyp/bootcfg.h):
# a 4096-byte little-endian header followed by the guest kernel image.
# QEMU's generic loader places the result at BOOTCFG_PA in host RAM.
#
# The guest image is validated first, so a bad image is refused before boot
# with one clear line on stderr and exit status 1:
#   - missing or empty file; header + image larger than BOOTCFG_MAX (64 MiB)
#   - ELF (detected by its magic) that is not ELF64 little-endian RISC-V
#     executable (EM_RISCV=243, ET_EXEC), or has no loadable segment
#   - any PT_LOAD segment (by p_paddr) or the entry point outside guest RAM
#   - raw images (anything that is not ELF) are loaded at GPA 0x80200000
#   - nothing may reach into the top FDT_RESERVE (2 MiB) of guest RAM: hv6
#     places the generated device tree there.
#
# hdr_crc32 is zlib.crc32 over struct bootcfg (its 432 bytes, as hyp/vm.c
# checks it) with the hdr_crc32 field zero; the rest of the 4096 bytes is 0; image_crc32 is zlib.crc32 over the image bytes.
#
# usage: mkbootcfg.py -o OUT [--mem 128M] [--bootargs S] [--restore NAME]
#                     [--disk-id ID] [--monitor] [--trace] [--no-htval] GUEST_IMAGE
import argparse
import struct
import sys
import zlib

BOOTCFG_MAGIC = b"HV6BOOT\0"
BOOTCFG_VERSION = 1
BOOTCFG_HDR_SIZE = 4096
BOOTCFG_MAX = 64 << 20
IMAGE_RAW, IMAGE_ELF = 0, 1
F_MONITOR, F_TRACE, F_NO_HTVAL = 0x1, 0x2, 0x4

GUEST_RAM_BASE = 0x80000000
RAW_LOAD_ADDR = 0x80200000
FDT_RESERVE = 2 << 20          # top of guest RAM, reserved for the device tree
MIN_GUEST_MEM = 4 << 20          # the limits hyp/vm.c enforces
MAX_GUEST_MEM = 4 << 30

# struct bootcfg: magic[8] version hdr_size image_size image_kind image_crc32
# guest_mem flags hdr_crc32 bootargs[256] restore[64] disk_id[64]
HDR = struct.Struct("<8sIIQIIQII256s64s64s")
HDR_FIELDS = ("magic", "version", "hdr_size", "image_size", "image_kind", "image_crc32",
              "guest_mem", "flags", "hdr_crc32", "bootargs", "restore", "disk_id")
HDR_CRC_OFFSET = 44


class BadImage(Exception):
    pass


def parse_size(s):
    """'128M', '1G', '512K', '134217728' -> bytes."""
    t = str(s).strip().upper().removesuffix("IB").removesuffix("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    try:
        if t and t[-1] in mult:
            return int(t[:-1], 0) * mult[t[-1]]
        return int(t, 0)
    except ValueError:
        raise BadImage(f"bad GUEST_MEM size '{s}' (use e.g. 128M, 1G or bytes)")


def check_guest_mem(mem):
    if mem < MIN_GUEST_MEM or mem > MAX_GUEST_MEM or mem % (2 << 20):
        raise BadImage(f"GUEST_MEM={mem} bytes ({mem / (1 << 20):g} MiB) must be a multiple of 2 MiB "
                       f"from 4 MiB to 4 GiB")


def elf_check(path, data, mem):
    """Validate an ELF guest image; raise BadImage with one line."""
    if len(data) < 64:
        raise BadImage(f"{path}: truncated ELF header")
    if data[4] != 2:
        raise BadImage(f"{path}: not a 64-bit ELF (ELFCLASS{32 if data[4] == 1 else data[4]}); "
                       "hv6 runs RV64 guests")
    if data[5] != 1:
        raise BadImage(f"{path}: ELF is not little-endian")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_machine != 243:
        raise BadImage(f"{path}: ELF machine is {e_machine}, not RISC-V (243)")
    if e_type != 2:
        raise BadImage(f"{path}: ELF type {e_type} is not an executable (ET_EXEC)")
    e_entry, e_phoff = struct.unpack_from("<QQ", data, 24)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    if e_phnum == 0 or e_phentsize < 56 or e_phoff + e_phnum * e_phentsize > len(data):
        raise BadImage(f"{path}: ELF has no valid program headers")
    ram_end = GUEST_RAM_BASE + mem
    fdt = ram_end - FDT_RESERVE
    loads = 0
    for i in range(e_phnum):
        off = e_phoff + i * e_phentsize
        p_type, _, p_offset, _, p_paddr, p_filesz, p_memsz = struct.unpack_from("<IIQQQQQ", data, off)
        if p_type != 1 or p_memsz == 0:      # PT_LOAD only
            continue
        loads += 1
        if p_filesz > p_memsz or p_offset + p_filesz > len(data):
            raise BadImage(f"{path}: ELF segment {i} is truncated or malformed")
        end = p_paddr + p_memsz
        if p_paddr < GUEST_RAM_BASE or end > ram_end:
            raise BadImage(f"{path}: ELF segment {i} [{p_paddr:#x}, {end:#x}) is outside guest RAM "
                           f"[{GUEST_RAM_BASE:#x}, {ram_end:#x}) (GUEST_MEM={mem >> 20}M)")
        if end > fdt:
            raise BadImage(f"{path}: ELF segment {i} [{p_paddr:#x}, {end:#x}) overlaps the FDT area "
                           f"[{fdt:#x}, {ram_end:#x}) that hv6 reserves at the top of guest RAM")
    if loads == 0:
        raise BadImage(f"{path}: ELF has no PT_LOAD segment")
    if not GUEST_RAM_BASE <= e_entry < fdt:
        raise BadImage(f"{path}: ELF entry {e_entry:#x} is outside guest RAM")


def raw_check(path, data, mem):
    end = RAW_LOAD_ADDR + len(data)
    fdt = GUEST_RAM_BASE + mem - FDT_RESERVE
    if end > fdt:
        raise BadImage(f"{path}: raw image of {len(data)} bytes loaded at {RAW_LOAD_ADDR:#x} "
                       f"ends at {end:#x}, past the FDT area at {fdt:#x} "
                       f"(too big for GUEST_MEM={mem >> 20}M)")


def seal(hdr):
    """Set hdr_crc32 in hdr (a bytearray starting with struct bootcfg):
    CRC-32 of the struct with that field zero, as hyp/vm.c checks it."""
    struct.pack_into("<I", hdr, HDR_CRC_OFFSET, 0)
    struct.pack_into("<I", hdr, HDR_CRC_OFFSET, zlib.crc32(bytes(hdr[:HDR.size])))


def flags(monitor=False, trace=False, no_htval=False):
    """struct bootcfg's flags word for these options."""
    return ((F_MONITOR if monitor else 0) | (F_TRACE if trace else 0) |
            (F_NO_HTVAL if no_htval else 0))


def build(image_path, mem=128 << 20, bootargs="", restore="", disk_id="", flags=0):
    """Return the bootcfg bytes for image_path; raise BadImage."""
    check_guest_mem(mem)
    try:
        with open(image_path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise BadImage(f"{image_path}: cannot read guest image: {e.strerror}")
    if not data:
        raise BadImage(f"{image_path}: guest image is empty")
    if BOOTCFG_HDR_SIZE + len(data) > BOOTCFG_MAX:
        raise BadImage(f"{image_path}: guest image of {len(data)} bytes is too big "
                       f"(header + image must fit in {BOOTCFG_MAX >> 20} MiB)")
    if data[:4] == b"\x7fELF":
        kind = IMAGE_ELF
        elf_check(image_path, data, mem)
    else:
        kind = IMAGE_RAW
        raw_check(image_path, data, mem)
    fields = []
    for name, s, n in (("bootargs", bootargs, 256), ("restore", restore, 64), ("disk_id", disk_id, 64)):
        b = (s or "").encode()
        if len(b) >= n or b"\0" in b:
            raise BadImage(f"{name} '{s}' is too long (at most {n - 1} bytes)")
        fields.append(b)
    hdr = bytearray(HDR.pack(BOOTCFG_MAGIC, BOOTCFG_VERSION, BOOTCFG_HDR_SIZE, len(data), kind,
                             zlib.crc32(data), mem, flags, 0, *fields))
    seal(hdr)
    hdr += bytes(BOOTCFG_HDR_SIZE - len(hdr))
    return bytes(hdr) + data


def main(argv=None):
    ap = argparse.ArgumentParser(description="write an hv6 bootcfg image (hyp/bootcfg.h)")
    ap.add_argument("image", help="guest kernel: RV64 ELF or raw binary (loaded at 0x80200000)")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--mem", default="128M", help="GUEST_MEM, e.g. 128M, 1G or bytes")
    ap.add_argument("--bootargs", default="")
    ap.add_argument("--restore", default="", help="snapshot name to restore")
    ap.add_argument("--disk-id", default="")
    ap.add_argument("--monitor", action="store_true", help="start in the hypervisor monitor")
    ap.add_argument("--trace", action="store_true", help="start with exit tracing on")
    ap.add_argument("--no-htval", action="store_true",
                    help="hv6 ignores htval, as on a hart that writes 0 there")
    a = ap.parse_args(argv)
    try:
        out = build(a.image, parse_size(a.mem), a.bootargs, a.restore, a.disk_id,
                    flags(a.monitor, a.trace, a.no_htval))
    except BadImage as e:
        print(f"mkbootcfg: refusing guest image: {e}", file=sys.stderr)
        return 1
    with open(a.output, "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
