"""YAML for files that users write: a registry may come from anyone, so its size is bounded before it is built.

PyYAML shares the object behind an alias, so `safe_load` of a 500-byte "billion laughs" file is instant and
small; the blow-up comes later, from whatever walks the data as a tree (`dataclasses.asdict`, `json.dumps`,
`str`). The bounds are therefore checked on the composed node graph, counting every node as often as aliases
repeat it, before any Python object is built — in time and memory proportional to the file as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 2 * 2**20  # a registry of a few thousand sources is well under 1 MB
MAX_DEPTH = 12  # of the document: a source entry is 2 levels deep, 4 with a nested `api` block
MAX_ENTRY_DEPTH = 10
COMPOSE_DEPTH = 64  # deeper is refused while reading (with its line), far below Python's recursion limit
MAX_ENTRY_NODES = 1_000  # nodes of one entry, aliases expanded: a real entry has 20 to 100
MAX_NODES = 200_000  # nodes of the whole file, aliases expanded


class YamlTooLarge(ValueError):
    """The document (or one of its entries) is bigger or deeper than a registry can be; the message says which."""


@dataclass(frozen=True)
class Size:
    nodes: int  # as if every alias were written out
    depth: int


class _DepthBoundLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses absurd nesting while reading, before Python's recursion limit."""

    _level = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._level += 1
        try:
            if self._level > COMPOSE_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise YamlTooLarge(f"line {line}: nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._level -= 1


_CLoader: Any = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml: the same graph, 3× faster
_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def compose(text: str) -> tuple[Node | None, Any]:
    """The node graph of one YAML document (no Python objects yet), and the loader to construct it with."""
    if len(text) > MAX_BYTES:
        raise YamlTooLarge(f"{len(text)} characters, more than the {MAX_BYTES} a registry may have")
    if _CLoader is not None:
        # libyaml composes recursively in C, where absurd nesting would overflow the stack: its events (a flat
        # stream) are checked for depth first
        _check_depth(text)
        loader = _CLoader(text)
    else:
        loader = _DepthBoundLoader(text)
    try:
        return loader.get_single_node(), loader
    except BaseException:
        loader.dispose()
        raise


def _check_depth(text: str) -> None:
    level = 0
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, _OPEN):
                level += 1
                if level > COMPOSE_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else "?"
                    raise YamlTooLarge(f"line {line}: nested deeper than {MAX_DEPTH} levels")
            elif isinstance(event, _CLOSE):
                level -= 1
    except yaml.MarkedYAMLError as exc:  # libyaml's own bound (1,000 levels) can come first, while it reads ahead
        if "nesting depth" not in str(exc.problem) or exc.problem_mark is None:
            raise
        raise YamlTooLarge(f"line {exc.problem_mark.line + 1}: nested deeper than {MAX_DEPTH} levels") from None


def construct(loader: Any, node: Node | None) -> Any:
    """Python objects of a checked graph (aliases stay shared objects, as with `yaml.safe_load`)."""
    try:
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def measure(node: Node, limit: int = MAX_DEPTH, memo: dict[int, Size] | None = None) -> Size:
    """Nodes and depth of `node` with aliases expanded, visiting each distinct node once.

    A recursive alias (`&a [*a]`) has no finite size and is refused as such. `memo` (node id → size) may be
    shared by the measures of one document, so a part measured once is not walked again.
    """
    memo = {} if memo is None else memo
    open_nodes: set[int] = set()

    def walk(current: Node, level: int) -> Size:
        known = memo.get(id(current))
        if known is None:
            if level > limit:  # before descending: the walk's own recursion stays within `limit`
                raise YamlTooLarge(f"nested deeper than {limit} levels")
            if id(current) in open_nodes:
                raise YamlTooLarge("a recursive alias (an anchor used inside itself)")
            open_nodes.add(id(current))
            known = memo[id(current)] = _sum(current, lambda child: walk(child, level + 1))
        if level + known.depth - 1 > limit:
            raise YamlTooLarge(f"nested deeper than {limit} levels")
        return known

    return walk(node, 1)


def _sum(node: Node, size_of: Any) -> Size:
    size = Size(1, 1)
    for child in children(node):
        inner = size_of(child)
        size = Size(size.nodes + inner.nodes, max(size.depth, inner.depth + 1))
    return size


def children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check(
    node: Node, what: str, max_nodes: int, max_depth: int = MAX_DEPTH, memo: dict[int, Size] | None = None
) -> Size:
    """Raise YamlTooLarge naming `what` when `node` expands beyond `max_nodes` or nests beyond `max_depth`."""
    try:
        size = measure(node, max_depth, memo)
    except YamlTooLarge as exc:
        raise YamlTooLarge(f"{what}: {exc}") from None
    if size.nodes > max_nodes:
        if len(_distinct(node)) <= max_nodes:
            raise YamlTooLarge(f"{what}: its aliases expand to {size.nodes} nodes, more than the {max_nodes} "
                               "allowed (an alias bomb?): write it out without aliases")  # fmt: skip
        raise YamlTooLarge(f"{what}: {size.nodes} nodes, more than the {max_nodes} allowed")
    return size


def _distinct(node: Node) -> set[int]:
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) not in seen:
            seen.add(id(current))
            stack.extend(children(current))
    return seen


def mapping_value(node: Node, key: str) -> str | None:
    """The scalar value of `key` in a mapping node (to name an entry before it is built), else None."""
    if not isinstance(node, MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key and isinstance(v, ScalarNode):
            return str(v.value)[:100]
    return None


def mapping_node(node: Node, key: str) -> Node | None:
    """The node under `key` in a mapping node, else None."""
    if not isinstance(node, MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return v
    return None
