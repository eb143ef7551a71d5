"""names: how GitHub rewrites release asset names.

GitHub's documentation says only that it "renames asset filenames that
have special characters, non-alphanumeric characters, and leading or
trailing periods". Observed behaviour (uploads of every printable ASCII
character, travis-ci/dpl#821; `~` and `:` in action-gh-release#159; spaces
in cli/cli#10585): every run of characters outside [A-Za-z0-9._-] becomes
one '.', runs of '.' collapse, leading and trailing '.' are dropped, and
letters with diacritics lose them (ð->d, æ->ae, ŋ->ng). The fake applies
exactly this rule, and release-train must refuse names that it changes.
"""
import re
import unicodedata

_SPECIAL = {"æ": "ae", "Æ": "AE", "ð": "d", "Ð": "D", "ŋ": "ng", "Ŋ": "NG", "ø": "o", "Ø": "O",
            "ß": "ss", "þ": "th", "Þ": "TH", "ł": "l", "Ł": "L", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D"}


def github_asset_name(name):
    """The name GitHub gives an uploaded asset called `name`."""
    out = []
    for ch in name:
        ch = _SPECIAL.get(ch, ch)
        if len(ch) == 1 and ord(ch) > 127:
            ch = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            ch = ch if ch.isascii() and ch else "."
        out.append(ch)
    s = re.sub(r"[^A-Za-z0-9._-]+", ".", "".join(out))
    s = re.sub(r"\.{2,}", ".", s)
    s = s.strip(".")
    return s or "default"
