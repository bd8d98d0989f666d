"""Benchmark: parse and map a ~100 MB IFC model in both encodings (IFC-SPF and ifcXML).

Generates the test design of ``tests/data/ifc/make_models.py`` repeated many times (each copy
with tessellated bodies the lite model ignores) into a temporary folder, then reads and maps
each file in a fresh subprocess and prints wall time and peak resident memory (VmHWM;
the interpreter with its libraries imported is printed as the baseline). A second ifcXML file
with the same elements but no bulk geometry shows that the streamed ifcXML path's memory
follows the entities kept, not the file size.

Run: ``/work/venv/bin/python benchmarks/bench_ifc.py [--mb 100] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "ifc"))

HEAVY_POINTS = 300  # points per ring of each tessellated body


def _peak_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM; ru_maxrss survives exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(path: str) -> None:
    """Parse and map one file; print JSON figures (runs in a fresh process)."""
    from inclusiecheck.readers import ReadOptions
    from inclusiecheck.readers.ifc import read_ifc

    if path.endswith(".ifc"):
        import ifcopenshell  # noqa: F401 - include the library in the baseline
    baseline = _peak_mb()
    start = time.perf_counter()
    plan = read_ifc(Path(path), ReadOptions())
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "baseline_mb": baseline,
                      "features": len(plan.features)}))


def _measure(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _generate(folder: Path, target_mb: float) -> list[tuple[str, Path, int]]:
    from make_models import build_design, write_ifcxml

    probe = build_design("IFC4", True, copies=4, heavy=HEAVY_POINTS)
    probe.write(str(folder / "probe.ifc"))
    write_ifcxml(probe, folder / "probe.ifcxml")
    spf_per_copy = (folder / "probe.ifc").stat().st_size / 4
    xml_per_copy = (folder / "probe.ifcxml").stat().st_size / 4
    files = []
    copies_spf = max(1, int(target_mb * 1e6 / spf_per_copy))
    model = build_design("IFC4", True, copies=copies_spf, heavy=HEAVY_POINTS)
    model.write(str(folder / "big.ifc"))
    files.append(("IFC-SPF", folder / "big.ifc", copies_spf))
    del model
    copies_xml = max(1, int(target_mb * 1e6 / xml_per_copy))
    model = build_design("IFC4", True, copies=copies_xml, heavy=HEAVY_POINTS)
    write_ifcxml(model, folder / "big.ifcxml")
    files.append(("ifcXML", folder / "big.ifcxml", copies_xml))
    del model
    light = build_design("IFC4", True, copies=copies_xml, heavy=0)
    write_ifcxml(light, folder / "light.ifcxml")
    files.append(("ifcXML, same elements, no bulk", folder / "light.ifcxml", copies_xml))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="target size of each file (MB)")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench_ifc_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        files = _generate(folder, args.mb)
        print(f"generated in {time.perf_counter() - start:.1f} s (IfcOpenShell API + own ifcXML writer)")
        print(f"{'encoding':34} {'size MB':>8} {'copies':>7} {'features':>9} {'time s':>7} "
              f"{'MB/s':>6} {'peak RSS MB':>12} {'baseline MB':>12}")
        for label, path, copies in files:
            figures = _measure(path)
            size = path.stat().st_size / 1e6
            print(f"{label:34} {size:8.1f} {copies:7d} {figures['features']:9d} "
                  f"{figures['seconds']:7.1f} {size / figures['seconds']:6.1f} "
                  f"{figures['peak_mb']:12.0f} {figures['baseline_mb']:12.0f}")


if __name__ == "__main__":
    main()
