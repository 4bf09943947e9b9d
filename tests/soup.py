"""Reading an HTML page as its user sees it: parse a response, select by CSS, read the text.

Named soup, not html: pytest puts tests/ on sys.path, and a tests/html.py would shadow
the standard library's html module (which BeautifulSoup itself imports).
"""

from typing import Protocol

from bs4 import BeautifulSoup, Tag


class _HasText(Protocol):
    @property
    def text(self) -> str: ...


def parse(response: _HasText | str) -> BeautifulSoup:
    """The page of a response (or an HTML string), parsed with the standard library's parser."""
    return BeautifulSoup(response if isinstance(response, str) else response.text, "html.parser")


def select(page: BeautifulSoup | Tag, css: str) -> list[Tag]:
    """Every element matching a CSS selector, in page order."""
    return list(page.select(css))


def one(page: BeautifulSoup | Tag, css: str) -> Tag:
    """The one element matching a CSS selector; fails the test when there are none or several."""
    found = page.select(css)
    assert len(found) == 1, f"{css!r} matches {len(found)} elements, not one"
    return found[0]


def text(element: BeautifulSoup | Tag | None) -> str:
    """The element's text as read: whitespace runs collapsed to one space, trimmed."""
    assert element is not None, "no such element"
    return " ".join(element.get_text(" ").split())


def texts(page: BeautifulSoup | Tag, css: str) -> list[str]:
    """The text of every element matching a CSS selector."""
    return [text(e) for e in page.select(css)]


def shown(element: Tag) -> bool:
    """Whether the element is shown without JavaScript: neither it nor an ancestor is `hidden`."""
    node: Tag | None = element
    while node is not None:
        if node.has_attr("hidden"):
            return False
        node = node.parent
    return True


def fields(form: Tag) -> dict[str, list[str]]:
    """What submitting the form sends: each field's name and values (checked boxes only)."""
    sent: dict[str, list[str]] = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name = str(field["name"])
        if field.name == "select":
            chosen = field.select("option[selected]") or field.select("option")[:1]
            values = [str(o.get("value", text(o))) for o in chosen]
        elif field.get("type") in ("checkbox", "radio"):
            values = [str(field.get("value", "on"))] if field.has_attr("checked") else []
        elif field.get("type") in ("submit", "button"):
            values = []
        else:
            values = [str(field.get("value", ""))]
        sent.setdefault(name, []).extend(values)
    return {name: values for name, values in sent.items() if values}


def alerts(page: BeautifulSoup | Tag) -> str:
    """What the page warns about: the text of each alert (role="alert"), one per line."""
    return "\n".join(texts(page, '[role="alert"]'))


def notices(page: BeautifulSoup | Tag) -> str:
    """Every notice, alert and status line the page shows, one per line (outermost only)."""
    found = page.select('.notice, [role="alert"], [role="status"]')
    mine = {id(e) for e in found}
    return "\n".join(text(e) for e in found if not any(id(p) in mine for p in e.parents))


def content(page: BeautifulSoup | Tag) -> str:
    """The text of the page's main content (its one <main>), as read."""
    return text(one(page, "main"))


def hrefs(page: BeautifulSoup | Tag, css: str = "a") -> list[str]:
    """The targets of the links matching a CSS selector, in page order."""
    return [str(a["href"]) for a in page.select(css) if a.has_attr("href")]


def injected(page: BeautifulSoup | Tag, marker: str = "alert(1)") -> list[Tag]:
    """Script elements or event-handler attributes carrying `marker`: a payload that got
    out of its text or attribute and would run. Escaped, it is only text (empty list)."""
    found = [s for s in page.select("script") if marker in s.get_text()]
    found += [
        e
        for e in page.find_all(True)
        if any(name.startswith("on") and marker in str(v) for name, v in e.attrs.items())
    ]
    return found
