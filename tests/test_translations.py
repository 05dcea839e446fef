"""The zh-Hans catalogue is complete: every string the code marks has a reviewed translation.

The UI speaks Simplified Chinese by default, so an untranslated entry shows English to county
staff, a fuzzy one (msgmerge's guess from a similar string) is hidden by gettext and shows English
too, and a translation that drops or renames a placeholder breaks the message at run time
(`%(name)s` missing from the mapping, or a `%s` too many). `make messages` extracts the strings;
these tests say what is left to do after it, and that nobody forgot to run it.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils.translation.template import templatize

PACKAGE = Path(__file__).resolve().parent.parent / "jiceng"
LOCALE = PACKAGE / "locale"
ZH_CATALOGUES = sorted((LOCALE / "zh_Hans" / "LC_MESSAGES").glob("*.po"))
ALL_CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))

# printf-style placeholders as Python's % operator reads them (%% is a literal percent sign).
PERCENT = re.compile(r"%(?:\([^()]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
# str.format placeholders: {}, {0}, {name}, {name.attr}, {0[key]}, with a conversion or spec.
BRACE = re.compile(r"(?<!\{)\{(?:[A-Za-z_]\w*|\d+)?(?:[.\[][^{}!:]*)?(?:![rsa])?(?::[^{}]*)?\}")

# The keywords makemessages passes to xgettext for the django domain, with the position of the
# context (c) and of the msgid, as xgettext numbers arguments (from 1).
KEYWORDS = {
    "_": (None, 1),
    "gettext": (None, 1),
    "gettext_lazy": (None, 1),
    "gettext_noop": (None, 1),
    "ngettext": (None, 1),
    "ngettext_lazy": (None, 1),
    "pgettext": (1, 2),
    "pgettext_lazy": (1, 2),
    "npgettext": (1, 2),
    "npgettext_lazy": (1, 2),
}
# What `make messages` leaves out of the django domain (see the Makefile).
SKIPPED = ("static/vendor",)


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and e.msgid]


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """Each (source, translation) pair of the entry; a plural form is checked against the plural
    msgid (Chinese has one form, used for every count)."""
    if entry.msgid_plural:
        return [
            (entry.msgid_plural, text) for _, text in sorted(entry.msgstr_plural.items()) if text
        ]
    return [(entry.msgid, entry.msgstr)] if entry.msgstr else []


def _percent(text: str) -> Counter[str]:
    return Counter(p for p in PERCENT.findall(text) if p != "%%")


def _positional(text: str) -> list[str]:
    """Unnamed placeholders in order: a translation cannot reorder them."""
    return [p for p in PERCENT.findall(text) if p != "%%" and not p.startswith("%(")]


def _brace(text: str) -> Counter[str]:
    return Counter(BRACE.findall(text))


def _label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r} ({where})"


@pytest.fixture(scope="module", params=ZH_CATALOGUES, ids=lambda p: p.name)
def zh_catalogue(request) -> polib.POFile:
    return polib.pofile(str(request.param))


def test_the_chinese_catalogue_exists():
    assert [p.name for p in ZH_CATALOGUES][:1] == ["django.po"]


def test_every_chinese_entry_is_translated(zh_catalogue):
    missing = [
        _label(e)
        for e in _live(zh_catalogue)
        if not (e.msgstr_plural.get(0) if e.msgid_plural else e.msgstr)
    ]
    assert missing == [], f"{len(missing)} untranslated entries:\n" + "\n".join(missing)


def test_no_chinese_entry_is_fuzzy(zh_catalogue):
    fuzzy = [_label(e) for e in _live(zh_catalogue) if "fuzzy" in e.flags]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy entries (check and unflag them):\n" + "\n".join(fuzzy)


def test_chinese_has_one_plural_form(zh_catalogue):
    assert zh_catalogue.metadata["Plural-Forms"].startswith("nplurals=1;")
    for entry in _live(zh_catalogue):
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, _label(entry)


@pytest.mark.parametrize("path", ALL_CATALOGUES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_translation_keeps_its_placeholders(path):
    wrong = []
    for entry in _live(polib.pofile(str(path))):
        for source, text in _translations(entry):
            if "python-format" in entry.flags and (
                _percent(text) != _percent(source) or _positional(text) != _positional(source)
            ):
                wrong.append(
                    f"{_label(entry)}: {sorted(_percent(text))} for {sorted(_percent(source))}"
                )
            if ("python-brace-format" in entry.flags or _brace(source)) and _brace(text) != _brace(
                source
            ):
                wrong.append(
                    f"{_label(entry)}: {sorted(_brace(text))} for {sorted(_brace(source))}"
                )
    assert wrong == [], "\n".join(wrong)


def test_the_placeholder_check_sees_a_dropped_or_renamed_placeholder():
    assert _percent("%(region)s 不在辖区内") != _percent("%(region)s lies outside: %(role)s")
    assert _percent("%(regoin)s") != _percent("%(region)s")
    assert _positional("%d 个，%s") != _positional("%s: %d")
    assert _percent("80% 以上") == _percent("over 80%%") == Counter()
    assert _brace("使用 {number}") != _brace("Use {number} and {window}")
    assert _brace('例如 {"person_status": []}') == Counter()


# The source's marked strings, read as makemessages reads them (xgettext's keywords above).


def _message(keyword: str, args: list[str | None]) -> tuple[str | None, str] | None:
    """The (context, msgid) a keyword call marks, if its arguments there are literal strings."""
    context_at, msgid_at = KEYWORDS[keyword]
    msgid = args[msgid_at - 1] if len(args) >= msgid_at else None
    context = args[context_at - 1] if context_at else None
    if not msgid or (context_at and context is None):
        return None
    return context, msgid


def _call_messages(tokens: list[tokenize.TokenInfo]) -> list[tuple[str | None, str]]:
    """(context, msgid) of every keyword call with literal arguments in a token stream (the
    Python that templatize writes for a template)."""
    found: list[tuple[str | None, str]] = []
    for index, token in enumerate(tokens[:-1]):
        if token.type != tokenize.NAME or token.string not in KEYWORDS:
            continue
        if tokens[index + 1].string != "(":
            continue
        args: list[str | None] = []
        current: list[str] = []
        for t in tokens[index + 2 :]:
            if t.type == tokenize.STRING:
                current.append(ast.literal_eval(t.string))
            elif t.string in (",", ")"):
                args.append("".join(current) if current else None)
                current = []
                if t.string == ")":
                    break
            elif t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                args.append(None)
                break
        message = _message(token.string, args)
        if message is not None:
            found.append(message)
    return found


def _python_messages(path: Path, *, in_fstrings: bool = False) -> list[tuple[str | None, str]]:
    """The strings a module marks (as xgettext reads them, it does not look into f-strings), or
    with in_fstrings those marked inside an f-string, which no catalogue can hold."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    inside = {
        id(node)
        for fstring in ast.walk(tree)
        if isinstance(fstring, ast.JoinedStr)
        for node in ast.walk(fstring)
    }
    found: list[tuple[str | None, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or (id(node) in inside) != in_fstrings:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in KEYWORDS:
            continue
        literal = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
            for a in node.args
        ]
        message = _message(name, literal)
        if message is not None:
            found.append(message)
    return found


def _template_messages(path: Path) -> list[tuple[str | None, str]]:
    python = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    # Only the calls matter, not the blanked-out text around them: no indentation to track.
    python = "\n".join(line.lstrip() for line in python.splitlines())
    return _call_messages(list(tokenize.generate_tokens(io.StringIO(python).readline)))


def _source_messages() -> dict[tuple[str | None, str], str]:
    found: dict[tuple[str | None, str], str] = {}
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not path.is_file() or any(part in relative for part in SKIPPED):
            continue
        if path.suffix == ".py":
            messages = _python_messages(path)
        elif path.suffix in (".html", ".txt"):
            messages = _template_messages(path)
        else:
            continue
        for message in messages:
            found.setdefault(message, f"jiceng/{relative}")
    return found


def test_every_string_the_code_marks_is_in_the_chinese_catalogue():
    catalogue = {
        (e.msgctxt, e.msgid)
        for e in _live(polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po")))
    }
    missing = [
        f"{f'[{context}] ' if context else ''}{msgid!r} ({where})"
        for (context, msgid), where in sorted(_source_messages().items(), key=lambda kv: kv[1])
        if (context, msgid) not in catalogue
    ]
    assert missing == [], (
        f"{len(missing)} marked strings are not in the catalogue: run `make messages` and "
        "translate them:\n" + "\n".join(missing)
    )


def test_no_string_is_marked_inside_an_f_string():
    """xgettext does not read f-strings: `f"{_('row')} {n}"` stays English in every language.
    Mark the whole message with a placeholder instead: `_("row %(n)s") % {"n": n}`."""
    inside = [
        f"{msgid!r} (jiceng/{path.relative_to(PACKAGE).as_posix()})"
        for path in sorted(PACKAGE.rglob("*.py"))
        if not any(part in path.as_posix() for part in SKIPPED)
        for _, msgid in _python_messages(path, in_fstrings=True)
    ]
    assert inside == [], "strings marked inside f-strings:\n" + "\n".join(inside)


def test_the_source_reader_finds_python_and_template_strings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext_lazy\n"
        'A = _("Key projects")\nB = pgettext_lazy("navigation", "Gas")\nC = _(f"{A}")\n'
        'D = _("one " "line")\nE = f"{_(\'row\')} 2"\n',
        encoding="utf-8",
    )
    assert _python_messages(module) == [
        (None, "Key projects"),
        ("navigation", "Gas"),
        (None, "one line"),
    ]
    assert _python_messages(module, in_fstrings=True) == [(None, "row")]
    page = tmp_path / "p.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Year" %}</h1>'
        '{% translate "Closed" context "window state" %}'
        "{% blocktranslate count n=rows %}{{ n }} row{% plural %}{{ n }} rows"
        "{% endblocktranslate %}"
        '{% translate "80% band" %}',
        encoding="utf-8",
    )
    assert _template_messages(page) == [
        (None, "Year"),
        ("window state", "Closed"),
        (None, "%(n)s row"),
        (None, "80%% band"),
    ]
