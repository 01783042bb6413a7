"""Command line front end: ``check`` and ``list-checks``.

Contract (DESIGN.md): exit 0 no check failed (warnings allowed unless --strict), 1 a check
failed, 2 usage or input error, 3 a check errored or the deadline hit and nothing failed.
Bad input is one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys

from kanidoc import __version__

# ``kanidoc --version`` imports neither argparse (which pulls in re) nor typing: ~25 ms of
# a 50 ms start. Type checkers take the names below as imported.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import NoReturn

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3


class UsageError(Exception):
    pass


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _positive(value: str) -> float:
    import argparse

    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number > 0 or number > 3600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 3600 seconds: {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse prints usage too)
            raise UsageError(message)

    parser = _Parser(prog="kanidoc", description="Diagnose failing kaniko image builds.")
    parser.add_argument("--version", action="version", version=f"kanidoc {__version__}")
    # prog given: argparse would otherwise build a help formatter (and import shutil) now
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, prog="kanidoc")

    check = sub.add_parser("check", help="run the checks", description="Run the checks. Put a kaniko executor command line after --.")
    check.add_argument("--destination", "-d", action="append", default=[], metavar="REF")
    check.add_argument("--dockerfile", "-f", metavar="PATH")
    check.add_argument("--context", "-c", dest="build_context", metavar="DIR")
    check.add_argument("--auth-file", metavar="PATH", help="the config.json kaniko would read (default: $DOCKER_CONFIG/config.json, /kaniko/.docker/config.json)")
    check.add_argument("--ca-bundle", metavar="PATH")
    check.add_argument("--registry-certificate", action="append", default=[], metavar="HOST=PATH")
    check.add_argument("--skip-tls-verify", action="store_true")
    check.add_argument("--insecure", action="store_true")
    check.add_argument("--kaniko-version", metavar="V")
    check.add_argument("--docker-version", metavar="V")
    check.add_argument("--only", type=_csv, default=[], metavar="IDS")
    check.add_argument("--skip", type=_csv, default=[], metavar="IDS")
    check.add_argument("--timeout", type=_positive, default=30.0, metavar="SECONDS", help="deadline for the whole run (default 30)")
    check.add_argument("--connect-timeout", type=_positive, default=5.0, metavar="SECONDS", help="per network step (default 5)")
    check.add_argument("--dns-server", metavar="IP[:PORT]", help="resolve with this DNS server instead of /etc/resolv.conf")
    check.add_argument("--root", default="/", metavar="DIR", help="read host files (cgroups, markers, config.json) below DIR")
    check.add_argument("--format", default="text", choices=["text", "json", "junit", "markdown"])
    check.add_argument("--output", "-o", metavar="FILE")
    check.add_argument("--report-file", action="append", default=[], type=_report_file, metavar="FORMAT=FILE",
                       help="also write the report in FORMAT (json, junit, markdown, text) to FILE; repeatable")
    check.add_argument("--facts", metavar="FILE", help="replay the offline checks on a facts file written by `kanidoc collect-script`")
    check.add_argument("--ci-file", metavar="FILE", help="read the kaniko job from this .gitlab-ci.yml")
    check.add_argument("--job", metavar="NAME", help="the job in --ci-file (default: the only job running /kaniko/executor)")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--emit-ca-bundle", metavar="PATH", help="write the CA bundle that would make the presented chains verify")
    check.add_argument("--debug", action="store_true", help="tracebacks for crashed checks (still redacted)")

    lst = sub.add_parser("list-checks", help="list the available checks")
    lst.add_argument("--format", default="text", choices=["text", "json"])

    exp = sub.add_parser("explain", help="explain a failed kaniko job log",
                         description="Read a job log (GitLab's raw log as-is; - for stdin) and explain kaniko's errors "
                                     "with the finding codes of the checks. Exit 1: a failure was explained; 3: the job "
                                     "failed but no signature matched; 0: no kaniko error.")
    exp.add_argument("logfile", nargs="?", default="-", metavar="LOGFILE|-")
    exp.add_argument("--format", default="text", choices=["text", "json", "junit", "markdown"])
    exp.add_argument("--output", "-o", metavar="FILE")

    sub.add_parser("collect-script", help="print the busybox sh script that collects facts inside the kaniko image",
                   description="Print a POSIX sh script for the kaniko debug image (busybox only). It writes a facts "
                               "file (default ./kanidoc-facts.txt) for `kanidoc check --facts FILE`; no secret values.")
    return parser


def _report_file(value: str) -> tuple[str, str]:
    import argparse

    fmt, sep, path = value.partition("=")
    if not sep or not path or fmt not in ("text", "json", "junit", "markdown"):
        raise argparse.ArgumentTypeError(f"expected FORMAT=FILE with FORMAT one of text, json, junit, markdown: {value!r}")
    return fmt, path


def _colour(stream: object) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def _list_checks(fmt: str) -> int:
    from kanidoc.plugin import discover

    loaded = discover()
    if fmt == "json":
        import json

        rows = [
            {"id": c.id, "title": c.check.title if c.check else None,
             "requires": list(c.check.requires) if c.check else [], "error": c.error}
            for c in loaded
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    for c in loaded:
        if c.check is None:
            print(f"{c.id:14} (broken) {c.error}")
        else:
            req = f"  (after {', '.join(c.check.requires)})" if c.check.requires else ""
            print(f"{c.id:14} {c.check.title}{req}")
    return EXIT_OK


def _check(args: argparse.Namespace, kaniko_words: list[str]) -> int:
    from kanidoc import context, progress, render, report, runner, sources
    from kanidoc.model import Status
    from kanidoc.plugin import discover

    with sources.inputs(os.environ, kaniko_words, root=args.root, kaniko_version=args.kaniko_version,
                        facts_file=args.facts, ci_file=args.ci_file, job=args.job) as src:
        options = context.Options(
            destinations=args.destination,
            dockerfile=args.dockerfile,
            build_context=args.build_context,
            auth_file=args.auth_file,
            ca_bundle=args.ca_bundle,
            registry_certificates=args.registry_certificate,
            skip_tls_verify=args.skip_tls_verify,
            insecure=args.insecure,
            kaniko_version=src.kaniko_version,
            docker_version=args.docker_version,
            timeout=args.timeout,
            connect_timeout=args.connect_timeout,
            kaniko_words=src.kaniko_words,
            debug=args.debug,
            dns_server=args.dns_server,
            root=src.root,
            ci_job=src.ci_job,
            extra=src.extra,
        )
        ctx = context.build(options, src.env)
        try:
            available = discover()
            only = args.only or [i for i in src.default_only if i in {c.id for c in available}]
            selected = runner.select(available, only, args.skip)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        status_line = progress.StatusLine(sys.stderr, len(selected))
        try:
            results = runner.run(selected, ctx, status_line)
        finally:
            status_line.close()
        rep = report.build(ctx, results)
    if args.emit_ca_bundle:
        _emit_ca_bundle(args.emit_ca_bundle, results)
    out_stream = sys.stdout
    sections = args.output is None and os.environ.get("GITLAB_CI") == "true"
    text = render.get(args.format, render.RenderOptions(gitlab_sections=sections))(
        rep, args.output is None and _colour(out_stream))
    outputs = [(args.output, text)] if args.output else []
    outputs += [(path, render.get(fmt)(rep, False)) for fmt, path in args.report_file]
    for path, content in outputs:
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(content)
        except OSError as exc:
            raise context.InputError(f"cannot write {path}: {exc.strerror}") from None
    if not args.output:
        out_stream.write(text)
    status = rep.status
    if status is Status.FAIL or (args.strict and status is Status.WARN):
        return EXIT_FAIL
    if status is Status.ERROR:
        return EXIT_ERROR
    return EXIT_OK


def _emit_ca_bundle(path: str, results: Sequence[object]) -> None:
    """kaniko's store plus the certificates it lacks (public data: no redaction needed)."""
    from kanidoc.context import InputError
    from kanidoc.gosem import truststore

    tls = next((r for r in results if getattr(r, "id", None) == "tls"), None)
    facts = getattr(tls, "facts", {}) or {}
    store = facts.get("store")
    if store is None:
        raise InputError("--emit-ca-bundle needs the tls check to run")
    pems = [truststore.to_pem(c) for c in store.roots] + list(facts.get("bundle_additions", []))
    try:
        with open(path, "w", encoding="ascii") as fh:
            fh.write("".join(dict.fromkeys(pems)))
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    print(f"kanidoc: wrote {len(pems)} certificate(s) to {path} "
          f"({len(facts.get('bundle_additions', []))} added to kaniko's store)", file=sys.stderr)


def _explain(args: argparse.Namespace) -> int:
    import gc

    gc.enable()  # entry() switched it off for the short commands
    from kanidoc import render
    from kanidoc.context import InputError
    from kanidoc.explain.explain import exit_code, explain_path

    rep = explain_path(args.logfile, os.environ)
    text = render.get(args.format)(rep, args.output is None and _colour(sys.stdout))
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return exit_code(rep)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # what argparse's version action prints, without building the parser
        try:
            sys.stdout.write(f"kanidoc {__version__}\n")
        except BrokenPipeError:
            pass
        return EXIT_OK
    kaniko_words: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, kaniko_words = argv[:cut], argv[cut + 1 :]
    try:
        args = build_parser().parse_args(argv)
        if args.command == "list-checks":
            return _list_checks(args.format)
        if args.command == "collect-script":
            from kanidoc.facts import script

            sys.stdout.write(script())
            return EXIT_OK
        if args.command == "explain":
            return _explain(args)
        return _check(args, kaniko_words)
    except UsageError as exc:
        print(f"kanidoc: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:  # InputError and friends: bad local input
        from kanidoc.redact import Redactor

        redactor = Redactor()
        redactor.add_from_environment(os.environ)
        print(f"kanidoc: error: {redactor.redact(' '.join(str(exc).split()))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("kanidoc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    """The console script: ``main()``, then leave without the interpreter's teardown.

    Finalising the ~300 modules and objects of a check run costs 40-50 ms, a tenth of a
    healthy run, and buys nothing here: output is flushed below, files are written inside
    ``with`` blocks, and the only threads that can be left are daemon threads abandoned at
    the deadline. ``main()`` itself returns normally (tests call it in-process).

    The cyclic garbage collector is off for the short life of ``check`` and ``list-checks``
    (importing ~250 modules triggers dozens of collections that find nothing: ~10 ms);
    memory is bounded by the run's deadline and capped bodies, and refcounting frees the
    rest. ``explain`` turns it back on: a log can be long."""
    import gc

    gc.disable()
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # the reader went away (| head): nothing left to tell it
    except OSError as exc:  # a full disk, EIO: one line, not a traceback
        _stderr_line(f"kanidoc: error: writing the output failed: {exc.strerror or exc}")
        code = EXIT_ERROR
    try:
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code)


def _stderr_line(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")
    except OSError:
        pass
