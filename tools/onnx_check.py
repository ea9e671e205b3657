#!/usr/bin/env python3
"""Checks ONNX files with onnx.checker (full check: strict shape inference included).

    /usr/bin/python3 tools/onnx_check.py FILE.onnx|DIR ...

A directory stands for the .onnx files in it. Each file prints one line, "ok" with its
opset, node and initializer counts, or "FAIL" with the checker's first line; the exit code is
1 when any file fails (2 when none was given). Needs only the onnx package (Debian's
python3-onnx); the Java build never runs it. See tools/README.md for exporting the zoo first.
"""
import pathlib
import sys

import onnx


def files(args):
    for a in args:
        p = pathlib.Path(a)
        if p.is_dir():
            yield from sorted(p.glob("*.onnx"))
        else:
            yield p


def check(path):
    """(True, a summary of the file) when it passes, else (False, the checker's first line)."""
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # the checker's errors, and an unreadable file, all count as a failure
        return False, (str(e).strip().splitlines() or [type(e).__name__])[0]
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    return True, f"opset {opset}, {len(model.graph.node)} nodes, {len(model.graph.initializer)} initializers"


def main(args):
    paths = list(files(args))
    if not paths:
        print("usage: onnx_check.py FILE.onnx|DIR ... (no .onnx file given)", file=sys.stderr)
        return 2
    failed = 0
    for p in paths:
        ok, message = check(p)
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {p}: {message}")
    print(f"onnx {onnx.__version__}: {len(paths) - failed} of {len(paths)} files pass onnx.checker")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
