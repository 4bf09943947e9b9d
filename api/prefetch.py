"""What the quiz pages fetch ahead, so the result appears at once after the last answer.

The result page is a shell whose ranking results.js computes from the election bundle.
The quiz names the shell, the module and every module it imports (each under its one
hashed URL) and the bundle as <link rel="prefetch">: the browser fetches them at idle
priority while the voter answers (Chromium reuses a prefetched page for five minutes
without asking again; with the service worker in charge, it answers from its cache).
The parties' reasons are not among them: they load when
the voter opens a statement on the result page.
"""

from typing import Any

from api.assets import module_urls


def result_prefetch(lang: str, election: dict[str, Any]) -> list[str]:
    """The result page of `election` in `lang` and everything it needs to show a ranking."""
    return [
        f"/{lang}/{election['election']}/results",
        election["bundle_url"],
        *module_urls("js/results.js"),
    ]
