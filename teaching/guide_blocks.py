"""Generated blocks inside the teacher's guide: ``<!-- NAME:start ... -->`` ... ``<!-- NAME:end -->``.

The scripts in ``teaching/`` write their tables between these markers, so the figures in the guide
are always the ones a script printed, never typed by hand.
"""

from __future__ import annotations

import re


def block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {re.escape(name)}:start[^>]*-->\n)(.*?)(<!-- {re.escape(name)}:end -->)", re.DOTALL)


def read_block(text: str, name: str) -> str:
    """The content of block ``name`` in ``text``."""
    match = block_pattern(name).search(text)
    if match is None:
        raise ValueError(f"name: no block <!-- {name}:start --> ... <!-- {name}:end --> in the guide")
    return match.group(2)


def replace_block(text: str, name: str, content: str) -> str:
    """``text`` with block ``name`` holding ``content`` (which ends with a newline)."""
    read_block(text, name)
    return block_pattern(name).sub(lambda m: m.group(1) + content + m.group(3), text, count=1)
