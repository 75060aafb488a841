"""Read and write Pabulib `.pb` files (https://pabulib.org/format).

A file has three sections, META, PROJECTS and VOTES, each read as CSV with `;` as the delimiter
(quoted fields, LF or CRLF). Budgets, costs and points are read exactly. Anything malformed
raises `PabulibError` naming the line, so a city's file is never tallied half-read.
"""

from __future__ import annotations

import csv
import gc
import io
import operator
import os
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

from voting.errors import PabulibError
from voting.model import (
    Ballot,
    BallotConstraints,
    Election,
    Instance,
    Profile,
    Project,
    format_exact,
    parse_exact,
)

__all__ = ["read_pb", "write_pb"]

_SECTIONS = ("meta", "projects", "votes")
_FILE_VOTE_TYPES = {
    "approval": "approval",
    "choose-1": "approval",
    "cumulative": "cumulative",
    "scoring": "scoring",
    "ordinal": "ordinal",
}


def _load(source: str | os.PathLike[str]) -> str:
    """A path (PathLike, or a str without a newline) is read from disk; other text is the file."""
    if isinstance(source, os.PathLike) or ("\n" not in source and "\r" not in source):
        try:
            return Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise PabulibError(f"cannot read {os.fspath(source)!r}: {exc}") from exc
    return source.removeprefix("\ufeff")


def _number(text: str, what: str, line: int, *, allow_negative: bool = False) -> Fraction:
    try:
        value = parse_exact(text)
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"bad number for {what}: {text!r}", line) from None
    if value < 0 and not allow_negative:
        raise PabulibError(f"negative {what}: {text!r}", line)
    return value


def _int(text: str, what: str, line: int) -> int:
    value = _number(text, what, line)
    if value.denominator != 1:
        raise PabulibError(f"{what} must be a whole number, got {text!r}", line)
    return int(value)


class _Reader:
    """One pass over the rows; keeps the line of every META key for later messages."""

    def __init__(self, text: str) -> None:
        self.rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.projects: list[Project] = []
        # each project id to itself: ballots reuse these string objects, so grouping ballots
        # and indexing their projects compare by identity (three times faster on Warsaw)
        self.project_ids: dict[str, str] = {}
        self.project_columns: tuple[str, ...] = ()
        self.project_at: dict[str, int] = {}
        self.ballots: list[Ballot] = []
        self.vote_columns: tuple[str, ...] = ()
        self.vote_type = ""
        self.file_vote_type = ""
        self.budget = Fraction(0)
        self.section_lines: dict[str, int] = {}
        self.vote_at: dict[str, int] = {}
        self.extra_at: list[tuple[str, int]] = []
        self.extra_names: tuple[str, ...] = ()
        self.extra_values: Callable[[list[str]], Sequence[str]] = operator.itemgetter(slice(0, 0))

    def run(self) -> Election:
        section: str | None = None
        header: list[str] | None = None
        line = 0
        try:
            for row in self.rows:
                start, line = line + 1, self.rows.line_num
                if line > start and any("\n" in f or "\r" in f for f in row):
                    raise PabulibError("a quoted field is not closed", start)
                if not any(f.strip() for f in row):
                    continue
                name = row[0].strip().lower()
                if name in _SECTIONS and not any(f.strip() for f in row[1:]):
                    self._start_section(name, line)
                    section, header = name, None
                    continue
                if section is None:
                    raise PabulibError(f"expected the META section, got {row[0].strip()!r}", line)
                if header is None:
                    header = [h.strip() for h in row]
                    self._check_header(section, header, line)
                    if section == "votes":
                        line = self._votes(header, line)
                        break
                    continue
                values = self._fit(row, header, line)
                if section == "meta":
                    self._meta_row(values, line)
                elif section == "projects":
                    self._project_row(values, line)
                else:
                    self._vote_row(values, line)
        except csv.Error as exc:
            raise PabulibError(f"bad CSV: {exc}", line) from None
        return self._finish(line)

    def _start_section(self, name: str, line: int) -> None:
        if name in self.section_lines:
            raise PabulibError(f"section {name.upper()} appears twice", line)
        expected = _SECTIONS[len(self.section_lines)]
        if name != expected:
            raise PabulibError(f"expected section {expected.upper()}, got {name.upper()}", line)
        if name == "projects":
            self._meta_done(line)
        self.section_lines[name] = line

    def _check_header(self, section: str, header: list[str], line: int) -> None:
        if section == "meta":
            if len(header) < 2:
                raise PabulibError("META header must be 'key;value'", line)
            return
        required = ("project_id", "cost") if section == "projects" else ("voter_id", "vote")
        lowered = [h.lower() for h in header]
        for column in required:
            if column not in lowered:
                raise PabulibError(f"{section.upper()} header lacks the column {column!r}", line)
        if len(set(lowered)) != len(lowered):
            raise PabulibError(f"{section.upper()} header repeats a column", line)
        if section == "projects":
            self.project_columns = tuple(header)
            self.project_at = {c: lowered.index(c) for c in required}
            self.project_at["name"] = lowered.index("name") if "name" in lowered else -1
        else:
            self.vote_columns = tuple(header)
            self.vote_at = {c: lowered.index(c) for c in ("voter_id", "vote")}
            self.vote_at["points"] = lowered.index("points") if "points" in lowered else -1
            self.extra_at = [
                (h, i)
                for i, (h, lo) in enumerate(zip(header, lowered, strict=True))
                if lo not in ("voter_id", "vote", "points")
            ]
            # the other columns of a vote row, fetched in one call
            self.extra_names = tuple(h for h, _ in self.extra_at)
            indices = [i for _, i in self.extra_at]
            if len(indices) == 1:
                self.extra_values = operator.itemgetter(slice(indices[0], indices[0] + 1))
            elif indices:
                self.extra_values = operator.itemgetter(*indices)
            if self.vote_type in ("cumulative", "scoring") and "points" not in lowered:
                raise PabulibError(f"{self.vote_type} VOTES need a 'points' column", line)

    @staticmethod
    def _fit(row: list[str], header: list[str], line: int) -> list[str]:
        if len(row) > len(header):
            if any(f.strip() for f in row[len(header) :]):
                raise PabulibError(
                    f"{len(row)} fields but the header has {len(header)} columns", line
                )
            row = row[: len(header)]
        values = [f.strip() for f in row]
        values.extend([""] * (len(header) - len(values)))
        return values

    def _meta_row(self, values: list[str], line: int) -> None:
        key = values[0]
        if key in self.meta:
            raise PabulibError(f"META key {key!r} appears twice", line)
        self.meta[key] = values[1]
        self.meta_lines[key] = line

    def _meta_done(self, line: int) -> None:
        for key in ("budget", "vote_type"):
            if key not in self.meta:
                raise PabulibError(f"META lacks the key {key!r}", line)
        self.file_vote_type = self.meta["vote_type"].strip().lower()
        if self.file_vote_type not in _FILE_VOTE_TYPES:
            raise PabulibError(
                f"unknown vote_type {self.meta['vote_type']!r}", self.meta_lines["vote_type"]
            )
        self.vote_type = _FILE_VOTE_TYPES[self.file_vote_type]
        self.budget = _number(self.meta["budget"], "budget", self.meta_lines["budget"])

    def _project_row(self, values: list[str], line: int) -> None:
        pid = values[self.project_at["project_id"]]
        if not pid:
            raise PabulibError("empty project_id", line)
        if pid in self.project_ids:
            raise PabulibError(f"project {pid!r} appears twice", line)
        cost = _number(values[self.project_at["cost"]], f"the cost of project {pid!r}", line)
        fields = dict(zip(self.project_columns, values, strict=True))
        name = values[self.project_at["name"]] if self.project_at["name"] >= 0 else ""
        self.project_ids[pid] = pid
        self.projects.append(Project(pid, cost, name, fields))

    def _votes(self, header: list[str], line: int) -> int:
        """The VOTES rows to the end: `run`'s checks and `_vote_row`'s, inlined for the
        common row (as many fields as the header, distinct known ids, no points to parse),
        which is most of the time spent reading a large file. Returns the last line."""
        rows = self.rows
        width = len(header)
        vote_at, voter_at = self.vote_at["vote"], self.vote_at["voter_id"]
        names, values_of = self.extra_names, self.extra_values
        known = self.project_ids
        intern = known.__getitem__
        append = self.ballots.append
        simple = self.vote_type in ("approval", "ordinal", "cumulative")
        points_at = self.vote_at["points"] if self.vote_type == "cumulative" else -1
        try:
            for row in rows:
                start, line = line + 1, rows.line_num
                if line > start and any("\n" in f or "\r" in f for f in row):
                    raise PabulibError("a quoted field is not closed", start)
                if len(row) == width and simple:
                    values = [f.strip() for f in row]
                    if values[vote_at] and not (values[0].lower() in _SECTIONS and width > 1):
                        ids = values[vote_at].split(",")
                        if len(ids) > 1:
                            ids = [i.strip() for i in ids]
                        distinct = set(ids)
                        points = None
                        if points_at >= 0:  # whole points only; anything else as below
                            raw = [p.strip() for p in values[points_at].split(",")]
                            if len(raw) == len(ids) and all(p.isdigit() for p in raw):
                                points = tuple(map(int, raw))
                        if (
                            len(distinct) == len(ids)
                            and distinct <= known.keys()
                            and (points is not None or points_at < 0)
                        ):
                            append(
                                Ballot(
                                    tuple(map(intern, ids)),
                                    points,
                                    values[voter_at],
                                    tuple(zip(names, values_of(values), strict=True)),
                                )
                            )
                            continue
                if not "".join(row).strip():
                    continue
                name = row[0].strip().lower()
                if name in _SECTIONS and not any(f.strip() for f in row[1:]):
                    self._start_section(name, line)  # raises: VOTES comes last
                self._vote_row(self._fit(row, header, line), line)
        except csv.Error as exc:
            raise PabulibError(f"bad CSV: {exc}", line) from None
        return line

    def _vote_row(self, values: list[str], line: int) -> None:
        vote = values[self.vote_at["vote"]]
        ids = [s for s in (s.strip() for s in vote.split(",")) if s]
        known = self.project_ids
        for pid in ids:
            if pid not in known:
                raise PabulibError(f"vote names unknown project {pid!r}", line)
        if len(set(ids)) != len(ids):
            if self.vote_type != "approval":
                raise PabulibError("vote names the same project twice", line)
            ids = list(dict.fromkeys(ids))
        points: tuple[int | Fraction, ...] | None = None
        if self.vote_type in ("cumulative", "scoring"):
            raw = [s for s in values[self.vote_at["points"]].split(",") if s.strip()]
            if len(raw) != len(ids):
                raise PabulibError(f"{len(ids)} projects but {len(raw)} points in the vote", line)
            # whole numbers stay ints: exact too, and much faster to hash and group
            points = tuple(
                int(p)
                if p.strip().isdigit()
                else _number(p, "points", line, allow_negative=self.vote_type == "scoring")
                for p in raw
            )
        fields = tuple(zip(self.extra_names, self.extra_values(values), strict=True))
        voter_id = values[self.vote_at["voter_id"]]
        self.ballots.append(Ballot(tuple(map(known.__getitem__, ids)), points, voter_id, fields))

    def _finish(self, line: int) -> Election:
        for name in _SECTIONS:
            if name not in self.section_lines:
                raise PabulibError(f"missing section {name.upper()}", line)
        for key, actual in (("num_projects", len(self.projects)), ("num_votes", len(self.ballots))):
            if key in self.meta:
                declared = _int(self.meta[key], key, self.meta_lines[key])
                if declared != actual:
                    raise PabulibError(
                        f"META {key} is {declared} but the file has {actual}", self.meta_lines[key]
                    )
        instance = Instance(self.projects, self.budget, self.meta, self.project_columns)
        profile = Profile(
            self.vote_type,
            self.ballots,
            self._constraints(),
            self.file_vote_type,
            self.vote_columns,
        )
        return Election(instance, profile)

    def _constraints(self) -> BallotConstraints:
        def num(key: str) -> Fraction | None:
            if key not in self.meta or self.meta[key].lower() in ("", "none"):
                return None
            return _number(
                self.meta[key], key, self.meta_lines[key], allow_negative=key.endswith("points")
            )

        def length(key: str) -> int | None:
            value = num(key)
            if value is None:
                return None
            if value.denominator != 1:
                raise PabulibError(f"{key} must be a whole number", self.meta_lines[key])
            return int(value)

        max_length = length("max_length")
        if self.file_vote_type == "choose-1":
            max_length = 1
        min_points, max_points = num("min_points"), num("max_points")
        max_sum_points = num("max_sum_points")
        if self.vote_type == "cumulative":
            min_points = Fraction(0) if min_points is None else min_points
            max_points = max_sum_points if max_points is None else max_points
        return BallotConstraints(
            min_length=length("min_length") or 1,
            max_length=max_length,
            min_sum_cost=num("min_sum_cost"),
            max_sum_cost=num("max_sum_cost"),
            min_points=min_points,
            max_points=max_points,
            min_sum_points=num("min_sum_points"),
            max_sum_points=max_sum_points,
            default_score=num("default_score") or Fraction(0),
        )


def read_pb(source: str | os.PathLike[str]) -> Election:
    """Read a .pb file from a path, or from its text (a str holding a newline).

    The cyclic garbage collector is paused while reading: the tens of thousands of ballots
    hold no cycles, yet their allocation triggers collections that cost a third of the time.
    """
    text = _load(source)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Reader(text).run()
    finally:
        if collecting:
            gc.enable()


def _decimal(value: int | Fraction, what: str) -> str:
    text = format_exact(value)
    if "/" in text:
        raise PabulibError(f"{what} {text} is not a finite decimal, which .pb files need")
    return text


def write_pb(election: Election) -> str:
    """Write an election as .pb text (LF endings) that `read_pb` reads back identically."""
    instance, profile = election.instance, election.profile
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(instance.meta)
    meta["num_projects"] = str(len(instance.projects))
    meta["num_votes"] = str(len(profile.ballots))
    if "budget" not in meta or parse_exact(meta["budget"]) != instance.budget:
        meta["budget"] = _decimal(instance.budget, "the budget")
    meta["vote_type"] = meta.get("vote_type", profile.file_vote_type)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())
    columns = list(instance.project_columns)
    lowered = [c.lower() for c in columns]
    writer.writerow(["PROJECTS"])
    writer.writerow(columns)
    for p in instance.projects:
        row = [p.fields.get(c, "") for c in columns]
        row[lowered.index("project_id")] = p.id
        if not p.fields or parse_exact(p.fields.get(columns[lowered.index("cost")], "0")) != p.cost:
            row[lowered.index("cost")] = _decimal(p.cost, f"the cost of {p.id!r}")
        if "name" in lowered:
            row[lowered.index("name")] = p.name
        writer.writerow(row)
    vcolumns = list(profile.vote_columns)
    if profile.vote_type in ("cumulative", "scoring") and "points" not in vcolumns:
        vcolumns.insert(2, "points")
    writer.writerow(["VOTES"])
    writer.writerow(vcolumns)
    for i, b in enumerate(profile.ballots):
        extra = dict(b.fields)
        row = []
        for c in vcolumns:
            if c == "voter_id":
                row.append(b.voter_id or str(i + 1))
            elif c == "vote":
                row.append(",".join(b.projects))
            elif c == "points":
                row.append(",".join(_decimal(x, "a point value") for x in b.points or ()))
            else:
                row.append(extra.get(c, ""))
        writer.writerow(row)
    return out.getvalue()
