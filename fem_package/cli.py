"""The ``flipstack`` command line.

Exit codes: 0 success, 1 a run failed (solver, I/O), 2 bad input (case file, arguments).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fem_package.case import CaseError, load_case
from fem_package.console import Console

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _rank() -> int:
    """MPI rank without loading MPI for commands that do not need it."""
    if "mpi4py" not in sys.modules:
        for var in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK"):
            if var in os.environ:
                return int(os.environ[var])
        return 0
    from mpi4py import MPI

    return MPI.COMM_WORLD.rank


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="flipstack",
        description="Finite-element thermal-cycling reliability of flip-chip packages.",
    )
    p.add_argument("--version", action="store_true", help="print versions of flipstack, dolfinx, PETSc, gmsh, MPI")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    common.add_argument("-v", "--verbose", action="store_true", help="print every step")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser(
        "run",
        parents=[common],
        help="run a case (the built-in default without CASE)",
        description="Mesh and solve a case, write results (XDMF, summary.json, PNG) to --out.",
    )
    r.add_argument("case", nargs="?", type=Path, help="case file (TOML); omitted: the built-in default case")
    r.add_argument("--out", type=Path, help="results folder (default: results/<case name>)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing results folder")
    r.add_argument(
        "--resume",
        action="store_true",
        help="physics = 'inelastic': continue a killed run of the same case and --out after its last complete cycle",
    )

    v = sub.add_parser(
        "validate",
        parents=[common],
        help="check a case and print its resolved parameters",
        description="Validate a case file without solving; print the resolved case in SI units.",
    )
    v.add_argument("case", type=Path, help="case file (TOML)")

    m = sub.add_parser(
        "materials",
        parents=[common],
        help="list materials and their properties",
        description="List the material library; with NAME, every property, value and source.",
    )
    m.add_argument("name", nargs="?", help="material id")

    g = sub.add_parser(
        "geometry",
        parents=[common],
        help="mesh a case's geometry; write a cutaway picture and/or the mesh",
        description="Build and mesh the geometry of CASE (the default case without it) without solving; "
        "print its regions, joints and mesh quality. The .msh file has coordinates in micrometres "
        "(read it back with type = 'file', length_unit = '1 um').",
    )
    g.add_argument("case", nargs="?", type=Path, help="case file (TOML); omitted: the built-in default case")
    g.add_argument("--png", type=Path, help="write a cutaway picture, materials coloured, to this PNG file")
    g.add_argument("--msh", type=Path, help="write the gmsh mesh (with physical groups) to this .msh file")

    s = sub.add_parser(
        "schema",
        parents=[common],
        help="write the JSON Schema of case files (for editor completion and checks)",
        description="Print the JSON Schema of the case file, generated from the case models, or write it to --out.",
    )
    s.add_argument("--out", type=Path, help="write the schema to this .json file instead of printing it")
    s.add_argument("--markdown", action="store_true", help="the case-file reference in Markdown instead of JSON Schema")

    x = sub.add_parser(
        "export",
        parents=[common],
        help="write a case as an Abaqus/CalculiX input deck (.inp)",
        description="Mesh CASE and write the model (nodes, elements per region, materials with secant CTE tables, "
        "symmetry planes and supports, one static step per load step) as an input deck for CalculiX or Abaqus.",
    )
    x.add_argument("case", type=Path, help="case file (TOML)")
    x.add_argument("--out", type=Path, required=True, help="deck file to write (.inp)")
    x.add_argument("--format", default="inp", help="deck format: inp (Abaqus / CalculiX)")
    x.add_argument("--element", help="C3D10 (quadratic) or C3D4 (linear); default: the case's [solver] degree")

    w = sub.add_parser(
        "sweep",
        parents=[common],
        help="run the variants of a parameter sweep (grid or list) into one folder each",
        description="Expand SWEEP (a base case plus parameter values), validate every variant, and run them, "
        "concurrently on MPI sub-communicators with --ranks-per-case; variants complete before are skipped. "
        "Writes OUT/<variant>/ and OUT/sweep_summary.csv.",
    )
    w.add_argument("sweep", type=Path, help="sweep file (TOML)")
    w.add_argument("--out", type=Path, help="results folder (default: results/<sweep name>)")
    w.add_argument("--ranks-per-case", type=int, default=None, help="MPI ranks per variant (default: all ranks)")
    w.add_argument("--overwrite", action="store_true", help="re-run variants whose folder holds another run")
    lp = sub.add_parser(
        "leak-paths",
        parents=[common],
        help="find leak routes from the outside into a cavity through permeable material",
        description="Mesh CASE and find every route from the outer surface to a cavity wall that crosses only "
        "permeable (organic) material (settings: [hermeticity.leak_paths]; permeabilities P = D S of "
        "data/moisture.toml); print the hermetic verdict and write leak_paths.vtp/.csv/.json to --out.",
    )
    lp.add_argument("case", type=Path, help="case file (TOML) of a geometry with a cavity (sealed_cavity)")
    lp.add_argument("--out", type=Path, help="results folder (default: results/<case name>_leak_paths)")
    lp.add_argument("--overwrite", action="store_true", help="replace an existing results folder")

    rep = sub.add_parser(
        "report",
        parents=[common],
        help="rebuild report.html of a results folder",
        description="Write RUN_DIR/report.html (self-contained: pictures inline, no JavaScript) from the folder's "
        "summary.json and data files. `flipstack run` writes it at the end of every run.",
    )
    rep.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="results folder of a run")

    cmp = sub.add_parser(
        "compare",
        parents=[common],
        help="compare runs (concepts) side by side: compare.html and compare.csv",
        description="Put several results folders side by side: critical joint, its shear-strain range, inelastic "
        "energy and life when present, ratios to the baseline run, peak von Mises per region role, hermeticity.",
    )
    cmp.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR", help="results folders")
    cmp.add_argument("--out", type=Path, required=True, help="folder for compare.html and compare.csv")
    cmp.add_argument(
        "--baseline", type=Path, metavar="RUN_DIR", help="run the others are divided by (default: the solder_bump run)"
    )

    pv = sub.add_parser(
        "paraview",
        parents=[common],
        help="write a pvpython script that renders a results folder in ParaView",
        description="Write RUN_DIR/paraview_inspect.py: loads results.xdmf, shows von Mises on the deformed stack "
        "clipped through the critical joint with time, temperature and cycle, saves inspect.png. Run it with "
        "`pvpython RUN_DIR/paraview_inspect.py` (headless Debian ParaView: `xvfb-run -a pvpython ...`).",
    )
    pv.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="results folder of a run")

    sub.add_parser(
        "geometries",
        parents=[common],
        help="list geometry types with their parameters",
        description="List geometry types, their parameters, units and defaults.",
    )
    return p


def _default_out(case: Path | None) -> Path:
    return Path("results") / (case.stem if case else "default")


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    case = load_case(args.case)
    out = args.out or _default_out(args.case)
    from fem_package.run_folder import check_destination

    check_destination(out, args.overwrite)  # on every rank: all of them stop together
    from fem_package.pipeline import run

    run(case, out, args.overwrite, console, case_file=args.case, resume=args.resume)
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace, console: Console) -> int:
    from fem_package.case.sweep import load_sweep

    variants = load_sweep(args.sweep)
    from fem_package.fenics import MPI
    from fem_package.pipeline.sweep import run_sweep

    comm = MPI.COMM_WORLD
    out = args.out or _default_out(args.sweep)
    rows = run_sweep(variants, out, args.ranks_per_case or comm.size, args.overwrite, console, comm)
    return EXIT_FAILED if any(r.status == "failed" for r in rows) else EXIT_OK


def cmd_validate(args: argparse.Namespace, console: Console) -> int:
    case = load_case(args.case)
    console.plain(f"# {args.case}: valid ({case.load.describe()}); resolved in SI units:")
    console.plain(case.to_toml())
    return EXIT_OK


def _cut_through_joints(joints: list[Any], y_min: float) -> float | None:
    """y of the joint row with the most joints (the outermost among equals); None without joints."""
    rows: dict[float, int] = {}
    for r in joints:
        if r.joint_center is not None:
            y = round(r.joint_center[1], 9)
            rows[y] = rows.get(y, 0) + 1
    if not rows:
        return None
    y = max(rows, key=lambda k: (rows[k], k))
    return y if y > y_min + 1e-9 else None


def cmd_geometry(args: argparse.Namespace, console: Console) -> int:
    case = load_case(args.case)
    for path, suffix in ((args.png, ".png"), (args.msh, ".msh")):
        if path is not None and path.suffix.lower() != suffix:
            raise CaseError(f"--{suffix[1:]} {str(path)!r}: the file name must end in {suffix}")
        if path is not None and not path.parent.is_dir():
            raise CaseError(f"--{suffix[1:]} {str(path)!r}: folder {str(path.parent)!r} does not exist")
    if _rank() != 0:  # gmsh is serial: one rank does the work
        return EXIT_OK
    import numpy as np

    from fem_package.fenics import MPI
    from geometries import mesh_geometry

    with console.status("meshing with gmsh"):
        tagged = mesh_geometry(case.geometry, case.mesh, MPI.COMM_SELF, str(args.msh) if args.msh else None)
    desc, stats = tagged.description, tagged.stats
    console.plain(
        f"{case.geometry.type} ({desc.symmetry} model): {stats['cells']} cells, {stats['vertices']} vertices, "
        f"min scaled Jacobian {stats['min_scaled_jacobian']:.3f}, {stats['seconds']:.1f} s"
    )
    materials = {r.role: case.material_of(r.role).key for r in desc.regions}
    console.plain(f"{'region':16s} {'tag':>5s} {'role':14s} {'material':22s} {'volume [mm^3]':>14s} {'DNP [mm]':>9s}")
    for r in desc.regions:
        volume = f"{r.volume * 1e9:14.5g}" if r.volume is not None else f"{'-':>14s}"
        dnp = f"{r.dnp * 1e3:9.3f}" if r.dnp is not None else f"{'-':>9s}"
        console.plain(f"{r.name:16s} {r.tag:5d} {r.role:14s} {materials[r.role]:22s} {volume} {dnp}")
    for key, value in desc.info.items():
        console.plain(f"  {key} = {value:.6g}" if isinstance(value, float) else f"  {key} = {value}")
    if args.msh:
        console.info(f"mesh written to {args.msh} (coordinates in um)")
    if args.png:
        from postprocess.geometry_picture import MeshPicture, render_geometry

        mesh = tagged.mesh
        n_cells = mesh.topology.index_map(3).size_local
        tag_of_cell = np.zeros(n_cells, dtype=np.int64)
        tag_of_cell[tagged.cell_tags.indices] = tagged.cell_tags.values
        keys = sorted(set(materials.values()))
        region_material = {r.tag: keys.index(materials[r.role]) for r in desc.regions}
        cells = mesh.geometry.dofmaps[0][:n_cells]
        picture = MeshPicture(mesh.geometry.x, cells, np.array([region_material[t] for t in tag_of_cell]), keys)
        cut = _cut_through_joints(desc.joints, float(mesh.geometry.x[:, 1].min()))
        render_geometry(picture, args.png, f"{case.title}: {case.geometry.type}", cut)
        console.info(f"picture written to {args.png}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, console: Console) -> int:
    import json

    from fem_package.case.schema import case_schema

    text = json.dumps(case_schema(), indent=2) + "\n"
    if args.markdown:
        from fem_package.case.reference import render_reference

        text = render_reference()
    if args.out is None:
        console.plain(text.rstrip("\n"))
    elif _rank() == 0:
        if not args.out.parent.is_dir():
            raise CaseError(f"--out {str(args.out)!r}: folder {str(args.out.parent)!r} does not exist")
        args.out.write_text(text, encoding="utf-8")
        console.info(f"schema written to {args.out}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, console: Console) -> int:
    case = load_case(args.case)
    if args.out.suffix.lower() != ".inp":
        raise CaseError(f"--out {str(args.out)!r}: the file name must end in .inp")
    if not args.out.parent.is_dir():
        raise CaseError(f"--out {str(args.out)!r}: folder {str(args.out.parent)!r} does not exist")
    from fem_package.pipeline.export import check_export_options, export_deck

    check_export_options(case, args.format, args.element)
    if _rank() != 0:  # gmsh is serial: one rank does the work
        return EXIT_OK
    with console.status("meshing with gmsh"):
        stats, _ = export_deck(case, args.out, args.element, args.format)
    console.info(
        f"{stats.element} deck written to {args.out}: {stats.nodes} nodes, {stats.elements} elements, "
        f"{stats.materials} materials, {stats.steps} load steps"
        + (f", {stats.tied_nodes} tied node copies" if stats.tied_nodes else "")
        + f"; run it with: ccx -i {args.out.with_suffix('')}"
    )
    return EXIT_OK


def cmd_materials(args: argparse.Namespace, console: Console) -> int:
    from fem_package.catalogue import describe_material, material_table

    if args.name:
        console.plain(describe_material(args.name))
    else:
        console.plain(material_table())
    return EXIT_OK


def cmd_geometries(args: argparse.Namespace, console: Console) -> int:
    from fem_package.catalogue import geometry_table

    console.plain(geometry_table())
    return EXIT_OK


def cmd_leak_paths(args: argparse.Namespace, console: Console) -> int:
    case = load_case(args.case)
    out = args.out or Path("results") / f"{args.case.stem}_leak_paths"
    from fem_package.run_folder import check_destination

    check_destination(out, args.overwrite)
    from fem_package.fenics import MPI
    from fem_package.pipeline.leak_paths import run_leak_paths

    run_leak_paths(case, out, args.overwrite, console, MPI.COMM_WORLD)
    return EXIT_OK


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from postprocess.report import build_report

    if _rank() == 0:  # a folder that is not a results folder raises RunFolderError, a CaseError (exit code 2)
        path = build_report(args.run_dir)
        console.info(f"report written to {path}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, console: Console) -> int:
    from postprocess.report.compare_page import write_comparison
    from postprocess.report.comparison import compare_runs

    if _rank() == 0:
        results = compare_runs(args.run_dirs, args.baseline)
        html, table = write_comparison(results, args.out)
        console.info(f"comparison of {len(results)} runs written to {html} and {table}")
    return EXIT_OK


def cmd_paraview(args: argparse.Namespace, console: Console) -> int:
    from postprocess.paraview import write_inspect_script

    if _rank() == 0:
        path = write_inspect_script(args.run_dir)
        console.info(f"ParaView script written to {path}; run: pvpython {path}")
    return EXIT_OK


COMMANDS = {
    "run": cmd_run,
    "validate": cmd_validate,
    "geometry": cmd_geometry,
    "schema": cmd_schema,
    "sweep": cmd_sweep,
    "export": cmd_export,
    "materials": cmd_materials,
    "geometries": cmd_geometries,
    "leak-paths": cmd_leak_paths,
    "report": cmd_report,
    "compare": cmd_compare,
    "paraview": cmd_paraview,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``flipstack`` console script."""
    args = _parser().parse_args(argv)
    if args.version:
        from fem_package.versions import versions

        if _rank() == 0:
            for name, value in versions().items():
                print(f"{name} {value}")
        return EXIT_OK
    if not args.command:
        _parser().print_help()
        return EXIT_BAD_INPUT
    console = Console(_rank(), 0 if args.quiet else 2 if args.verbose else 1)
    try:
        return COMMANDS[args.command](args, console)
    except CaseError as exc:
        console.error(f"invalid input\n{exc}")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        console.error("interrupted; no results folder was written")
        return EXIT_FAILED
    except RuntimeError as exc:
        console.error(str(exc))
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
