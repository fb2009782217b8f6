"""articast serve: the show folder over HTTP, for podcast apps."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from ..errors import ExitStatus, InputError
from . import options
from .base import Command


def port_number(text: str) -> int:
    """A TCP port number, for argparse: 0 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def cors_origin(text: str) -> str | None:
    """--cors: ``*`` (any site), ``none``, or one site's origin (scheme://host[:port]), for argparse."""
    import urllib.parse

    if text.strip() == "*":
        return "*"
    if text.strip().lower() == "none":
        return None
    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username:
        raise argparse.ArgumentTypeError(f"{text!r} is not an origin: give *, none or one like https://blog.example.com")
    return f"{parts.scheme}://{parts.netloc.lower()}"


class ServeCommand(Command):
    name = "serve"
    description = ("Serve the show folder over HTTP with byte ranges, for podcast apps on this machine, or on "
                   "your network with --host 0.0.0.0.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        options.add_out(parser)
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
        parser.add_argument("--port", type=port_number, default=8000,
                            help="port, 0-65535 (default: 8000; 0 picks a free one)")
        parser.add_argument("--cors", type=cors_origin, default="*", metavar="ORIGIN",
                            help="which other sites' pages may read the show's files, as embed.js on an article's "
                                 "page needs: * (any, the default), one origin such as https://blog.example.com, "
                                 "or none")
        parser.add_argument("-q", "--quiet", action="store_true",
                            help="do not print a line for each request (time, client, method, path, status, bytes)")

    def run(self, args: argparse.Namespace) -> int:
        from ..publish import FEED_FILE
        from ..publish.serve import Request, make_server

        settings = options.settings_from(args)
        folder = Path(settings.out_dir)
        if not folder.is_dir():
            raise InputError(f"{folder}: no such show folder")
        lock = threading.Lock()

        def report(request: Request) -> None:
            with lock:
                print(f"{request.time:%Y-%m-%d %H:%M:%S} {request.client} {request.method} {request.path} "
                      f"{request.status} {request.bytes_sent}", file=sys.stderr, flush=True)

        try:
            server = make_server(folder, args.host, args.port, report=None if args.quiet else report, cors=args.cors)
        except OSError as exc:
            raise InputError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None
        host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
        shown = f"[{host}]" if ":" in host else host
        print(f"serving {folder.resolve()} on http://{shown}:{server.server_address[1]}/ (Ctrl-C to stop)",
              file=sys.stderr)
        print(f"http://{shown}:{server.server_address[1]}/{FEED_FILE}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped serving", file=sys.stderr)  # how a user ends serving: exit 130, as for every Ctrl-C
            return ExitStatus.INTERRUPTED
        finally:
            server.server_close()
        return ExitStatus.OK
