"""Turning an uploaded file into a folder the directory importer reads, or a reason why not.

A zip is checked before anything is extracted: at most ``MAX_MEMBERS`` CSV files, no folders
inside folders, no names that climb out (``../``), and at most ``MAX_UNPACKED`` bytes once
unpacked, counted from what is actually read so a lying header cannot smuggle a zip bomb in.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from bot.i18n import N_

MAX_MEMBERS = 40
MAX_UNPACKED = 60 * 1024 * 1024
CHUNK = 1 << 16


class UploadRefused(ValueError):
    """The file cannot be imported; the message says why (already translated by the caller)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def save_upload(stream: BinaryIO, filename: str, folder: Path) -> Path:
    """Write the upload into ``folder`` and return what ``import_path`` should read."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.lower()
    if name.endswith(".csv"):
        target = folder / "upload.csv"
        with target.open("wb") as out:
            _copy(stream, out, MAX_UNPACKED)
        if target.stat().st_size == 0:
            raise UploadRefused(N_("The file is empty."))
        return target
    if name.endswith(".zip"):
        archive = folder / "upload.zip"
        with archive.open("wb") as out:
            _copy(stream, out, MAX_UNPACKED)
        unpacked = folder / "hsds"
        unpacked.mkdir()
        _unzip(archive, unpacked)
        return unpacked
    raise UploadRefused(N_("Upload a .csv file (the flat template) or a .zip of HSDS CSV files."))


def _copy(source: BinaryIO, out: BinaryIO, limit: int) -> None:
    total = 0
    while chunk := source.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise UploadRefused(
                N_("The file is too large (the limit is {mb} MB)."), mb=limit // 2**20
            )
        out.write(chunk)


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    files = [info for info in archive.infolist() if not info.is_dir()]
    files = [
        info
        for info in files
        if not PurePosixPath(info.filename).name.startswith(".") and "__MACOSX" not in info.filename
    ]
    if not files:
        raise UploadRefused(N_("The zip file has no CSV files in it."))
    if len(files) > MAX_MEMBERS:
        raise UploadRefused(N_("The zip file has too many files (at most {n})."), n=MAX_MEMBERS)
    for info in files:
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or len(path.parts) > 2:
            raise UploadRefused(
                N_("The zip file has a file in an unexpected place: {name}."),
                name=info.filename[:80],
            )
        if path.suffix.lower() != ".csv":
            raise UploadRefused(
                N_("The zip file may hold only CSV files; found {name}."), name=path.name[:80]
            )
    return files


def _unzip(archive_path: Path, folder: Path) -> None:
    try:
        with zipfile.ZipFile(archive_path) as archive:
            total = 0
            for info in _members(archive):
                target = folder / PurePosixPath(info.filename).name.lower()
                with archive.open(info) as source, target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        total += len(chunk)
                        if total > MAX_UNPACKED:
                            raise UploadRefused(
                                N_("The zip file is too large unpacked (the limit is {mb} MB)."),
                                mb=MAX_UNPACKED // 2**20,
                            )
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as error:
        raise UploadRefused(
            N_("This is not a readable zip file ({error})."), error=str(error)[:80]
        ) from error
