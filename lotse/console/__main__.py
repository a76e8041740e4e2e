import sys

from lotse.console.cli import main

sys.exit(main())
