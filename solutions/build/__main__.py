"""python -m solutions.build: regenerate solutions/source and exercises/."""

from .release import release

for path in release():
    print(f"wrote {path}")
