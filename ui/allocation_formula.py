"""The allocation's formula with a community's own numbers plugged in, in words: one text for
the allocation page and its printed report, so that paper and screen never disagree."""

import math
from fractions import Fraction

from services.allocation import LEVERAGE_CAP, SATISFACTION_TOP, CommunityPart, Split
from ui.i18n import format_percent
from ui.reports.layout import Words

UNKNOWN = "–"


def exact_yuan(words: Words, fen: Fraction) -> str:
    """An exact amount to the nearest fen (half up), for the formula's intermediate figures."""
    return words.money(math.floor(fen + Fraction(1, 2)))


def decimal(value: Fraction, digits: int = 4) -> str:
    scale = 10**digits
    units = math.floor(value * scale + Fraction(1, 2))
    whole, rest = divmod(units, scale)
    return f"{whole}.{rest:0{digits}d}".rstrip("0").rstrip(".")


def _share(value: Fraction) -> str:
    return format_percent(value, 2)


def _known(value: Fraction | None) -> str:
    return UNKNOWN if value is None else decimal(value)


def need_line(words: Words, split: Split, part: CommunityPart) -> str:
    count = len(split.parts)
    if not split.need_measures:
        return words(
            "allocation.need_line_even",
            count=count,
            share=_share(part.need_share),
            pool=exact_yuan(words, split.need_pool),
            amount=exact_yuan(words, part.need),
        )
    figures = part.figures
    households, needs, years = split.need_totals
    shown = (
        ("allocation.part_households", figures.households, households),
        ("allocation.part_needs", figures.open_needs, needs),
        ("allocation.part_age", figures.facility_age, years),
    )
    parts = " + ".join(
        words(key, value=UNKNOWN if value is None else f"{value:,}", total=f"{total:,}")
        for (key, value, total), counted in zip(shown, part.need_parts, strict=True)
        if counted is not None
    )
    return words(
        "allocation.need_line",
        parts=parts,
        count=split.need_measures,
        share=_share(part.need_share),
        pool=exact_yuan(words, split.need_pool),
        amount=exact_yuan(words, part.need),
    )


def performance_line(words: Words, split: Split, part: CommunityPart) -> str:
    if not split.score_total:
        return words(
            "allocation.performance_line_even",
            count=len(split.parts),
            share=_share(part.performance_share),
            pool=exact_yuan(words, split.performance_pool),
            amount=exact_yuan(words, part.performance),
        )
    figures = part.figures
    leverage = None if figures.leverage is None else min(figures.leverage, Fraction(LEVERAGE_CAP))
    satisfaction = (
        None
        if figures.satisfaction is None
        else min(figures.satisfaction, Fraction(SATISFACTION_TOP))
    )
    return words(
        "allocation.performance_line",
        implementation=words(
            "allocation.part_implementation", value=_known(figures.implementation)
        ),
        leverage=words("allocation.part_leverage", value=_known(leverage), cap=LEVERAGE_CAP),
        satisfaction=words("allocation.part_satisfaction", value=_known(satisfaction)),
        score=decimal(part.performance_score),
        score_total=decimal(split.score_total),
        share=_share(part.performance_share),
        pool=exact_yuan(words, split.performance_pool),
        amount=exact_yuan(words, part.performance),
    )
