"""``python -m nkmap`` runs the CLI."""

import sys

from nkmap.cli import main

sys.exit(main())
