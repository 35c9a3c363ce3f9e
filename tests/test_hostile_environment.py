"""Hostile environments, round two: every OS error is exit 2 and one line naming the path; never exit 1.

Real conditions where the machine allows them: a full file system and a read-only one are small
tmpfs mounts in a private mount namespace (``unshare -m``, which needs root or CAP_SYS_ADMIN;
skipped with the reason otherwise), symlinks and folders are real, signals are real.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nkmap import cli
from nkmap.infra import atomic

from .conftest import ARTICLES, GAZETTEER, ROOT, nkmap_env, run_nkmap

PYTHON = sys.executable
ARTICLE = sorted(ARTICLES.glob("*.txt"))[1]


def env(**extra):
    return nkmap_env(**extra)


def run(*args, **kw):
    return run_nkmap(*args, **kw)


def one_error_line(done, *fragments):
    """Exit 2 and exactly one stderr line ``Error: ...`` holding each fragment; never a bug report."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    assert "bug in nkmap" not in lines[0]
    for fragment in fragments:
        assert str(fragment) in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` (hidden ones included) with the hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".") and ".tmp" in p.name]


# --- private mounts ---------------------------------------------------------------------------


def _can_unshare() -> str:
    try:
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unshare not available: {e}"
    return "" if done.returncode == 0 else f"cannot mount a tmpfs in a private namespace: {done.stderr.strip()}"


NO_NAMESPACE = _can_unshare()
needs_namespace = pytest.mark.skipif(bool(NO_NAMESPACE), reason=NO_NAMESPACE or "ok")

# Runs inside `unshare -m`: mounts a small tmpfs, runs the steps, prints what happened as JSON.
DRIVER = textwrap.dedent(
    """
    import hashlib, json, os, subprocess, sys
    spec = json.loads(sys.argv[1])
    mnt = spec["mount"]
    os.makedirs(mnt, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + spec["size"], "tmpfs", mnt], check=True)
    def files(folder):
        if not os.path.isdir(folder):
            return {}
        return {n: hashlib.sha256(open(os.path.join(folder, n), "rb").read()).hexdigest()
                for n in sorted(os.listdir(folder)) if os.path.isfile(os.path.join(folder, n))}
    report = []
    for step in spec["steps"]:
        if step[0] == "fill":  # leave about step[1] bytes free
            st = os.statvfs(mnt)
            free = st.f_bfree * st.f_frsize - step[1]
            with open(os.path.join(mnt, "filler"), "wb") as f:
                f.write(b"\\0" * max(free, 0))
            report.append({"step": "fill"})
        elif step[0] == "readonly":
            subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
            report.append({"step": "readonly"})
        else:
            done = subprocess.run(step, capture_output=True, text=True, env=spec["env"], cwd=spec["cwd"])
            report.append({"step": "run", "rc": done.returncode, "stderr": done.stderr, "out": files(spec["out"])})
    print(json.dumps(report))
    """
)


def in_namespace(tmp_path: Path, size: str, steps: list, out: str = "out") -> list[dict]:
    mnt = tmp_path / "mnt"
    spec = {
        "mount": str(mnt),
        "size": size,
        "steps": steps,
        "env": env(),
        "cwd": str(ROOT),
        "out": str(mnt / out),
    }
    done = subprocess.run(
        ["unshare", "-m", PYTHON, "-c", DRIVER, json.dumps(spec)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def build(out: Path | str, *formats: str) -> list[str]:
    args = [PYTHON, "-m", "nkmap", "build", str(ARTICLES), "--gazetteer", str(GAZETTEER), "--out", str(out)]
    return args + (["--format", ",".join(formats)] if formats else [])


@needs_namespace
@pytest.mark.slow
@pytest.mark.parametrize("formats", [("html",), ("geojson",), ("csv",), ("kml",), ("png", "svg")])
def test_a_full_disk_is_exit_2_and_the_previous_outputs_stay(tmp_path, formats):
    out = tmp_path / "mnt" / "out"
    first, _, second = in_namespace(tmp_path, "4m", [build(out, *formats), ["fill", 2048], build(out, *formats)])
    assert first["rc"] == 0, first["stderr"]
    line = one_error_line(type("Done", (), {"returncode": second["rc"], "stderr": second["stderr"]}), "no space left")
    assert str(out) in line
    assert second["out"] == first["out"], "the previous outputs must stay exactly as they were, with no temporaries"


@needs_namespace
@pytest.mark.slow
def test_a_full_disk_midway_through_the_set_replaces_nothing(tmp_path):
    """The page fits, a later file does not: the new page must not replace the old one alone."""
    out = tmp_path / "mnt" / "out"
    first, _, second = in_namespace(tmp_path, "8m", [build(out, "html", "csv"), ["fill", 1_100_000], build(out)])
    assert first["rc"] == 0, first["stderr"]
    assert second["rc"] == 2 and "no space left" in second["stderr"], second["stderr"]
    assert second["out"] == first["out"]


@pytest.mark.slow
@needs_namespace
def test_a_read_only_output_folder_is_exit_2_naming_it(tmp_path):
    out = tmp_path / "mnt" / "out"
    first, _, second = in_namespace(tmp_path, "4m", [build(out, "geojson"), ["readonly"], build(out, "geojson")])
    assert first["rc"] == 0, first["stderr"]
    done = type("Done", (), {"returncode": second["rc"], "stderr": second["stderr"]})
    one_error_line(done, out, "Read-only file system")
    assert second["out"] == first["out"]


@needs_namespace
@pytest.mark.slow
def test_an_unwritable_cache_folder_only_costs_time(tmp_path):
    """An empty, read-only cache: the GeoNames index is built in a scratch folder; the build succeeds."""
    cache = tmp_path / "mnt"
    out = tmp_path / "out"
    script = (
        f"mount -t tmpfs -o size=64k,ro tmpfs {cache} && "
        # no periodic progress lines: on a loaded machine reading may pass their interval
        f"NKMAP_PROGRESS_INTERVAL=100000 NKMAP_CACHE_DIR={cache} exec {PYTHON} -m nkmap build {ARTICLES} --gazetteer {GAZETTEER} "
        f"--out {out} --format geojson"
    )
    cache.mkdir()
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env())
    assert done.returncode == 0, done.stderr
    assert "cache folder not writable" in done.stderr
    # warnings, and the first run's progress lines for the indexes it builds: never an error
    assert all(line.startswith(("Warning: ", "nkmap: ")) for line in done.stderr.splitlines()), done.stderr
    assert json.loads((out / "places.geojson").read_text(encoding="utf-8"))["features"]


def test_an_unwritable_cache_file_is_computed_again(tmp_path, monkeypatch):
    from nkmap.infra import cache

    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    (tmp_path / "memo").write_text("a file where the memo folder goes", encoding="utf-8")
    assert cache.remembered("memo", "key", lambda: '{"a": 1}') == '{"a": 1}'  # cannot be written: computed
    (tmp_path / "memo").unlink()
    cache.remembered("memo", "key", lambda: '{"a": 1}')
    (memo,) = (tmp_path / "memo").iterdir()
    memo.write_text('{"a": 1', encoding="utf-8")  # a corrupt memo is computed again, not trusted
    assert cache.remembered("memo", "key", lambda: '{"a": 2}') == '{"a": 2}'


# --- a folder where a file goes; a name too long; a name that is not UTF-8 ----------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ["map.html", "places.kml", "map.svg"])
def test_a_folder_where_an_output_file_goes_is_exit_2_and_nothing_is_replaced(tmp_path, name):
    out = tmp_path / "out"
    assert run("build", ARTICLES, "--gazetteer", GAZETTEER, "--out", out, "--format", "geojson").returncode == 0
    before = snapshot(out)
    (out / name).mkdir()
    (out / name / "keep.txt").write_text("mine", encoding="utf-8")
    done = run("build", ARTICLES, "--gazetteer", GAZETTEER, "--out", out, "--format", "all")
    one_error_line(done, out / name, "is a folder")
    assert snapshot(out) == before and not temporaries(out)
    assert (out / name / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_a_rename_that_fails_midway_puts_the_earlier_files_back(tmp_path):
    """The set is replaced as a whole: the first rename is undone when the second fails."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a", encoding="utf-8")
    b.write_text("old b", encoding="utf-8")
    with pytest.raises(OSError) as caught:
        with atomic.replaced_together():
            atomic.write_text(a, "new a")
            atomic.write_text(b, "new b")
            b.unlink()  # someone puts a folder where b goes after it was written, before the renames
            b.mkdir()
            (b / "inside").write_text("x", encoding="utf-8")
    assert str(b) in str(caught.value)
    assert a.read_text(encoding="utf-8") == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


@pytest.mark.slow
def test_an_article_name_of_255_bytes_builds(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    name = "a" * 251 + ".txt"  # its sidecar a...a.json would be 256 bytes: it cannot exist
    (folder / name).write_bytes(ARTICLE.read_bytes())
    out = tmp_path / "out"
    done = run("build", folder, "--gazetteer", GAZETTEER, "--out", out)
    assert done.returncode == 0, done.stderr
    mentions = json.loads((out / "mentions.geojson").read_text(encoding="utf-8"))["features"]
    assert mentions and {f["properties"]["article"] for f in mentions} == {name}


def test_a_gazetteer_name_of_255_bytes_can_be_added_to(tmp_path):
    path = tmp_path / ("g" * 247 + ".geojson")
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    done = run("gazetteer", "add", "Testplace", "--lat", "40.1", "--lon", "47.2", "--gazetteer", path)
    assert done.returncode == 0, done.stderr
    assert [p["properties"]["id"] for p in json.loads(path.read_text(encoding="utf-8"))["features"]] == ["testplace"]


@pytest.mark.slow
def test_a_file_name_that_is_not_utf8_builds_and_is_shown_by_its_bytes(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/caf\xe9-\xff.txt"
    with open(raw, "wb") as f:
        f.write(ARTICLE.read_bytes())
    out = tmp_path / "out"
    done = run("build", folder, "--gazetteer", GAZETTEER, "--out", out)
    assert done.returncode == 0, done.stderr
    for name in ("mentions.geojson", "places.geojson", "map.html", "mentions.csv", "places.kml", "review.csv"):
        text = (out / name).read_bytes().decode("utf-8")  # every output is valid UTF-8
        if name in ("mentions.csv", "places.kml"):
            assert "caf\\xe9-\\xff.txt" in text, name
        if name in ("map.html", "mentions.geojson"):
            assert json.dumps("caf\\xe9-\\xff.txt") in text, name
    mentions = json.loads((out / "mentions.geojson").read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["article"] for f in mentions} == {"caf\\xe9-\\xff.txt"}


# --- a planted lock file ----------------------------------------------------------------------


@pytest.mark.parametrize("plant", ["symlink to a file", "dangling symlink", "folder"])
def test_a_planted_lock_file_is_refused_and_what_it_points_to_untouched(tmp_path, plant):
    path = tmp_path / "g.geojson"
    path.write_bytes(GAZETTEER.read_bytes())
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me", encoding="utf-8")
    lock = tmp_path / ".g.geojson.lock"
    if plant == "symlink to a file":
        lock.symlink_to(victim)
    elif plant == "dangling symlink":
        lock.symlink_to(tmp_path / "nowhere" / "x")
    else:
        lock.mkdir()
    done = run("gazetteer", "add", "Testplace", "--lat", "40.1", "--lon", "47.2", "--gazetteer", path)
    one_error_line(done, lock)
    assert victim.read_text(encoding="utf-8") == "do not truncate me"
    assert path.read_bytes() == GAZETTEER.read_bytes()


# --- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "1e999", "-inf", "nan", "-1", "0", "ten", "1e300"])
def test_max_article_size_must_be_a_finite_positive_number(tmp_path, value):
    done = run("build", ARTICLES, "--out", tmp_path / "out", f"--max-article-size={value}")
    assert done.returncode == 2
    assert f"argument --max-article-size: {value!r} is not a size in MB" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_too_large_geonameid_fails_at_load_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    assert run("build", ARTICLES, "--gazetteer", GAZETTEER, "--out", out, "--format", "html,csv").returncode == 0
    before = snapshot(out)
    data = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    data["features"][0]["properties"]["geonameid"] = 2**64
    bad = tmp_path / "g.geojson"
    bad.write_text(json.dumps(data), encoding="utf-8")
    pid = data["features"][0]["properties"]["id"]
    line = one_error_line(run("build", ARTICLES, "--gazetteer", bad, "--out", out), bad, "feature 0", "'geonameid'")
    assert line.endswith(f"(id {pid!r}), field 'geonameid': {2**64} is too large (at most {2**63 - 1})")
    assert snapshot(out) == before


# --- stdout closed early -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_reader_that_stops_early_ends_the_listing_quietly(tmp_path):
    big = tmp_path / "g.geojson"
    data = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    base = data["features"][0]
    data["features"] = [
        {**base, "properties": {"id": f"p-{i}", "name": f"Place {i}", "kind": "village"}} for i in range(20000)
    ]
    big.write_text(json.dumps(data), encoding="utf-8")
    proc = subprocess.Popen(
        [PYTHON, "-m", "nkmap", "gazetteer", "list", "--gazetteer", str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env(),
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # `| head -1`
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and first.startswith(b"p-0\tPlace 0")
    assert err == ""


def test_head_in_a_shell_pipe(tmp_path):
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {PYTHON} -m nkmap gazetteer list | head -1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env(),
    )
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1 and done.stderr == ""


# --- every OSError class -------------------------------------------------------------------------

OS_ERRORS = [
    (PermissionError(errno.EACCES, "Permission denied", "/data/x.geojson"), "permission denied"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "/data/x.geojson"), "no such file"),
    (IsADirectoryError(errno.EISDIR, "Is a directory", "/data/x.geojson"), "is a folder"),
    (NotADirectoryError(errno.ENOTDIR, "Not a directory", "/data/x.geojson"), "not a folder"),
    (FileExistsError(errno.EEXIST, "File exists", "/data/x.geojson"), "exists already"),
    (OSError(errno.ENOSPC, "No space left on device", "/data/x.geojson"), "no space left"),
    (OSError(errno.EDQUOT, "Disk quota exceeded", "/data/x.geojson"), "quota"),
    (OSError(errno.EROFS, "Read-only file system", "/data/x.geojson"), "read-only"),
    (OSError(errno.ENAMETOOLONG, "File name too long", "/data/x.geojson"), "too long"),
    (OSError(errno.ELOOP, "Too many levels of symbolic links", "/data/x.geojson"), "symbolic links"),
    (OSError(errno.EIO, "Input/output error", "/data/x.geojson"), "input/output"),
    (OSError(errno.EMFILE, "Too many open files", "/data/x.geojson"), "too many open files"),
    (OSError(errno.EXDEV, "Invalid cross-device link", "/data/x.geojson", None, "/data/y"), "cross-device"),
    (InterruptedError(errno.EINTR, "Interrupted system call", "/data/x.geojson"), "interrupted"),
    (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), "reset"),
    (TimeoutError(errno.ETIMEDOUT, "Connection timed out"), "timed out"),
]


@pytest.mark.parametrize(("error", "said"), OS_ERRORS, ids=[type(e).__name__ + str(e.errno) for e, _ in OS_ERRORS])
def test_every_os_error_is_exit_2_naming_the_path(monkeypatch, capsys, error, said):
    def fails(args):
        raise error

    monkeypatch.setattr(cli, "_gazetteer_check", fails)
    assert cli.main(["gazetteer", "check"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "bug" not in lines[0], lines
    assert said in lines[0].lower()
    if error.filename:
        assert error.filename in lines[0]


# --- signals -------------------------------------------------------------------------------------

WRAPPING_LIBRARY = textwrap.dedent(
    """
    import os, signal, sys, time
    from nkmap import cli

    def library_call(args):  # a library that turns whatever interrupts it into its own error
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except BaseException as e:
            raise RuntimeError("the library failed") from e

    cli._gazetteer_check = library_call
    sys.exit(cli.main(["gazetteer", "check"]))
    """
)


def test_sigterm_turned_into_a_library_error_still_exits_143():
    done = subprocess.run([PYTHON, "-c", WRAPPING_LIBRARY], capture_output=True, text=True, env=env(), timeout=60)
    assert done.returncode == 143, done.stderr
    assert "bug" not in done.stderr


def test_an_interrupt_waits_for_the_end_of_a_critical_step():
    seen = []
    with atomic.deferred_interrupts():
        atomic.when_safe(lambda: seen.append("stop"))
        assert seen == []  # held
        with atomic.deferred_interrupts():
            pass
        assert seen == []  # still held: the outer block has not ended
    assert seen == ["stop"]
    atomic.when_safe(lambda: seen.append("now"))
    assert seen == ["stop", "now"]


def test_sigterm_while_a_set_is_renamed_leaves_the_whole_new_set(tmp_path):
    """A real SIGTERM sent while the set is renamed is held until the renames are done."""
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from nkmap import cli
        from nkmap.infra import atomic
        real_replace = os.replace
        def replace(a, b):  # the signal lands between two renames
            real_replace(a, b)
            os.kill(os.getpid(), signal.SIGTERM)
        def write(args):
            with atomic.replaced_together():
                for n in range(3):
                    atomic.write_text(Path({str(tmp_path)!r}) / f"f{{n}}.txt", "new")
                os.replace = replace
            return 0
        cli._gazetteer_check = write
        sys.exit(cli.main(["gazetteer", "check"]))
        """
    )
    for n in range(3):
        (tmp_path / f"f{n}.txt").write_text("old", encoding="utf-8")
    done = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, env=env(), timeout=60)
    assert done.returncode == 143, done.stderr
    assert [(tmp_path / f"f{n}.txt").read_text(encoding="utf-8") for n in range(3)] == ["new"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.txt", "f1.txt", "f2.txt"]


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_new_outputs_follow_the_umask_and_replaced_ones_keep_their_mode(tmp_path):
    out = tmp_path / "out"
    script = f"umask 027 && exec {PYTHON} -m nkmap build {ARTICLES} --gazetteer {GAZETTEER} --out {out} --format html,geojson"
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env())
    assert done.returncode == 0, done.stderr
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {
        "map.html": "0o640",
        "mentions.geojson": "0o640",
        "places.geojson": "0o640",
    }
    (out / "map.html").chmod(0o600)
    done = subprocess.run(["sh", "-c", script.replace("027", "000")], capture_output=True, text=True, env=env())
    assert done.returncode == 0, done.stderr
    assert oct((out / "map.html").stat().st_mode & 0o777) == "0o600"
    assert oct((out / "places.geojson").stat().st_mode & 0o777) == "0o640"


@pytest.mark.slow
def test_a_deleted_working_folder_is_no_crash(tmp_path):
    """`nkmap` started in a folder that was then removed: the help text's relative paths must not crash it."""
    script = f"mkdir {tmp_path}/gone && cd {tmp_path}/gone && rmdir {tmp_path}/gone && exec {PYTHON} -m nkmap "
    done = subprocess.run(
        ["sh", "-c", script + f"gazetteer check --gazetteer {GAZETTEER}"], capture_output=True, text=True, env=env()
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(["sh", "-c", script + "build --out relative-out"], capture_output=True, text=True, env=env())
    one_error_line(done, "relative-out")
