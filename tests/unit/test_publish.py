"""vaa.publish: a bundle is the canonical JSON of the content, named by its SHA-256."""

import hashlib
import json

import pytest

from tests.conftest import DEMO_FILES, RACE_FILES
from vaa.loading import read_elections
from vaa.publish import (
    build_bundle,
    canonical_json,
    checksum,
    content_from_bundle,
    justification_slice,
    voter_slice,
)


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_georgian_letters() -> None:
    assert canonical_json({"b": 1, "a": ["მოსაზრება", None]}) == (
        '{"a":["მოსაზრება",null],"b":1}'.encode()
    )


def test_a_bundle_is_named_by_the_checksum_of_its_content_and_reads_back_equal() -> None:
    (content,) = read_elections(DEMO_FILES)
    bundle = build_bundle(content)
    data = json.loads(bundle)
    assert (data["format"], data["election"]) == (1, "demo")
    assert data["version"] == checksum(content)
    body = {"questionnaire": data["questionnaire"], "entities": data["entities"]}
    assert data["version"] == hashlib.sha256(canonical_json(body)).hexdigest()
    assert content_from_bundle(bundle) == content
    assert build_bundle(content_from_bundle(bundle)) == bundle


def test_changing_one_answer_changes_the_version() -> None:
    (content,) = read_elections(DEMO_FILES)
    entity = content.entities[0]
    first = next(iter(entity.positions))
    position = entity.positions[first]
    answer = "disagree" if position.answer != "disagree" else "agree"
    changed_entity = entity.model_copy(
        update={
            "positions": {**entity.positions, first: position.model_copy(update={"answer": answer})}
        }
    )
    changed = content.model_copy(update={"entities": [changed_entity, *content.entities[1:]]})
    assert checksum(changed) != checksum(content)


def test_the_voter_slice_holds_one_language_and_answers_without_reasons() -> None:
    (content,) = read_elections(DEMO_FILES)
    bundle = build_bundle(content)
    english = json.loads(voter_slice(bundle, "en"))
    assert english["language"] == "en"
    assert english["title"] == content.questionnaire.title["en"]
    first = content.questionnaire.statements[0]
    assert english["statements"][0]["text"] == first.text["en"]
    party = english["entities"][0]
    assert party["name"] == content.entities[0].name["en"]
    assert "positions" not in party
    assert party["answers"] == {sid: p.answer for sid, p in content.entities[0].positions.items()}
    with pytest.raises(KeyError):
        voter_slice(bundle, "ru")


def test_a_candidate_borrows_the_answers_of_its_positions_from() -> None:
    (content,) = read_elections(RACE_FILES)
    sliced = {e["id"]: e for e in json.loads(voter_slice(build_bundle(content), "ka"))["entities"]}
    assert sliced["d1-eka"]["answers"] == {"s1": "agree", "s2": "agree", "s3": "agree"}
    assert sliced["m-beka"]["answers"] == {"s1": "disagree", "s2": "neutral", "s3": "disagree"}


def test_the_justification_slice_holds_reasons_and_sources_in_one_language() -> None:
    (content,) = read_elections(DEMO_FILES)
    bundle = build_bundle(content)
    reasons = json.loads(justification_slice(bundle, "en"))["entities"]
    party = content.entities[0]
    first = next(sid for sid, p in party.positions.items() if p.justification and p.source)
    assert reasons[party.id][first] == {
        "justification": party.positions[first].justification["en"],  # type: ignore[index]
        "source": party.positions[first].source,
    }
    with pytest.raises(KeyError):
        justification_slice(bundle, "az")
