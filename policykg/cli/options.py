"""What the commands share: the group's settings with a command's own options on top."""

from __future__ import annotations

import click

from policykg.config import ConfigError, Settings


def settings_with(ctx: click.Context, **options) -> Settings:
    """The group's settings with some options of a command (None: not given) on top."""
    base: Settings = ctx.obj
    try:
        return base.replace(**options)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
