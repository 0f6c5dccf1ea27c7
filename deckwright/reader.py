"""All reading of the outside world: manifests, chapters, includes, pictures lists and git."""

from __future__ import annotations

import codecs
import errno
import os
import posixpath
import subprocess
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeckwrightError, Problem
from .model import BuildInfo, RepoLink, SourceLoc

INTERSTITIALS = "interstitials.txt"


def normalize_text(raw: bytes, path: str) -> str:
    """Decode UTF-8 (a BOM is dropped) and turn CRLF and lone CR line ends into LF."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # as some Windows editors save
        raise DeckwrightError(Problem(SourceLoc(path, 0), "is UTF-16: save it as UTF-8"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        read = exc.object  # what the decoder was given: without the BOM
        before = read[: exc.start]
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1  # as text is split
        raise DeckwrightError(
            Problem(SourceLoc(path, line), f"not valid UTF-8 (byte {read[exc.start]:#04x})")
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# Files that every output folder of `deckwright build` or `site` holds: its stamps
# (stamps.STAMP_FILE; an older deckwright wrote none with --force) and our stylesheet.
OUTPUT_MARKERS = (".deckwright-stamps.json", os.path.join("assets", "deckwright.css"))


def is_output_folder(folder: str) -> bool:
    """Whether `folder` is one deckwright writes decks into (not content to check)."""
    return any(os.path.isfile(os.path.join(folder, marker)) for marker in OUTPUT_MARKERS)


def _mend(written: str, on_disk: str) -> str:
    """Which of a path as written and as named on disk (the same but for their Unicode
    forms) writes an accent as a mark of its own, the unusual form, and what to change."""
    parts = list(zip(written.split("/"), on_disk.split("/")))
    odd_written = any(a != b and a != unicodedata.normalize("NFC", a) for a, b in parts)
    odd_names = [a != b and b != unicodedata.normalize("NFC", b) for a, b in parts]
    renamed = " and the ".join(what for what, odd in (("folder", any(odd_names[:-1])), ("file", odd_names[-1])) if odd)
    if not odd_written:
        return f"(an accent as a mark of its own, as macOS writes names): rename the {renamed}"
    if not renamed:
        return ("(its name has each accent in its letter, where the path writes it as a mark of its own, "
                "as text copied from macOS may): retype the path's accented letters")
    return (f"(both write an accent as a mark of its own, each its own way): retype the path's accented "
            f"letters, and rename the {renamed}")


@dataclass(frozen=True)
class Project:
    """A content folder (manifests at its top) inside a repository folder."""

    root: Path
    repo_root: Path
    # Real paths of folders seen so far: a picture's path is resolved with one lstat.
    _real_dirs: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def at(cls, root: str | os.PathLike[str], repo_root: str | os.PathLike[str] | None = None) -> Project:
        root_path = Path(root).resolve()
        return cls(root_path, Path(repo_root).resolve() if repo_root else root_path.parent)

    def manifests(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("*.yml") if p.is_file())

    def files(self, suffixes: tuple[str, ...]) -> list[str]:
        """Every file under the content root whose name ends with one of `suffixes` (any case),
        as sorted root-relative paths. Hidden folders are skipped, and so are deckwright's own
        output folders (`--out dist` under the content folder is the default): their copies
        of pictures and assets are no content of the workshop."""
        found = []
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")
                       and not is_output_folder(os.path.join(folder, d))]
            rel = os.path.relpath(folder, self.root)
            for name in names:
                if not name.startswith(".") and name.lower().endswith(suffixes) and os.path.isfile(os.path.join(folder, name)):
                    found.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
        return sorted(found)

    def exists(self, path: str) -> bool:
        # os.path, not pathlib: a name too long for the file system is no file (pathlib raises)
        return self._inside(path) is not None and os.path.isfile(self.root / path)

    def why_not_a_file(self, path: str) -> str:
        """Why `path` (from the content root) is no file the decks can use: asked only once
        `exists` said no, so that a folder or a link is not reported as missing."""
        full = os.path.join(self.root, path)
        try:
            os.stat(full)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "is a loop of symbolic links"
            if exc.errno == errno.ENAMETOOLONG:
                return "does not exist (a name too long for the file system)"
            if os.path.islink(full):
                return "is a symbolic link to nothing"
            if (other := self._in_other_form(path)) is not None:
                return f"does not exist as written: '{other}' is its name in another Unicode form {_mend(path, other)}"
            return "does not exist"
        if self._inside(path) is None:
            return "leads outside the content folder (a symbolic link)"
        if os.path.isdir(full):
            return "is a folder, not a file"
        return "is not a regular file"

    def _in_other_form(self, path: str) -> str | None:
        """The file `path` names, its name on disk in another Unicode form (`é` written as
        `e` and an accent mark: a file copied from macOS), if there is one; else None."""
        if path.isascii():
            return None
        folder, names = self.root, []
        for part in path.split("/"):
            if not os.path.lexists(folder / part):
                wanted = unicodedata.normalize("NFC", part)
                try:
                    part = next(n for n in os.listdir(folder) if unicodedata.normalize("NFC", n) == wanted)
                except (OSError, StopIteration):
                    return None
            names.append(part)
            folder = folder / part
        return "/".join(names) if self.exists("/".join(names)) else None

    def read_text(self, path: str) -> str:
        """A file under the content root, as normalized text."""
        full = self._inside(path)
        if full is None:
            raise DeckwrightError(Problem(SourceLoc(path, 1), "path leaves the content folder"))
        try:
            raw = self.read_raw(full)
        except OSError as exc:
            raise DeckwrightError(Problem(SourceLoc(path, 1), f"cannot read: {exc.strerror}")) from None
        return normalize_text(raw, path)

    def read_raw(self, full: Path) -> bytes:
        """The bytes of a file a deck is made from (a chapter, an include, a manifest,
        interstitials.txt), `full`: its real path. `serve` notes them (see serve.NotingProject)."""
        return full.read_bytes()

    def read_chapter(self, path: str) -> tuple[str, str]:
        """A chapter's (path, text), following git's stand-in files for symlinks.

        Where symlinks are not checked out as links, git writes a file holding only
        the link's target; a one-line file naming an existing Markdown file is one.
        """
        for _ in range(8):
            text = self.read_text(path)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), text.strip()))
            if "\n" in text.strip() or not target.endswith(".md") or not self.exists(target):
                return path, text
            path = target
        raise DeckwrightError(Problem(SourceLoc(path, 1), "too many levels of links"))

    def read_include(self, target: str, loc: SourceLoc) -> tuple[str, str]:
        """An `@@INCLUDE` target (relative to the repository); returns (root-relative path, text)."""
        if self.leaves_repository(target):
            raise DeckwrightError(Problem(loc, f"@@INCLUDE[{target}] leaves the repository"))
        full = (self.repo_root / target).resolve()
        if os.path.isdir(full):  # (os.path: a name too long for the file system is none, as below)
            raise DeckwrightError(Problem(loc, f"@@INCLUDE[{target}] is a folder, not a file"))
        if not os.path.isfile(full):
            # The content folder named, not the absolute paths: enough to see a wrong --root.
            raise DeckwrightError(Problem(loc, f"@@INCLUDE[{target}]: no such file in the repository "
                                          f"(the folder above the content folder '{self.root.name}')"))
        shown = os.path.relpath(full, self.root).replace(os.sep, "/")
        try:
            raw = self.read_raw(full)
        except OSError as exc:
            raise DeckwrightError(Problem(loc, f"@@INCLUDE[{target}]: {exc.strerror}")) from None
        try:
            return shown, normalize_text(raw, shown)
        except DeckwrightError as exc:  # said at the @@INCLUDE line, naming the file's own line
            [problem] = exc.problems
            raise DeckwrightError(Problem(loc, f"@@INCLUDE[{target}]: {problem.loc}: {problem.message}")) from None

    def in_repository(self, target: str) -> bool:
        """Whether an `@@LINK` target (relative to the repository) is a file or folder in it."""
        return not self.leaves_repository(target) and os.path.exists(self.repo_root / target)

    def leaves_repository(self, target: str) -> bool:
        """Whether a path from the repository (an `@@LINK` target) leads out of it."""
        full = (self.repo_root / target).resolve()
        return posixpath.isabs(target) or not full.is_relative_to(self.repo_root)

    def interstitials(self) -> tuple[tuple[SourceLoc, str], ...]:
        """The pictures of interstitials.txt, each at its line; none when there is no such file.

        A folder (or a link to nothing) in its place is an error, as a file that cannot be read."""
        if not os.path.lexists(self.root / INTERSTITIALS):
            return ()
        if self._inside(INTERSTITIALS) is not None and not self.exists(INTERSTITIALS):
            raise DeckwrightError(Problem(SourceLoc(INTERSTITIALS, 0), self.why_not_a_file(INTERSTITIALS)))
        text = self.read_text(INTERSTITIALS)
        return tuple(
            (SourceLoc(INTERSTITIALS, number), line.strip())
            for number, line in enumerate(text.split("\n"), 1)
            if line.strip()
        )

    def local_file(self, path: str) -> Path | None:
        """A file the decks reference (a picture), if it exists under the content root."""
        full = self._inside(path)
        return full if full is not None and os.path.isfile(full) else None

    def _inside(self, path: str) -> Path | None:
        """The real path of `path` if it stays under the content root (symlinks followed)."""
        # Strings, not pathlib: this runs for every chapter and picture of every deck.
        root = str(self.root)
        folder, name = os.path.split(os.path.normpath(os.path.join(root, path)))
        real = self._real_dirs.get(folder)
        if real is None:
            real = self._real_dirs[folder] = os.path.realpath(folder)
        full = os.path.join(real, name)
        if os.path.islink(full):
            full = os.path.realpath(full)
        return Path(full) if full.startswith(root + os.sep) or full == root else None

    def forget_folders(self) -> None:
        """Forget the folders' real paths (a folder may have become a symlink)."""
        self._real_dirs.clear()

    def prefix(self) -> str:
        """The content root's folder inside the repository ("" when they are the same)."""
        rel = os.path.relpath(self.root, self.repo_root).replace(os.sep, "/")
        return "" if rel == "." else rel


def _git(root: Path, *commands: tuple[str, ...]) -> list[str | None]:
    """What each git command prints in `root` (None where it fails), the commands run at once."""
    running = []
    for args in commands:
        try:
            running.append(subprocess.Popen(["git", "-C", str(root), *args], stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL, text=True))
        except OSError:  # no git
            running.append(None)
    return [_output(process) for process in running]


def _output(process: subprocess.Popen[str] | None) -> str | None:
    if process is None:
        return None
    try:
        out, _ = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    return out.strip() if process.returncode == 0 else None


@dataclass(frozen=True)
class GitState:
    """What git says about the content folder (all None outside a work tree)."""

    toplevel: str | None
    remote: str | None
    branch: str | None
    commit: str | None
    dirty: bool


def read_git(root: Path) -> GitState:
    """The content folder's git state. Once inside a work tree, the other four commands run
    side by side: on the critical path of every build, one after the other they took 15 to
    25 ms."""
    [top] = _git(root, ("rev-parse", "--show-toplevel"))
    if top is None:
        return GitState(None, None, None, None, False)
    remote, branch, commit, status = _git(
        root,
        ("config", "remote.origin.url"),
        ("rev-parse", "--abbrev-ref", "HEAD"),
        ("rev-parse", "--short", "HEAD"),
        ("status", "--porcelain"),
    )
    return GitState(
        toplevel=top,
        remote=remote or None,
        branch=None if branch in (None, "HEAD") else branch,
        commit=commit,
        dirty=bool(status),
    )


def web_url(remote: str) -> str:
    """A browsable URL for a git remote or a `gitrepo` value."""
    url = remote.strip()
    if url.startswith("git@") and ":" in url:
        host, _, path = url[4:].partition(":")
        url = f"https://{host}/{path}"
    elif "://" not in url:
        url = "https://" + url
    url = url.rstrip("/")
    return url.removesuffix(".git")


def repo_link(project: Project, git: GitState, gitrepo: str, env: Mapping[str, str]) -> RepoLink | None:
    """Where a deck's sources are online: REPOSITORY_URL, else the git remote, else `gitrepo`."""
    remote = env.get("REPOSITORY_URL") or git.remote or gitrepo
    if not remote:
        return None
    branch = env.get("BRANCH") or git.branch or "HEAD"
    if git.toplevel:
        prefix = os.path.relpath(project.root, git.toplevel).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix
    else:
        prefix = project.prefix()
    return RepoLink(web_url(remote), branch, prefix)


def build_info(git: GitState) -> BuildInfo:
    return BuildInfo(git.commit, git.dirty)
