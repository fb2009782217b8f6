"""A real SFTP server for the tests: asyncssh on loopback, in a thread, serving one folder."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import asyncssh


class SftpServer:
    """Listens on 127.0.0.1 at a free port; user ``pod`` with ``password``; '/' is ``root``."""

    def __init__(self, root: Path, password: str = "s3cret-pass") -> None:
        self.root = Path(root)
        self.password = password
        self.port = 0
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._listener = None
        self._thread = threading.Thread(target=self._run, name="sftp-server", daemon=True)

    def __enter__(self) -> SftpServer:
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("the SFTP server did not start")
        return self

    def __exit__(self, *exc) -> None:
        async def stop() -> None:
            self._listener.close()
            await self._listener.wait_closed()
            others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in others:  # sessions of clients that are still connected
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def known_hosts_line(self, key: asyncssh.SSHKey | None = None) -> str:
        """The line of a known_hosts file that trusts this server (or says it has ``key``)."""
        public = (key or self.host_key).export_public_key("openssh").decode().split()
        return f"[127.0.0.1]:{self.port} {public[0]} {public[1]}\n"

    def trust(self, home: Path, key: asyncssh.SSHKey | None = None) -> Path:
        """Write ``home``/.ssh/known_hosts trusting this server (or another ``key`` under its name)."""
        ssh = Path(home) / ".ssh"
        ssh.mkdir(parents=True, exist_ok=True)
        (ssh / "known_hosts").write_text(self.known_hosts_line(key))
        return ssh / "known_hosts"

    def url(self, path: str, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"sftp://pod:{secret}@127.0.0.1:{self.port}{path}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        password, root = self.password, str(self.root)

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, given: str) -> bool:
                return username == "pod" and given == password

        class Jailed(asyncssh.SFTPServer):
            def __init__(self, chan) -> None:
                super().__init__(chan, chroot=root)

        self._listener = await asyncssh.listen(
            "127.0.0.1", 0, server_host_keys=[self.host_key],
            server_factory=Server, sftp_factory=Jailed, allow_scp=False)
        self.port = self._listener.sockets[0].getsockname()[1]
