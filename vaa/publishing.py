"""Checks that warn before publishing but do not refuse: thin answers, unanswered statements.

A draft with these problems is valid and may be published (a party may really refuse to
answer), but the editor should see them first rather than a silent "no problems".
"""

from dataclasses import dataclass
from typing import Literal

from vaa.content import ElectionContent

# Fewer own answers than this share of the statements is "few".
FEW_ANSWERS = 0.5

WarningKind = Literal["no_answers", "few_answers", "unanswered"]


@dataclass(frozen=True)
class PublishWarning:
    """One thing to look at before publishing: an entity or a statement, by id."""

    kind: WarningKind
    item: str  # entity id, or statement id for "unanswered"
    answered: int = 0
    total: int = 0


def publish_warnings(content: ElectionContent) -> list[PublishWarning]:
    """Entities with no or few answers, then statements nobody answered, in draft order.

    An entity taking its positions from another (positions_from) counts that one's answers.
    """
    scale = {option.id for option in content.questionnaire.scale}
    statements = [s.id for s in content.questionnaire.statements]
    total = len(statements)
    warnings: list[PublishWarning] = []
    answered_by_anyone: set[str] = set()
    for entity in content.entities:
        positions = content.positions_of(entity)
        answered = [s for s in statements if s in positions and positions[s].answer in scale]
        answered_by_anyone.update(answered)
        if not total:
            continue
        if not answered:
            warnings.append(PublishWarning("no_answers", entity.id, 0, total))
        elif len(answered) < FEW_ANSWERS * total:
            warnings.append(PublishWarning("few_answers", entity.id, len(answered), total))
    if content.entities:
        warnings.extend(
            PublishWarning("unanswered", s, 0, len(content.entities))
            for s in statements
            if s not in answered_by_anyone
        )
    return warnings
