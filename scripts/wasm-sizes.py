#!/usr/bin/env python3
"""Lists the largest functions of a wasm module by code size, using its name section.

Usage: scripts/wasm-sizes.py MODULE.wasm [N]   (build without --remove-name-section to get names)
"""
import sys


def leb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def main():
    data = open(sys.argv[1], "rb").read()
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    pos, imported, bodies, names, sections = 8, 0, [], {}, {}
    while pos < len(data):
        sid = data[pos]
        size, pos = leb(data, pos + 1)
        end = pos + size
        sections[sid] = sections.get(sid, 0) + size
        if sid == 2:  # imports: count function imports
            count, p = leb(data, pos)
            for _ in range(count):
                for _ in range(2):
                    n, p = leb(data, p)
                    p += n
                kind = data[p]
                p += 1
                if kind == 0:
                    imported += 1
                    _, p = leb(data, p)
                elif kind == 1:
                    p += 1
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 2:
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 3:
                    p += 2
                else:
                    p += 1
                    _, p = leb(data, p)
        elif sid == 10:
            count, p = leb(data, pos)
            for _ in range(count):
                n, p = leb(data, p)
                bodies.append(n)
                p += n
        elif sid == 0:
            n, p = leb(data, pos)
            name = data[p:p + n].decode()
            p += n
            if name == "name":
                while p < end:
                    sub = data[p]
                    ssize, p = leb(data, p + 1)
                    if sub == 1:
                        count, q = leb(data, p)
                        for _ in range(count):
                            idx, q = leb(data, q)
                            n, q = leb(data, q)
                            names[idx] = data[q:q + n].decode(errors="replace")
                            q += n
                    p += ssize
        pos = end
    print("sections (bytes):", {k: v for k, v in sorted(sections.items())})
    rows = sorted(((size, names.get(imported + i, f"func{imported + i}")) for i, size in enumerate(bodies)), reverse=True)
    print(f"{len(bodies)} functions, {sum(bodies)} code bytes")
    for size, name in rows[:top]:
        print(f"{size:7d}  {name[:150]}")


main()
