"""YAML from people (front matter, glossary, corrections): safe, alias-free, errors with lines."""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's C parser when PyYAML was built with it: seven times faster than the pure-Python one,
# which matters when a build reads the front matter of thousands of articles.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Safe YAML without aliases: `*name` references are what a "billion laughs" file is made of,
    and nothing these files need. The events are checked before anything is built from them."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark  # libyaml's or PyYAML's Mark: both have the line
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)  # type: ignore[arg-type]
    return yaml.load(text, Loader=_LOADER)  # a safe loader, C or Python


def yaml_problem(exc: yaml.YAMLError) -> str:
    """ "line 3: mapping values are not allowed here", for people fixing the file."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or exc.__class__.__name__
    return f"line {mark.line + 1}: {problem}" if mark is not None else str(problem)
