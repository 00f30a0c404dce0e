"""`volnyja-bot graph`: the flows as a Mermaid chart an editor pastes into a ```mermaid block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialogs import Content, load_content
from dialogs.graph import NodeIds, label, mermaid
from tests.test_cli import cli

NODE = re.compile(r'^\s+(\w+)(\["|\(\["|\{\{")(.*?)("\]|"\]\)|"\}\})(:::\w+)?$')
EDGE = re.compile(r'^\s+(\w+) (-->|-\.->)(?:\|"(.*?)"\|)? (\w+)$')
SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

LOST_STEP = """
  lost:
    text:
      be: '<b>"Ціха"</b> [a] {b} (c) | `d` & #e; <script>x</script>'
      ru: Потерянный
      en: '<b>"Quiet"</b> [a] {b} (c) | `d` & #e; <script>x</script>'
    choices:
      - label: {be: "Да «меню» [x]", ru: Меню, en: 'To "menu" [x]'}
        goto: first
      - back
"""


def parsed(chart: str) -> tuple[dict[str, str], list[tuple[str, str, str | None, str]]]:
    """The chart's nodes (id -> label) and edges (from, arrow, label, to); fails on other lines."""
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str | None, str]] = []
    lines = chart.splitlines()
    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        if node := NODE.match(line):
            nodes[node[1]] = node[3]
        elif edge := EDGE.match(line):
            edges.append((edge[1], edge[2], edge[3], edge[4]))
        else:
            assert re.match(
                r'^\s+(subgraph \w+\["\w+"\]|end|classDef \w+ .*|class [\w,]+ \w+)$', line
            ), line
    return nodes, edges


def test_every_step_is_a_node_in_its_flow_and_every_button_an_arrow(small: Content) -> None:
    chart = mermaid(small, locale="en")
    nodes, edges = parsed(chart)
    assert nodes["n_intro__first"].startswith("first #40;start#41;<br>First, , from ")
    assert nodes["n_intro__second"] == "second<br>Second, in the evening"
    assert nodes["n_menu__main"] == "main #40;start#41;<br>Menu"
    assert ("n_menu__main", "-->", "Begin", "n_intro__first") in edges
    assert ("n_intro__first", "-->", "Next", "n_intro__second") in edges
    assert ("n_intro__second", "-.->", "typed words", "n_intro__first") in edges
    assert ("n_menu__main", "-->", "Language #91;set_language: en#93;", "n_menu__main") in edges
    # back and menu buttons are on nearly every step: drawn, they would hide the paths
    assert not [e for e in edges if e[0] == "n_intro__second" and e[1] == "-->"]
    assert 'subgraph n_flow__intro["intro"]' in chart
    assert "class " not in chart  # nothing unreachable in valid content


def test_links_triggers_and_the_welcome_are_entry_points(small: Content) -> None:
    nodes, edges = parsed(mermaid(small, locale="en"))
    entries = {
        nodes[source]: to
        for source, arrow, words, to in edges
        if source.startswith(("n_link", "n_trigger", "n_welcome"))
    }
    assert entries == {
        "/start intro": "n_intro__first",
        "/start menu": "n_menu__main",
        "/start second-step": "n_intro__second",
        "trigger: person": "n_intro__first",
        "welcome #40;first /start#41;": "n_intro__first",
    }
    assert all(arrow == "-.->" for source, arrow, _, _ in edges if source.startswith("n_link"))


def test_one_flow_shows_its_steps_and_the_arrows_leaving_it(small: Content) -> None:
    chart = mermaid(small, "menu", locale="en")
    nodes, edges = parsed(chart)
    assert "subgraph n_flow__intro" not in chart
    assert nodes["n_intro__first"] == "intro.first"  # the step it leads to, drawn as elsewhere
    assert 'n_intro__first["intro.first"]:::elsewhere' in chart
    assert ("n_menu__main", "-->", "Begin", "n_intro__first") in edges
    assert {s for s, *_ in edges} <= {"n_menu__main", "n_link__menu"}
    with pytest.raises(KeyError):
        mermaid(small, "nope")


def test_labels_keep_no_quote_bracket_or_html() -> None:
    escaped = label('<b>"x"</b> [a] {b} (c) | `d` & #e;\nnext')
    assert escaped == (
        "#60;b#62;#34;x#34;#60;/b#62; #91;a#93; #123;b#125; #40;c#41; #124; #96;d#96; #38; "
        "#35;e#59; next"
    )
    assert not set(escaped) & set('"<>[]{}()|`&\n')


def test_node_ids_are_safe_and_unique_whatever_the_names() -> None:
    ids = NodeIds()
    made = [
        ids.of("flow", "end"),
        ids.of("a_", "b"),
        ids.of("a", "_b"),
        ids.of("a", "b c"),
        ids.of("a", "b_c"),
        ids.of("o", "x"),
        ids.of("flow", "end"),
    ]
    assert made[0] == made[-1]  # the same step keeps its id
    assert len(set(made)) == 6
    assert all(SAFE_ID.match(i) and i.startswith("n_") for i in made)


def lost_content(tmp_path: Path, valid_dir: Path) -> Path:
    flow = valid_dir / "flows" / "intro.yaml"
    flow.write_text(flow.read_text(encoding="utf-8") + LOST_STEP, encoding="utf-8")
    return valid_dir


def test_an_unreachable_step_is_marked_and_its_words_escaped(
    tmp_path: Path, valid_dir: Path
) -> None:
    result = load_content(lost_content(tmp_path, valid_dir))
    assert result.content is None  # a step nobody can see is an error...
    assert result.draft is not None  # ... but the picture is still drawn
    chart = mermaid(result.draft, locale="en")
    nodes, edges = parsed(chart)
    assert chart.rstrip().endswith("class n_intro__lost unreachable")
    assert "classDef unreachable " in chart
    assert nodes["n_intro__lost"] == (
        "lost<br>#34;Quiet#34; #91;a#93; #123;b#125; #40;c#41; #124; #96;d#96; #38; #35;e#59; x"
    )
    assert ("n_intro__lost", "-->", "To #34;menu#34; #91;x#93;", "n_intro__first") in edges


def test_the_command_prints_the_chart_and_reports_errors_on_stderr(
    tmp_path: Path, valid_dir: Path
) -> None:
    run = cli("graph", "--content", str(valid_dir), "--locale", "en", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == mermaid(
        load_content(valid_dir).draft or pytest.fail("no content"), locale="en"
    )
    unknown = cli("graph", "nope", "--content", str(valid_dir), cwd=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("unknown flow nope; choose one of intro, menu")
    lost = cli("graph", "intro", "--content", str(lost_content(tmp_path, valid_dir)), cwd=tmp_path)
    assert lost.returncode == 0
    assert "class n_intro__lost unreachable" in lost.stdout
    assert "no choice leads to step 'lost'" in lost.stderr
