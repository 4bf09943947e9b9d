"""Link rewriting of the static export (api/static_export.py)."""

from api.static_export import bundle_file, page_file, rewrite, voter_urls


def test_file_names() -> None:
    assert page_file("/ka/demo/") == "ka/demo/index.html"
    assert page_file("/ka/demo/quiz") == "ka/demo/quiz.html"
    assert (
        bundle_file("/api/v1/elections/d/bundle/abc/ka") == "api/v1/elections/d/bundle/abc/ka.json"
    )
    assert (
        bundle_file("/api/v1/elections/d/bundle/abc/ka/justifications")
        == "api/v1/elections/d/bundle/abc/ka-justifications.json"
    )


def test_rewrite_relative_and_api_url() -> None:
    files = {
        "/ka/demo/": "ka/demo/index.html",
        "/static/0123456789ab/site.css": "static/0123456789ab/site.css",
    }
    html = '<a href="/ka/demo/#top"></a><link href="/static/0123456789ab/site.css">{"x":"/other"}'
    out = rewrite(html, "ka/demo/quiz.html", files)
    assert (
        out
        == '<a href="index.html#top"></a><link href="../../static/0123456789ab/site.css">{"x":"/other"}'
    )
    assert rewrite('"/api/v1/elections/d/donations"', "a.html", {}, "https://api.example") == (
        '"https://api.example/api/v1/elections/d/donations"'
    )


def test_profiles_are_voter_pages() -> None:
    urls = voter_urls("demo", ["ka"], ["green-coast"])
    assert "/ka/demo/entities/green-coast" in urls
    assert page_file("/ka/demo/entities/green-coast") == "ka/demo/entities/green-coast.html"
    assert urls[1] == "/ka/demo/quiz"  # the export's index still opens the quiz
