"""python -m articast"""

from .cli import run

run()
