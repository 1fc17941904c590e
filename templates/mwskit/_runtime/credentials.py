"""Where a client's credentials come from: arguments, then the environment, then a profile file.

Each value is taken from the first place that has it, in this order:

1. the argument given to `MWS(...)` / `AsyncMWS(...)` (or the command line's options);
2. the environment: MWS_ACCESS_KEY_ID, MWS_SECRET_ACCESS_KEY, MWS_SELLER_ID, MWS_AUTH_TOKEN,
   MWS_REGION;
3. a profile of the INI file `~/.config/mwskit/credentials` (or the file MWSKIT_CREDENTIALS_FILE
   names): the section `profile=` names, else MWSKIT_PROFILE, else `[default]`, with the keys
   access_key, secret_key, seller_id, auth_token and region.

The region falls back to "NA". A profile named by `profile=` or MWSKIT_PROFILE must exist.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import MissingCredentials

ENVIRONMENT = {
    "access_key": "MWS_ACCESS_KEY_ID",
    "secret_key": "MWS_SECRET_ACCESS_KEY",
    "seller_id": "MWS_SELLER_ID",
    "auth_token": "MWS_AUTH_TOKEN",
    "region": "MWS_REGION",
}
FILE_VARIABLE = "MWSKIT_CREDENTIALS_FILE"
PROFILE_VARIABLE = "MWSKIT_PROFILE"
DEFAULT_PROFILE = "default"
DEFAULT_REGION = "NA"
_REQUIRED = ("access_key", "secret_key", "seller_id")


def default_file() -> Path:
    """`~/.config/mwskit/credentials` of the current user's home."""
    return Path.home() / ".config" / "mwskit" / "credentials"


@dataclass(frozen=True, slots=True)
class Credentials:
    """Resolved credentials; the secret key and auth token are never shown."""

    access_key: str
    secret_key: str = field(repr=False)
    seller_id: str
    auth_token: str | None = field(default=None, repr=False)
    region: str = DEFAULT_REGION


def _profile(path: Path, name: str, named: bool, file_named: bool) -> tuple[dict[str, str], str]:
    """The profile's keys and a phrase saying where they were looked for.

    A file named by MWSKIT_CREDENTIALS_FILE must exist, and a profile asked for by name too.
    """
    import configparser  # only when a file is read, not at `import mwskit`

    where = f"profile [{name}] of {path}"
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        if file_named or named:
            raise MissingCredentials(f"{where}: no such file") from None
        return {}, f"{where} (no such file)"
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        raise MissingCredentials(f"{path} could not be read ({type(error).__name__})") from None
    if not parser.has_section(name):
        if named:
            raise MissingCredentials(f"{path} has no profile [{name}]")
        return {}, f"{where} (no such profile)"
    return dict(parser.items(name)), where


def resolve_credentials(
    *,
    access_key: str | None = None,
    secret_key: str | None = None,
    seller_id: str | None = None,
    auth_token: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """The credentials from the arguments, the environment and the profile, in that order.

    Raises MissingCredentials naming every place looked when access_key, secret_key or seller_id
    is found nowhere, or when a profile asked for by name does not exist.
    """
    env = os.environ if environ is None else environ
    given = {
        "access_key": access_key,
        "secret_key": secret_key,
        "seller_id": seller_id,
        "auth_token": auth_token,
        "region": region,
    }
    found = {key: value for key, value in given.items() if value}
    for key, variable in ENVIRONMENT.items():
        if key not in found and env.get(variable):
            found[key] = env[variable]
    looked = "the profile file"
    if any(key not in found for key in ENVIRONMENT):
        named = profile or env.get(PROFILE_VARIABLE)
        file_named = env.get(FILE_VARIABLE)
        path = Path(file_named) if file_named else default_file()
        values, looked = _profile(path, named or DEFAULT_PROFILE, bool(named), bool(file_named))
        for key in ENVIRONMENT:
            if key not in found and values.get(key):
                found[key] = values[key]
    missing = [key for key in _REQUIRED if key not in found]
    if missing:
        places = "; ".join(
            f"{key}: the {key}= argument, the {ENVIRONMENT[key]} environment variable, {looked}"
            for key in missing
        )
        raise MissingCredentials(f"no MWS credentials found for {', '.join(missing)} ({places})")
    return Credentials(
        access_key=found["access_key"],
        secret_key=found["secret_key"],
        seller_id=found["seller_id"],
        auth_token=found.get("auth_token"),
        region=found.get("region", DEFAULT_REGION),
    )
