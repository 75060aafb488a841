"""`python -m voting`: see voting.cli."""

import sys

from voting.cli import main

sys.exit(main())
