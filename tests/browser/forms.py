"""Sending the voter's forms as a browser without JavaScript does: a hidden form, submitted."""

from playwright.sync_api import Page


def post_answers(
    page: Page,
    base: str,
    lang: str,
    answers: dict[str, str | None],
    *,
    weights: dict[str, float] | None = None,
    extra: dict[str, str] | None = None,
    ready: str = "[data-list=rows] > li",
) -> None:
    """Send answers (a skip as None), weights and any `extra` fields to the results page as
    the quiz's form does without JavaScript; return once `ready` is on the page."""
    fields = {f"answer-{k}": v or "skip" for k, v in answers.items()}
    fields.update({f"weight-{k}": str(v) for k, v in (weights or {}).items()})
    fields.update(extra or {})
    page.evaluate(
        """([action, fields]) => {
            const form = Object.assign(document.createElement("form"), {method: "post", action});
            for (const [name, value] of Object.entries(fields)) {
                form.append(Object.assign(document.createElement("input"), {type: "hidden", name, value}));
            }
            document.body.append(form);
            form.submit();
        }""",
        [f"{base}/{lang}/demo/results", fields],
    )
    page.wait_for_url(f"{base}/{lang}/demo/results")
    page.wait_for_selector(ready)
