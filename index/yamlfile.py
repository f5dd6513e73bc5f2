"""YAML from people (front matter, glossary, corrections): safe, alias-free, errors with lines."""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's C parser when PyYAML was built with it: seven times faster than the pure-Python one,
# which matters when a build reads the front matter of thousands of articles.
_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader, except that a date-shaped value that is no real date ("2025-13-45")
    stays the text it is: the schema that reads it then says which field is wrong, rather than
    the parser failing on the whole file."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def load_yaml(text: str) -> Any:
    """Safe YAML without aliases: `*name` references are what a "billion laughs" file is made of,
    and nothing these files need. The events are checked before anything is built from them."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark  # libyaml's or PyYAML's Mark: both have the line
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)  # type: ignore[arg-type]
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader, C or Python
    except (ValueError, TypeError, AttributeError, LookupError, OverflowError) as exc:
        # An explicit tag on a value it does not fit ("!!float abc", "!!timestamp x") fails in
        # the constructor with a plain Python error; it is bad YAML all the same.
        raise yaml.constructor.ConstructorError(None, None, f"a tagged value cannot be read ({exc})") from None


def yaml_problem(exc: yaml.YAMLError) -> str:
    """ "line 3: mapping values are not allowed here", for people fixing the file."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or exc.__class__.__name__
    return f"line {mark.line + 1}: {problem}" if mark is not None else str(problem)
