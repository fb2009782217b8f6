"""publish --to sftp://: fsspec's SFTP filesystem, connected the way OpenSSH would connect.

fsspec's own connection accepts any host key it is shown, which is what a man in the middle needs.
Here the server's key is checked against the user's known_hosts files (and the system's), a changed
key is refused, and an unknown host is refused with the command that accepts it. ``~/.ssh/config``
is honoured as ssh honours it: host aliases (HostName), Port, User, IdentityFile,
UserKnownHostsFile and StrictHostKeyChecking. What the URL says wins over the config file.
Imported only for an sftp:// target (it needs the sftp extra: paramiko).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import paramiko
from fsspec.implementations.sftp import SFTPFileSystem
from fsspec.utils import infer_storage_options

SYSTEM_KNOWN_HOSTS = "/etc/ssh/ssh_known_hosts"


class HostKeyError(Exception):
    """The server's host key is unknown or has changed; the message says what to do."""


class CheckedSFTPFileSystem(SFTPFileSystem):
    """SFTPFileSystem whose connection refuses a host key that known_hosts does not hold."""

    def __init__(self, host: str, known_hosts: tuple[str, ...] = (), accept_new: bool = False,
                 **ssh_kwargs: Any) -> None:
        self._known_hosts = known_hosts
        self._accept_new = accept_new
        super().__init__(host, **ssh_kwargs)

    def _connect(self) -> None:
        client = paramiko.SSHClient()
        for path in self._known_hosts:
            if Path(path).is_file():
                client.load_system_host_keys(path)
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy() if self._accept_new else paramiko.RejectPolicy())
        port = int(self.ssh_kwargs.get("port") or 22)
        named = self.host if port == 22 else f"[{self.host}]:{port}"
        try:
            client.connect(self.host, **self.ssh_kwargs)
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise HostKeyError(
                f"the server's host key has changed ({exc.key.get_name()} {_fingerprint(exc.key)}): it may not be "
                f"the server you think; if its key really changed, remove the old one with: ssh-keygen -R '{named}'"
            ) from None
        except paramiko.SSHException as exc:
            client.close()
            if "not found in known_hosts" in str(exc):
                port_flag = f" -p {port}" if port != 22 else ""
                raise HostKeyError(
                    f"{named} is not a known host; check its key and accept it once with: ssh{port_flag} "
                    f"{self.host} (or: ssh-keyscan{port_flag} {self.host} >> ~/.ssh/known_hosts)") from None
            raise
        self.client = client
        self.ftp = client.open_sftp()


def _fingerprint(key: paramiko.PKey) -> str:
    import base64
    import hashlib

    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def _config(host: str) -> dict[str, Any]:
    """What ~/.ssh/config says for ``host`` (empty without one)."""
    path = Path(os.path.expanduser("~/.ssh/config"))
    if not path.is_file():
        return {}
    return dict(paramiko.SSHConfig.from_path(str(path)).lookup(host))


def connect(url: str) -> tuple[SFTPFileSystem, str]:
    """The filesystem at an sftp:// URL, connected and checked, and the path in it."""
    options = infer_storage_options(url)
    alias = options["host"]
    config = _config(alias)
    host = config.get("hostname") or alias
    kwargs: dict[str, Any] = {
        "port": int(options.get("port") or config.get("port") or 22),
        "username": options.get("username") or config.get("user") or getpass.getuser(),
    }
    if options.get("password"):
        kwargs["password"] = options["password"]
    if config.get("identityfile"):
        keys = [os.path.expanduser(key) for key in config["identityfile"]]
        kwargs["key_filename"] = [key for key in keys if Path(key).is_file()] or None
        if not kwargs["key_filename"]:
            del kwargs["key_filename"]
    known = [os.path.expanduser(path) for path in str(config.get("userknownhostsfile") or "").split()]
    known = known or [os.path.expanduser("~/.ssh/known_hosts")]
    strict = str(config.get("stricthostkeychecking") or "yes").lower()
    fs = CheckedSFTPFileSystem(host, known_hosts=(SYSTEM_KNOWN_HOSTS, *known),
                               accept_new=strict in ("no", "off", "accept-new"), skip_instance_cache=True, **kwargs)
    return fs, options.get("path") or "/"


__all__ = ["CheckedSFTPFileSystem", "HostKeyError", "connect"]
