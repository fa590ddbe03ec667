"""Sweeps: one request laid over a grid of values, one request per combination.

The rules are those of the CLI's ``trainq submit --set PATH=V1,V2`` (``Sources/trainq/Sweep.swift``), so a
sweep means the same thing from a shell and from a notebook:

- a grid key is a dotted path into the request object (``config.worker_server_num``, ``job_desc``);
  missing intermediate objects are created; a path that runs into something that is not an object, or
  that has an empty name between its dots, is a :class:`ValueError` naming the path;
- ``config.parameter.<label>`` (everything after ``config.parameter.`` is the label, dots included) sets
  the running parameter with that label in the ``config.parameter`` array, appended at the end when it
  is not there yet; its value is always a string, as ModelArts wants it;
- every other value is stored as given;
- the first grid key varies slowest; at most :data:`MAX_COMBINATIONS` combinations (one batch).
"""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence

__all__ = ["expand_sweep", "MAX_COMBINATIONS"]

#: The most combinations one sweep may make: the batch limit of ``POST /v1/submissions/batch``.
MAX_COMBINATIONS = 1000

_PARAMETER_PREFIX = "config.parameter."


class _Assignment(NamedTuple):
    """One grid key, parsed: its path, the running parameter it names (if any) and its values."""

    key: str
    path: List[str]
    parameter_label: Optional[str]
    values: List[Any]


def _type_name(value: Any) -> str:
    """The JSON type of a value, as trainq names it in its messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _copy(value: Any) -> Any:
    """A deep copy in which every mapping is a ``dict`` and every list or tuple a ``list`` (JSON's shapes),
    so the copy can be walked and changed without touching the caller's objects."""
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(item) for item in value]
    return copy.deepcopy(value)


def _parameter_text(value: Any) -> str:
    """A running parameter's value as the string ModelArts takes: ``True`` -> ``"true"``, ``0.01`` ->
    ``"0.01"`` (``repr``), ``None`` -> ``"null"``, lists and mappings as compact JSON, anything else
    ``str(value)`` (a string as it is)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return float.__repr__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(_copy(value), separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _assignment(key: Any, values: Any) -> _Assignment:
    if not isinstance(key, str):
        raise TypeError(f"grid key {key!r} must be a dotted path like 'config.worker_server_num'")
    path = key.split(".")
    if any(name == "" for name in path):
        raise ValueError(f"grid key {key!r} has an empty name between its dots")
    if isinstance(values, (str, bytes, bytearray)) or not isinstance(values, Sequence):
        raise TypeError(f"grid key {key!r}: the values must be a list or tuple, not {type(values).__name__}")
    if len(values) == 0:
        raise ValueError(f"grid key {key!r} has no values (give at least one)")
    label = key[len(_PARAMETER_PREFIX):] if key.startswith(_PARAMETER_PREFIX) else None
    return _Assignment(key, path, label, list(values))


def _parent_of(document: Dict[str, Any], path: Sequence[str], key: str) -> Dict[str, Any]:
    """The object that holds the last name of ``path``, creating missing objects on the way there;
    :class:`ValueError` when the way runs into something that is not an object."""
    node = document
    for index, name in enumerate(path[:-1]):
        if name not in node:
            node[name] = {}
        child = node[name]
        if not isinstance(child, dict):
            raise ValueError(
                f"grid key {key!r}: the field before {path[index + 1]!r} is {_type_name(child)}, not an object"
            )
        node = child
    return node


def _apply(assignment: _Assignment, value: Any, document: Dict[str, Any]) -> None:
    label = assignment.parameter_label
    if label is None:
        _parent_of(document, assignment.path, assignment.key)[assignment.path[-1]] = _copy(value)
        return
    config = _parent_of(document, ["config", "parameter"], assignment.key)
    # Anything but an array (absent, null) counts as no parameters yet, as in the CLI.
    parameters = config.get("parameter")
    entries: List[Any] = parameters if isinstance(parameters, list) else []
    entry = {"label": label, "value": _parameter_text(value)}
    for index, existing in enumerate(entries):
        if isinstance(existing, dict) and existing.get("label") == label:
            entries[index] = entry
            break
    else:
        entries.append(entry)
    config["parameter"] = entries


def expand_sweep(request: Mapping[str, Any], grid: Mapping[str, Sequence[Any]]) -> List[Dict[str, Any]]:
    """Every combination of ``grid``'s values laid over ``request``, the first key varying slowest.

    ``request`` is a ModelArts body (``{"job_desc": ..., "config": {...}}``, possibly with ``job_id`` and
    ``project_id``) and is never changed: each result is a deep copy. ``grid`` maps a dotted path to the
    values it takes::

        expand_sweep(request, {"config.parameter.learning_rate": [0.01, 0.1],
                               "config.worker_server_num": [1, 2]})
        # 4 requests: (0.01, 1), (0.01, 2), (0.1, 1), (0.1, 2)

    ``config.parameter.<label>`` sets the ``value`` of the running parameter with that label (appended
    when there is none), always as a string (``0.01`` -> ``"0.01"``, ``True`` -> ``"true"``); other
    paths set the value as given, creating missing objects on the way. A key with one value just sets
    it; an empty grid gives the request alone.

    Raises :class:`ValueError` for a key with no values, a path that runs into something that is not an
    object (naming the path), an empty name between dots, or more than :data:`MAX_COMBINATIONS`
    combinations; :class:`TypeError` when the values of a key are not a list or tuple.
    """
    if not isinstance(request, Mapping):
        raise TypeError("request must be a mapping like {'job_desc': ..., 'config': {...}}")
    if not isinstance(grid, Mapping):
        raise TypeError("grid must be a mapping of dotted paths to lists of values")
    assignments = [_assignment(key, values) for key, values in grid.items()]
    count = 1
    for assignment in assignments:
        count *= len(assignment.values)
    if count > MAX_COMBINATIONS:
        raise ValueError(f"the grid makes {count} requests; one batch takes at most {MAX_COMBINATIONS}")
    base: Dict[str, Any] = _copy(request)
    results: List[Dict[str, Any]] = []
    for combination in itertools.product(*(assignment.values for assignment in assignments)):
        document: Dict[str, Any] = _copy(base)
        for assignment, value in zip(assignments, combination):
            _apply(assignment, value, document)
        results.append(document)
    return results
