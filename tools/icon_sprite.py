"""Build ortsverein/static/icons/lucide-sprite.svg from an unpacked lucide-static.

Usage: npm pack lucide-static && tar xzf lucide-static-*.tgz
       python tools/icon_sprite.py package/icons \
           > ortsverein/static/icons/lucide-sprite.svg

Only the icons named in ICONS go into the sprite (a few kilobytes instead of half a
megabyte). Add a name here and rebuild to use a new icon with ui.icon("name").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ICONS = sorted(
    {
        # navigation and layout
        "menu",
        "x",
        "house",
        "messages-square",
        "vote",
        "calendar",
        "calendar-clock",
        "users",
        "history",
        "bell",
        "user",
        "log-out",
        "log-in",
        "languages",
        "chevron-down",
        "chevron-right",
        "arrow-right",
        "arrow-left",
        "external-link",
        "settings",
        "search",
        "plus",
        "filter",
        # actions
        "copy",
        "check",
        "pencil",
        "trash-2",
        "reply",
        "quote",
        "thumbs-up",
        "flag",
        "eye",
        "eye-off",
        "download",
        "printer",
        "share-2",
        "link",
        "refresh-cw",
        "send",
        "pin",
        "lock",
        "lock-open",
        "archive",
        "mail",
        "at-sign",
        "bookmark",
        "square-pen",
        "upload",
        "key-round",
        "qr-code",
        # states and things
        "clock",
        "video",
        "mic",
        "hand",
        "circle-check",
        "circle-x",
        "circle-alert",
        "triangle-alert",
        "info",
        "shield-check",
        "file-text",
        "file-down",
        "sheet",
        "chart-bar",
        "chart-column",
        "list-ordered",
        "list-checks",
        "box",
        "receipt",
        "message-circle",
        "message-square",
        "hash",
        "megaphone",
        "gavel",
        "clipboard-check",
        "clipboard-list",
        "user-check",
        "users-round",
        "building-2",
        "globe",
        "sun",
        "moon",
        "party-popper",
        "inbox",
        "sparkles",
    }
)

ATTRS = (
    'fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round"'
)


def symbol(path: Path) -> str:
    body = path.read_text(encoding="utf-8")
    inner = body[body.index(">", body.index("<svg")) + 1 : body.rindex("</svg>")]
    inner = re.sub(r"\s*\n\s*", "", inner)
    return f'<symbol id="{path.stem}" viewBox="0 0 24 24" {ATTRS}>{inner}</symbol>'


def main(icons_dir: str) -> None:
    root = Path(icons_dir)
    version = re.search(r"lucide-static v[\d.]+", (root / "menu.svg").read_text())
    missing = [name for name in ICONS if not (root / f"{name}.svg").exists()]
    if missing:
        sys.exit(f"not in lucide-static: {', '.join(missing)}")
    print('<?xml version="1.0" encoding="utf-8"?>')
    print(f"<!-- {version.group(0) if version else 'lucide-static'}, ISC licence:")
    print("     LICENSE-lucide.txt; subset built by tools/icon_sprite.py -->")
    print('<svg xmlns="http://www.w3.org/2000/svg"><defs>')
    for name in ICONS:
        print(symbol(root / f"{name}.svg"))
    print("</defs></svg>")


if __name__ == "__main__":
    main(sys.argv[1])
