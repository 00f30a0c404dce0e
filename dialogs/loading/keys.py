"""Which keys a mapping in a content file may have, found by walking the schema along a path.

A misspelt key is compared with the keys allowed where it stands, never with every key of every
file: a step indented too far is not "did you mean 'description'?".
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from dialogs.yamlsrc import Path_


def keys_at(cls: type[BaseModel], path: Path_) -> list[str] | None:
    """The keys allowed in the mapping at `path` of a file read as `cls` (None: any key)."""
    annotation: Any = cls
    for part in path:
        annotation = _inside(annotation, part)
        if annotation is None:
            return None
    model = _model(annotation)
    return sorted(model.model_fields) if model is not None else None


def _options(annotation: Any) -> list[Any]:
    """The plain types an annotation may be: Annotated and unions unwrapped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _options(get_args(annotation)[0])
    if origin is Union or isinstance(annotation, types.UnionType):
        return [option for arg in get_args(annotation) for option in _options(arg)]
    return [annotation]


def _model(annotation: Any) -> type[BaseModel] | None:
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _inside(annotation: Any, part: str | int) -> Any:
    """The annotation of the value at `part` inside a value of `annotation`."""
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            field = option.model_fields.get(str(part))
            if field is not None:
                return field.annotation
        origin = get_origin(option)
        if origin is dict and isinstance(part, str):
            return get_args(option)[1]
        if origin is list and isinstance(part, int):
            return get_args(option)[0]
    return None
