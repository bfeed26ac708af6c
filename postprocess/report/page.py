"""The HTML page around the sections: head with inline CSS, contents list, footer. No JavaScript."""

from __future__ import annotations

from collections.abc import Sequence

from postprocess.report.html import Html, esc, join, tag
from postprocess.report.section import Section

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px;
       padding: 1em 2em 3em; color: #1d2327; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #2b6cb0; padding-bottom: 0.2em; margin-top: 2em; }
h3 { margin-bottom: 0.3em; }
.subtitle { color: #555; margin-top: 0; }
nav ol { columns: 2; padding-left: 1.4em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
thead th { background: #edf2f7; }
table.kv th { background: #f6f8fa; font-weight: 500; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.critical td { background: #fde2e1; font-weight: 600; }
figure { margin: 0.8em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e2e8f0; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.columns { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
.verdict { font-size: 1.15em; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; }
"""


def render_page(title: str, subtitle: str, sections: Sequence[Section], footer: str) -> str:
    """The whole document: title, contents, one ``<section>`` per section, footer."""
    contents = tag("nav", tag("ol", join(tag("li", tag("a", s.title, href=f"#{s.key}")) for s in sections)))
    body = join(tag("section", tag("h2", s.title) + s.body, id=s.key) for s in sections)
    head = Html(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    )
    return str(
        head
        + tag("h1", title)
        + tag("p", subtitle, class_="subtitle")
        + contents
        + Html("\n")
        + body
        + tag("footer", footer)
        + Html("\n</body>\n</html>\n")
    )
