"""`volnyja-bot preview`: the whole conversation as a small static site an editor opens in a
browser. Every step is a chat bubble in every language, side by side, with its buttons linking
to the steps they lead to, and check's problems at the step they belong to. No network: the
pages carry their own style and script."""

from __future__ import annotations

from pathlib import Path

import jinja2

from dialogs.errors import Severity
from dialogs.loading import LoadResult
from dialogs.preview.pages import Pages, page_of, place_problems

__all__ = ["build_preview"]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dialogs.preview", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def build_preview(
    result: LoadResult, directory: Path, out: Path, *, first_name: str = ""
) -> list[Path]:
    """Write index.html and one page per flow into `out`; returns the pages written.

    `result` is what load_content read from `directory`; its draft is shown even with errors.
    Raises ValueError when too much is broken to show anything.
    """
    content = result.draft
    if content is None:
        msg = "the content cannot be shown: fix the errors check reports first"
        raise ValueError(msg)
    placed = place_problems(result.problems, directory, content.flows)
    pages = Pages(content, placed, first_name=first_name)
    flows = pages.flows()
    env = _environment()
    shared = {
        "flows": flows,
        "languages": content.languages,
        "elsewhere": placed.elsewhere,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "ERROR": Severity.ERROR,
        "page_of": page_of,
    }
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "index.html"]
    written[0].write_text(env.get_template("index.html.j2").render(shared), encoding="utf-8")
    flow_page = env.get_template("flow.html.j2")
    for flow in flows:
        path = out / flow.page
        path.write_text(flow_page.render(shared, flow=flow), encoding="utf-8")
        written.append(path)
    return written
