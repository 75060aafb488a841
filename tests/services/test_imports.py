"""Importing an election from a Pabulib file (services/imports.py), on SQLite and PostgreSQL.

The count of an imported round, through the app's own services, equals ``python -m voting
tally`` on the file for every rule its vote type allows, on two shared files and on a file
whose ties fall one way or the other by project id. What is stored is the file's election and
nothing of its voters; a file or a call that cannot be taken leaves every table as it was.
"""

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import (
    AuditEntry,
    Ballot,
    BallotEntry,
    BudgetRound,
    PollBookEntry,
    Proposal,
    ProposalLineItem,
    Tally,
)
from models.vocabulary import BallotChannel, RoundPhase
from services import ballots
from services.__main__ import main
from services.errors import InvalidInput, LinliError, NotAllowed, NotFound
from services.file_checks import MIB
from services.imports import MAX_IMPORT_BYTES, import_election
from services.rounds import voter_key
from services.tally import count_votes
from tests.street import ALL_ROWS, fingerprint
from tests.voting.conftest import pabulib_file
from tests.world import World
from voting import read_pb, rules_for
from voting.cli import main as voting_main

REPO_ROOT = Path(__file__).resolve().parents[2]
TOULOUSE = "France_Toulouse_2019.pb"  # cumulative: 30 projects, 1,494 voters
WIELICZKA = "Poland_Wieliczka_2023_Green_Budget.pb"  # approval: 64 projects, 6,586 voters

SMALL = """META
key;value
description;Test PB
country;Nowhere
unit;Testville
instance;2024
num_projects;3
num_votes;4
budget;100.50
vote_type;approval
rule;greedy
date_begin;01.03.2024
date_end;15.03.2024
max_length;2
PROJECTS
project_id;cost;name;category
p2;60.25;Benches by the pond;urban greenery
p1;40;"Lamps; solar";public space
p3;30;;culture
VOTES
voter_id;vote;age;sex
VOTER-SECRET-1;p1,p2;71;SEX-SECRET
VOTER-SECRET-2;p1;;
VOTER-SECRET-3;p2,p3;;
VOTER-SECRET-4;p3;;
"""


def small(**replace: str) -> bytes:
    text = SMALL
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def tied(count: int = 12) -> bytes:
    """Every project costs the same and every voter approves them all: each choice is a tie,
    broken by the project id (p01 < p02 < ...), whatever ids the proposals get."""
    ids = [f"p{n:02d}" for n in range(1, count + 1)]
    projects = "\n".join(f"{pid};10;Project {pid}" for pid in reversed(ids))
    votes = "\n".join(f"{voter};{','.join(ids)}" for voter in range(1, 6))
    return (
        f"META\nkey;value\ndescription;Ties\nbudget;30\nvote_type;approval\n"
        f"PROJECTS\nproject_id;cost;name\n{projects}\nVOTES\nvoter_id;vote\n{votes}\n"
    ).encode()


def command_line(path: Path, rule: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """``python -m voting tally FILE --rule RULE --json``, in this process."""
    capsys.readouterr()
    assert voting_main(["tally", str(path), "--rule", rule, "--json"]) == 0
    selected: list[str] = json.loads(capsys.readouterr().out)["selected"]
    return selected


def counted(world: World, round_id: int) -> Tally:
    tally_id = count_votes(world.session, world.viewer("chair_a"), round_id=round_id)
    result = world.session.get(Tally, tally_id)
    assert result is not None
    return result


def import_into_a(world: World, data: bytes, **options: Any) -> Any:
    return import_election(
        world.session,
        world.viewer("chair_a"),
        data=data,
        filename=options.pop("filename", "test.pb"),
        place_id=world.community_a,
        fund_id=world.fund_a,
        **options,
    )


@pytest.mark.parametrize("name", [TOULOUSE, WIELICZKA])
def test_an_imported_round_counts_as_the_command_line_does(
    world: World, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pabulib_file(name)
    data = path.read_bytes()
    election = read_pb(path)
    for rule in rules_for(election.profile.vote_type):
        imported = import_into_a(world, data, filename=name, rule=rule)
        result = counted(world, imported.round_id)
        file_id = {proposal: project for project, proposal in imported.proposal_ids.items()}
        assert [file_id[p] for p in result.selected_proposal_ids] == command_line(
            path, rule, capsys
        ), rule
        assert result.ballots_counted == imported.ballots == len(election.profile)
    budget_round = world.session.get(BudgetRound, imported.round_id)
    assert budget_round is not None
    assert budget_round.budget_fen == election.instance.budget * 100
    turnout = ballots.turnouts(world.session, [imported.round_id])[imported.round_id]
    assert turnout.by_channel == {BallotChannel.IMPORTED: len(election.profile)}


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes+greedy", "phragmen"])
def test_ties_fall_as_on_the_file_whatever_ids_the_proposals_get(
    world: World, rule: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store's next ids (1 to 12 here) sort as text otherwise than as numbers."""
    path = tmp_path / "ties.pb"
    path.write_bytes(tied())
    imported = import_into_a(world, path.read_bytes(), rule=rule)
    file_id = {proposal: project for project, proposal in imported.proposal_ids.items()}
    chosen = [file_id[p] for p in counted(world, imported.round_id).selected_proposal_ids]
    assert chosen == command_line(path, rule, capsys) == ["p01", "p02", "p03"]


def test_the_file_becomes_a_round_and_nothing_of_its_voters_is_kept(world: World) -> None:
    session = world.session
    audit_before = len(session.exec(select(AuditEntry.id)).all())
    imported = import_into_a(world, small(), filename="../Testville 2024.pb")
    round_id = imported.round_id
    budget_round = session.get(BudgetRound, round_id)
    assert budget_round is not None
    assert (budget_round.name, budget_round.year, budget_round.budget_fen) == (
        "Test PB 2024",
        2024,
        10_050,
    )
    assert (budget_round.phase, budget_round.ballot_kind) == (RoundPhase.COUNTING, "approval")
    assert (budget_round.min_length, budget_round.max_length) == (1, 2)
    proposals = {
        p.id: p for p in session.exec(select(Proposal).where(Proposal.round_id == round_id))
    }
    items = {
        i.proposal_id: i.unit_price_fen
        for i in session.exec(
            select(ProposalLineItem).where(col(ProposalLineItem.proposal_id).in_(proposals))
        )
    }
    stored = {
        project: (proposals[pid].title, proposals[pid].category, proposals[pid].status, items[pid])
        for project, pid in imported.proposal_ids.items()
    }
    assert stored == {
        "p1": ("Lamps; solar", "public_facilities", "on_ballot", 4_000),
        "p2": ("Benches by the pond", "greening", "on_ballot", 6_025),
        "p3": ("p3", "culture", "on_ballot", 3_000),
    }
    assert (imported.proposals, imported.ballots, imported.marks) == (3, 4, 6)
    book = session.exec(select(PollBookEntry).where(PollBookEntry.round_id == round_id)).all()
    assert {(e.channel, e.voted_on.isoformat()) for e in book} == {("imported", "2024-03-15")}
    assert len({e.voter_key for e in book}) == 4
    keys = {voter_key(round_id, f"person:VOTER-SECRET-{n}") for n in range(1, 5)}
    keys |= {voter_key(round_id, f"VOTER-SECRET-{n}") for n in range(1, 5)}
    assert not keys & {e.voter_key for e in book}
    sealed = session.exec(select(Ballot).where(Ballot.round_id == round_id)).all()
    assert len(sealed) == 4 and len({b.receipt_hash for b in sealed}) == 4
    entries = session.exec(
        select(BallotEntry).where(col(BallotEntry.ballot_id).in_([b.id for b in sealed]))
    ).all()
    assert len(entries) == 6
    everything = "\n".join(
        line for _, _, line in session.connection().exec_driver_sql(ALL_ROWS[_dialect(session)])
    )
    assert "VOTER-SECRET" not in everything and "SEX-SECRET" not in everything
    audit = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()[audit_before:]
    assert [a.action for a in audit] == ["create_round", "import_election"]  # none per ballot
    assert audit[1].after is not None
    assert {k: audit[1].after[k] for k in ("file", "proposals", "ballots", "marks")} == {
        "file": "Testville 2024.pb",
        "proposals": 3,
        "ballots": 4,
        "marks": 6,
    }


def _dialect(session: Session) -> str:
    return session.connection().dialect.name


def test_a_long_name_is_cut_with_an_ellipsis(world: World) -> None:
    imported = import_into_a(world, small(**{"Benches by the pond": "长" * 300}))
    proposal = world.session.get(Proposal, imported.proposal_ids["p2"])
    assert proposal is not None and proposal.title == "长" * 119 + "…"


def test_the_operator_imports_without_signing_in(world: World) -> None:
    imported = import_election(
        world.session,
        None,
        data=small(),
        filename="t.pb",
        place_id=world.community_b,
        fund_id=world.fund_b,
    )
    entries = world.session.exec(
        select(AuditEntry).where(AuditEntry.action == "import_election")
    ).all()
    assert [(e.actor_id, e.entity_id) for e in entries] == [(None, imported.round_id)]


MALFORMED_LINE = SMALL.splitlines().index("VOTER-SECRET-4;p3;;") + 1
REFUSED: dict[str, tuple[dict[str, Any], type[LinliError], str, dict[str, Any]]] = {
    "malformed": (
        {"data": small(**{"VOTER-SECRET-4;p3": "VOTER-SECRET-4;p9"})},
        InvalidInput,
        "pabulib_malformed",
        {"line": MALFORMED_LINE},
    ),
    "too large": (
        {"data": small() + b" " * MAX_IMPORT_BYTES},
        InvalidInput,
        "pabulib_too_large",
        {"max_mb": 10},
    ),
    "not text": ({"data": b"META\n\xff\xfe"}, InvalidInput, "pabulib_not_utf8", {"line": 2}),
    "a path, not a file": (
        {"data": str(REPO_ROOT / "tests/voting/fixtures/approval_small.pb").encode()},
        InvalidInput,
        "pabulib_malformed",
        {"line": 1},
    ),
    "incomplete": ({"data": SMALL.split("VOTES")[0].encode()}, InvalidInput, "", {}),
    "a limit on cost": (
        {"data": small(**{"max_length;2": "max_sum_cost;100"})},
        InvalidInput,
        "pabulib_limit_unsupported",
        {"constraint": "max_sum_cost"},
    ),
    "a sub-fen cost": (
        {"data": small(**{"p1;40;": "p1;40.125;"})},
        InvalidInput,
        "pabulib_cost_invalid",
        {"number": 2},
    ),
    "a name written backwards": (
        {"data": small(**{"Benches by": "Benches \u202eby"})},
        InvalidInput,
        "pabulib_title_invalid",
        {"number": 1},
    ),
    "an empty ballot": (
        {"data": small(**{"VOTER-SECRET-2;p1": "VOTER-SECRET-2;"})},
        InvalidInput,
        "pabulib_ballot_empty",
        {"number": 2},
    ),
    "a rule for other ballots": (
        {"data": small(**{"vote_type;approval": "vote_type;ordinal"}), "rule": "phragmen"},
        InvalidInput,
        "rule_not_for_ballot",
        {},
    ),
    "an unknown rule": ({"rule": "plurality"}, InvalidInput, "field_invalid", {"field": "rule"}),
    "a city's variant, which needs what a round does not store": (
        {"rule": "greedy-threshold"},
        InvalidInput,
        "field_invalid",
        {"field": "rule"},
    ),
    "an unknown place": ({"place_id": 10**9}, NotFound, "not_found", {"entity": "place"}),
    "an unknown fund": ({"fund_id": 10**9}, NotFound, "not_found", {"entity": "fund"}),
    "a resident": ({"viewer": "resident_a1"}, NotAllowed, "not_allowed", {}),
    "another community's chair": ({"viewer": "chair_b"}, NotAllowed, "not_allowed", {}),
    "a fund of another community": ({"fund_id": "b"}, InvalidInput, "fund_outside_round", {}),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_what_cannot_be_imported_is_refused_and_nothing_changes(world: World, case: str) -> None:
    changes, error_type, code, params = REFUSED[case]
    session = world.session
    call: dict[str, Any] = {
        "data": small(),
        "filename": "t.pb",
        "place_id": world.community_a,
        "fund_id": world.fund_a,
        "viewer": "admin" if case == "a fund of another community" else "chair_a",
        **changes,
    }
    call["viewer"] = world.viewer(call["viewer"])
    if call["fund_id"] == "b":
        call["fund_id"] = world.fund_b
    session.commit()
    before = fingerprint(session)
    with pytest.raises(error_type) as refused:
        import_election(session, **call)
    session.rollback()
    assert fingerprint(session) == before
    if code:
        assert refused.value.code == code
    else:
        assert refused.value.code in ("pabulib_incomplete", "pabulib_malformed")
    assert params.items() <= refused.value.params.items()


def test_the_upload_limit_is_the_import_limit() -> None:
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * MIB == MAX_IMPORT_BYTES
    assert pabulib_file("Poland_Warszawa_2026.pb").stat().st_size < MAX_IMPORT_BYTES


def test_the_command_line_prints_the_new_round(
    world: World,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINLI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    path = tmp_path / "Testville 2024.pb"
    path.write_bytes(small())
    world.session.commit()
    capsys.readouterr()
    place, fund = str(world.community_a), str(world.fund_a)
    assert main(["import-pb", str(path), "--place", place, "--fund", fund, "--rule", "greedy"]) == 0
    out = capsys.readouterr().out
    with Session(engine) as session:
        (round_id,) = session.exec(select(BudgetRound.id).where(BudgetRound.name == "Test PB 2024"))
        assert session.get(BudgetRound, round_id).rule == "greedy"  # type: ignore[union-attr]
    assert out.startswith(f"round {round_id} imported: Test PB 2024\n")
    assert "3 proposals, 4 ballots, 6 marks" in out
    assert main(["import-pb", str(path), "--place", "999999", "--fund", fund]) == 2
    assert "not imported: not_found (entity=place)" in capsys.readouterr().err
