"""The result page's texts: every sentence it shows, by key, in the voter's language.

`Texts(language)("key", name=...)` fills a message's %(name)s placeholders on the
server; `Texts.for_script` hands results.js the same translations with {name}
placeholders, so both paths say the same words. The messages live in the catalogs
(frontend/locales/*/LC_MESSAGES/results*.po).
"""

from collections.abc import Callable, Mapping
from typing import Any

from api.i18n import translations
from vaa.matching import round_half_up
from vaa.rules import METHODS


def N_(message: str) -> str:
    """Mark a message for the catalogs; it is translated later, per language."""
    return message


# Every text the result shows, by key. The server fills %(name)s; results.js gets the
# same translations with {name} placeholders (see `texts`).
TEXTS = {
    "pct": N_("%(value)s%%"),
    "basis": N_(
        "Answered statements: %(answered)s of %(total)s, %(important)s of them marked important. Method: %(method)s."
    ),
    "top": N_("Your top match: %(name)s (%(score)s)."),
    "top_tied": N_("Tied for your top match: %(names)s (%(score)s)."),
    "top_none": N_("No party can be compared with your answers."),
    "headline": N_("On the statements you answered, %(name)s agrees with you most (%(score)s)."),
    "headline_tied": N_(
        "On the statements you answered, %(names)s agree with you equally (%(score)s)."
    ),
    "lead_clear": N_("That is a clear lead."),
    "lead_ahead": N_("It is ahead of %(other)s (%(score)s)."),
    "lead_neck": N_("It is neck and neck with %(other)s (%(score)s)."),
    "lead_tied": N_("They are tied."),
    "certainty_intro": N_("How sure is this?"),
    "too_few": N_(
        "Please answer at least %(minimum)s statements: with fewer, the result would say more about chance than about your views. You have answered %(answered)s."
    ),
    "close": N_(
        "Too close to call: with these answers, %(top)s cannot be told apart from %(others)s."
    ),
    "sens_same": N_("Your top match is the same under all four calculation methods."),
    "sens_differs": N_("Your top match depends on the calculation method: %(list)s."),
    "sens_item": N_("%(method)s – %(name)s"),
    "nobody": N_("nobody"),
    "rank": N_("Rank %(rank)s"),
    "interval": N_("likely between %(low)s and %(high)s"),
    "tied": N_("tied with %(names)s"),
    "near": N_("too close to call with the top"),
    "no_score": N_("no answers to compare"),
    "you_answer": N_("Your answer: %(answer)s"),
    "you_skipped": N_("You skipped this statement."),
    "you_left_out": N_("Your answer: %(answer)s (left out of the calculation)"),
    "no_answer": N_("No answer"),
    "agreement": N_("agreement %(pct)s"),
    "suggest_intro": N_(
        "%(a)s and %(b)s are too close to call. They answer these statements differently: mark the ones that matter more to you, and they will count double."
    ),
    "suggest_answers": N_("%(a)s: %(a_answer)s · %(b)s: %(b_answer)s"),
    "compare_summary": N_("%(a)s and %(b)s answer %(n)s of %(total)s statements differently."),
    "compare_same": N_("%(a)s and %(b)s answer every statement the same way."),
    "compare_pick": N_("Choose two different parties."),
    "map_position": N_("%(axis)s %(value)s (towards %(pole)s)"),
    "map_centre": N_("%(axis)s 0 (centre)"),
    "map_missing": N_("Not on the map (no answers on these axes): %(names)s."),
    "theme_none": N_("–"),
    "you": N_("You"),
    "voter_position": N_("Your position"),
    "dropped": N_(
        "Some of your answers were for statements that are no longer in the questionnaire; they were left out."
    ),
    "copied": N_("Link copied."),
    "copy_failed": N_("Copying did not work: select the link above and copy it."),
    "continued": N_("Saved: these answers are now yours on this device."),
    "donate_sending": N_("Sending…"),
    "donate_thanks": N_("Thank you! Your answers were added to the statistics anonymously."),
    "donate_failed": N_("Sending did not work. Please try again later."),
    "donate_tick": N_("Please tick the box first."),
    "loading": N_("Calculating your result…"),
    "reasons_loading": N_("Loading the parties' reasons…"),
    "reasons_failed": N_(
        "The parties' reasons could not be loaded. Check your connection and open the statement again."
    ),
    "updated": N_("Result updated."),
    "method_changed": N_("Your ranking was recalculated with the method “%(method)s”."),
    "load_failed": N_(
        "The election data could not be loaded. Check your connection and reload the page."
    ),
    "share_old": N_(
        "This link was made for an earlier version of the questionnaire, so its answers cannot be shown. You can answer the current statements yourself."
    ),
    "share_broken": N_("This link is incomplete or damaged, so its answers cannot be shown."),
    "nominated": N_("Nominated by %(party)s"),
    "nominated_on_answers": N_("Nominated by %(party)s, on the party's answers"),
    "nominated_backed": N_("Nominated by %(party)s, also backed by %(backing)s"),
    "backed": N_("Backed by %(backing)s"),
    "independent": N_("Independent candidate"),
    "positions_of": N_("stands on the answers of %(entity)s"),
    "did_not_answer": N_("Did not answer the statements, so not ranked: %(names)s."),
    "race_nobody": N_("Nobody in this race answered the statements."),
    "tiebreak_intro": N_(
        "%(a)s and %(b)s are too close to call. They answer these statements differently, and you have not answered them: one answer may tell them apart."
    ),
    "certainty_line": N_(
        "If you answered the %(n)s statements you have not seen, your top match would stay the same with a probability of about %(pct)s."
    ),
    "place_all": N_("Every race is shown: choose where you vote to see only your ballots."),
}

METHOD_NAMES = {
    "cityblock": N_("Distance"),
    "euclidean": N_("Squared distance"),
    "directional": N_("Direction"),
    "hybrid": N_("Mixed"),
}
METHOD_HINTS = {
    "cityblock": N_("How far apart your answer and the party's are on the scale."),
    "euclidean": N_("Like distance, but large differences count more."),
    "directional": N_(
        "Whether you are on the same side, and how strongly; neutral answers count half."
    ),
    "hybrid": N_("The average of distance and direction."),
}


class Texts:
    """The result's texts in one language: `t("key", name=...)`."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.gettext: Callable[[str], str] = translations(language).gettext

    def __call__(self, key: str, **values: Any) -> str:
        return str(self.gettext(TEXTS[key]) % values)

    def pct(self, value: float | None) -> str:
        if value is None:
            return self("theme_none")
        return self("pct", value=int(round_half_up(value)))

    def method(self, method: str) -> str:
        return str(self.gettext(METHOD_NAMES[method]))

    def hint(self, method: str) -> str:
        """What a calculation method compares, in one line."""
        return str(self.gettext(METHOD_HINTS[method]))

    def for_script(self) -> dict[str, Any]:
        """The texts with {name} placeholders, and the method names, for results.js."""

        def braces(message: str) -> str:
            out, i = [], 0
            while i < len(message):
                if message.startswith("%%", i):
                    out.append("%")
                    i += 2
                elif message.startswith("%(", i):
                    end = message.index(")s", i)
                    out.append("{" + message[i + 2 : end] + "}")
                    i = end + 2
                else:
                    out.append(message[i])
                    i += 1
            return "".join(out)

        return {
            "texts": {key: braces(self.gettext(message)) for key, message in TEXTS.items()},
            "methods": {m: self.method(m) for m in METHODS},
        }


def entity_name(entity: Mapping[str, Any]) -> str:
    """A party's or candidate's name as the result shows it."""
    return str(entity["name"])
