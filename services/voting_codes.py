"""Household voting codes, for residents without an account.

A clerk lists the dwellings of a compound, then issues one code per household for one round and
prints them as a sheet to hand out. The store keeps only a keyed hash of each code, so the sheet
is the only copy: a lost code is replaced by issuing again, which voids the unused old one.
A code casts that round's ballot once, under the household's voter key; using it writes no audit
entry and no time, so nothing dates a household's ballot beyond the day.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from models import BudgetRound, Household, Place, VotingCode
from models.vocabulary import BallotChannel, PlaceKind
from services import limits, workflow
from services.ballots import BallotChoice
from services.common import (
    clean_text,
    get_locked,
    get_or_fail,
    id_of,
    place_tree,
    record_audit,
    require_at,
)
from services.errors import Conflict, InvalidInput
from services.permissions import Action, Viewer, can, require
from services.rounds import (
    CODE_SHAPE,
    normalize_code,
    random_code,
    store_ballot,
    voter_key,
)
from services.settings import settings

MAX_HOUSEHOLDS_AT_ONCE = 5000
HOUSEHOLD_LABEL = re.compile(r"^[\w\-/#.·()（）]{1,40}$")


def _code_hash(code: str) -> str:
    secret = settings().ballot_secret.encode()
    message = f"voting-code|{normalize_code(code)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _compound(session: Session, compound_id: int) -> Place:
    compound = get_or_fail(session, Place, compound_id)
    if compound.kind != PlaceKind.COMPOUND:
        raise InvalidInput("not_a_compound", kind=compound.kind)
    return compound


def register_households(session: Session, viewer: Viewer, *, compound_id: int, labels: str) -> int:
    """Dwellings as the clerk types them, one per line (楼-单元-室, e.g. 3-2-501); lines already
    registered are skipped. Returns how many were added."""
    require_at(session, viewer, Action.ISSUE_VOTING_CODES, compound_id)
    compound = _compound(session, compound_id)
    text = clean_text(
        labels, "household_labels", max_length=MAX_HOUSEHOLDS_AT_ONCE * 48, multiline=True
    )
    wanted = list(dict.fromkeys(line.strip() for line in text.split("\n") if line.strip()))
    if not wanted:
        raise InvalidInput("field_required", field="household_labels")
    if len(wanted) > MAX_HOUSEHOLDS_AT_ONCE:
        raise InvalidInput("too_many_households", max=MAX_HOUSEHOLDS_AT_ONCE)
    for label in wanted:
        if not HOUSEHOLD_LABEL.match(label):
            raise InvalidInput("household_label_invalid", label=label[:40])
    known = set(
        session.exec(select(Household.label).where(Household.compound_id == compound_id)).all()
    )
    added = [Household(compound_id=compound_id, label=label) for label in wanted]
    added = [household for household in added if household.label not in known]
    session.add_all(added)
    record_audit(
        session,
        viewer,
        "register_households",
        compound,
        after={"compound_id": compound_id, "added": [h.label for h in added]},
    )
    session.commit()
    return len(added)


@dataclass(frozen=True)
class IssuedCode:
    household: str
    code: str


def _label_order(label: str) -> tuple[tuple[int, str], ...]:
    """3-2-501 before 10-1-101: numbers compare as numbers."""
    return tuple(
        (int(part), "") if part.isdigit() else (0, part) for part in re.split(r"(\d+)", label)
    )


def issue_voting_codes(
    session: Session, viewer: Viewer, *, round_id: int, compound_id: int
) -> list[IssuedCode]:
    """One code per household of the compound that has not yet voted with one; the codes are
    returned once, to be printed, and never stored in clear."""
    budget_round = get_or_fail(session, BudgetRound, round_id)
    tree = place_tree(session)
    require(viewer, Action.ISSUE_VOTING_CODES, compound_id, tree)
    _compound(session, compound_id)
    if not tree.covers(budget_round.place_id, compound_id):
        raise InvalidInput("compound_outside_round")
    workflow.require(budget_round, workflow.Step.ISSUE_VOTING_CODES)
    households = session.exec(select(Household).where(Household.compound_id == compound_id)).all()
    if not households:
        raise InvalidInput("no_households")
    existing = {
        code.household_id: code
        for code in session.exec(
            select(VotingCode).where(
                VotingCode.round_id == round_id,
                col(VotingCode.household_id).in_([h.id for h in households]),
            )
        )
    }
    issued = []
    for household in sorted(households, key=lambda h: _label_order(h.label)):
        row = existing.get(id_of(household))
        if row is not None and row.used:
            continue
        code = random_code()
        if row is None:
            row = VotingCode(round_id=round_id, household_id=id_of(household), code_hash="")
        row.code_hash = _code_hash(code)
        row.issued_by_id = viewer.person_id
        session.add(row)
        issued.append(IssuedCode(household.label, code))
    record_audit(
        session,
        viewer,
        "issue_voting_codes",
        budget_round,
        after={"round_id": round_id, "compound_id": compound_id, "codes": len(issued)},
    )
    session.commit()
    return issued


@dataclass(frozen=True)
class CodeBallot:
    """What a valid code opens: the round to vote in, and whose household it is."""

    round_id: int
    compound: str
    household: str


def _valid_code(
    session: Session, code: str, address: str | None, person_id: int | None
) -> tuple[VotingCode, Household]:
    key = f"person:{person_id}" if person_id is not None else None
    limits.check_attempts(session, limits.VOTING_CODE, key=key, address=address)
    well_formed = isinstance(code, str) and CODE_SHAPE.fullmatch(normalize_code(code))
    found = (
        session.exec(
            select(VotingCode, Household)
            .join(Household, col(Household.id) == VotingCode.household_id)
            .where(VotingCode.code_hash == _code_hash(code))
        ).first()
        if well_formed
        else None  # counted as a wrong code all the same
    )
    if found is None:
        limits.record_failure(session, limits.VOTING_CODE, key=key, address=address)
        raise InvalidInput("voting_code_unknown")
    voting_code, household = found
    if voting_code.used:
        raise Conflict("voting_code_used")
    return voting_code, household


def open_code_ballot(
    session: Session, *, code: str, address: str | None = None, person_id: int | None = None
) -> CodeBallot:
    """Checks a code before the ballot is shown; wrong codes count against the address."""
    voting_code, household = _valid_code(session, code, address, person_id)
    budget_round = get_or_fail(session, BudgetRound, voting_code.round_id)
    workflow.require(budget_round, workflow.Step.CAST_BALLOT)
    compound = get_or_fail(session, Place, household.compound_id)
    return CodeBallot(voting_code.round_id, compound.name, household.label)


def cast_ballot_with_code(
    session: Session,
    *,
    code: str,
    ballot: BallotChoice,
    address: str | None = None,
    person_id: int | None = None,
) -> str:
    """Returns the receipt code; the household's code is spent in the same transaction. The
    round is held as ``rounds.cast_ballot`` holds it."""
    voting_code, household = _valid_code(session, code, address, person_id)
    budget_round = get_locked(session, BudgetRound, voting_code.round_id, shared=True)
    receipt = store_ballot(
        session,
        budget_round,
        voter_key(voting_code.round_id, f"household:{household.id}"),
        ballot,
        BallotChannel.CODE,
    )
    voting_code.used = True
    session.add(voting_code)
    session.commit()
    return receipt


@dataclass(frozen=True)
class CodeTarget:
    """A compound a clerk may issue codes for, in a round that has not finished voting."""

    round_id: int
    round_name: str
    compound_id: int
    compound: str
    households: int
    codes_used: int


def code_targets(session: Session, viewer: Viewer) -> list[CodeTarget]:
    tree = place_tree(session)
    compounds = [
        place
        for place in session.exec(select(Place).where(Place.kind == PlaceKind.COMPOUND))
        if can(viewer, Action.ISSUE_VOTING_CODES, place.id, tree)
    ]
    if not compounds:
        return []
    households = dict(
        session.exec(
            select(Household.compound_id, func.count()).group_by(col(Household.compound_id))
        ).all()
    )
    used = {
        (round_id, compound_id): count
        for round_id, compound_id, count in session.exec(
            select(VotingCode.round_id, Household.compound_id, func.count())
            .join(Household, col(Household.id) == VotingCode.household_id)
            .where(col(VotingCode.used).is_(True))
            .group_by(col(VotingCode.round_id), col(Household.compound_id))
        )
    }
    targets = []
    for budget_round in session.exec(
        select(BudgetRound).where(
            col(BudgetRound.phase).in_(workflow.phases_where(workflow.Step.ISSUE_VOTING_CODES))
        )
    ):
        for compound in compounds:
            if tree.covers(budget_round.place_id, id_of(compound)):
                targets.append(
                    CodeTarget(
                        round_id=id_of(budget_round),
                        round_name=budget_round.name,
                        compound_id=id_of(compound),
                        compound=compound.name,
                        households=households.get(id_of(compound), 0),
                        codes_used=used.get((id_of(budget_round), id_of(compound)), 0),
                    )
                )
    return targets
