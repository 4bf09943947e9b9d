"""The README's Layout names every module, so a newcomer finds each one where it says."""

from vaa.settings import ROOT


def test_every_module_is_in_the_readme_layout() -> None:
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1]
    modules = [
        p.relative_to(ROOT).as_posix()
        for folder in ("vaa", "api")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if p.name != "__init__.py"
    ]
    modules += [
        p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "frontend/static/js").glob("*.js"))
    ]
    missing = [m for m in modules if f"`{m}`" not in layout]
    assert missing == [], "add these to the README's Layout table"
