# grader/decode.py: turn hv6's stop/panic lines into words for failure reports.
# hv6 prints `scause=0x.. stval=0x.. htval=0x.. htinst=0x..` (any subset, any
# order) in `hv6: vm stopped:` and `hv6: panic:` lines; we name the cause and
# explain what each register means for it.
import re

EXCEPTIONS = {
    0: "instruction address misaligned", 1: "instruction access fault",
    2: "illegal instruction", 3: "breakpoint", 4: "load address misaligned",
    5: "load access fault", 6: "store/AMO address misaligned", 7: "store/AMO access fault",
    8: "environment call from U-mode (or VU-mode)", 9: "environment call from HS-mode",
    10: "environment call from VS-mode", 11: "environment call from M-mode",
    12: "instruction page fault", 13: "load page fault", 15: "store/AMO page fault",
    18: "software check", 19: "hardware error",
    20: "instruction guest-page fault", 21: "load guest-page fault",
    22: "virtual instruction", 23: "store/AMO guest-page fault",
}
INTERRUPTS = {
    1: "supervisor software interrupt", 2: "virtual supervisor software interrupt",
    3: "machine software interrupt", 5: "supervisor timer interrupt",
    6: "virtual supervisor timer interrupt", 7: "machine timer interrupt",
    9: "supervisor external interrupt", 10: "virtual supervisor external interrupt",
    11: "machine external interrupt", 12: "supervisor guest external interrupt",
}
REG_RE = re.compile(r"\b(scause|sepc|stval|htval|htinst|hstatus|vsepc|pc)=(0x[0-9a-fA-F]+|\d+)")


def cause_name(scause):
    """scause value -> words, e.g. 0x15 -> 'load guest-page fault (exception 21)'."""
    intr = bool(scause >> 63)
    code = scause & ((1 << 63) - 1)
    table = INTERRUPTS if intr else EXCEPTIONS
    kind = "interrupt" if intr else "exception"
    return f"{table.get(code, 'reserved/unknown cause')} ({kind} {code})"


def decode_regs(regs):
    """dict of register name -> int -> list of explanation lines."""
    out = []
    sc = regs.get("scause")
    code = None
    if sc is not None:
        out.append(f"scause={sc:#x}: {cause_name(sc)}")
        code = None if sc >> 63 else sc
    if "stval" in regs:
        v = regs["stval"]
        if code == 2 or code == 22:
            what = f"the faulting instruction bits {v:#x}" if v else "0 (instruction bits not reported)"
        elif code in (0, 1, 4, 5, 6, 7, 12, 13, 15, 20, 21, 23):
            what = f"the faulting (guest-virtual) address {v:#x}"
        else:
            what = f"{v:#x}"
        out.append(f"stval={v:#x}: {what}")
    if "htval" in regs:
        v = regs["htval"]
        if code in (20, 21, 23):
            out.append(f"htval={v:#x}: guest-physical address >> 2, i.e. GPA {v << 2:#x}")
        else:
            out.append(f"htval={v:#x}" + (" (unused for this cause)" if v == 0 else ""))
    if "htinst" in regs:
        v = regs["htinst"]
        if v == 0:
            note = "0: no transformed instruction (hv6 must read it with HLVX.HU)"
        elif v & 3 != 3 and v in (0x2000, 0x3000, 0x2020, 0x3020):
            note = "a pseudoinstruction: fault during an implicit G-stage walk of a VS page table"
        else:
            note = f"transformed instruction {v:#x}" + (" (was compressed)" if v & 2 == 0 else "")
        out.append(f"htinst={v:#x}: {note}")
    if "hstatus" in regs:
        v = regs["hstatus"]
        out.append(f"hstatus={v:#x}: SPV={(v >> 7) & 1} (trap came from {'V' if (v >> 7) & 1 else 'non-V'} mode), "
                   f"GVA={(v >> 6) & 1} (stval {'is' if (v >> 6) & 1 else 'is not'} a guest virtual address)")
    for k in ("sepc", "pc", "vsepc"):
        if k in regs:
            out.append(f"{k}={regs[k]:#x}")
    return out


def decode_line(line):
    """One console line -> explanation lines ([] if it has no registers)."""
    regs = {k: int(v, 0) for k, v in REG_RE.findall(line)}
    return decode_regs(regs) if regs else []


def explain(text):
    """All hv6 stop/panic reports in a console transcript, decoded."""
    out = []
    for line in text.splitlines():
        if line.startswith("hv6: ") and ("stopped" in line or "panic" in line or "scause=" in line):
            dec = decode_line(line)
            out.append(line.rstrip())
            out += ["    " + d for d in dec]
    return out
