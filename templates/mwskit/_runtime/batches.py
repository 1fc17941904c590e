"""Batch lists: a call asking about more items than one request may carry.

An operation's parameter marked `batch` (GetMatchingProductForId's IdList, 5 per request;
GetOrder's AmazonOrderId, 50) accepts any number of items. `split` cuts the call into requests
of `max_items` items each, after checking every one of them, so a bad argument is refused
before anything is sent; the sessions send them one after another, each throttled and retried
on its own; `merge` joins their answers into one result of the same class, its lists in the
order asked, keeping each request's own answer (and request id) in `parts`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .calls import materialize
from .descriptors import Operation, R
from .encoding import encode_parameters
from .results import MWSResult


def split(operation: Operation[Any], values: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The argument values of each request the call takes: one, unless a batch list is long."""
    index = operation.batch_index
    if index is None:
        return [values]
    values = materialize(operation, values)
    items = values[index]
    size = operation.params[index].max_items
    assert size is not None  # the generator requires max_items on a batch list
    if not isinstance(items, (list, tuple)) or len(items) <= size:
        return [values]  # one request; anything malformed is refused when it is encoded
    encode_parameters(operation, values)  # every item checked before any request is sent
    return [
        (*values[:index], tuple(items[start : start + size]), *values[index + 1 :])
        for start in range(0, len(items), size)
    ]


def merge(results: list[R]) -> R:
    """One answer from the answers of a split call, in the order the requests were sent.

    Every list field is the concatenation of the parts' lists; everything else (request id,
    quota headers, server time) is the last part's, the freshest.
    """
    if len(results) == 1:
        return results[0]
    last = results[-1]
    assert isinstance(last, MWSResult)
    merged: dict[str, Any] = {
        item.name: [entry for part in results for entry in getattr(part, item.name)]
        for item in dataclasses.fields(last)
        if item.name != "parts" and isinstance(getattr(last, item.name), list)
    }
    parts = tuple(part for part in results if isinstance(part, MWSResult))
    return dataclasses.replace(last, **merged, parts=parts)
