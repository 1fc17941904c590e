"""Links between the actions of a section: ...ByNextToken companions and shared buckets."""

from __future__ import annotations

from ..load import JsonPath
from ..model import Action, SandboxThrottling
from .context import SpecContext

DEFAULT_NEXT_TOKEN = "NextToken"  # a section's `next_token:` names another (NextPageToken)


def _companion_problem(
    action: Action, actions: dict[str, Action], token: str
) -> tuple[str, str] | None:
    """(key, message) when a next_token_of action is not a valid companion of its parent."""
    parent = action.next_token_of
    takes_token = any(p.name == token for p in action.parameters)
    if parent not in actions:
        return "next_token_of", (
            f"next_token_of names {parent!r}, which is not an action of this section"
        )
    if not takes_token:
        return "parameters", f"a next_token_of action needs a {token} parameter"
    if any(p.required and p.name != token for p in action.parameters):
        return "parameters", (
            f"a next_token_of action may require only {token} (iterators send just the token)"
        )
    return None


def companions(ctx: SpecContext, actions: dict[str, Action], token: str) -> dict[str, str]:
    """Every action taking the paging `token` names an existing parent; returns parent ->
    companion."""
    found: dict[str, str] = {}
    for name, action in actions.items():
        path: JsonPath = ("actions", name)
        parent = action.next_token_of
        if parent is None:
            if any(p.name == token for p in action.parameters) or name.endswith("ByNextToken"):
                ctx.error(
                    path,
                    f"takes a {token} but names no parent; add next_token_of: <parent action>",
                    at_key=True,
                )
            continue
        problem = _companion_problem(action, actions, token)
        if problem is not None:
            ctx.error((*path, problem[0]), problem[1])
        elif any(p.batch for p in actions[parent].parameters):
            ctx.error(
                (*path, "next_token_of"),
                f"{parent!r} has a batch list, which cannot be combined with NextToken pages",
            )
        elif parent in found:
            ctx.error(
                (*path, "next_token_of"), f"{parent!r} already has the companion {found[parent]!r}"
            )
        else:
            found[parent] = name
    return found


_BUCKET_NUMBERS = (
    "max_request_quota",
    "restore_seconds",
    "restore_unit",
    "hourly_request_quota",
    "sandbox",
)


def check_buckets(ctx: SpecContext, actions: dict[str, Action]) -> None:
    """shares_bucket_with names an action of the section that owns its bucket, and the actions
    sharing a bucket declare the same numbers for it."""
    for name, action in actions.items():
        bucket = action.throttling.bucket
        path: JsonPath = ("actions", name, "throttling", "shares_bucket_with")
        if bucket not in actions:
            ctx.error(
                path,
                f"shares_bucket_with names {bucket!r}, which is not an action of this section",
            )
        elif bucket != name and actions[bucket].throttling.bucket != bucket:
            owner = actions[bucket].throttling.bucket
            ctx.error(
                path, f"{bucket!r} itself shares the bucket of {owner!r}; name the owner {owner!r}"
            )
        elif bucket != name:
            _check_bucket_numbers(ctx, name, action, actions[bucket])


def _check_bucket_numbers(ctx: SpecContext, name: str, action: Action, owner: Action) -> None:
    """One error per number in which a sharing action contradicts the bucket's owner."""
    written = ctx.data["actions"][name]["throttling"]
    for key in _BUCKET_NUMBERS:
        mine, theirs = _number(action, key), _number(owner, key)
        if mine == theirs:
            continue
        where: JsonPath = ("actions", name, "throttling", *((key,) if key in written else ()))
        ctx.error(
            where,
            f"{key} is {_shown(mine)} here but {_shown(theirs)} in {owner.name!r}, whose bucket "
            "this action shares; actions sharing a bucket declare the same numbers",
        )


def _number(action: Action, key: str) -> object:
    """One bucket number; the sandbox bucket as its summary (its notes may differ)."""
    value = getattr(action.throttling, key)
    return value.summary if isinstance(value, SandboxThrottling) else value


def _shown(value: object) -> str:
    if value is None:
        return "not given"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
