"""``make screenshots``: pictures of the main cards in French, taken in the Agents Playground,
and two checks on what the page shows.

It writes the demo year (dialogs/demo.py) into a scratch data folder, starts the bot and the
Playground (tests/e2e/playground.py, the person at the keyboard is an animateur), then drives
the Playground's web UI with Python Playwright on the system's Chromium (Debian's ``chromium``,
installed by ``make screenshots`` at that moment, like Playwright itself; nothing is committed).
Each card is saved twice under ``screenshots/`` (ignored by git): the browser window at
1280×900, and the card alone with its width held to 400 px (Teams in a side panel or on a
phone). Then, for every card, from the page itself:

* **cut text**: an element whose content is wider than its box (``scrollWidth >
  clientWidth`` where the overflow is hidden or ellipsed), or that sticks out of the card;
* **English in a French card**: a word of :data:`ENGLISH_WORDS` in the card's text.

Any finding is printed, written to ``screenshots/report.txt``, and makes the run fail.
``python -m tests.e2e.screenshots --help`` lists the options.
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cards.i18n import Translator
from tests.e2e.playground import DEMO_CONFIG, REPO_ROOT, running_stack, seed_demo

logger = logging.getLogger(__name__)

FR = Translator("fr-CA")
OUT_DIR = REPO_ROOT / "screenshots"
WIDE = {"width": 1280, "height": 900}
# The narrow pass: a tall window so that a whole card is on screen for its picture.
TALL = {"width": 1280, "height": 4000}
NARROW_CARD_PX = 400
# Words that have no business in a French card (a few, chosen so that no French word or name
# of the demo matches them).
ENGLISH_WORDS = (
    "the",
    "and",
    "your",
    "you",
    "meeting",
    "meetings",
    "attendance",
    "poll",
    "polls",
    "report",
    "submit",
    "cancel",
    "save",
    "yes",
    "topics",
    "certificate",
    "welcome",
    "answer",
)
_ENGLISH = re.compile(r"\b(" + "|".join(ENGLISH_WORDS) + r")\b", re.IGNORECASE)
# The one English card a French-speaking community shows on purpose: « Prefer English? ».
_OFFER_TITLE = "Prefer English?"

_EDITOR = '[data-lexical-editor="true"][role="textbox"]'
_CARD = ".ac-adaptiveCard"

# Cut or overflowing elements of a card, found in the page (runs in the browser).
_FIND_CUTS = """
(card) => {
  const box = card.getBoundingClientRect();
  const found = [];
  for (const el of card.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const text = (el.innerText || '').trim();
    // An input's value scrolls inside it; a text of the card must fit its box.
    if (el.tagName === 'INPUT' || el.children.length > 0 || !text) continue;
    const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    if (hides && el.scrollWidth > el.clientWidth + 1) {
      found.push('cut: ' + text.slice(0, 80));
    } else if (r.right > box.right + 1 || r.left < box.left - 1) {
      found.push('outside the card: ' + text.slice(0, 80));
    }
  }
  for (const el of card.querySelectorAll('input, select, button, svg')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) {
      const what = el.value || el.getAttribute('aria-label') || '';
      const where = (el.parentElement && el.parentElement.className) || '';
      found.push('outside the card: <' + el.tagName.toLowerCase() + '> ' + what + ' in ' + where);
    }
  }
  return [...new Set(found)];
}
"""


@dataclass
class Shot:
    name: str
    text: str
    problems: list[str]


class Session:
    """One browser page on the Playground, at one width."""

    def __init__(self, page: Any, out: Path, narrow: bool) -> None:
        self.page = page
        self.out = out
        self.narrow = narrow
        self.shots: list[Shot] = []
        out.mkdir(parents=True, exist_ok=True)

    def cards(self) -> Any:
        return self.page.locator(_CARD)

    def wait_for_more_cards(self, before: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.cards().count() <= before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no new card within {timeout:.0f} s")
            time.sleep(0.2)
        time.sleep(1.0)  # the rest of the answer (a second card) and the layout settle

    def say(self, text: str) -> int:
        """Type ``text`` in the message box; returns how many cards there were before."""
        before = self.cards().count()
        box = self.page.locator(_EDITOR)
        box.click()
        box.type(text)
        self.page.keyboard.press("Enter")
        self.wait_for_more_cards(before)
        return before

    def click(self, card: Any, button: str) -> None:
        card.get_by_role("button", name=button).first.click()
        time.sleep(2.0)

    def card_with(self, text: str) -> Any:
        return self.cards().filter(has_text=text).last

    def take(self, name: str, card: Any) -> Shot:
        card.scroll_into_view_if_needed()
        if self.narrow:
            card.evaluate(
                "(c, px) => { const p = c.parentElement; p.style.width = px + 'px';"
                " p.style.maxWidth = px + 'px'; }",
                NARROW_CARD_PX,
            )
            time.sleep(0.3)
            card.screenshot(path=str(self.out / f"{name}.png"))
        else:
            card.evaluate("(c) => c.scrollIntoView({block: 'start'})")
            self.page.screenshot(path=str(self.out / f"{name}.png"))
        text = card.inner_text()
        problems = list(card.evaluate(_FIND_CUTS))
        if _OFFER_TITLE not in text:
            problems += [f"English word « {w} »" for w in sorted(set(_ENGLISH.findall(text)))]
        shot = Shot(name, text, problems)
        self.shots.append(shot)
        return shot


def _tour(session: Session) -> None:
    """The main cards, in the order a newcomer meets them (words and buttons from the
    catalog)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = session.page
    page.wait_for_selector(_EDITOR, timeout=30_000)
    try:  # the dossier comes by itself on first contact, on demand afterwards
        page.wait_for_selector(_CARD, timeout=8_000)
        time.sleep(2.0)
    except PlaywrightTimeout:
        session.say(FR("command.welcome.word"))
    session.take("01-accueil", session.cards().last)
    session.say(FR("command.help.word"))
    session.take("02-aide", session.card_with(FR("help.title")))
    session.say(FR("command.meetings.word"))
    listing = session.cards().last
    session.take("03-rencontres", listing)
    session.click(listing, FR("meetings.list.open"))
    session.take("04-rencontre", session.cards().last)
    session.click(session.cards().last, FR("meetings.card.edit"))
    session.take("05-rencontre-formulaire", session.cards().last)
    session.say(FR("command.polls.word"))
    polls = session.cards().last
    session.take("06-sondages", polls)
    line = polls.locator(".ac-container").filter(has_text="Satisfaction").last
    session.click(line, FR("polls.list.open"))
    session.take("07-resultats", session.cards().last)
    session.say(FR("command.report.word"))
    session.take("08-bilan", session.cards().last)
    session.say(FR("command.topics.word"))
    session.take("09-sujets", session.cards().last)
    session.say(FR("command.presence.word"))
    session.take("10-presences", session.cards().last)
    session.say(FR("command.certificate.word"))
    session.take("11-attestations", session.cards().last)
    session.say(f"{FR('command.poll.word')} disponibilites")
    session.take("12-sondage-brouillon", session.cards().last)


def run(out: Path, keep: bool = False) -> list[Shot]:
    from playwright.sync_api import sync_playwright  # installed by make screenshots

    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        raise SystemExit("Chromium is not installed (make screenshots installs Debian's chromium)")
    scratch = Path(tempfile.mkdtemp(prefix="veilleuse-screenshots-"))
    shots: list[Shot] = []
    try:
        logger.info("%s", seed_demo(scratch / "data"))
        with running_stack(scratch, config=DEMO_CONFIG) as stack, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=browser_path, headless=True, args=["--no-sandbox"]
            )
            try:
                for label, narrow in (("1280", False), (str(NARROW_CARD_PX), True)):
                    page = browser.new_page(viewport=TALL if narrow else WIDE, locale="en-US")
                    page.goto(stack.playground.url)
                    session = Session(page, out / label, narrow)
                    try:
                        _tour(session)
                    except Exception as problem:
                        session.shots.append(Shot("tour", "", [f"stopped: {problem}"]))
                        page.screenshot(path=str(out / label / "stopped.png"))
                    shots += [Shot(f"{label}/{s.name}", s.text, s.problems) for s in session.shots]
                    page.close()
            finally:
                browser.close()
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return shots


def main(argv: list[str] | None = None) -> int:
    """Take the pictures, check them, say what was found."""
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where (screenshots/)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch data folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    shots = run(args.out, args.keep)
    lines = []
    for shot in shots:
        lines += [f"{shot.name}: {problem}" for problem in shot.problems]
    report = "\n".join(lines) if lines else "no problem found"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.txt").write_text(report + "\n", "utf-8")
    logger.info("%d pictures in %s", len(shots), args.out)
    sys.stdout.write(report + "\n")
    return 1 if lines or not shots else 0


if __name__ == "__main__":
    sys.exit(main())
