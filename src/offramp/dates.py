"""Calendar arithmetic shared by every app: ages and dates a number of months or years on."""

import calendar
import datetime


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years between a date of birth and a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)
