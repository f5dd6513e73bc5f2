"""What Discord refuses: message, embed, component, modal, choice and command payloads checked
against its limits, with its error shapes (50035 invalid form body)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.bot.fake_discord.model import (
    _COMMAND_NAME,
    ERROR_EMPTY_MESSAGE,
    ERROR_INVALID_FORM_BODY,
    FLAG_COMPONENTS_V2,
    JSON,
    UploadedFile,
    _form_error,
    _Problem,
)


def _merge_resolved(first: JSON, second: JSON) -> JSON:
    merged: JSON = {key: dict(value) for key, value in first.items()}
    for key, value in second.items():
        merged.setdefault(key, {}).update(value)
    return merged


def _emoji_payload(emoji: str) -> JSON:
    """A reaction's emoji from its route form: a unicode emoji, or ``name:id`` (discord.py may add ``:``/``a:``)."""
    parts = [p for p in emoji.split(":") if p]
    if len(parts) >= 2 and parts[-1].isdigit():
        return {"id": parts[-1], "name": parts[-2], "animated": parts[0] == "a" and len(parts) == 3}
    return {"id": None, "name": emoji}


def _check_message(body: JSON, files: Sequence[UploadedFile], *, creating: bool) -> _Problem | None:
    errors: JSON = {}
    content = body.get("content")
    if isinstance(content, str) and len(content) > 2000:
        _form_error(errors, ["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        _form_error(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = sum(_check_embed(embed, index, errors) for index, embed in enumerate(embeds))
    if total > 6000:
        _form_error(errors, ["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    flags = int(body.get("flags") or 0)
    components = body.get("components") or []
    if flags & FLAG_COMPONENTS_V2:
        if content or embeds:
            _form_error(
                errors,
                ["content"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
    else:
        _check_action_rows(components, errors)
    allowed = body.get("allowed_mentions")
    if isinstance(allowed, dict):
        for kind in ("users", "roles"):
            if kind in (allowed.get("parse") or []) and allowed.get(kind):
                message = f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.'
                _form_error(errors, ["allowed_mentions"], "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", message)
    if errors:
        return _Problem(400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors)
    has_content = isinstance(content, str) and content.strip() != ""
    if creating and not (has_content or embeds or components or files or body.get("sticker_ids") or body.get("poll")):
        return _Problem(400, ERROR_EMPTY_MESSAGE, "Cannot send an empty message")
    return None


def _check_embed(embed: JSON, index: int, errors: JSON) -> int:
    path: list[str | int] = ["embeds", index]
    size = 0
    limits = {"title": 256, "description": 4096}
    for key, limit in limits.items():
        text = str(embed.get(key) or "")
        size += len(text)
        if len(text) > limit:
            _form_error(errors, [*path, key], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    for key, inner, limit in (("footer", "text", 2048), ("author", "name", 256)):
        text = str((embed.get(key) or {}).get(inner) or "")
        size += len(text)
        if len(text) > limit:
            _form_error(errors, [*path, key, inner], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    fields = embed.get("fields") or []
    if len(fields) > 25:
        _form_error(errors, [*path, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for number, item in enumerate(fields):
        for key, limit in (("name", 256), ("value", 1024)):
            text = str(item.get(key) or "")
            size += len(text)
            if not text.strip():
                _form_error(errors, [*path, "fields", number, key], "BASE_TYPE_REQUIRED", "This field is required")
            elif len(text) > limit:
                message = f"Must be {limit} or fewer in length."
                _form_error(errors, [*path, "fields", number, key], "BASE_TYPE_MAX_LENGTH", message)
    return size


def _check_action_rows(rows: Sequence[JSON], errors: JSON) -> None:
    if len(rows) > 5:
        _form_error(errors, ["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for row_index, row in enumerate(rows):
        path: list[str | int] = ["components", row_index]
        if row.get("type") != 1:
            _form_error(errors, [*path, "type"], "UNION_TYPE_CHOICES", "Value must be an action row (1).")
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            _form_error(errors, [*path, "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        for child_index, child in enumerate(children):
            child_path = [*path, "components", child_index]
            custom_id = child.get("custom_id")
            if child.get("type") == 2 and child.get("style") == 5:
                if not child.get("url") or custom_id:
                    _form_error(errors, child_path, "BUTTON_COMPONENT_INVALID_URL", "Link buttons need a url only.")
            elif child.get("type") == 2 and child.get("style") == 6:
                pass  # premium button: sku_id
            elif not custom_id:
                _form_error(errors, [*child_path, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
            if custom_id is not None:
                if len(str(custom_id)) > 100:
                    message = "Must be 100 or fewer in length."
                    _form_error(errors, [*child_path, "custom_id"], "BASE_TYPE_MAX_LENGTH", message)
                if custom_id in seen:
                    message = "Component custom id cannot be duplicated"
                    _form_error(errors, [*child_path, "custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED", message)
                seen.add(str(custom_id))
            if len(str(child.get("label") or "")) > 80:
                _form_error(errors, [*child_path, "label"], "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
            if len(child.get("options") or []) > 25:
                message = "Must be 25 or fewer in length."
                _form_error(errors, [*child_path, "options"], "BASE_TYPE_MAX_LENGTH", message)


def _check_choices(data: JSON) -> _Problem | None:
    errors: JSON = {}
    choices = data.get("choices") or []
    if len(choices) > 25:
        _form_error(errors, ["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for index, choice in enumerate(choices):
        name, value = str(choice.get("name") or ""), choice.get("value")
        if not 1 <= len(name) <= 100:
            message = "Must be between 1 and 100 in length."
            _form_error(errors, ["data", "choices", index, "name"], "BASE_TYPE_BAD_LENGTH", message)
        if isinstance(value, str) and len(value) > 100:
            message = "Must be 100 or fewer in length."
            _form_error(errors, ["data", "choices", index, "value"], "BASE_TYPE_MAX_LENGTH", message)
    return _Problem(400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors) if errors else None


def _check_modal(data: JSON) -> _Problem | None:
    errors: JSON = {}
    if not 1 <= len(str(data.get("title") or "")) <= 45:
        _form_error(errors, ["data", "title"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
    if not 1 <= len(str(data.get("custom_id") or "")) <= 100:
        _form_error(errors, ["data", "custom_id"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if not 1 <= len(data.get("components") or []) <= 5:
        _form_error(errors, ["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    return _Problem(400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors) if errors else None


def _check_commands(commands: Sequence[Any]) -> _Problem | None:
    errors: JSON = {}
    seen: set[tuple[str, int]] = set()
    if sum(1 for c in commands if isinstance(c, dict) and c.get("type", 1) == 1) > 100:
        _form_error(errors, [], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    for index, command in enumerate(commands):
        if not isinstance(command, dict):
            _form_error(errors, [index], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        ctype = int(command.get("type", 1))
        name = str(command.get("name") or "")
        if ctype == 1 and not (_COMMAND_NAME.fullmatch(name) and name == name.lower()):
            _form_error(errors, [index, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        elif not 1 <= len(name) <= 32:
            _form_error(errors, [index, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
        if (name, ctype) in seen:
            message = "Application command names must be unique"
            _form_error(errors, [index, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", message)
        seen.add((name, ctype))
        description = str(command.get("description") or "")
        if ctype == 1 and not 1 <= len(description) <= 100:
            message = "Must be between 1 and 100 in length."
            _form_error(errors, [index, "description"], "BASE_TYPE_BAD_LENGTH", message)
        _check_command_options(command.get("options") or [], [index, "options"], errors)
    return _Problem(400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors) if errors else None


def _check_command_options(options: Sequence[JSON], path: list[str | int], errors: JSON) -> None:
    if len(options) > 25:
        _form_error(errors, path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    optional_seen = False
    for index, option in enumerate(options):
        name = str(option.get("name") or "")
        if not (_COMMAND_NAME.fullmatch(name) and name == name.lower()):
            _form_error(errors, [*path, index, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if not 1 <= len(str(option.get("description") or "")) <= 100:
            message = "Must be between 1 and 100 in length."
            _form_error(errors, [*path, index, "description"], "BASE_TYPE_BAD_LENGTH", message)
        if len(option.get("choices") or []) > 25:
            _form_error(errors, [*path, index, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if option.get("type") in (1, 2):
            _check_command_options(option.get("options") or [], [*path, index, "options"], errors)
        elif option.get("required"):
            if optional_seen:
                message = "Required options must be placed before non-required options"
                _form_error(errors, [*path, index, "required"], "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", message)
        else:
            optional_seen = True
