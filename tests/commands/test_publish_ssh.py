"""`publish ssh` and `publish rollback ssh` against a real OpenSSH server on a loopback port."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from conftest import TWO_ARTICLES, write_site

from builder.commands.publish import ssh as ssh_module
from builder.commands.publish.common import PublishError

SITE = TWO_ARTICLES


def sshd_path() -> str:
    """Debian's sshd and rsync, or skip (fail under CI, where .ci/run installs them)."""
    sshd = shutil.which("sshd") or next((p for p in ("/usr/sbin/sshd",) if os.access(p, os.X_OK)), None)
    missing = [name for name, path in (("openssh-server", sshd), ("rsync", shutil.which("rsync")),
                                       ("ssh", shutil.which("ssh")), ("ssh-keygen", shutil.which("ssh-keygen")))
               if not path]
    if not missing and sshd:
        return sshd
    if os.environ.get("CI") == "true":
        pytest.fail(f"{', '.join(missing)} missing on CI: .ci/run should have installed openssh-server and rsync")
    pytest.skip(f"{', '.join(missing)} not installed: apt-get install openssh-server rsync")


@dataclass(frozen=True)
class Server:
    port: int
    key: Path           # the user's private key
    known_hosts: Path   # holds the server's host key
    folder: Path        # scratch space of the module

    def destination(self, root: Path) -> str:
        return f"{getpass.getuser()}@127.0.0.1:{root}"

    def flags(self) -> list[str]:
        return ["--port", str(self.port), "--identity-file", str(self.key),
                "--ssh-option", f"UserKnownHostsFile={self.known_hosts}", "--ssh-option", "StrictHostKeyChecking=yes"]


def keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(path)], check=True)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"sshd did not listen on port {port} within {seconds} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """sshd on a free loopback port with a throwaway host key; logs in the current user by key."""
    sshd = sshd_path()
    folder = tmp_path_factory.mktemp("sshd")
    host_key = keygen(folder / "host_ed25519")
    user_key = keygen(folder / "user_ed25519")
    (folder / "authorized_keys").write_text(user_key.with_suffix(".pub").read_text())
    port = free_port()
    config = folder / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}",
        f"AuthorizedKeysFile {folder / 'authorized_keys'}", "PubkeyAuthentication yes",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
        "PermitRootLogin prohibit-password", f"PidFile {folder / 'sshd.pid'}", "LogLevel ERROR",
        "MaxStartups 50", "MaxSessions 50", ""]))
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)   # sshd's privilege separation folder
    process = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        public = host_key.with_suffix(".pub").read_text().split()
        known = folder / "known_hosts"
        known.write_text(f"[127.0.0.1]:{port} {public[0]} {public[1]}\n")
        yield Server(port, user_key, known, folder)
    finally:
        process.terminate()
        process.wait(timeout=10)


def make_site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "s", SITE)


def publish(cli, site: Path, tmp_path: Path, server: Server, root: Path, *more: str):
    return cli("publish", "ssh", server.destination(root), "--source", site, "--destination", tmp_path / "out",
               *server.flags(), *more)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def live(root: Path) -> Path:
    return root / "current"


def releases(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "releases").iterdir())


def test_publish_makes_a_release_and_points_current_at_it(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    run = publish(cli, site, tmp_path, server, root)
    assert run.code == 0, run.err
    assert live(root).is_symlink() and os.readlink(live(root)).startswith("releases/")
    served = tree(live(root))
    built = tree(tmp_path / "out")
    built.pop(".builder-output")
    assert {k: v for k, v in served.items() if k in built} == built
    assert b"/alt/erster-artikel/ /articles/a/ 301" in served["_redirects"]
    assert b'"/alt/erster-artikel/" "/articles/a/";' in served["redirects.nginx.conf"]
    assert "https://example.org/articles/a/" in run.out


def test_second_publish_sends_nothing_and_makes_no_release(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    assert publish(cli, site, tmp_path, server, root).code == 0
    before = releases(root)
    again = publish(cli, site, tmp_path, server, root)
    assert again.code == 0, again.err
    assert "0 added, 0 changed, 0 removed" in again.out
    assert releases(root) == before


def test_changed_article_travels_alone_and_the_rest_is_hard_linked(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    assert publish(cli, site, tmp_path, server, root).code == 0
    first = releases(root)[0]
    b = site / "content/articles/b.md"
    b.write_text(b.read_text(encoding="utf-8").replace("Text.", "Neuer Text."), encoding="utf-8")
    run = publish(cli, site, tmp_path, server, root)
    assert run.code == 0, run.err
    second = os.readlink(live(root)).split("/")[-1]
    assert second != first and releases(root) == sorted([first, second])
    old, new = root / "releases" / first, root / "releases" / second
    assert b"Neuer Text." in (new / "articles/b/index.html").read_bytes()
    assert "https://example.org/articles/b/" in run.out
    same = [rel for rel in tree(new) if (old / rel).exists() and (old / rel).read_bytes() == (new / rel).read_bytes()]
    assert same and all((old / rel).stat().st_ino == (new / rel).stat().st_ino for rel in same)
    assert (old / "articles/b/index.html").stat().st_ino != (new / "articles/b/index.html").stat().st_ino


def test_removed_article_is_gone_from_the_new_release(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    assert publish(cli, site, tmp_path, server, root).code == 0
    (site / "content/articles/b.md").unlink()
    (site / "content/articles/a.md").write_text("---\ntitle: Erster\ndate: 2022-01-26\n---\nText.\n", encoding="utf-8")
    run = publish(cli, site, tmp_path, server, root)
    assert run.code == 0, run.err
    assert not (live(root) / "articles/b/index.html").exists()
    assert "https://example.org/articles/b/" in run.out


def test_rollback_restores_the_previous_release_byte_for_byte(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    assert publish(cli, site, tmp_path, server, root).code == 0
    first = tree(live(root))
    (site / "content/articles/b.md").write_text("---\ntitle: Neu\ndate: 2022-01-27\n---\nAnders.\n", encoding="utf-8")
    assert publish(cli, site, tmp_path, server, root).code == 0
    assert tree(live(root)) != first
    run = cli("publish", "rollback", "ssh", server.destination(root), "--source", site, *server.flags())
    assert run.code == 0, run.err
    assert "rolled back" in run.out
    assert tree(live(root)) == first
    older = cli("publish", "rollback", "ssh", server.destination(root), "--source", site, *server.flags())
    assert older.code == 1 and "nothing to roll back" in older.err


def test_keep_prunes_old_releases_but_never_the_live_one(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    for n in range(4):
        (site / "content/articles/b.md").write_text(f"---\ntitle: B\ndate: 2022-01-27\n---\nFassung {n}.\n",
                                                    encoding="utf-8")
        assert publish(cli, site, tmp_path, server, root, "--keep", "2").code == 0
    kept = releases(root)
    assert len(kept) == 2 and os.readlink(live(root)) == f"releases/{kept[-1]}"
    assert b"Fassung 3." in (live(root) / "articles/b/index.html").read_bytes()


def test_a_publish_cut_off_leaves_the_old_release_live(tmp_path: Path, cli, server: Server,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    assert publish(cli, site, tmp_path, server, root).code == 0
    link, before = os.readlink(live(root)), tree(live(root))
    (site / "content/articles/b.md").write_text("---\ntitle: Neu\ndate: 2022-01-27\n---\nAnders.\n", encoding="utf-8")
    real = ssh_module._Connection.rsync

    def killed(self, args):  # the upload's rsync dies after sending part of the files
        if any(a.endswith(".partial/") for a in args):
            real(self, [*args[:-2], "--max-size=1", *args[-2:]])   # only tiny files arrive
            raise PublishError("rsync was killed")
        return real(self, args)
    monkeypatch.setattr(ssh_module._Connection, "rsync", killed)
    run = publish(cli, site, tmp_path, server, root)
    assert run.code == 1 and "rsync was killed" in run.err
    assert os.readlink(live(root)) == link and tree(live(root)) == before
    assert any(name.endswith(".partial") for name in releases(root))
    monkeypatch.undo()
    assert publish(cli, site, tmp_path, server, root).code == 0
    assert not any(name.endswith(".partial") for name in releases(root))
    assert b"Anders." in (live(root) / "articles/b/index.html").read_bytes()


def test_dry_run_lists_and_touches_nothing(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    run = publish(cli, site, tmp_path, server, root, "--dry-run")
    assert run.code == 0, run.err
    assert "+ articles/a/index.html" in run.out
    assert not root.exists()


def test_precompress_adds_gz_files_beside_text(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    assert publish(cli, site, tmp_path, server, root, "--precompress").code == 0
    import gzip
    assert gzip.decompress((live(root) / "index.html.gz").read_bytes()) == (live(root) / "index.html").read_bytes()
    assert not (tmp_path / "out/index.html.gz").exists()      # the build's folder stays as built


def test_a_host_key_that_does_not_match_is_refused(tmp_path: Path, cli, server: Server) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    wrong = keygen(tmp_path / "other_host").with_suffix(".pub").read_text().split()
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{server.port} {wrong[0]} {wrong[1]}\n")
    run = cli("publish", "ssh", server.destination(root), "--source", site, "--destination", tmp_path / "out",
              "--port", str(server.port), "--identity-file", str(server.key),
              "--ssh-option", f"UserKnownHostsFile={known}", "--ssh-option", "StrictHostKeyChecking=yes")
    assert run.code == 1
    assert "host key" in run.err and "does not match" in run.err and "ssh-keygen -R" in run.err
    assert not root.exists()


def test_missing_rsync_is_explained(tmp_path: Path, cli, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    site, root = make_site(tmp_path), tmp_path / "srv"
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "ssh").symlink_to(shutil.which("ssh"))
    monkeypatch.setenv("PATH", str(bin_))
    run = publish(cli, site, tmp_path, server, root)
    assert run.code == 1
    assert "rsync is not installed on this machine" in run.err
    assert not root.exists()


def test_bad_destination_is_explained() -> None:
    with pytest.raises(PublishError, match="USER@HOST:/PATH"):
        ssh_module.parse_destination("nur-ein-host")
