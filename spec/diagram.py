"""State diagrams of an exploration, as Graphviz DOT or Mermaid text."""

from __future__ import annotations

from .explore import Exploration
from .render import world_line


def _node_label(exploration: Exploration, index: int) -> str:
    return world_line(exploration.nodes[index])


def _edges(exploration: Exploration) -> list[tuple[int, int, str]]:
    """Edges that change the state, one per (source, target, label); self-loops are left out."""
    seen: dict[tuple[int, int, str], None] = {}
    for edge in exploration.edges:
        if edge.source != edge.target:
            seen[(edge.source, edge.target, edge.label)] = None
    return list(seen)


def to_dot(exploration: Exploration) -> str:
    """The state graph in Graphviz DOT."""
    lines = [
        "digraph channel {",
        f'  label="{_escape(str(exploration.scope))}";',
        "  node [shape=box, fontname=monospace];",
    ]
    for index in range(exploration.states):
        style = ", style=bold" if index == 0 else ""
        lines.append(f'  s{index} [label="{_escape(_node_label(exploration, index))}"{style}];')
    for source, target, label in _edges(exploration):
        lines.append(f'  s{source} -> s{target} [label="{_escape(label)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(exploration: Exploration) -> str:
    """The state graph as a Mermaid flowchart."""
    lines = ["flowchart TD"]
    for index in range(exploration.states):
        lines.append(f'  s{index}["{_mermaid_text(_node_label(exploration, index))}"]')
    for source, target, label in _edges(exploration):
        lines.append(f'  s{source} -->|"{_mermaid_text(label)}"| s{target}')
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("|", "#124;")
