"""python -m articast"""

from .cli import main

raise SystemExit(main())
