# tests/system/test_guests.py: hv6 runs software nobody wrote for it (issue 8).
# Debian's u-boot-qemu ships an S-mode U-Boot for QEMU virt + OpenSBI; it
# must boot under hv6 unmodified, work interactively, see the disk, list
# the SBI extensions and end the VM with poweroff/reset.
import os

import pytest

from grader import points

UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
PROMPT = r"=> $"

needs_uboot = pytest.mark.skipif(not os.path.exists(UBOOT),
                                 reason=f"{UBOOT} missing (apt-get install u-boot-qemu)")


def uboot_cmd(s, line, timeout=20):
    """Type one U-Boot command at its prompt; return what it printed."""
    s.send(line.encode() + b"\r")
    mark = len(s.log)
    s.expect(PROMPT, timeout)
    return bytes(s.log[mark:]).decode("utf-8", "replace").replace("\r", "")


def uboot_session(m, **kw):
    s = m.session("hv6", guest=UBOOT, timeout=60, **kw)
    s.expect(r"Hit any key to stop autoboot")
    s.send(b"\r")
    s.expect(PROMPT)
    return s


@needs_uboot
@points(10)
def test_uboot_boots_and_powers_off(m):
    """U-Boot reaches its prompt under hv6, answers commands, and poweroff ends the VM."""
    with uboot_session(m) as s:
        out = uboot_cmd(s, "version")
        assert "U-Boot" in out, out
        out = uboot_cmd(s, "sbi")
        assert "SBI 2.0" in out and "System Reset Extension" in out, out
        s.send(b"poweroff\r")
        s.expect(r"hv6: guest shutdown")
        s.expect(r"hv6: exits:")
    s.output.expect_not(r"hv6: (panic|vm stopped)")


@needs_uboot
@points(10)
def test_uboot_reset_reboots_vm(m):
    """U-Boot's reset is an SBI SRST reboot: hv6 restarts the VM and U-Boot boots again."""
    with uboot_session(m) as s:
        s.send(b"reset\r")
        s.expect(r"hv6: guest reboot")
        s.expect(r"Hit any key to stop autoboot")
        s.send(b"\r")
        s.expect(PROMPT)
        s.send(b"poweroff\r")
        s.expect(r"hv6: exits:")
    s.output.expect_not(r"hv6: panic")


@needs_uboot
@points(10)
def test_uboot_virtio_disk(m):
    """U-Boot finds the virtio-blk disk and reads the known pattern of sector 1;
    a write round trip through the disk gives back what it wrote."""
    with uboot_session(m) as s:
        out = uboot_cmd(s, "virtio scan")
        out = uboot_cmd(s, "virtio info")
        assert "Device 0" in out and "Type: Hard Disk" in out, out
        uboot_cmd(s, "virtio read 0x84000000 1 1")
        out = uboot_cmd(s, "md.q 0x84000000 2")
        assert "0000000000000001 0000000000000001" in out, out
        uboot_cmd(s, "mw.q 0x85000000 0x1122334455667788 0x40")
        uboot_cmd(s, "virtio write 0x85000000 100 1")
        uboot_cmd(s, "mw.q 0x86000000 0 0x40")
        uboot_cmd(s, "virtio read 0x86000000 100 1")
        out = uboot_cmd(s, "cmp.q 0x85000000 0x86000000 0x40")
        assert "were the same" in out, out
        s.send(b"poweroff\r")
        s.expect(r"hv6: exits:")
