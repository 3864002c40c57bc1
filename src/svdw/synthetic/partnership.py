"""The partnership's action plan tracker: one monthly snapshot (Excel "CSV UTF-8") per month.

About 30 actions across themes and prevention tiers; RAG ratings move between snapshots (red
actions recover, some slip, actions complete near their target date). Updates are typed by
people, so some contain commas, quotes, line breaks and a leading =, +, - or @.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from svdw.contracts import get_contract
from svdw.synthetic.world import World, contract_path, csv_writer

THEMES = {
    "EI": ("Early intervention and prevention", (
        ("Primary", "Deliver violence-prevention sessions in every secondary school", "Schools reached"),
        ("Secondary", "Embed youth workers in the three busiest emergency departments", "Young people engaged"),
        ("Secondary", "Expand mentoring for pupils at risk of exclusion", "Mentees starting"),
        ("Primary", "Fund evening sport in the most deprived wards", "Weekly places"),
        ("Secondary", "Offer family support to siblings of children in the youth justice system", "Families supported"),
    )),
    "ED": ("Education and inclusion", (
        ("Secondary", "Reduce suspensions for persistent disruptive behaviour", "Suspension rate per 100 pupils"),
        ("Secondary", "Agree a managed-move protocol with all secondary heads", "Protocol signed"),
        ("Tertiary", "Guarantee full-time education for every permanently excluded pupil within 6 days", "Days to placement"),
        ("Primary", "Trauma-informed practice training for school staff", "Staff trained"),
    )),
    "KC": ("Knife crime and weapons", (
        ("Primary", "Run a knife-crime awareness campaign before the summer holidays", "Campaign reach"),
        ("Tertiary", "Knife Crime Awareness Programme for every child with a weapon offence", "Completion rate"),
        ("Secondary", "Install knife bins in hotspot wards", "Bins installed"),
        ("Tertiary", "Joint police/YJS review of repeat weapon carriers", "Reviews held"),
    )),
    "CP": ("Community and place", (
        ("Primary", "Improve lighting and CCTV in the night-time economy hotspots", "Schemes completed"),
        ("Secondary", "Commission detached youth work in hotspot areas", "Hours delivered"),
        ("Primary", "Community grants for resident-led activities", "Grants awarded"),
        ("Secondary", "Licensing interventions at venues linked to violence", "Venues reviewed"),
    )),
    "EX": ("Exploitation and county lines", (
        ("Tertiary", "Multi-agency child exploitation panel reviews every flagged child", "Children reviewed"),
        ("Secondary", "Train taxi and hotel staff to spot exploitation", "Staff trained"),
        ("Tertiary", "Reachable-moment workers in custody suites", "Young people engaged"),
        ("Secondary", "Share county-lines intelligence with schools each term", "Briefings issued"),
    )),
    "VW": ("Violence against women and girls", (
        ("Primary", "Healthy relationships lessons in year 9", "Schools delivering"),
        ("Tertiary", "Perpetrator programme for young men", "Starts"),
        ("Secondary", "Safe spaces scheme in town centres at night", "Venues signed up"),
    )),
    "DP": ("Data, evidence and partnership", (
        ("Primary", "Publish the Strategic Needs Assessment refresh", "SNA published"),
        ("Primary", "Sign the information-sharing agreement with all specified authorities", "Signatories"),
        ("Primary", "Stand up the serious violence data warehouse", "Partners supplying data"),
        ("Secondary", "Evaluate commissioned interventions against the outcomes framework", "Evaluations completed"),
        ("Primary", "Quarterly partnership board performance report", "Reports to board"),
    )),
}  # fmt: skip
OWNERS = ("Community Safety Partnership", "Police", "Youth Justice Service", "Public Health",
          "Education", "Children's Services", "Violence Reduction Unit", "NHS ICB",
          "Probation Service", "Fire and Rescue Service")  # fmt: skip
UPDATES = {
    "Red": (
        'Delayed: funding not yet confirmed, "awaiting ICB decision".',
        "-£20k shortfall against the budget; options paper to the board next month.",
        "Recruitment failed twice, post re-advertised.\nInterim cover from the VRU until filled.",
        "@Police lead: please confirm data-sharing sign-off, this is now blocking delivery.",
    ),
    "Amber": (
        "On track overall, but 2 of 5 schools have not yet confirmed dates.",
        "+3 venues this month; target still at risk because of staff sickness.",
        'Partners agreed the approach; "soft launch" planned, paperwork still with legal.',
        "=Q2 figures awaited (see tab 3), then we can report progress.",
    ),
    "Green": (
        "Delivered as planned; numbers up on last quarter.",
        "Progress good: sessions running weekly, attendance around 70%.\nNext review at board.",
        "All milestones met, see dashboard for detail.",
        '-No issues to report. "Business as usual".',
    ),
    "Complete": (
        "Complete: evaluation report circulated, closing action.",
        "Done, handed over to business-as-usual, owner signed off.",
    ),
}


def write(world: World, out_dir: Path) -> list[Path]:
    contract = get_contract("partnership_action_plan")
    rng = world.rng("partnership", "actions")
    actions: list[dict[str, Any]] = []
    for prefix, (theme, items) in THEMES.items():
        for n, (tier, action, indicator) in enumerate(items, 1):
            target = world.months[0] + timedelta(days=rng.randint(60, 540))
            actions.append(
                {"ref": f"{prefix}{n}.{rng.randint(1, 3)}", "theme": theme, "tier": tier,
                 "action": action, "owner": rng.choice(OWNERS), "indicator": indicator,
                 "target": target, "rag": rng.choices(("Red", "Amber", "Green"), (1, 3, 4))[0]}
            )  # fmt: skip
    written = []
    for month in world.months:
        month_rng = world.rng("partnership", f"{month:%Y-%m}")
        snapshot = _last_weekday(month)
        path = contract_path(
            out_dir, contract.name, f"SVD_Action_Plan_Tracker_{snapshot:%Y-%m-%d}.csv"
        )
        with csv_writer(path, contract.headers, bom=True, crlf=True) as writer:
            for a in actions:
                a["rag"] = _next_rag(month_rng.random(), a["rag"], a["target"], snapshot)
                writer.writerow(
                    [f"{snapshot:%d/%m/%Y}", a["ref"], a["theme"], a["tier"], a["action"],
                     a["owner"], a["indicator"], f"{a['target']:%d/%m/%Y}", a["rag"],
                     month_rng.choice(UPDATES[a["rag"]])]
                )  # fmt: skip
        written.append(path)
    return written


def _last_weekday(month: date) -> date:
    day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _next_rag(roll: float, rag: str, target: date, today: date) -> str:
    if rag == "Complete":
        return rag
    days_left = (target - today).days
    if rag == "Green" and days_left < 45 and roll < 0.5:
        return "Complete"
    if days_left < 0 and rag != "Red" and roll < 0.4:
        return "Red"
    if roll < 0.15:
        return {"Red": "Amber", "Amber": "Green", "Green": "Green"}[rag]
    if roll > 0.9:
        return {"Red": "Red", "Amber": "Red", "Green": "Amber"}[rag]
    return rag
