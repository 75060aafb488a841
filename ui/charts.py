"""Altair chart builders: plain data in, chart out, so they can be tested without Streamlit.

Each chart carries its figures as text in the spec's ``description``, which Vega gives the
drawing as its accessible name: a screen reader reads "A: 3; B: 2" instead of "Vega
visualization" (WCAG 1.1.1)."""

from collections.abc import Mapping

import altair as alt
import pandas as pd

# Axis and legend words on a phone: the app's smallest text (ui/accessibility.py), not Vega's 11.
LEGIBLE_PX = 16


def _described(rows: list[dict[str, object]], label: str, *values: str) -> str:
    """ "label: value, value; ..." for each row, in the rows' order."""
    return "; ".join(f"{row[label]}: {', '.join(str(row[v]) for v in values)}" for row in rows)


def proposals_by_status(counts: Mapping[str, int], labels: Mapping[str, str]) -> alt.Chart:
    frame = pd.DataFrame({"status": [labels[k] for k in counts], "count": list(counts.values())})
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=4)
        .encode(
            x=alt.X("count:Q", title=None, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("status:N", title=None, sort="-x"),
            tooltip=["status", "count"],
        )
        .properties(
            height=alt.Step(26),
            description=_described(frame.to_dict("records"), "status", "count"),
        )
    )


def fund_balances(rows: list[dict[str, object]], *, available: str, earmarked: str) -> alt.Chart:
    """Rows: {"fund", "available_yuan", "earmarked_yuan"} in whole yuan (ints): a bar needs no
    fen, and the exact figures sit in the table beside it."""
    frame = pd.DataFrame(rows).melt(id_vars="fund", var_name="part", value_name="yuan")
    frame["part"] = frame["part"].map({"available_yuan": available, "earmarked_yuan": earmarked})
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yuan:Q", title="¥", stack="zero"),
            y=alt.Y("fund:N", title=None, axis=alt.Axis(labelLimit=360)),
            color=alt.Color("part:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["fund", "part", "yuan"],
        )
        .properties(
            height=alt.Step(30),
            description=_described(frame.to_dict("records"), "fund", "part", "yuan"),
        )
    )


def result_bars(rows: list[dict[str, object]], *, support: str, won: str, lost: str) -> alt.Chart:
    """Rows: {"title", "support", "won"}: one bar per proposal, winners coloured."""
    frame = pd.DataFrame(rows)
    frame["outcome"] = frame["won"].map({True: won, False: lost})
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=4)
        .encode(
            # ballots are whole: no 0.04 ticks when a round has two of them
            x=alt.X("support:Q", title=support, axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("title:N", title=None, sort="-x", axis=alt.Axis(labelLimit=360)),
            color=alt.Color(
                "outcome:N",
                title=None,
                scale=alt.Scale(domain=[won, lost], range=["#2e7d32", "#b0bec5"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["title", "support", "outcome"],
        )
        .properties(
            height=alt.Step(30),
            description=_described(frame.to_dict("records"), "title", "support", "outcome"),
        )
    )


def score_chart(rows: list[dict[str, object]], legend: str) -> alt.LayerChart:
    """Average score per criterion and project (0-5): a heat map readable on a projector.
    ``rows``: dicts with ``project``, ``criterion`` (a label) and ``average`` (a number)."""
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("criterion:N", title=None, axis=alt.Axis(labelAngle=0, labelFontSize=LEGIBLE_PX)),
        y=alt.Y("project:N", title=None, axis=alt.Axis(labelFontSize=LEGIBLE_PX, labelLimit=320)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("average:Q", scale=alt.Scale(domain=[0, 5], scheme="blues"), title=legend),
        tooltip=["project:N", "criterion:N", alt.Tooltip("average:Q", format=".1f")],
    )
    text = base.mark_text(fontSize=16).encode(
        text=alt.Text("average:Q", format=".1f"),
        color=alt.when(alt.datum.average > 3)
        .then(alt.value("white"))
        .otherwise(alt.value("black")),
    )
    return (cells + text).properties(
        height=alt.Step(44), description=_described(rows, "project", "criterion", "average")
    )


def live_result(
    rows: list[dict[str, object]], *, won: str, lost: str, size: int = 26
) -> alt.LayerChart:
    """Rows {"title", "support", "won"}, in the order to show: each project's title above
    its bar and its count at the bar's end, so that the chart reads the same on a 1920x1080
    wall, in type readable from the back of the hall, and on a phone (no axis eats the width)."""
    frame = pd.DataFrame(rows)
    frame["outcome"] = frame["won"].map({True: won, False: lost})
    frame["order"] = range(len(frame))  # also keeps two projects of the same title apart
    base = alt.Chart(frame).encode(
        y=alt.Y("order:O", axis=None, scale=alt.Scale(paddingInner=0.5, paddingOuter=0.2))
    )
    bars = base.mark_bar(cornerRadiusEnd=4).encode(
        x=alt.X("support:Q", axis=None, scale=alt.Scale(domainMin=0, nice=False)),
        color=alt.Color(
            "outcome:N",
            title=None,
            scale=alt.Scale(domain=[won, lost], range=["#2e7d32", "#b0bec5"]),
            legend=alt.Legend(
                orient="top", labelFontSize=size, symbolSize=size * 12, labelLimit=600
            ),
        ),
        tooltip=["title", "support", "outcome"],
    )
    titles = base.mark_text(
        align="left", baseline="bottom", dy=-round(size * 0.55), fontSize=size, limit=1800
    ).encode(x=alt.datum(0), text="title:N")
    counts = base.mark_text(align="left", dx=10, fontSize=size, fontWeight="bold").encode(
        x="support:Q", text="support:Q"
    )
    return (bars + titles + counts).properties(
        height=alt.Step(round(size * 2.4)),
        description=_described(frame.to_dict("records"), "title", "support", "outcome"),
    )


def needs_demand(
    rows: list[dict[str, object]], *, measure: str, labels: Mapping[str, str]
) -> alt.Chart:
    """Rows: {"place", "category", "needs", "supporters"}, place and category already in words.
    One bar per category, longest first, split by place; ``measure`` ("needs" or "supporters")
    is the bar's length. Made to be read on a phone: horizontal bars (long labels stay
    level), the legend under the chart, a row height a thumb can point at."""
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            x=alt.X(
                f"{measure}:Q",
                title=labels[measure],
                axis=alt.Axis(
                    tickMinStep=1, format="d", labelFontSize=LEGIBLE_PX, titleFontSize=LEGIBLE_PX
                ),
            ),
            y=alt.Y(
                "category:N",
                title=None,
                sort="-x",
                axis=alt.Axis(labelFontSize=LEGIBLE_PX, labelLimit=150),
            ),
            color=alt.Color(
                "place:N",
                title=labels["place"],
                legend=alt.Legend(
                    orient="bottom", direction="vertical", labelFontSize=LEGIBLE_PX, labelLimit=300
                ),
            ),
            tooltip=[
                alt.Tooltip("place:N", title=labels["place"]),
                alt.Tooltip("category:N", title=labels["category"]),
                alt.Tooltip("needs:Q", title=labels["needs"]),
                alt.Tooltip("supporters:Q", title=labels["supporters"]),
            ],
        )
        .properties(
            height=alt.Step(34),
            description=_described(rows, "category", "place", measure),
        )
    )


def money_by_source(rows: list[dict[str, object]], *, yuan: str) -> alt.Chart:
    """Rows: {"source" (in words), "yuan" (whole yuan), "government" (bool)}, in the order to
    show. One bar per source, the government's grey and everyone else's green, so the share
    that does not come from government reads at a glance; horizontal, for a phone."""
    frame = pd.DataFrame(rows)
    frame["order"] = range(len(frame))
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=4)
        .encode(
            x=alt.X("yuan:Q", title=yuan, axis=alt.Axis(format=",d")),
            y=alt.Y(
                "source:N",
                title=None,
                sort=alt.EncodingSortField("order"),
                axis=alt.Axis(labelFontSize=LEGIBLE_PX, labelLimit=200),
            ),
            color=alt.Color(
                "government:N",
                legend=None,
                scale=alt.Scale(domain=[True, False], range=["#90a4ae", "#2e7d32"]),
            ),
            tooltip=[alt.Tooltip("source:N"), alt.Tooltip("yuan:Q", format=",d")],
        )
        .properties(height=alt.Step(34), description=_described(rows, "source", "yuan"))
    )
