"""Office Open XML packages (DOCX, XLSX) judged without trusting them.

A package is a zip whose central directory the uploader wrote, so every
figure in it is a claim. The checks here never hold a whole member in
memory:

* the declared sizes are capped (each member and all together,
  `PORTAL_UPLOAD_OOXML_MAX_UNCOMPRESSED`), and so is the compression ratio of
  any member past a small grace size (`PORTAL_UPLOAD_OOXML_MAX_RATIO`);
  `ZipFile.open()` streams never inflate past a member's declared size, so
  the caps bound the real work too;
* `[Content_Types].xml` and the `.rels` parts are parsed as streams with a
  byte cap, by expat with any DTD refused (no entity expansion);
* macros, ActiveX controls, embedded OLE objects and packages, and every
  relationship to an outside file are refused, except hyperlinks to web or
  mail addresses and a template on the author's own drive: an
  `attachedTemplate` or `oleObject` pointing at `\\\\host\\share` makes
  Office fetch it (and send the reader's Windows credentials) on opening;
* every member is read through once, so a damaged package (bad CRC) fails.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from typing import IO
from xml.parsers import expat

from django.conf import settings

DOCX, XLSX = "docx", "xlsx"
#: verdicts besides a kind
MACRO, ACTIVE, TOO_BIG = "macro", "active", "too_big"

# What the main part of a package must be declared as, and the folder it lives in.
MAIN_PARTS = {
    DOCX: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/"),
    XLSX: ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/"),
}
MAX_ENTRIES = 10_000
MAX_XML_PART = 4 * 1024 * 1024  # [Content_Types].xml and each .rels part
RATIO_GRACE = 1024 * 1024  # small members may compress as well as they like
CHUNK = 64 * 1024
# Lower-cased fragments of content types and relationship types.
MACRO_MARKS = ("macroenabled", "vbaproject", "vbadata", "macrosheet")
ACTIVE_MARKS = ("activex", "oleobject")
ACTIVE_RELATIONSHIPS = {"oleobject", "package", "control", "activexcontrol", "activexcontrolbinary"}
ACTIVE_FOLDERS = {"activex", "embeddings"}
LINK_SCHEMES = ("http://", "https://", "mailto:")
# A template on the author's own disk (Word records it when a document is made
# from a .dotx): nothing to fetch on another machine. A share or URL is refused.
LOCAL_TEMPLATE = re.compile(r"file:///[a-z]:[\\/]")


class Refused(Exception):
    """A package that is not sound (raised inside the parse, caught here)."""


def inspect(fileobj: IO[bytes]) -> str | None:
    """'docx' or 'xlsx' for a sound package without active content;
    MACRO, ACTIVE or TOO_BIG when it must be refused for that; None when it
    is not a sound Word document or Excel workbook."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as package:
            return _judge(package)
    except (Refused, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError,
            RuntimeError, NotImplementedError, zlib.error, expat.ExpatError):
        return None
    finally:
        fileobj.seek(0)


def _judge(package: zipfile.ZipFile) -> str | None:
    infos = package.infolist()
    if _too_big(infos):
        return TOO_BIG
    names = {info.filename for info in infos}
    for name in names:
        parts = name.lower().split("/")
        if parts[-1] == "vbaproject.bin" or "macrosheets" in parts:
            return MACRO
        if ACTIVE_FOLDERS.intersection(parts[:-1]):
            return ACTIVE
    if "[Content_Types].xml" not in names:
        return None
    declared = [attrs.get("ContentType", "")
                for attrs in _elements(package, package.getinfo("[Content_Types].xml"), {"Default", "Override"})]
    lowered = [t.lower() for t in declared]
    if any(mark in t for t in lowered for mark in MACRO_MARKS):
        return MACRO
    if any(mark in t for t in lowered for mark in ACTIVE_MARKS):
        return ACTIVE
    for info in infos:
        if info.filename.lower().endswith(".rels"):
            for relationship in _elements(package, info, {"Relationship"}):
                if _active(relationship):
                    return ACTIVE
    for info in infos:  # what testzip() does, a chunk at a time
        with package.open(info) as stream:
            while stream.read(CHUNK):
                pass
    for kind, (main_type, folder) in MAIN_PARTS.items():
        if main_type in declared and any(name.startswith(folder) for name in names):
            return kind
    return None


def _too_big(infos: list[zipfile.ZipInfo]) -> bool:
    limit = settings.PORTAL_UPLOAD_OOXML_MAX_UNCOMPRESSED
    ratio = settings.PORTAL_UPLOAD_OOXML_MAX_RATIO
    if len(infos) > MAX_ENTRIES:
        return True
    total = 0
    for info in infos:
        total += info.file_size
        if total > limit:
            return True
        if ratio and info.file_size > RATIO_GRACE and info.file_size > ratio * max(info.compress_size, 1):
            return True
    return False


def _active(relationship: dict[str, str]) -> bool:
    """A relationship Office would follow on its own: anything outside the
    package but a web or mail hyperlink, and the parts of OLE objects and
    ActiveX controls."""
    kind = relationship.get("Type", "").rsplit("/", 1)[-1].lower()
    if kind in ACTIVE_RELATIONSHIPS or "vba" in kind:
        return True
    if relationship.get("TargetMode", "").lower() != "external":
        return False
    target = relationship.get("Target", "").strip().lower()
    if kind == "hyperlink":
        return not target.startswith(LINK_SCHEMES)
    return not (kind == "attachedtemplate" and LOCAL_TEMPLATE.match(target))


def _elements(package: zipfile.ZipFile, info: zipfile.ZipInfo, wanted: set[str]) -> list[dict[str, str]]:
    """The attributes of the elements named `wanted` (local names) in one XML
    part, read as a stream of at most MAX_XML_PART bytes; a DTD is refused
    before any entity could be declared."""
    if info.file_size > MAX_XML_PART:
        raise Refused(info.filename)
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(" ")[2] in wanted:
            found.append(attrs)

    def refuse(*args) -> None:
        raise Refused("DTD")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    read = 0
    with package.open(info) as stream:
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            if read > MAX_XML_PART:
                raise Refused(info.filename)
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return found
