"""Signal explanations in the reader's language: message templates with parameters.

A matcher does not format an English sentence; it builds a :class:`Msg` — an English message
id with ``%(name)s`` parameters — and the signal keeps both the id and its parameters
(``Signal.message``, ``Signal.params``, JSON-safe) next to the English text rendered from them
(``Signal.explanation``, what flags stored before explanations were translatable hold, and what
the English pages, exports and tests read). :func:`explain` renders a signal in the current
locale (``monitor.i18n.current()``) through the catalogues.

Parameters:

* a plain value (text, number) is shown as it is: it is listing text or a figure;
* a nested message (``Msg`` when built, ``{"message": ..., "params": {...}}`` when stored) is
  translated in turn — a reason inside a sentence, "an alias" inside "... of the mark";
* a join (:func:`join`, stored ``{"join": [...], "sep": "; "}``) renders each part and puts the
  locale's separator between them (the separator is itself a message: "; " is "；" in Chinese);
  alternatives (``sep=" or "``) are the locale's list of them: "1、2或3" in Chinese;
* rule-file words (:class:`Words`, stored ``{"en": ..., "zh": ...}``) — the name of a product
  type, an identifier, a claim, a contact kind, a reason — are data in both languages: the rule
  file's ``name``/``name_zh`` (``explain``/``explain_zh``, ``describe``/``describe_zh``). Chinese
  shows ``zh`` when there is one, else the catalogue's translation of ``en``; English is ``en``;
* a value of a *vocabulary* parameter is a name the product knows, shown in the reader's
  words: ``field`` (title, description, ``attributes.<name>``), ``fields`` (a list of them),
  ``category``/``categories`` (a category id, named from rules/categories.yaml), ``signal``
  (a signal name) and ``day``/``listed_on`` (an ISO day, "2026-12-07": 2026年12月7日 in Chinese,
  as stored in English);
* a sum of money (:func:`money`, stored ``{"money": 40.0, "currency": "CNY"}``) is written as
  the reader's locale writes money (¥40.00 in Chinese); English shows the bare figure with two
  decimals ("40.00"), the currency code named once after it by the message, as stored English
  explanations always said.

English rendering never goes through a catalogue, so ``explain`` in English is exactly
``explanation``; a translation that is broken (a parameter it names that the message lacks)
falls back to the English text rather than failing a page.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from babel.lists import format_list

from monitor.categories import rules_dir
from monitor.i18n import current, format_date, format_money, translations
from monitor.yamlfile import YamlError, load_located

if TYPE_CHECKING:
    from monitor.rules.signals import Signal

def N_(message: str) -> str:
    """Mark a message id for extraction where it is not translated yet (a table of words)."""
    return message


# The separators ``join`` puts between parts, translated per locale ("；", "、", "或").
SEPARATORS = (N_("; "), N_(", "), N_(" or "))

# The vocabulary of listing fields: ``field`` names one bare ("in title", "attribute 颜色"),
# ``the_field`` as a sentence does ("in the title", 'the attribute "颜色"'); both "标题" in Chinese.
FIELD_NAMES = {"title": N_("title"), "brand": N_("brand"), "description": N_("description"),
               "seller_name": N_("seller_name"), "price": N_("price"), "category": N_("category")}
ATTRIBUTE_NAME = N_("attribute %(name)s")
FIELD_WORDS = {"title": N_("the title"), "brand": N_("the brand"), "description": N_("the description"),
               "seller_name": N_("the seller name")}
ATTRIBUTE_WORDS = N_('the attribute "%(name)s"')

# Signal names as an analyst reads them (the "signal" parameter, filters, the flag page).
SIGNAL_WORDS = {
    "mark_exact": N_("protected mark named"), "mark_lookalike": N_("look-alike of a protected mark"),
    "counterfeit_terms": N_("counterfeit wording"), "offplatform_contact": N_("contact off the platform"),
    "price_anomaly": N_("price far below the usual"), "unauthorised_seller": N_("seller not authorised"),
    "authorised_seller": N_("authorised seller"), "seller_history": N_("seller's record"), "relisted": N_("relisted"),
    "compatible_part": N_("compatible part"), "exempt_product": N_("exempt product"),
    "regulatory_missing": N_("registration number missing"), "regulatory_malformed": N_("registration number malformed"),
    "regulatory_inconsistent": N_("registration number inconsistent"), "regulatory_legacy": N_("old-style registration number"),
    "regulatory_special_claim": N_("special-use claim"), "regulatory_prohibited": N_("prohibited product"),
    "regulatory_three_no": N_("three-no product"), "regulatory_not_shown": N_("registration number not shown"),
    "regulatory_ccc_missing": N_("CCC certificate missing"),
    # the contexts of the shipped rules/vocabulary.yaml (a context's name is its signal's)
    "model_toy": N_("scale model or toy"), "second_hand": N_("second-hand goods"),
    "sample_size": N_("sample or travel size"),
}


class Msg(str):
    """The English text of a message, remembering the message id and its parameters.

    A ``str``, so code that reads an explanation as text (joins, ``in`` tests, f-strings of the
    English) keeps working; :class:`~monitor.rules.signals.Signal` takes its id and parameters.
    """

    message: str
    params: dict[str, Any]

    def __new__(cls, message: str, /, **params: Any) -> Msg:
        stored = {k: stored_value(v) for k, v in params.items()}
        self = super().__new__(cls, render(message, stored, _english))
        self.message = message
        self.params = stored
        return self

    def __reduce__(self):  # a pickled hit (worker processes) keeps its message
        return _rebuild, (str(self), self.message, self.params)

    def stored(self) -> dict[str, Any]:
        return {"message": self.message, "params": self.params}


def _rebuild(text: str, message: str, params: dict) -> Msg:
    self = str.__new__(Msg, text)
    self.message, self.params = message, params
    return self


class Words(str):
    """Words of a rule file shown to people, in both languages: the English text (what this
    ``str`` is, what English explanations say) and the file's Chinese (``zh``, may be empty).

    A parameter, not a message: analysts add words to rules/ without a catalogue entry.
    """

    zh: str

    def __new__(cls, en: str, zh: str | None = None) -> Words:
        self = super().__new__(cls, en)
        self.zh = zh or ""
        return self

    def __reduce__(self):  # a pickled hit (worker processes) keeps its Chinese
        return Words, (str(self), self.zh)

    def stored(self) -> dict[str, str]:
        return {"en": str(self), "zh": self.zh} if self.zh else {"en": str(self)}


def _is_words(value: dict) -> bool:
    return "en" in value and set(value) <= {"en", "zh"}


def join(parts, sep: str = "; ") -> Msg | str:
    """Parts (messages or text) one after another with ``sep`` between, translated per locale;
    a single part is itself."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return Msg("%(parts)s", parts={"join": [stored_value(p) for p in parts], "sep": sep})


def money(amount: float, currency: str | None = None) -> dict[str, Any]:
    """A sum of money as a parameter, rendered in the reader's locale (see the module's notes)."""
    return {"money": float(amount), "currency": (currency or "").upper()}


def _is_money(value: dict) -> bool:
    return "money" in value and set(value) <= {"money", "currency"}


def _money(value: dict, translate) -> str:
    amount = float(value["money"])
    if translate is _english or not value.get("currency"):
        return "%.2f" % amount  # English as explanations always read; no currency: no symbol to show
    return format_money(amount, value["currency"])


def stored_value(value: Any) -> Any:
    """A parameter as the signal keeps it (JSON-safe)."""
    if isinstance(value, (Msg, Words)):
        return value.stored()
    if isinstance(value, (list, tuple)):
        return [stored_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): stored_value(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


# --------------------------------------------------------------------------- rendering

def _english(message: str) -> str:
    return message


def render(message: str, params: dict[str, Any], translate) -> str:
    """``message`` through ``translate`` with its parameters rendered the same way."""
    if translate is not _english and isinstance(params.get("currency"), str) and params["currency"]:
        params = _stored_money(params, params["currency"])
    values = {k: _value(k, v, translate) for k, v in params.items()}
    text = translate(message)
    try:
        return text % values if values else text  # a message without parameters may be rule-file text with a "%"
    except (KeyError, TypeError, ValueError):
        if translate is _english:
            raise
        return message % {k: _value(k, v, _english) for k, v in params.items()}


# The figures of price explanations stored before money parameters: text ("40.00"), the
# currency beside them (the Chinese messages no longer name it: money carries its own symbol).
_MONEY_NAMES = ("price", "reference", "median")


def _stored_money(params: dict[str, Any], currency: str) -> dict[str, Any]:
    out = {}
    for key, value in params.items():
        if key in _MONEY_NAMES and isinstance(value, str):
            try:
                value = money(float(value), currency)
            except ValueError:
                pass  # not a figure: shown as it is
        elif isinstance(value, dict) and "message" in value:
            value = {**value, "params": _stored_money(value.get("params") or {}, currency)}
        out[key] = value
    return out


def _value(name: str, value: Any, translate) -> str:
    if isinstance(value, dict):
        if "message" in value:
            return render(value["message"], value.get("params") or {}, translate)
        if "join" in value:
            parts = [_value(name, v, translate) for v in value["join"]]
            sep = value.get("sep") or "; "
            if sep == " or " and translate is not _english:
                # "1、2或3", not "1或2或3": the locale's own list of alternatives (CLDR); English
                # keeps "1 or 2 or 3", what stored explanations say
                return format_list(parts, style="or", locale=current())
            return translate(sep).join(parts)
        if _is_words(value):
            return _words(value, translate)
        if _is_money(value):
            return _money(value, translate)
    if name in ("field", "the_field") and isinstance(value, str):
        return _field(value, translate, article=name == "the_field")
    if name == "fields" and isinstance(value, list):
        return translate(", ").join(_field(v, translate, article=False) for v in value)
    if name in ("category", "categories"):
        names = value if isinstance(value, list) else [value]
        return translate(", ").join(_category(str(v), translate) for v in names)
    if name in ("day", "listed_on") and isinstance(value, str) and translate is not _english:
        return format_date(value)  # text that is no ISO day is shown as it is
    if name == "signal" and isinstance(value, str):
        if value in SIGNAL_WORDS:
            return translate(SIGNAL_WORDS[value])
        label = _context_labels().get(value)
        return _words(label, translate) if label else value
    if isinstance(value, list):
        return translate(", ").join(_value("", v, translate) for v in value)
    return "" if value is None else str(value)


def _words(value: dict, translate) -> str:
    """Rule-file words: ``en`` in English (as stored English explanations say them); in Chinese
    the file's ``zh``, else the catalogue's translation of ``en`` (rule files of old)."""
    en = str(value.get("en") or "")
    if translate is _english:
        return en
    zh = value.get("zh")
    return str(zh) if zh and current().startswith("zh") else translate(en)


def _field(name: str, translate, *, article: bool) -> str:
    if name.startswith("attributes."):
        words = ATTRIBUTE_WORDS if article else ATTRIBUTE_NAME
        return translate(words) % {"name": name.split(".", 1)[1]}
    if article:
        return translate(FIELD_WORDS[name]) if name in FIELD_WORDS else name
    return translate(FIELD_NAMES[name]) if name in FIELD_NAMES else name


def _category(category: str, translate) -> str:
    """A category id in the reader's words: its ``name_zh`` from rules/categories.yaml in Chinese;
    the id itself in English (what stored English explanations say)."""
    if translate is _english:
        return category
    return _category_names(current()).get(category, category)


@lru_cache(maxsize=4)
def _category_names(locale: str) -> dict[str, str]:
    path = rules_dir() / "categories.yaml"
    try:
        data = load_located(path).data.get("categories") or {}
    except (OSError, YamlError):
        return {}  # the ids themselves; the category file's own loader reports what is wrong
    key = "name_zh" if locale.startswith("zh") else "name"  # "en": the English name
    return {cid: str(entry.get(key) or cid) for cid, entry in data.items() if isinstance(entry, dict)}


@lru_cache(maxsize=1)
def _context_labels() -> dict[str, dict[str, str]]:
    """The ``label``/``label_zh`` of rules/vocabulary.yaml's contexts, whose names are signal
    names: a context an analyst adds is named in both languages without code."""
    try:
        data = load_located(rules_dir() / "vocabulary.yaml").data or {}
    except (OSError, YamlError):
        return {}  # the names themselves; the vocabulary's own loader reports what is wrong
    return {str(c["name"]): {"en": str(c["label"]), "zh": str(c.get("label_zh") or "")}
            for c in data.get("context") or [] if isinstance(c, dict) and c.get("name") and c.get("label")}


def signal_words(name: str) -> str:
    """A signal name in the reader's words ("mark_lookalike" -> "近似受保护商标"); unknown: as named."""
    return _value("signal", name, _english if current() == "en" else translations(current()).ugettext)


def category_words(category: str | None) -> str:
    """A category id in the reader's words (its ``name_zh`` in Chinese, ``name`` in English, from
    rules/categories.yaml); an unknown id as it is."""
    if not category:
        return category or ""
    key = "zh" if current().startswith("zh") else "en"
    return _category_names(key).get(category, category)


def field_words(name: str) -> str:
    """A listing field in the reader's words ("title" -> "标题", "attributes.颜色" -> "属性「颜色」")."""
    return _value("field", name, _english if current() == "en" else translations(current()).ugettext)


def render_stored(stored: dict[str, Any] | None, fallback: str = "") -> str:
    """A stored message (``{"message": ..., "params": {...}}``, :meth:`Msg.stored`) in the current
    locale; ``fallback`` (the English text kept beside it) when there is none or it does not fit."""
    if not stored or not stored.get("message"):
        return fallback
    translate = _english if current() == "en" else translations(current()).ugettext
    try:
        return render(stored["message"], stored.get("params") or {}, translate)
    except (KeyError, TypeError, ValueError, AttributeError):
        return fallback


def render_json(template: str | None, fallback: str = "") -> str:
    """A template column as stored (``Msg.stored()`` as JSON: alerts, run reasons, complaint notes)
    in the current locale; ``fallback`` (the English kept beside it) when there is none or it is
    damaged (rows from before the column)."""
    try:
        value = json.loads(template) if template else None
    except ValueError:
        value = None
    return render_stored(value if isinstance(value, dict) else None, fallback=fallback)


def explain(signal: dict | Signal) -> str:
    """The explanation of ``signal`` (a :class:`Signal` or a stored signal's dict) in the current
    locale; flags stored before explanations had messages show the English they were stored with."""
    if isinstance(signal, dict):
        message, params, explanation = signal.get("message"), signal.get("params"), signal.get("explanation")
    else:
        message, params, explanation = signal.message, signal.params, signal.explanation
    if not message:
        return explanation or ""
    translate = _english if current() == "en" else translations(current()).ugettext
    try:
        return render(message, params or {}, translate)
    except (KeyError, TypeError, ValueError, AttributeError):  # a stored row that does not fit its message
        return explanation or ""
