"""specs/marketplaces.yaml -> regions, marketplaces and the host of every code."""

from __future__ import annotations

import codecs
from typing import Any

from ..errors import SpecError
from ..load import JsonPath, LoadedSpec
from ..model import Marketplace, Marketplaces, Region
from .context import SpecContext, notes

_ENCODING_KEYS = ("flat_file_encoding", "report_encoding")


def _marketplace(
    ctx: SpecContext, code: str, item: dict[str, Any], hosts: dict[str, str], ids: dict[str, str]
) -> Marketplace | None:
    path: JsonPath = ("marketplaces", code)
    if item["region"] not in hosts:
        ctx.error((*path, "region"), f"unknown region {item['region']!r}; regions: {sorted(hosts)}")
        return None
    if item["id"] in ids:
        ctx.error((*path, "id"), f"marketplace id {item['id']!r} is also {ids[item['id']]}")
    ids[item["id"]] = code
    for key in _ENCODING_KEYS:
        try:
            codecs.lookup(item[key])
        except LookupError:
            ctx.error((*path, key), f"{item[key]!r} is not a known text encoding")
    return Marketplace(
        code=code,
        country=item["country"],
        id=item["id"],
        region=item["region"],
        host=hosts[item["region"]],
        flat_file_encoding=item["flat_file_encoding"],
        report_encoding=item["report_encoding"],
        notes=notes(item),
    )


def build_marketplaces(ctx: SpecContext) -> Marketplaces:
    data = ctx.data
    regions = tuple(
        Region(code, item["description"], item["host"], notes(item))
        for code, item in sorted(data["regions"].items())
    )
    hosts = {region.code: region.host for region in regions}
    ids: dict[str, str] = {}
    marketplaces = [
        marketplace
        for code, item in sorted(data["marketplaces"].items())
        if (marketplace := _marketplace(ctx, code, item, hosts, ids)) is not None
    ]
    all_hosts = dict(hosts)
    for marketplace in marketplaces:
        all_hosts.setdefault(marketplace.code, marketplace.host)
    return Marketplaces(
        spec_file=ctx.spec.file,
        description=data["description"],
        notes=notes(data),
        regions=regions,
        marketplaces=tuple(marketplaces),
        hosts=tuple(sorted(all_hosts.items())),
    )


def marketplaces_of(spec: LoadedSpec) -> tuple[Marketplaces, list[SpecError]]:
    ctx = SpecContext(spec)
    return build_marketplaces(ctx), ctx.errors
