"""The de-identification guard: find what could identify a person in a free text.

Every free text Veilleuse keeps (topics, complex cases, poll free-text answers) passes through
:func:`find_identifiers` *before* it is stored or shown to anyone else. When it finds something,
the caller stores nothing, shows the user each :class:`Finding` (its kind and the text found) and
proposes :func:`redact`'s version, which the user may accept or edit and resubmit. The raw text
of a refused submission is never written to storage or to the logs.

This module is pure: no I/O, no clock, no logging, no wording (kinds are codes; cards turn them
into sentences). It is deliberately conservative: a false alarm costs the user one click, a miss
exposes a patient.

What it finds (``Finding.kind`` → default replacement):

- ``nam`` → ``[NAM]``: Québec health-insurance numbers, four letters and eight digits with or
  without spaces or hyphens (« TREM 5203 1512 », « trem52031512 »).
- ``email`` → ``[COURRIEL]``; ``phone`` → ``[TÉLÉPHONE]`` (North-American numbers, with
  extension); ``postal_code`` → ``[CODE POSTAL]`` (Canadian, « J4V 2H1 »).
- ``file_number`` → ``[DOSSIER]``: a number announced as a file or chart number (« dossier
  123456 », « no de dossier : 88-1234 », « MRN 4432198 », « chart #55120 »).
- ``identifier`` → ``[IDENTIFIANT]``: other long identifiers (seven digits or more, social
  insurance numbers written 3-3-3, letters followed by six digits or more).
- ``date`` → ``[DATE]``: full dates (day, month and year, in words or digits, day or month
  first) and dates of birth (a day and month after « né(e) le », « DDN », « born », « DOB »…,
  even without the year). A full date announced as a public event (« congrès du 15 novembre
  2024 », « publié le … », « date limite ») is left alone; partial dates (« en mars 2023 »,
  « le 7 mai ») are not identifying.
- ``age`` → ``[ÂGE]``: ages above 89 (« 92 ans », « âgée de 94 », « 93-year-old », « turned
  91 », « centenaire »).
- ``address`` → ``[ADRESSE]``: a civic number followed by a street (« 1234, rue Saint-Denis »,
  « 45 Maple Street »), with its apartment number.
- ``name`` → ``[NOM]``: people's names — ``known_names`` (the roster), a title followed by a
  name (« Mme Tremblay », « M. Roy », « Dr House »), a first name from the list below followed by
  a capitalised word (« Marie Côté »), a first name alone, a frequent Québec surname alone. Not
  names: a title followed by an initial (« Mme T. », « M. X », the usual pseudonyms), a doctor
  cited as a reference (« selon le Dr Kübler-Ross (1969) »), institutions and places named after
  people (« Hôpital Charles-Le Moyne », « boulevard Saint-Laurent »), and first names that are
  also common words (« Rose », « Claire », « Grace », « May », « Will »…) unless a surname or a
  title comes with them.

Lists: about 550 frequent first names (Québec French and English), 250 frequent surnames, and
the words among them that are also common words. Measured on the project's labelled corpus
(tests/dialogs/deidentify_corpus.json, 109 French and English texts): recall 1.00, precision
0.98. Its last 25 texts were written before the guard was run on them: it missed 3 of their 19
identifiers and raised 2 false alarms, which led to three general fixes (month-first dates,
« turned 91 », « Dominique » is not a common word); the 2 false alarms remain.

``known_names`` is an iterable of full names (« Marc-André Tremblay »): each full name and each
of its parts (three letters or more) is searched for, accent- and case-insensitively for the full
name, as a capitalised word for the parts.

Findings are returned sorted and non-overlapping: when two detectors claim overlapping text, the
more specific kind wins (e-mail over name, NAM over identifier…), then the longer match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["KINDS", "REPLACEMENTS", "Finding", "find_identifiers", "redact"]


@dataclass(frozen=True)
class Finding:
    """One piece of identifying text: ``text == source[start:end]``."""

    kind: str
    start: int
    end: int
    text: str
    replacement: str


REPLACEMENTS: Mapping[str, str] = {
    "name": "[NOM]",
    "nam": "[NAM]",
    "file_number": "[DOSSIER]",
    "date": "[DATE]",
    "age": "[ÂGE]",
    "phone": "[TÉLÉPHONE]",
    "email": "[COURRIEL]",
    "postal_code": "[CODE POSTAL]",
    "address": "[ADRESSE]",
    "identifier": "[IDENTIFIANT]",
}
KINDS: tuple[str, ...] = tuple(REPLACEMENTS)

# When two candidates overlap, the higher priority wins (then the longer one).
_PRIORITY: Mapping[str, int] = {
    "email": 10,
    "nam": 9,
    "phone": 8,
    "postal_code": 7,
    "file_number": 6,
    "date": 5,
    "age": 5,
    "identifier": 4,
    "address": 3,
    "name": 2,
}


def find_identifiers(text: str, known_names: Iterable[str] = ()) -> list[Finding]:
    """Everything in ``text`` that could identify a person, sorted by position, no overlaps."""
    if not text:
        return []
    candidates: list[Finding] = []
    for detector in (
        _emails,
        _nams,
        _phones,
        _postal_codes,
        _file_numbers,
        _identifiers,
        _dates,
        _ages,
        _addresses,
    ):
        candidates.extend(detector(text))
    candidates.extend(_names(text, tuple(known_names)))
    return _join_names(text, _resolve(candidates))


def redact(
    text: str,
    findings: Sequence[Finding],
    replacements: Mapping[str, str] | None = None,
) -> str:
    """``text`` with every finding replaced by its replacement token (or by
    ``replacements[kind]`` when given, e.g. localized tokens). Overlapping findings are
    resolved as in :func:`find_identifiers`."""
    out: list[str] = []
    position = 0
    for finding in _resolve(list(findings)):
        if finding.start < position or finding.end > len(text):
            continue
        out.append(text[position : finding.start])
        token = (replacements or {}).get(finding.kind, finding.replacement)
        out.append(token)
        position = finding.end
    out.append(text[position:])
    return "".join(out)


# ---- helpers ---------------------------------------------------------------------------------


def _words_of(text: str) -> list[str]:
    """A word list written as text (long lists read better this way)."""
    return text.split()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _finding(kind: str, text: str, start: int, end: int) -> Finding:
    # Trim spaces and trailing punctuation that a pattern may have swallowed.
    while start < end and text[start] in " \t\n,;:":
        start += 1
    while end > start and text[end - 1] in " \t\n,;:.":
        end -= 1
    return Finding(kind, start, end, text[start:end], REPLACEMENTS[kind])


def _resolve(candidates: list[Finding]) -> list[Finding]:
    ranked = sorted(
        candidates, key=lambda f: (-_PRIORITY.get(f.kind, 0), -(f.end - f.start), f.start)
    )
    kept: list[Finding] = []
    for candidate in ranked:
        if candidate.end <= candidate.start:
            continue
        if any(candidate.start < k.end and k.start < candidate.end for k in kept):
            continue
        kept.append(candidate)
    return sorted(kept, key=lambda f: f.start)


def _join_names(text: str, findings: list[Finding]) -> list[Finding]:
    """Adjacent names separated by one space are one name (« TREMBLAY Jean »)."""
    joined: list[Finding] = []
    for finding in findings:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.kind == finding.kind == "name"
            and text[previous.end : finding.start] == " "
        ):
            joined[-1] = _finding("name", text, previous.start, finding.end)
        else:
            joined.append(finding)
    return joined


def _matches(kind: str, pattern: re.Pattern[str], text: str, group: int = 0) -> list[Finding]:
    return [_finding(kind, text, m.start(group), m.end(group)) for m in pattern.finditer(text)]


# ---- numbers and addresses -------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# NAM: 4 letters (surname ×3, given name ×1) + YYMMDD-ish + 2 digits.
_NAM = re.compile(r"(?<![\w])[A-Za-z]{4}[ -]?\d{4}[ -]?\d{4}(?![\w])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}"
    r"(?:,?\s*(?:poste|p\.|ext\.?|extension|x)\s*\d{1,6})?(?![\w])"
    r"|(?<![\w.-])\d{3}-\d{4}(?![\w-])",
    re.IGNORECASE,
)
_POSTAL = re.compile(
    r"(?<![\w])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w])",
    re.IGNORECASE,
)
_FILE_CUE = (
    r"(?:num[ée]ro\s+de\s+dossier|no\.?\s+de\s+dossier|n[o°º]\s*(?:de\s+)?dossier"
    r"|#\s*(?:de\s+)?dossier|dossier(?:\s+m[ée]dical)?|mrn|chart|(?:medical\s+)?(?:file|record)"
    r"|num[ée]ro\s+d[’']usager|no\.?\s+d[’']usager|usager|matricule|patient"
    r"|id\s+patient|hospital\s+number|case\s+number)"
)
_FILE = re.compile(
    _FILE_CUE + r"(?P<marker>\s*(?:n[o°º]\.?|#|number|num[ée]ro|id)?\s*[:#]?)\s*"
    r"(?P<number>(?:[A-Z]{1,3}[ -]?)?\d[\d -]{1,}\d)(?![\w])",
    re.IGNORECASE,
)


def _file_numbers(text: str) -> list[Finding]:
    """A number announced as a file or chart number. Without an explicit « no », « # » or
    « number », it needs five digits or a letter prefix, so « dossier 2024 » stays."""
    found: list[Finding] = []
    for match in _FILE.finditer(text):
        number = match.group("number")
        digits = sum(ch.isdigit() for ch in number)
        explicit = bool(match.group("marker").strip(" :"))
        has_prefix = number[0].isalpha()
        cue = match.group(0)[: match.start("marker") - match.start()].casefold()
        strong_cue = any(word in cue for word in ("dossier", "mrn", "chart", "matricule"))
        if digits >= 5 and (strong_cue or explicit) or digits >= 3 and (explicit or has_prefix):
            found.append(_finding("file_number", text, match.start(), match.end()))
    return found


_LONG_ID = re.compile(
    r"(?<![\w-])(?:\d{7,}|\d{3}[ -]\d{3}[ -]\d{3}|[A-Za-z]{1,3}-?\d{6,})(?![\w-])"
)
_STREET_FR = (
    r"(?:rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|rang|route|place|mont[ée]e|c[ôo]te"
    r"|impasse|croissant|all[ée]e|promenade|terrasse|carr[ée]|ruelle|square|autoroute)"
)
_STREET_EN = (
    r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Lane|Ln\.?"
    r"|Court|Ct\.?|Crescent|Cres\.?|Way|Place|Pl\.?|Terrace|Circle)"
)
_UPPER = "A-ZÀ-ÖØ-Þ"
_APARTMENT = r"(?:,?\s*(?:app\.?|appartement|apt\.?|unit[ée]?|suite|#)\s*\d+[A-Za-z]?)?"
_ADDRESS = re.compile(
    r"(?<![\w])\d{1,5}(?:-\d{1,5})?[A-Za-z]?,?\s+" + _STREET_FR + r"\s+"
    r"(?:(?:de\s+la|des|du|de|d[’']|l[’']|la|le)\s*)?"
    rf"[{_UPPER}0-9][\w’'.-]*(?:\s+[{_UPPER}][\w’'.-]*){{0,3}}"
    + _APARTMENT
    + r"|(?<![\w])\d{1,5}\s+(?:["
    + _UPPER
    + r"][\w’'.-]*\s+){1,3}"
    + _STREET_EN
    + r"(?![\w])"
    r"(?:\s+(?:East|West|North|South|E|W|N|S)(?![\w]))?" + _APARTMENT,
    re.UNICODE,
)


def _emails(text: str) -> list[Finding]:
    return _matches("email", _EMAIL, text)


def _nams(text: str) -> list[Finding]:
    return _matches("nam", _NAM, text)


def _phones(text: str) -> list[Finding]:
    return _matches("phone", _PHONE, text)


def _postal_codes(text: str) -> list[Finding]:
    return _matches("postal_code", _POSTAL, text)


def _identifiers(text: str) -> list[Finding]:
    return _matches("identifier", _LONG_ID, text)


def _addresses(text: str) -> list[Finding]:
    return _matches("address", _ADDRESS, text)


# ---- dates and ages --------------------------------------------------------------------------

_MONTHS = (
    r"(?:janvier|janv\.?|f[ée]vrier|f[ée]vr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?"
    r"|ao[ûu]t|septembre|sept\.?|octobre|oct\.?|novembre|nov\.?|d[ée]cembre|d[ée]c\.?"
    r"|january|jan\.?|february|feb\.?|march|mar\.?|april|apr\.?|may|june|jun\.?|july|jul\.?"
    r"|august|aug\.?|september|sep\.?|october|november|december|dec\.?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:er|re|st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_FULL_DATE = re.compile(
    rf"(?<![\w])(?:{_DAY}\s+{_MONTHS}\s*,?\s+{_YEAR}"
    rf"|{_MONTHS}\s+{_DAY}\s*,?\s+{_YEAR}"
    rf"|(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|1[0-2])[/.-](?:{_YEAR}|\d\d)"
    rf"|(?:0?[1-9]|1[0-2])[/.-](?:1[3-9]|2\d|3[01])[/.-](?:{_YEAR}|\d\d)"
    rf"|{_YEAR}[/.-](?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01]))(?![\w])",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(
    rf"(?<![\w])(?:{_DAY}\s+{_MONTHS}|{_MONTHS}\s+{_DAY}"
    r"|(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|1[0-2]))(?![\w/.-]\d)",
    re.IGNORECASE,
)
_BIRTH_CUE = re.compile(
    r"(?:\b(?:né|née|nés|nées|nee)\b|naissance|\bd\.?d\.?n\b|\bborn\b|\bd\.?o\.?b\b|date\s+of\s+birth"
    r"|birth\s*date|birthday|anniversaire)",
    re.IGNORECASE,
)
_EVENT_CUE = re.compile(
    r"(?:congr[èe]s|colloque|conf[ée]rence|webinaire|webinar|s[ée]minaire|seminar|symposium"
    r"|formation|atelier|workshop|training|inscription|registration|date\s+limite|deadline"
    r"|[ée]ch[ée]ance|publi[ée]e?s?|publication|parution|published|mise\s+[àa]\s+jour"
    r"|version|lancement|launch|journ[ée]e\s+(?:r[ée]gionale|mondiale|nationale)|congress"
    r"|conference|CdeP)",
    re.IGNORECASE,
)


def _sentence_before(text: str, start: int, width: int) -> str:
    """Up to ``width`` characters before ``start``, cut at the previous sentence end."""
    window = text[max(0, start - width) : start]
    cut = max(window.rfind(". "), window.rfind("\n"), window.rfind("! "), window.rfind("? "))
    return window[cut + 1 :] if cut >= 0 else window


def _dates(text: str) -> list[Finding]:
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for match in _FULL_DATE.finditer(text):
        before = _sentence_before(text, match.start(), 120)
        is_birth = bool(_BIRTH_CUE.search(before[-30:]))
        if not is_birth and _EVENT_CUE.search(before):
            continue
        found.append(_finding("date", text, match.start(), match.end()))
        taken.append((match.start(), match.end()))
    for match in _DAY_MONTH.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        if _BIRTH_CUE.search(_sentence_before(text, match.start(), 30)):
            found.append(_finding("date", text, match.start(), match.end()))
    return found


_AGE = re.compile(
    r"(?<![\w])(?:(?:[âa]g[ée]e?s?\s+de\s+|aged\s+|age\s*:?\s*)?(\d{2,3})\s*"
    r"(?:ans|an|years?[- ]old|-year-old|yo|y/o|yrs?|years?)(?![\w])"
    r"|(?:[âa]g[ée]e?s?\s+de|aged|age\s*:?|turned|turns|f[êe]t[ée]?\s+ses)\s*(\d{2,3})(?![\w]))"
    r"|(?<![\w])(?:centenaire|nonag[ée]naire|centenarian|nonagenarian)s?(?![\w])",
    re.IGNORECASE,
)


def _ages(text: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _AGE.finditer(text):
        number = match.group(1) or match.group(2)
        if number is not None and not 90 <= int(number) <= 130:
            continue
        found.append(_finding("age", text, match.start(), match.end()))
    return found


# ---- names -----------------------------------------------------------------------------------

# Frequent first names in Québec (and common English ones), folded (no accents, lower case).
_FIRST_NAMES = frozenset(
    _fold(name)
    for name in _words_of("""
    Marie Anne Louise Julie Isabelle Nathalie Sylvie Chantal Johanne Lucie Diane Manon Line Lyne
    Linda Josée Nancy Caroline Sophie Mélanie Valérie Geneviève Stéphanie Catherine Annie Karine
    Émilie Audrey Véronique Andrée Danielle Francine Ginette Lise Monique Nicole Pierrette
    Réjeanne Suzanne Thérèse Yvette Yvonne Jacqueline Jeannine Denise Gisèle Huguette Jocelyne
    Micheline Carole Céline Colette Hélène Madeleine Pauline Rita Cécile Simone Georgette
    Lorraine Murielle Raymonde Rollande Solange Claudette Ghislaine Guylaine Marielle Mireille
    Martine Josiane Josianne Maryse Mélissa Jessica Vanessa Amélie Ariane Camille Chloé Léa
    Laurence Rosalie Florence Juliette Charlotte Alice Emma Olivia Zoé Béatrice Éloïse Élodie
    Gabrielle Jade Maude Marianne Noémie Océane Sarah Sara Laurie Kim Roxanne Roxane Cynthia
    Jennifer Joannie Kathleen Marilyne Myriam Nadia Nadine Natacha Pascale Patricia Sandra
    Sonia Tania Isabel Katia Kathy Brigitte Claudine Dominique Édith Élaine Élise Esther Évelyne
    Fanny Françoise Gaétane Irène Jeanne Jeannette Joanne Joëlle Judith Laure Liliane Louisette
    Lucille Lysanne Marcelle Marguerite Marjolaine Marthe Michèle Michelle Odette Paule Renée
    Sylviane Virginie Yolande Annick Anick Aurélie Clara Clémence Daphnée Delphine Élisabeth
    Elizabeth Estelle Ève Frédérique Inès Jasmine Justine Léonie Maélie Maëlle Maïka Mégane Mia
    Mila Sabrina Vicky Wendy Nathalie Mariève Marie-Ève Marie-Claude Marie-Josée Marie-Pier
    Marie-France Marie-Hélène Marie-Christine Marie-Andrée Marie-Soleil Anne-Marie Anne-Sophie
    Jean Pierre Michel André Jacques Claude Robert Richard Daniel Denis Luc Marc Alain Serge
    Mario Sylvain Stéphane Martin François Gilles Réal Normand Gaétan Yves Marcel Roger Gérard
    Raymond Maurice Paul Louis Jean-Pierre Jean-Guy Jean-Marc Jean-François Jean-Philippe
    Jean-Sébastien Jean-Claude Jean-Louis Jean-Paul Jean-Yves Marc-André Pierre-Luc
    Pierre-Olivier Charles-Antoine Éric Patrick Sébastien Mathieu Maxime Simon Jonathan David
    Nicolas Alexandre Philippe Frédéric Olivier Vincent Guillaume Julien Samuel Gabriel William
    Thomas Félix Antoine Émile Jacob Nathan Raphaël Léo Liam Noah Charles Édouard Xavier Zachary
    Benjamin Jérémie Justin Kevin Michael Christian Christophe Dominic Francis Hugo Jérôme
    Jocelyn Laurent Mathias Patrice Rémi Rémy Steve Steeve Yannick Yan Yvan Benoît Bernard Bruno
    Carl Clément Conrad Donald Étienne Eugène Fernand Florent Gaston Georges Germain Ghislain
    Gilbert Hubert Hugues Joël Joseph Jules Laurier Léon Léopold Lionel Lucien Magella Marius
    Omer Oscar Pascal Raoul Régis Rénald René Roch Rodrigue Roland Romain Sylvio Thierry Valère
    Victor Yvon Wilfrid Adrien Albert Alexis Alfred Anthony Arnaud Arthur Aurèle Bertrand Cédric
    Cyril Damien Dany Danny Didier Dylan Éloi Émilien Fabien Fabrice Gérald Gervais Grégoire
    Henri Jimmy Loïc Ludovic Marco Maxence Mickaël Réjean Rosaire Sacha Tristan Ulric Valentin
    Zacharie Ginette Jacinthe Lucienne Noëlla Rachel Régine Rosalie Carmen Manuel Mohamed
    Ahmed Fatima Amina Yasmine Karim Samir Nadir Youssef Ali Omar Leila Sofia Lina Adam Elias
    John James Michael Joseph Christopher Matthew Anthony Steven Andrew Joshua Kenneth Brian
    George Edward Ronald Timothy Jason Jeffrey Ryan Gary Nicholas Stephen Larry Scott Brandon
    Gregory Peter Dennis Jerry Tyler Aaron Henry Douglas Walter Kyle Harold Keith Jeremy Terry
    Lawrence Sean Ethan Austin Jesse Willie Billy Bruce Ralph Bryan Roy Wayne Alan Juan Jose
    Mary Jennifer Barbara Susan Karen Lisa Margaret Betty Ashley Dorothy Kimberly Emily Donna
    Amanda Melissa Deborah Rebecca Laura Sharon Amy Shirley Angela Helen Anna Brenda Pamela
    Samantha Katherine Ruth Christine Debra Janet Maria Heather Kelly Christina Joan Evelyn
    Lauren Martha Cheryl Megan Andrea Hannah Ann Kathryn Gloria Teresa Doris Janice Julia
    Madison Judy Theresa Beverly Marilyn Abigail Brittany Diana Natalie Sophia Lori Kayla Jane
    Rose Claire France Blanche Aimé Aimée Désiré Constance Victoire Grace Hope Faith Joy Will
    Mark Bill Frank June April May Dawn Ray Pat Sue Guy Jack Carol Amber Ruby Pearl Iris Lily
    Violet Holly Ivy Victoria Jordan Georgia Virginia Noël Eve Line Don Lance Chase Hunter
    """)
)
# First names that are also common words, places or months: flagged only with a surname or a
# title next to them, never alone.
_AMBIGUOUS_FIRST = frozenset(
    _fold(name)
    for name in _words_of("""
    Rose Claire France Blanche Aimé Aimée Désiré Constance Victoire Grace Hope Faith Joy Will
    Mark Bill Frank June April May Dawn Ray Pat Sue Guy Jack Carol Amber Ruby Pearl Iris Lily
    Violet Holly Ivy Victoria Jordan Georgia Virginia Noël Eve Line Don Lance Chase Hunter
    Florence Charlotte Adam Jade Justin Christian Pascal Marin
    """)
)
# Frequent surnames in Québec (and common English ones).
_SURNAMES = frozenset(
    _fold(name)
    for name in _words_of("""
    Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Ouellette
    Pelletier Bélanger Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Caron Beaulieu
    Cloutier Dubé Poirier Fournier Lapointe Leclerc Lefebvre Poulin Thibault St-Pierre Nadeau
    Landry Martel Bédard Grenier Lessard Bernier Michaud Hébert Desjardins Couture Turcotte
    Lachance Parent Blais Gosselin Savard Proulx Beaudoin Demers Perron Boudreau Charbonneau
    Mercier Dufour Labbé Dion Gaudreault Arsenault Lemieux Lacroix Boivin Vachon Rousseau Cyr
    Dumont Vaillancourt Bilodeau Brassard Lalonde Ménard Giroux Marcoux Carrier Langlois Plante
    Lemay Rioux Guay Allard Thériault Dupuis Deschênes Hamel Tessier Robitaille Larouche Vézina
    Fontaine Sauvé Lebel Laroche Blouin Thibodeau Lauzon Picard Lussier Champagne Laflamme
    Daigle Brisson Doyon Rochon Lamontagne Bourque Boisvert Audet Jobin Lebrun Gingras
    Desrosiers Paré Beauchamp Labelle Bérubé Pépin Trudel Séguin Léger Chabot Hamelin Pouliot
    Duchesne Bisson Chartrand Lavallée Laplante Lajoie Gendron Bouffard Sirois Brochu Guérin
    Laberge Lapierre Racine Dupont Dufresne Pilon Provost Rivard Aubin Houle Coulombe Lamarche
    Bolduc Laliberté Bourgeois Charette Dallaire Poitras Desrochers Goulet Dumas Frenette
    Larivière Breton Lafrance Piché Beaudry Boily Drouin Laurin Bégin Moreau Lepage Marchand
    Lamoureux Gamache Cormier Fillion Lachapelle Soucy Massé Morissette Deslauriers Brunet
    Chouinard Beauregard Trottier Bourassa Normandin Lemire Tardif Maltais Paradis Gaudet
    Bergeron Therrien Lortie Croteau Desbiens Dionne Tanguay Lévêque Bussières Laforest
    Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Moore White Harris
    Clark Lewis Walker Young King Wright Green Baker Adams Nelson Hill Campbell Mitchell Roberts
    Carter Phillips Evans Turner Parker Collins Edwards Stewart Murphy Cook Rogers Morgan
    Cooper Peterson Reed Bailey Howard MacDonald Macdonald Wong Nguyen Singh Patel Doe
    """)
)
# Surnames that are also common words: flagged only with a first name or a title.
_AMBIGUOUS_SURNAMES = frozenset(
    _fold(name)
    for name in _words_of("""
    Boucher Parent Carrier Couture Desjardins Lachance Lemieux Lacroix Plante Fontaine
    Champagne Racine Laliberté Bourgeois Breton Marchand Paradis White Green Hill King Young
    Cook Baker Brown Turner Parker Reed Lajoie Lebrun Laplante Dupont Dumont Légère Martel Hamel
    """)
)
_TITLES = frozenset(
    _words_of("""
    m. mme mmes mlle mlles madame monsieur mesdames messieurs mademoiselle dr dr. dre dre.
    docteur docteure pr pr. professeur professeure mr mr. mrs mrs. ms ms. miss mister
    sir lady""")
)
_CLINICIAN_TITLES = frozenset(
    _words_of("dr dr. dre dre. docteur docteure pr pr. professeur professeure")
)
# Words after which a capitalised name is a place or an institution, not a person.
_PLACE_WORDS = frozenset(
    _fold(word)
    for word in _words_of("""
    hôpital hopital hospital clsc chsld chu chum cusm cisss ciusss gmf centre center maison
    pavillon institut institute fondation foundation école ecole school université university
    cégep cegep collège college rue avenue boulevard boul chemin route rang place parc park
    station métro metro église paroisse saint sainte st ste street pont bridge aréna arena
    campus clinique clinic résidence residence foyer programme program prix award bourse
    chaire chair salle room local carrefour musée museum manoir villa
    """)
)
# Capitalised words that never continue a name (articles, months, days, places, acronyms…).
_NOT_NAMES = frozenset(
    _fold(word)
    for word in _words_of("""
    le la les un une des du de d l et ou au aux en à a the an and or of in on at to for with
    by from is are was il elle ils elles on nous vous je tu ce cette ces son sa ses leur mon
    ma mes notre votre qui que quoi dont où ne pas mais donc car ni si selon pour avec chez
    sans sous sur vers depuis après avant pendant lors dans par entre comme quand lorsque puis
    ensuite enfin aussi très plus moins bonjour merci cher chère chers madame monsieur
    hello thanks dear according when then after before during since also our your their my
    his her this that these those what which who how why where there here
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre
    january february march april may june july august september october november december
    lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday
    friday saturday sunday québec quebec montréal montreal canada france laval longueuil
    montérégie monteregie ontario sherbrooke gatineau lévis levis saguenay rimouski
    trois-rivières granby brossard boucherville chambly greenfield beloeil rive-sud
    clsc chsld chu chum cusm cisss ciusss msss ramq dpj gmf umf cdep nam ch ts ps inf
    oncologie soins palliatifs canada teams forms covid cancer alzheimer parkinson
    """)
)
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[’'.-](?=[^\W\d_]))*", re.UNICODE)
_REFERENCE_BEFORE = re.compile(
    r"(?:selon|d[’']apr[èe]s|cf\.?|voir|see|according\s+to|per|par\s+exemple|auteur|author"
    r"|approche|mod[èe]le|model|method|m[ée]thode|th[ée]orie|theory|travaux|work\s+of)"
    r"\s+(?:(?:le|la|les|du|de|des|the)\s+)?$",
    re.IGNORECASE,
)
_REFERENCE_AFTER = re.compile(r"^\s*(?:\(\s*\d{4}|,\s*\d{4}|et\s+al\.?|\(\s*dir\.)", re.IGNORECASE)


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int
    folded: str

    @property
    def capitalised(self) -> bool:
        first = self.text[0]
        return first.isupper() and not (len(self.text) > 1 and self.text[1:].isupper())

    @property
    def upper(self) -> bool:
        return len(self.text) >= 2 and self.text.replace("-", "").isupper()

    @property
    def parts(self) -> list[str]:
        return [p for p in re.split(r"[-’']", self.folded) if p]


def _words(text: str) -> list[_Word]:
    return [_Word(m.group(0), m.start(), m.end(), _fold(m.group(0))) for m in _WORD.finditer(text)]


def _is_first_name(word: _Word) -> bool:
    if word.folded in _FIRST_NAMES:
        return True
    parts = word.parts
    return len(parts) > 1 and all(p in _FIRST_NAMES for p in parts)


def _after_place_word(text: str, words: list[_Word], index: int) -> bool:
    """The word is part of a place or institution name (« Hôpital Charles-Le Moyne »)."""
    word = words[index]
    if word.parts and word.parts[0] in {"saint", "sainte", "st", "ste"}:
        return True
    for back in range(index - 1, max(-1, index - 4), -1):
        previous = words[back]
        if text[previous.end : words[back + 1].start].strip(" -"):
            return False  # punctuation: « du CLSC, Julie Pelletier »
        if previous.folded in _PLACE_WORDS or (
            previous.parts and previous.parts[0] in _PLACE_WORDS
        ):
            return True
        if not (previous.capitalised or previous.folded in {"de", "du", "des", "la", "le"}):
            return False
    return False


def _name_like(word: _Word) -> bool:
    """Could this word be (part of) a surname?"""
    if word.folded in _NOT_NAMES or len(word.folded) < 2:
        return False
    if word.folded in _SURNAMES:
        return True
    return word.capitalised and len(word.text) >= 2


def _extend_name(words: list[_Word], index: int, text: str, limit: int = 2) -> int:
    """Index of the last word of a name whose last sure word is ``words[index]``: follows
    particles (« de », « Van ») and up to ``limit`` more name-like words."""
    last = index
    probe = index + 1
    taken = 0
    while probe < len(words) and taken < limit:
        between = text[words[probe - 1].end : words[probe].start]
        if between.strip(" ") not in ("", "-"):
            break
        word = words[probe]
        if word.folded in {"de", "du", "des", "van", "von", "da", "di", "le", "la", "mc", "mac"}:
            if (
                probe + 1 < len(words)
                and _name_like(words[probe + 1])
                and words[probe + 1].capitalised
            ):
                probe += 1
                continue
            break
        if (word.capitalised or (word.upper and word.folded in _SURNAMES)) and _name_like(word):
            last = probe
            taken += 1
            probe += 1
            continue
        break
    return last


def _names(text: str, known_names: tuple[str, ...]) -> list[Finding]:
    words = _words(text)
    found: list[Finding] = list(_known_names(text, known_names))
    known_parts = {
        part
        for full in known_names
        for part in re.split(r"[\s’'-]+", _fold(full))
        if len(part) >= 3 and part not in _NOT_NAMES
    }
    for i, word in enumerate(words):
        span = _title_name(text, words, i)
        if span is not None:
            found.append(_finding("name", text, *span))
            continue
        if not (word.capitalised or word.upper) or word.folded in _NOT_NAMES:
            continue
        if i > 0 and words[i - 1].folded in _TITLES | {"m"}:
            continue  # handled (or deliberately refused) by _title_name
        if _after_place_word(text, words, i):
            continue
        if _is_first_name(word) or word.folded in known_parts:
            last = _extend_name(words, i, text)
            if last > i:
                found.append(_finding("name", text, word.start, words[last].end))
            elif word.folded in known_parts or (
                word.capitalised and word.folded not in _AMBIGUOUS_FIRST
            ):
                found.append(_finding("name", text, word.start, word.end))
            continue
        if word.folded not in _SURNAMES:
            continue
        if word.folded not in _AMBIGUOUS_SURNAMES:
            found.append(_finding("name", text, word.start, word.end))
        previous = words[i - 1] if i > 0 else None
        if (
            previous is not None
            and previous.capitalised
            and text[previous.end : word.start] == " "
            and previous.folded not in _NOT_NAMES
            and previous.folded not in _PLACE_WORDS
            and not _after_place_word(text, words, i - 1)
        ):
            # An unknown first name before a surname (« Xochitl Tremblay »).
            found.append(_finding("name", text, previous.start, word.end))
    return found


def _title_name(text: str, words: list[_Word], index: int) -> tuple[int, int] | None:
    """« Mme Tremblay », « Dr. House », « M. Jean Roy »: (start, end) of title + name."""
    word = words[index]
    raw = word.text.casefold()
    after = text[word.end : word.end + 1]
    key = raw + "." if after == "." else raw
    if key not in _TITLES and raw not in _TITLES:
        return None
    if raw == "m" and after != ".":
        return None  # a lone « M » is an initial, not « Monsieur »
    if raw == "me" or (not word.text[0].isupper() and raw in {"ms", "miss", "lady", "sir"}):
        return None
    if index + 1 >= len(words):
        return None
    name = words[index + 1]
    gap = text[word.end : name.start]
    if gap.strip(" .") or "\n" in gap:
        return None
    if not (name.capitalised or name.upper) or name.folded in _NOT_NAMES:
        return None
    if len(name.text) == 1:
        return None  # an initial: « Mme T. », « M. X »
    if raw.rstrip(".") in {t.rstrip(".") for t in _CLINICIAN_TITLES}:
        before = text[max(0, word.start - 40) : word.start]
        last = _extend_name(words, index + 1, text)
        if _REFERENCE_BEFORE.search(before) or _REFERENCE_AFTER.match(text[words[last].end :]):
            return None
    last = _extend_name(words, index + 1, text)
    return word.start, words[last].end


def _known_names(text: str, known_names: tuple[str, ...]) -> list[Finding]:
    """Full names of the roster, accent- and case-insensitively."""
    found: list[Finding] = []
    folded_text = _fold(text)
    if len(folded_text) != len(text):  # a character that folds to several: use words instead
        return found
    for full in known_names:
        needle = _fold(full).strip()
        if len(needle) < 3:
            continue
        for match in re.finditer(rf"(?<![\w]){re.escape(needle)}(?![\w])", folded_text):
            found.append(_finding("name", text, match.start(), match.end()))
    return found
