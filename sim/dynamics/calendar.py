"""The calendar: one step is one week; twelve monthly bills a year."""

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12


def month_of(week: int) -> int:
    """Index of the month a week falls in (week 1 is in month 0)."""
    return ((week - 1) * MONTHS_PER_YEAR) // WEEKS_PER_YEAR


def is_month_end(week: int) -> bool:
    """Whether the month changes after this week, so bills fall due (12 times in 52 weeks)."""
    return week >= 1 and month_of(week + 1) != month_of(week)
