"""The computed report put into words, once, for the card, the CSV and the PDF.

:func:`report_view` turns a :class:`~dialogs.vitality.rules.VitalityReport` into the plain
:class:`~cards.vitality.ReportView` (sections of labelled, formatted figures, chart series and
their text versions). No figure is computed here: only chosen, labelled and formatted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cards.dates import cycle_text, day_month_year, short_date
from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.vitality import (
    COUNT,
    HOURS,
    MEAN,
    PERCENT,
    ReportView,
    Row,
    Scope,
    Section,
    Series,
    chart_day_text,
    figure_text,
)
from dialogs import cycles
from dialogs.vitality import rules
from dialogs.vitality.rules import (
    ChoiceLine,
    Effectiveness,
    Figure,
    LeftBehind,
    MeetingStat,
    Supervision,
    VitalityReport,
)
from storage.community import CommunityProfile

MAX_MEETING_LINES = 24
MAX_SATISFACTION_LINES = 12
MAX_PROJECT_LINES = 30


@dataclass(frozen=True)
class Links:
    csv_url: str = ""
    pdf_links: tuple[tuple[str, str], ...] = ()
    # Offer « Lancer le sondage Retombées » (an animateur, the cycle's last months, none yet).
    offer_outcomes: bool = False


class _Words:
    """Formatting helpers bound to one language and threshold."""

    def __init__(self, t: Translator, threshold: int) -> None:
        self.t = t
        self.threshold = threshold

    def fig(self, figure: Figure | None, kind: str = COUNT) -> str:
        if figure is None:
            return self.t("vitality.no_data")
        return figure_text(
            figure.value, figure.suppressed, kind, self.t, self.threshold, figure.complement
        )

    def row(self, key: str, figure: Figure | None, kind: str = COUNT) -> Row:
        """A figure with its label (``vitality.figure.<key>``); « aucune donnée » for None."""
        return Row(key, self.t(f"vitality.figure.{key}"), self.fig(figure, kind))

    def no_data(self, key: str) -> Row:
        return self.row(key, None)


def scope_name(profile: CommunityProfile, committee_id: str, t: Translator) -> str:
    if not committee_id:
        return t("vitality.scope.all")
    committee = profile.committee(committee_id)
    return committee.name.get(t.locale) if committee else committee_id


def committees_text(profile: CommunityProfile, committee_ids: Sequence[str], t: Translator) -> str:
    """« Toute la CdeP » (no committee named), « Rencontre conjointe » (two or more), or the
    committee's name."""
    if not committee_ids:
        return t("vitality.scope.all")
    if len(committee_ids) > 1:
        return t("vitality.scope.joint")
    return scope_name(profile, committee_ids[0], t)


# ---- sections ---------------------------------------------------------------------------------


def _participation(report: VitalityReport, w: _Words) -> Section:
    t = w.t
    rows: list[Row] = []
    m = report.membership
    end_key = (
        "members.active_end" if report.as_of == report.request.period.end else "members.active_now"
    )
    if m is None:
        rows += [
            w.no_data(key)
            for key in (
                "members.active_start",
                end_key,
                "members.arrivals",
                "members.departures",
                "members.turnover",
            )
        ]
    else:
        rows += [
            w.row("members.active_start", m.active_at_start),
            w.row(end_key, m.active_at_end),
            w.row("members.arrivals", m.arrivals),
            w.row("members.departures", m.departures),
            w.row("members.turnover", m.turnover, PERCENT),
        ]
    if report.meetings is None:
        rows.append(w.no_data("meetings.held"))
    else:
        rows.append(w.row("meetings.held", Figure(len(report.meetings))))
    if report.participation_rate is None or report.engagement is None:
        rows += [
            w.no_data(key)
            for key in (
                "meetings.rate",
                "meetings.trend",
                "engagement.core",
                "engagement.active",
                "engagement.peripheral",
            )
        ]
    else:
        trend = report.trend or "unknown"
        rows += [
            w.row("meetings.rate", report.participation_rate, PERCENT),
            Row(
                "meetings.trend", t("vitality.figure.meetings.trend"), t(f"vitality.trend.{trend}")
            ),
            w.row("engagement.core", report.engagement.core),
            w.row("engagement.active", report.engagement.active),
            w.row("engagement.peripheral", report.engagement.peripheral),
        ]
    for months in rules.RETENTION_MONTHS:
        key = f"retention.{months}"
        figure = report.retention.get(months) if report.retention is not None else None
        rows.append(w.row(key, figure, PERCENT) if figure else w.no_data(key))
    return Section("participation", t("vitality.section.participation"), tuple(rows))


def _meeting_value(stat: MeetingStat, w: _Words) -> str:
    t = w.t
    if stat.rate.suppressed:
        return t("vitality.meeting.hidden", threshold=w.threshold)
    return t(
        "vitality.meeting.line",
        present=w.fig(stat.present),
        invited=w.fig(Figure(stat.invited)),
        rate=w.fig(stat.rate, PERCENT),
        in_room=w.fig(stat.in_room),
        online=w.fig(stat.online),
    )


def _meeting_label(stat: MeetingStat, profile: CommunityProfile, t: Translator) -> str:
    return t(
        "vitality.meeting.label",
        day=short_date(stat.day, t),
        committees=committees_text(profile, sorted(stat.committee_ids), t),
    )


def _meetings(
    report: VitalityReport, w: _Words, profile: CommunityProfile
) -> tuple[Section, Section, tuple[Series, ...]]:
    """(the card's section: the latest meetings, the exports' section: all, chart series)."""
    t = w.t
    title = t("vitality.section.meetings")
    note = ""
    if report.meetings is None:
        note = t("vitality.no_data_section")
    elif not report.meetings:
        note = t("vitality.meeting.none")
    elif report.participation_rate is None:
        note = t("vitality.meeting.no_presence")
    if note:
        empty = Section("meetings", title, note=note)
        return empty, empty, ()
    assert report.meetings is not None
    rows = tuple(
        Row(f"meeting.{s.meeting_id}", _meeting_label(s, profile, t), _meeting_value(s, w))
        for s in report.meetings
    )
    shown = report.meetings[-MAX_MEETING_LINES:]
    hidden = len(report.meetings) - len(shown)
    note = t("vitality.meeting.more", count=str(hidden)) if hidden else ""
    card = Section("meetings", title, rows[hidden:], note)
    labels = _unique([chart_day_text(s.day, t) for s in shown])
    visible = [(x, s) for x, s in zip(labels, shown, strict=True) if not s.rate.suppressed]
    series: tuple[Series, ...] = ()
    if visible:
        series = (
            Series(
                t("vitality.chart.in_room"), tuple((x, s.in_room.value or 0) for x, s in visible)
            ),
            Series(t("vitality.chart.online"), tuple((x, s.online.value or 0) for x, s in visible)),
        )
    return card, Section("meetings", title, rows), series


def _unique(labels: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _exchanges(report: VitalityReport, w: _Words) -> Section:
    t = w.t
    e = report.exchanges
    rows = [
        w.row("topics.proposed", e.topics_proposed),
        w.row("topics.supported", e.topics_supported),
        w.row("topics.treated", e.topics_treated),
        w.row("cases.submitted", e.cases_submitted),
        w.row("cases.discussed", e.cases_discussed),
    ]
    if report.polls is None:
        rows += [w.no_data("polls.count"), w.no_data("polls.rate")]
    else:
        kinds = ", ".join(
            t("vitality.poll_count", count=w.fig(Figure(n)), kind=_kind(kind, t))
            for kind, n in sorted(report.polls.by_kind.items())
        )
        count = w.fig(Figure(report.polls.count))
        rows += [
            Row(
                "polls.count",
                t("vitality.figure.polls.count"),
                t("vitality.polls.count_detail", count=count, kinds=kinds) if kinds else count,
            ),
            w.row("polls.rate", report.polls.response_rate, PERCENT),
        ]
    return Section("exchanges", t("vitality.section.exchanges"), tuple(rows))


def _poll_details(report: VitalityReport, w: _Words) -> Section:
    t = w.t
    title = t("vitality.section.polls")
    if report.polls is None:
        return Section("polls", title, note=t("vitality.no_data_section"))
    rows: list[Row] = []
    for poll in report.polls.polls:
        label = t(
            "vitality.poll.label", kind=_kind(poll.kind, t), day=short_date(poll.closed_on, t)
        )
        if poll.rate.suppressed:
            value = t("vitality.poll.hidden", threshold=w.threshold)
        elif poll.audience:
            value = t(
                "vitality.poll.line",
                answers=w.fig(Figure(poll.answers)),
                audience=w.fig(Figure(poll.audience)),
                rate=w.fig(poll.rate, PERCENT),
            )
        else:
            value = t("vitality.poll.line_unknown", answers=w.fig(Figure(poll.answers)))
        rows.append(Row(f"poll.{poll.poll_id}", label, value))
    return Section("polls", title, tuple(rows), "" if rows else t("vitality.poll.none"))


def _kind(kind: str, t: Translator) -> str:
    key = f"vitality.poll_kind.{kind}"
    return t(key) if t.has(key) else kind


def _satisfaction(report: VitalityReport, w: _Words) -> tuple[Section, tuple[Series, ...], str]:
    t = w.t
    title = t("vitality.section.satisfaction")
    s = report.satisfaction
    if s is None:
        return Section("satisfaction", title, note=t("vitality.no_data_section")), (), ""
    if not s.points:
        return Section("satisfaction", title, note=t("vitality.satisfaction.none")), (), ""
    rows = [w.row("satisfaction.mean", s.mean, MEAN)]
    for point in s.points[-MAX_SATISFACTION_LINES:]:
        value = (
            t("vitality.satisfaction.hidden", threshold=w.threshold)
            if point.mean.suppressed
            else t(
                "vitality.satisfaction.line",
                mean=w.fig(point.mean, MEAN),
                respondents=w.fig(Figure(point.respondents)),
            )
        )
        rows.append(
            Row(
                f"satisfaction.survey.{point.poll_id}",
                t("vitality.satisfaction.survey", day=short_date(point.closed_on, t)),
                value,
            )
        )
    if s.distribution is not None:
        rows += [
            w.row(f"satisfaction.share.{score}", share, PERCENT)
            for score, share in zip(rules.SCALE, s.distribution, strict=True)
        ]
    visible = [p for p in s.points if p.mean.value is not None]
    series: tuple[Series, ...] = ()
    if len(visible) >= 2:
        labels = _unique([chart_day_text(p.closed_on, t) for p in visible])
        series = (
            Series(
                t("vitality.chart.satisfaction"),
                tuple(
                    (x, round(p.mean.value or 0, 2)) for x, p in zip(labels, visible, strict=True)
                ),
            ),
        )
    text = " · ".join(
        t("vitality.fact", label=r.label, value=r.value) for r in rows[1 : 1 + len(s.points)]
    )
    return Section("satisfaction", title, tuple(rows)), series, text


def _training(report: VitalityReport, w: _Words) -> Section:
    t = w.t
    title = t("vitality.section.training")
    tr = report.training
    if tr is None:
        return Section("training", title, note=t("vitality.no_data_section"))
    if tr.certificates is not None:
        certificates = w.row("training.certificates", tr.certificates)
    elif report.request.committee_id and "certificates" in report.sources:
        certificates = Row(
            "training.certificates",
            t("vitality.figure.training.certificates"),
            t("vitality.cdep_only"),
        )
    else:
        certificates = w.no_data("training.certificates")
    rows = (
        w.row("training.hours_total", tr.hours_total, HOURS),
        w.row("training.hours_per_person", tr.hours_per_person, HOURS),
        certificates,
    )
    return Section("training", title, rows)


def project_text(p: rules.ProjectFacts, t: Translator) -> str:
    """« title — description (kind · organisations : … · link) », what was said of it."""
    text = (
        t("vitality.project.line", title=p.title, description=p.description)
        if p.description
        else p.title
    )
    details = []
    if p.kind in rules.PROJECT_KINDS:
        details.append(t(f"vitality.project_kind.{p.kind}"))
    if p.organisations:
        details.append(t("vitality.project.used_by", organisations=", ".join(p.organisations)))
    if p.link:
        details.append(p.link)
    if not details:
        return text
    return t("vitality.project.details", line=text, details=" · ".join(details))


def _value(report: VitalityReport, t: Translator) -> tuple[Section, Section]:
    """(the card's section: the latest projects, the exports' section: all of them)."""
    title = t("vitality.section.value")
    rows = tuple(
        Row(f"project.{p.id}", short_date(p.done_on, t), project_text(p, t))
        for p in report.projects
    )
    if not rows:
        empty = Section("value", title, note=t("vitality.project.none"))
        return empty, empty
    hidden = max(0, len(rows) - MAX_PROJECT_LINES)
    note = t("vitality.project.more", count=str(hidden)) if hidden else ""
    return Section("value", title, rows[hidden:], note), Section("value", title, rows)


# ---- effectiveness (« Efficacité ») ------------------------------------------------------------
# One part per function, in order; each gives a sub-section (key, title, rows, note), or None
# when it has nothing to say. A feature that adds figures to the section adds its function to
# EFFECTIVENESS_PARTS.


@dataclass(frozen=True)
class _Context:
    report: VitalityReport
    effect: Effectiveness | None  # None: the polls feature could not be read
    w: _Words
    profile: CommunityProfile


def objective_name(key: str, label: str, profile: CommunityProfile, t: Translator) -> str:
    """The objective in the reader's language (``o2``: the profile's second objective), else
    the survey question's own label."""
    digits = key.removeprefix("o")
    if digits.isdigit() and 1 <= int(digits) <= len(profile.objectives):
        return profile.objectives[int(digits) - 1].get(t.locale)
    return label


def _surveys_note(c: _Context) -> str:
    """Why the survey parts are empty, or ""."""
    t = c.w.t
    if c.effect is None:
        return t("vitality.no_data_section")
    if c.effect.surveys == 0:
        return t("vitality.effectiveness.no_survey")
    if c.effect.respondents.suppressed:
        return t("vitality.effectiveness.hidden", threshold=c.w.threshold)
    if not c.effect.respondents.value:
        return t("vitality.effectiveness.no_answer")
    return ""


def _objectives_part(c: _Context) -> Section:
    t, w = c.w.t, c.w
    title = t("vitality.effectiveness.objectives")
    note = _surveys_note(c)
    rows: list[Row] = []
    if c.effect is None:
        return Section("effectiveness.objectives", title, note=note)
    if c.effect.surveys:
        rows.append(w.row("effectiveness.respondents", c.effect.respondents))
    if note:
        return Section("effectiveness.objectives", title, tuple(rows), note)
    for result in c.effect.objectives:
        if result.mean.suppressed:
            value = t("vitality.suppressed_rate", threshold=w.threshold)
        else:
            shares = " · ".join(
                t("vitality.effectiveness.share", score=str(score), share=w.fig(share, PERCENT))
                for score, share in zip(rules.SCALE, result.distribution, strict=True)
            )
            value = t(
                "vitality.effectiveness.objective_line",
                mean=w.fig(result.mean, MEAN),
                respondents=w.fig(Figure(result.respondents)),
                shares=shares,
            )
        name = objective_name(result.key, result.label, c.profile, t)
        rows.append(Row(f"effectiveness.objective.{result.key}", name, value))
    if not c.effect.objectives:
        note = t("vitality.effectiveness.no_objective")
    return Section("effectiveness.objectives", title, tuple(rows), note)


# The outcomes survey's ready-made choices (dialogs/polls/surveys.py): stored in the language the
# survey was drafted in, shown in the report's language; a topic title or a choice the animateur
# wrote stays as written.
SURVEY_CHOICE_KEYS = tuple(
    f"polls.template.outcomes.{key}"
    for key in (
        *(f"learned.generic.{i}" for i in range(1, 6)),
        "other",
        *(f"practice.{i}" for i in range(1, 6)),
        "practice.none",
        *(f"value.{i}" for i in range(1, 6)),
        "value.none",
    )
)


def survey_choice(label: str, t: Translator) -> str:
    """``label`` in ``t``'s language when it is one of the survey's ready-made choices."""
    for locale in SUPPORTED_LOCALES:
        other = Translator(locale)
        for key in SURVEY_CHOICE_KEYS:
            if other.has(key) and other(key) == label:
                return t(key) if t.has(key) else label
    return label


def _choice_part(
    key: str, lines: Callable[[Effectiveness], Sequence[ChoiceLine]]
) -> Callable[[_Context], Section | None]:
    def part(c: _Context) -> Section | None:
        t, w = c.w.t, c.w
        title = t(f"vitality.effectiveness.{key}")
        if c.effect is None or _surveys_note(c):  # said once, under the objectives
            return None
        rows = tuple(
            Row(f"effectiveness.{key}.{i}", survey_choice(line.label, t), w.fig(line.count))
            for i, line in enumerate(lines(c.effect), start=1)
        )
        return Section(
            f"effectiveness.{key}", title, rows, "" if rows else t("vitality.effectiveness.none")
        )

    return part


def _projects_part(c: _Context) -> Section | None:
    t, w = c.w.t, c.w
    title = t("vitality.effectiveness.projects")
    if c.effect is None:
        return None
    rows = tuple(
        Row(
            f"effectiveness.projects.{kind or 'unspecified'}",
            t(f"vitality.project_kind.{kind or 'unspecified'}"),
            w.fig(Figure(count)),
        )
        for kind, count in c.effect.projects_by_kind
    )
    if not rows:  # « Valeur créée : projets et outils » below already says there are none
        return None
    return Section("effectiveness.projects", title, rows)


def _between_note(c: _Context, source: str) -> str:
    """Why a between-meetings part has no figures (no data, or a committee's report), or ""."""
    t = c.w.t
    if source not in c.report.sources:
        return t("vitality.no_data_section")
    if c.report.request.committee_id:
        return t("vitality.cdep_only")
    return ""


def supervision_rows(s: Supervision, w: _Words) -> tuple[tuple[Row, ...], str]:
    """The supervision figures (counts only, never content) and the note under them."""
    t = w.t
    requests = w.row("supervision.requests", s.requests)
    if s.requests.suppressed:
        return (requests,), t("vitality.supervision.hidden", threshold=w.threshold)
    if not s.requests.value:
        return (), t("vitality.supervision.none")
    rows = [requests, w.row("supervision.taken", s.taken_share, PERCENT)]
    median = w.row("supervision.median", s.median_hours, HOURS)
    if (
        s.median_hours is not None
        and s.median_hours.value is None
        and not s.median_hours.suppressed
    ):
        median = Row(median.key, median.label, t("vitality.supervision.never_taken"))
    rows.append(median)
    done = " · ".join(
        t(
            "vitality.supervision.outcome_count",
            outcome=t(f"vitality.supervision.{code}"),
            count=w.fig(count),
        )
        for code, count in s.outcomes
    )
    rows.append(Row("supervision.outcomes", t("vitality.figure.supervision.outcomes"), done))
    return tuple(rows), ""


def _supervision_part(c: _Context) -> Section:
    t = c.w.t
    title = t("vitality.effectiveness.supervision")
    note = _between_note(c, "supervision")
    if note or c.report.supervision is None:
        return Section("effectiveness.supervision", title, note=note or t("vitality.no_data"))
    rows, note = supervision_rows(c.report.supervision, c.w)
    return Section("effectiveness.supervision", title, rows, note)


def _out_of(part: Figure, whole: Figure, w: _Words) -> str:
    if part.suppressed or not whole.value:
        return w.fig(part)
    return w.t("vitality.out_of", part=w.fig(part), whole=w.fig(whole))


def left_behind_rows(lb: LeftBehind, w: _Words) -> tuple[tuple[Row, ...], str]:
    """What the meetings left behind and, when enough takeaways exist, a few of them."""
    t = w.t
    if not lb.meetings.value:
        return (), t("vitality.left_behind.none")
    if not (lb.meetings_with_notes.value or lb.takeaways.population or lb.follow_ups.value):
        return (), t("vitality.left_behind.nothing", count=w.fig(lb.meetings))
    rows = [
        Row(
            "left_behind.notes",
            t("vitality.figure.left_behind.notes"),
            _out_of(lb.meetings_with_notes, lb.meetings, w),
        ),
        w.row("left_behind.takeaways", lb.takeaways),
        Row(
            "left_behind.meetings_with_takeaways",
            t("vitality.figure.left_behind.meetings_with_takeaways"),
            _out_of(lb.meetings_with_takeaways, lb.meetings, w),
        ),
        Row(
            "left_behind.follow_ups",
            t("vitality.figure.left_behind.follow_ups"),
            _out_of(lb.follow_ups_done, lb.follow_ups, w)
            if lb.follow_ups.value
            else t("vitality.left_behind.no_follow_up"),
        ),
    ]
    rows += [
        Row(
            f"left_behind.takeaway.{i}",
            t("vitality.left_behind.takeaway", day=short_date(item.day, t)),
            item.text,
        )
        for i, item in enumerate(lb.recent, start=1)
    ]
    note = ""
    if lb.takeaways.suppressed:
        note = t("vitality.left_behind.hidden", threshold=w.threshold)
    elif lb.takeaways.value and not lb.recent:
        note = t("vitality.left_behind.few", threshold=w.threshold)
    return tuple(rows), note


def _left_behind_part(c: _Context) -> Section:
    t = c.w.t
    title = t("vitality.effectiveness.left_behind")
    note = _between_note(c, "notes")
    if note or c.report.left_behind is None:
        return Section("effectiveness.left_behind", title, note=note or t("vitality.no_data"))
    rows, note = left_behind_rows(c.report.left_behind, c.w)
    return Section("effectiveness.left_behind", title, rows, note)


EFFECTIVENESS_PARTS: list[Callable[[_Context], Section | None]] = [
    _objectives_part,
    _choice_part("learnings", lambda e: e.learnings),
    _choice_part("practice", lambda e: e.practice),
    _choice_part("value", lambda e: e.value),
    _projects_part,
    _left_behind_part,
    _supervision_part,
]


def effectiveness_sections(
    report: VitalityReport, w: _Words, profile: CommunityProfile
) -> tuple[Section, ...]:
    """The « Efficacité » section as sub-sections (card, CSV and PDF)."""
    context = _Context(report, report.effectiveness, w, profile)
    found = (part(context) for part in EFFECTIVENESS_PARTS)
    return tuple(section for section in found if section is not None)


def _engagement(report: VitalityReport, w: _Words) -> tuple[tuple[tuple[str, float], ...], str]:
    t = w.t
    e = report.engagement
    if e is None or e.people == 0:
        return (), t("vitality.engagement.none")
    text = t(
        "vitality.engagement.text",
        core=w.fig(e.core),
        active=w.fig(e.active),
        peripheral=w.fig(e.peripheral),
    )
    levels = ((rules.CORE, e.core), (rules.ACTIVE, e.active), (rules.PERIPHERAL, e.peripheral))
    shown = [(level, f.value or 0) for level, f in levels if not f.suppressed]
    if not shown:
        return (), text
    slices = [(t(f"vitality.chart.{level}"), value) for level, value in shown]
    hidden = e.people - sum(value for _, value in shown)
    if len(shown) < len(levels):  # the hidden levels together: never fewer than the threshold
        slices.append((t("vitality.chart.not_published"), hidden))
    return tuple(slices), text


# ---- the whole view ---------------------------------------------------------------------------


def subtitle(report: VitalityReport, profile: CommunityProfile, t: Translator) -> str:
    period = report.request.period
    scope = scope_name(profile, report.request.committee_id, t)
    if cycles.of_community(profile).of(period.start) == period:  # a whole cycle says so
        text = f"{cycle_text(period.label, period.start, period.end, t)} · {scope}"
    else:
        text = t(
            "vitality.subtitle",
            start=day_month_year(period.start, t),
            end=day_month_year(period.end, t),
            scope=scope,
        )
    if report.as_of < period.end:
        text += " " + t("vitality.as_of", day=day_month_year(report.as_of, t))
    return text


def scopes(report: VitalityReport, profile: CommunityProfile, t: Translator) -> tuple[Scope, ...]:
    """Buttons: the same period for the whole CdeP and each committee, and the cycles around."""
    period, committee = report.request.period, report.request.committee_id
    found: list[Scope] = []
    for cid in ("", *(c.id for c in profile.committees)):
        if cid != committee:
            found.append(
                Scope(
                    scope_name(profile, cid, t),
                    period.start.isoformat(),
                    period.end.isoformat(),
                    cid,
                )
            )
    cycle = cycles.of_community(profile)
    before, after = rules.previous_cycle(period, cycle), rules.next_cycle(period, cycle)
    found.append(
        Scope(
            t("vitality.scope.previous"),
            before.start.isoformat(),
            before.end.isoformat(),
            committee,
        )
    )
    if after.start <= report.today:
        found.append(
            Scope(
                t("vitality.scope.next"), after.start.isoformat(), after.end.isoformat(), committee
            )
        )
    return tuple(found)


def title(profile: CommunityProfile, t: Translator) -> str:
    return t("vitality.title", community=profile.short_name)


def report_view(
    report: VitalityReport, profile: CommunityProfile, t: Translator, links: Links = Links()
) -> ReportView:
    w = _Words(t, report.threshold)
    meetings, all_meetings, attendance = _meetings(report, w, profile)
    satisfaction, satisfaction_series, satisfaction_text = _satisfaction(report, w)
    slices, engagement_text = _engagement(report, w)
    projects, all_projects = _value(report, t)
    return ReportView(
        title=title(profile, t),
        subtitle=subtitle(report, profile, t),
        privacy=t("vitality.privacy", threshold=report.threshold),
        sections=(
            _participation(report, w),
            _exchanges(report, w),
            satisfaction,
            _training(report, w),
            projects,
        ),
        meetings=meetings,
        attendance_chart=attendance,
        attendance_chart_title=t("vitality.chart.attendance"),
        engagement_chart=slices,
        engagement_chart_title=t("vitality.chart.engagement"),
        engagement_text=engagement_text,
        satisfaction_chart=satisfaction_series,
        satisfaction_chart_title=t("vitality.chart.satisfaction_title"),
        satisfaction_text=satisfaction_text or t("vitality.satisfaction.none"),
        scopes=scopes(report, profile, t),
        csv_url=links.csv_url,
        pdf_links=links.pdf_links,
        details=(all_meetings, _poll_details(report, w), all_projects),
        effectiveness=effectiveness_sections(report, w, profile),
        offer_outcomes=links.offer_outcomes,
    )
