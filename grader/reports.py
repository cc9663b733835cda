# grader/reports.py: pick hv6's failure reports out of a console transcript,
# for the top of a failing test's report. hv6 decodes its traps itself
# (hyp/diag.c, kernel/trap.c), so a report is a few lines of words:
#   hv6: vm stopped: <why>            or  hv6: panic: <why>
#   hv6:   last exit: <cause> (scause N) at pc ...      (indented lines that
#   hv6:     stval ..., htval ... (GPA ...), htinst ...  belong to the report)
#   hv6:   hint: <the likely mistake>
# and the guest OS's own `hv6-guest: panic: ...` line.
START = ("hv6: vm stopped:", "hv6: panic:", "hv6-guest: panic:")
MORE = "hv6:   "


def reports(text):
    """Every report in text, each as its lines: [[line, ...], ...]."""
    out, cur = [], None
    for line in text.splitlines():
        line = line.rstrip()
        if line.startswith(START):
            cur = [line]
            out.append(cur)
        elif cur is not None and line.startswith(MORE):
            cur.append(line)
        else:
            cur = None
    return out


def headlines(text, limit=4):
    """The lines a one-glance summary needs: each report's first line and
    its hint, at most limit of them."""
    keep = [l for r in reports(text) for l in r if l.startswith(START) or l.startswith(MORE + "hint:")]
    return keep[:limit]
