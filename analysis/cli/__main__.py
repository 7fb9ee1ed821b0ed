"""``python -m analysis.cli``: the ``viewpoints`` command."""

import sys

from analysis.cli.entry import main

sys.exit(main())
