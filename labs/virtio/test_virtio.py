# labs/virtio/test_virtio.py: visible tests of lab 4 (virtio): the
# virtio-mmio transport and the virtio-blk device model. disktest (guest-os/
# disktest.c) runs the same driver natively on QEMU's own virtio-blk and
# under hv6; its result lines must be identical.
import re

from grader import points


@points(10)
def test_device_found(m):
    """The guest finds a modern (version 2) virtio-blk in slot 0, negotiates
    VERSION_1 and FLUSH, and reads the disk's capacity."""
    out = m.run_hv6("run=disktest", timeout=60)
    out.expect(r"^disktest: virtio-blk device found, version 2$",
               "the guest's driver did not accept the virtio-mmio registers")
    out.expect(r"^disktest: features VERSION_1 and FLUSH negotiated$")
    out.expect(r"^disktest: capacity 32768 sectors$", "config space: capacity in 512-byte sectors")
    out.expect_not(r"^hv6: (panic|vm stopped)")


@points(10)
def test_read_pattern(m):
    """Reads return the pattern of the default disk (sector n holds n)."""
    out = m.run_hv6("run=disktest", timeout=60)
    out.expect(r"^disktest: single-sector reads return the pattern$")
    out.expect(r"^disktest: one 32 KiB read of sectors 0-63 returns the pattern$")
    out.expect(r"^disktest: one 256 KiB read of sectors 1000-1511 returns the pattern$")


@points(20)
def test_disktest_equivalence(m):
    """disktest (many requests in flight, large and unaligned buffers, errors,
    flush, GET_ID, reset) prints the same lines natively and under hv6."""
    m.compare("disktest", timeout=90)


@points(10)
def test_interrupt_driven(m):
    """The guest driver in interrupt mode: the device's interrupt reaches the
    guest through the vPLIC after requests complete (a batch in flight and
    single requests), so the driver sleeping in WFI wakes up."""
    out = m.run_hv6("run=disktest", timeout=60)
    out.expect_not(r"^disktest: no PLIC driver or device interrupt",
                   "the guest found no PLIC or no interrupt for the virtio slot")
    out.expect(r"^disktest: interrupt mode: 21 writes of 4 KiB in flight at once complete OK$",
               "requests in flight did not all complete by interrupt")
    out.expect(r"^disktest: interrupt mode: all 42 completions collected by the interrupt "
               r"handler$", "USED_RING interrupt missing, or completions lost")
    out.expect(r"^disktest: interrupt mode: each single request woke the driver$")
    out.selftest("disktest")


@points(5)
def test_disktest_trap_all(m):
    """The device model works the same under TRAP=all."""
    m.compare("disktest", trap="all", timeout=90)


@points(10)
def test_persist_across_reboot(m):
    """A write survives an SBI SRST reboot of the VM (hv6 re-creates the VM)."""
    out = m.run_hv6("run=disktest,reboot", timeout=90)
    out.expect(r"^disktest: reboot: marker written, rebooting$")
    out.expect(r"^hv6: guest reboot")
    out.expect(r"^disktest: reboot: marker found after reboot$",
               "the marker written before the reboot was not read back after it")
    out.selftest("disktest")


@points(10)
def test_persist_across_runs(m):
    """A flushed write reaches the disk image: a second QEMU run on the same
    image reads it back."""
    first = m.run_hv6("run=disktest,persist", timeout=60)
    first.expect(r"^disktest: persist: marker written$")
    first.selftest("disktest")
    second = m.run_hv6("run=disktest,persist", timeout=60)
    second.expect(r"^disktest: persist: marker from the previous run found$",
                  "the write of the first run is not in the disk image")
    second.selftest("disktest")


HOSTILE_RESET = [
    "data outside RAM", "data in a device window", "data from the PLIC", "length 2^32-1",
    "data across the end of RAM", "status in a device window", "length 0", "descriptor loop",
    "self loop", "next out of range", "head out of range", "avail index jump",
    "indirect not negotiated", "no status descriptor", "readable after writable",
]


@points(20)
def test_hostile_rings(m):
    """Malicious rings (addresses outside RAM or in device windows, lengths 0
    and 2^32-1, loops, bad indices, INDIRECT without the feature, bad queue
    set-up) set DEVICE_NEEDS_RESET; bad requests get IOERR/UNSUPP; notify
    before ready and writes to read-only registers do nothing; the host
    survives and a device reset brings the disk back every time."""
    out = m.run_hv6("run=disktest,hostile;disktest", timeout=120)
    out.expect_not(r"^hv6: (panic|vm stopped)", "a guest must never crash the host or its own VM")
    for case in HOSTILE_RESET:
        out.expect(rf"^disktest: info hostile {re.escape(case)}: needs_reset$",
                   f"{case}: the device should set DEVICE_NEEDS_RESET")
    out.expect(r"^disktest: info hostile bad queue: ready=0 needs_reset=1$",
               "QUEUE_READY with a bad size or rings outside RAM must be refused")
    out.expect(r"^disktest: hostile sector 2\^63: IOERR$")
    out.expect(r"^disktest: hostile unknown type: UNSUPP$")
    out.expect(r"^disktest: hostile notify before ready: ignored$")
    out.expect(r"^disktest: hostile writes to read-only registers: ignored$")
    # both disktest runs (hostile, then the normal one) pass all their checks
    done = re.findall(r"^disktest: done, (\d+) checks, (\d+) failed", out.text, re.M)
    assert len(done) == 2 and all(f == "0" for _, f in done), \
        f"disktest results (checks, failed): {done}"
