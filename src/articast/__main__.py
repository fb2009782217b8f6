"""python -m articast"""

from ._entry import run

run()
