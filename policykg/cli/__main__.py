"""``python -m policykg.cli``: the ``policykg`` command."""

from . import main

main()
