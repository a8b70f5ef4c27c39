"""How much happens and in what proportions: the weight tables and shares every simulation
draws from (the demo's campaign and the benchmarks' fills alike).

Volume. At scale 1 the operators register 50 cases a working day (a tenth of that on days
off, online and on the duty hotline), citizens leave 100 ratings (about 6 in 100 bad, each
opening a complaint), inspectors record 4 patrol deductions and issue nearly one inspection
order a day, besides what supervision, bad ratings and substantiated complaints bring. A
real centre of the sample directory's size (30 departments, 61 windows) takes 150–250 cases
a working day through its hotline; 50 already fills every department's board, every month's
scores and every list, while the default 100 days (about 4,000 cases, 6,900 ratings, 640
deductions, 140 orders: 41,000 events) load in about five minutes on a small machine.

A mix maps each choice to its weight (`random.choices` reads them as relative weights); a
share is a probability; `…_SLOPPINESS` is added times a department's sloppiness (0 diligent
… 1 careless), so careless departments do the thing more often.
"""

from __future__ import annotations

from domain.case import Channel, Kind, Outcome, Satisfaction

# Volume at scale 1 (see the module's docstring for why these figures).
CASES_PER_WORKING_DAY = 50
DAY_OFF_SHARE = 0.1  # of a working day's cases arrive on a weekend or holiday
EVALUATIONS_PER_WORKING_DAY = 100
PATROL_DEDUCTIONS_PER_WORKING_DAY = 4
INSPECTION_ORDERS_PER_WORKING_DAY = 0.8
# Mondays bring the weekend's backlog, Fridays are quieter (Monday first).
WEEKDAY_LOAD = (1.25, 1.05, 1.0, 0.95, 0.8, 1.0, 1.0)

KIND_MIX = {
    Kind.COMPLAINT: 55,
    Kind.CONSULTATION: 15,
    Kind.REQUEST: 9,
    Kind.REPORT: 8,
    Kind.SUGGESTION: 7,
    Kind.PRAISE: 6,
}
CHANNEL_MIX = {Channel.HOTLINE: 55, Channel.ONLINE: 25, Channel.WALK_IN: 15, Channel.LETTER: 5}
# The hall is closed on days off: cases come online or through the duty hotline.
DAY_OFF_CHANNEL_MIX = {Channel.ONLINE: 60, Channel.HOTLINE: 40}
URGENT_KINDS = frozenset({Kind.COMPLAINT, Kind.REQUEST, Kind.REPORT})
URGENT_SHARE = 0.05
DUPLICATE_SHARE = 0.03  # of complaints: the same citizen calling again about an open case
ANONYMOUS_REPORT_SHARE = 0.3  # 举报 often comes without a name
INTERNAL_NOTE_SHARE = 0.06
RATING_MIX = {5: 72, 4: 18, 3: 6.8, 2: 2, 1: 1.2}

# Routing and the departments' handling; `…_SLOPPINESS` is added times a department's sloppiness.
MISROUTED_SHARE = 0.06
ARBITRATED_SHARE = 0.4  # of reassignments after a return: final (审定), no second return
SHIRKING_SLOPPINESS = 0.15
LATE_ACKNOWLEDGEMENT_SHARE = 0.03
LATE_ACKNOWLEDGEMENT_SLOPPINESS = 0.35
LATE_RESULT_SHARE = 0.03
LATE_RESULT_SLOPPINESS = 0.3
CLOCK_STOP_SHARE = 0.06
EXTENSION_SHARE = 0.05
EXTENSION_SLOPPINESS = 0.1
EXTENSION_WORKING_DAYS = (3, 5, 5, 7, 10, 15)
EXTENSION_GRANTED_SHARE = 0.75
COMPLICATED_KINDS = frozenset({Kind.COMPLAINT, Kind.REPORT, Kind.REQUEST, Kind.SUGGESTION})
# How far into the time left a department answers on time, per kind (share of office time).
ON_TIME_ANSWER = {
    Kind.CONSULTATION: (0.02, 0.6),
    Kind.REQUEST: (0.1, 0.9),
    Kind.SUGGESTION: (0.2, 0.95),
    Kind.COMPLAINT: (0.15, 0.95),
    Kind.REPORT: (0.25, 0.95),
}
OUTCOME_MIX = {
    Kind.COMPLAINT: {
        Outcome.SUBSTANTIATED: 30,
        Outcome.PARTLY_SUBSTANTIATED: 20,
        Outcome.UNSUBSTANTIATED: 35,
        Outcome.RESOLVED: 15,
    },
    Kind.REPORT: {
        Outcome.SUBSTANTIATED: 15,
        Outcome.PARTLY_SUBSTANTIATED: 15,
        Outcome.UNSUBSTANTIATED: 70,
    },
}
PROPOSAL_SHARE = 0.8  # of substantiated complaints naming someone, less for sloppy departments
PROPOSAL_CONFIRMED_SHARE = 0.85

# The centre's follow-up.
CALLBACK_REACHED_SHARE = 0.85
CALLBACK_ATTEMPTS = 2
SATISFACTION_MIX = {
    Satisfaction.VERY_SATISFIED: 38,
    Satisfaction.SATISFIED: 42,
    Satisfaction.NEUTRAL: 13,
    Satisfaction.DISSATISFIED: 5,
    Satisfaction.VERY_DISSATISFIED: 2,
}
DISSATISFIED = frozenset({Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED})
REOPEN_WHEN_DISSATISFIED_SHARE = 0.6
REOPEN_AFTER_CLOSING_SHARE = 0.02
# Well inside the 30 days a closed case may be reopened, even across a week-long holiday.
REOPEN_AFTER_CLOSING_DAYS = (2, 14)
ERASURE_SHARE = 0.01

# The inspectors.
SUPERVISION_SHARE = 0.75
PUBLIC_SUPERVISION_NOTE_SHARE = 0.5
OVERDUE_DEDUCTION_SHARE = 0.5
ORDER_AFTER_SUPERVISION_SHARE = 0.1
ORDER_AFTER_SUPERVISION_SLOPPINESS = 0.4
ORDER_AFTER_BAD_RATING_SHARE = 0.05
WINDOW_FINDING_SHARE = 0.25  # of patrol findings: about a window, not a person
UNANNOUNCED_VISIT_SHARE = 0.3
REVOCATION_SHARE = 0.05
ORDER_TERMS = (None, None, None, 5, 15)  # working days; None: the policy's default
ORDER_CLOCK_STOP_SHARE = 0.05
ORDER_EXTENSION_SHARE = 0.2
# Inspectors hold departments to the terms they set themselves more strictly.
ORDER_EXTENSION_GRANTED_SHARE = 0.6
ORDER_REJECTED_SHARE = 0.25
# Rectifying takes more than answering: orders run late more often than cases.
LATE_REPORT_SHARE = 0.1
LATE_REPORT_SLOPPINESS = 0.4
ORDER_RETRY_WORKING_DAYS = 5

# What a case is about, per kind (the categories of the catalogue of complaints).
CATEGORY_MIX: dict[Kind, dict[str, float]] = {
    Kind.COMPLAINT: {
        "service_attitude": 25,
        "efficiency_delay": 20,
        "one_time_notification": 12,
        "shirking": 10,
        "work_discipline": 10,
        "business_competence": 10,
        "procedure_systems": 8,
        "hall_environment": 5,
    },
    Kind.REPORT: {"integrity": 55, "work_discipline": 45},
    Kind.REQUEST: {"procedure_systems": 60, "policy_other": 40},
    Kind.CONSULTATION: {"policy_other": 100},
    Kind.SUGGESTION: {"hall_environment": 50, "procedure_systems": 50},
    Kind.PRAISE: {"service_attitude": 100},
}

# The conduct rules a finding or a substantiated complaint names (codes of the default
# conduct catalogue).
RULES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "service_attitude": ("harsh_attitude", "quarrel_with_citizen"),
    "work_discipline": ("absent_from_post", "phone_or_games", "lateness_early_leave"),
    "efficiency_delay": ("overdue",),
    "one_time_notification": ("one_time_notice",),
    "shirking": ("shirking", "first_inquiry"),
    "integrity": ("integrity",),
}
# What a substantiated complaint costs when no rule names what it was about.
SUBSTANTIATED_COMPLAINT = "substantiated_complaint"
STAFF_FINDINGS = (
    "lateness_early_leave",
    "absent_from_post",
    "phone_or_games",
    "dress_or_badge",
    "chatting_or_eating",
    "harsh_attitude",
)
WINDOW_FINDINGS = ("window_unattended", "ab_post_not_covered", "guide_not_posted")
# The item catalogue (事项清单, §16): how often a case or a rating at a window names the item the
# citizen came for, and how often a complaint about an item promised in one trip is that it
# took several (多次跑动).
ITEM_SHARE = 0.3
SEVERAL_TRIPS_SHARE = 0.15
