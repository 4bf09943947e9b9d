"""Every setting is documented in the README's configuration table."""

from vaa.settings import ROOT, Settings


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [n for n in Settings.model_fields if f"| `VAA_{n.upper()}` |" not in readme]
    assert missing == []
